"""Money helpers: integer minor units per currency, and the platform fee's one rounding rule."""

from decimal import Decimal

import pycountry

BPS_DENOMINATOR = 10_000

ISO_4217_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)

# Minor units per ISO 4217 (table A.1): two decimals unless listed here. pycountry knows
# the codes but not their minor units, so the exceptions are kept by hand.
MINOR_UNITS_EXCEPTIONS = {
    # No minor unit: amounts are whole units (12500 JPY is 12,500 yen).
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # Three decimals (1.000 KWD is 1000 fils).
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    # Four decimals: Chilean and Uruguayan units of account.
    "CLF": 4,
    "UYW": 4,
}

# Codes ISO 4217 lists with no minor unit because they are not money anyone is paid in:
# precious metals, bond-market and other units of account, special drawing rights,
# the testing code and "no currency". (XAF, XOF, XPF and XCD, XCG are real money.)
NOT_MONEY = frozenset(
    {
        "XAD",  # Arab Accounting Dinar (a unit of account)
        "XAG",  # silver
        "XAU",  # gold
        "XBA",  # European Composite Unit
        "XBB",  # European Monetary Unit
        "XBC",  # European Unit of Account 9
        "XBD",  # European Unit of Account 17
        "XDR",  # IMF special drawing right
        "XPD",  # palladium
        "XPT",  # platinum
        "XSU",  # SUCRE (a unit of account)
        "XTS",  # reserved for testing
        "XUA",  # African Development Bank unit of account
        "XXX",  # no currency
    }
)

# ISO 4217 "fund codes": indexed units and same-day/next-day variants listed beside the
# currencies, which nobody pays a freelancer in.
FUND_CODES = frozenset({"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"})

# Fees and pro-rata splits are rounded to the minor unit; payment providers want the
# amounts of three- and four-decimal currencies to end in 0, which that cannot promise.
MAX_OFFERED_MINOR_UNITS = 2


def minor_units(code: str) -> int:
    """How many decimals the currency's minor unit has (JPY 0, USD 2, KWD 3), per ISO 4217."""
    if code not in ISO_4217_CODES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    if code in NOT_MONEY:
        raise ValueError(f"{code} is not money, so it has no minor unit")
    return MINOR_UNITS_EXCEPTIONS.get(code, 2)


def currency_refusal(code: str) -> str | None:
    """Why the marketplace does not take this (upper-case) code as a currency, or None."""
    if code not in ISO_4217_CODES:
        return "Not an ISO 4217 currency code."
    if code in NOT_MONEY:
        return f"{code} is not money (an ISO 4217 code for a metal, a unit of account or tests)."
    if code in FUND_CODES:
        return f"{code} is an ISO 4217 fund code, not a currency work is paid in."
    if minor_units(code) > MAX_OFFERED_MINOR_UNITS:
        return (
            f"{code} has {minor_units(code)} decimal places; only currencies with at most "
            f"{MAX_OFFERED_MINOR_UNITS} are offered."
        )
    return None


OFFERED_CURRENCIES = frozenset(c for c in ISO_4217_CODES if currency_refusal(c) is None)


def format_amount(amount: int, currency: str) -> str:
    """An amount in minor units as people read it: 12500 USD is "125.00 USD", JPY "12,500 JPY"."""
    try:
        decimals = minor_units(currency)
    except ValueError:  # a code stored before it was refused (XTS, say): say it as it is
        return f"{amount} {currency}"
    return f"{Decimal(amount).scaleb(-decimals):,f} {currency}"


def platform_fee(amount: int, fee_bps: int) -> int:
    """The fee on `amount` minor units: amount x fee_bps / 10000, rounded half up.

    Integers only, so no float ever touches money: 12345 at 1000 bps is 1234.5, so 1235.
    """
    if amount < 0 or not 0 <= fee_bps <= BPS_DENOMINATOR:
        raise ValueError("fees are taken on non-negative amounts at 0 to 10000 bps")
    return (amount * fee_bps + BPS_DENOMINATOR // 2) // BPS_DENOMINATOR
