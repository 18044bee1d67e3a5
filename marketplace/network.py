"""Who a client is on the network, for counting its requests."""

import ipaddress

from flask_limiter.util import get_remote_address


def address_key(address: str) -> str:
    """An IPv6 client's /64: its other addresses are the same household or host."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address_key() -> str:
    """The calling client's address key (behind TRUSTED_PROXIES, the forwarded one)."""
    return address_key(get_remote_address())
