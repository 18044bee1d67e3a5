"""Failed sign-ins per email: after a few, a growing delay that the owner's usual addresses skip.

Every credentials check (browser login, token creation) for an email is an attempt.
Up to LOGIN_FAILURES_BEFORE_DELAY failures in a day are checked freely. From then on
each attempt from an unknown address opens a delay window before its password is
checked (LOGIN_DELAY_SECONDS, doubling with every failure counted so far, at most
LOGIN_DELAY_MAX_SECONDS); while a window is open, attempts from unknown addresses are
refused with 429 unchecked, so spreading guesses over many addresses gains nothing.
A correct password closes the window again.

An address that signed in to the account in the last 30 days is known: its attempts are
checked even while the email is delayed, so other people's failures never lock the owner
out where they usually sign in. A known address has its own allowance of failures in a
row (the same number); past it, it is treated as unknown until it signs in again.

Counts live in the rate-limit store, so they are shared by every process that shares it.
Each attempt counts as failed before its password is checked and is given back if it
succeeds, so simultaneous guesses cannot slip past the count.
"""

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from limits.errors import StorageError
from limits.storage import MemoryStorage

from marketplace.accounts.service import normalize_email
from marketplace.errors import TooManyRequests, Unauthorized
from marketplace.extensions import limiter
from marketplace.network import address_key

FAILURE_MEMORY_SECONDS = 24 * 3600
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600
KEY_PREFIX = "sign-in"

log = logging.getLogger(__name__)
# Used only when a call to the store fails before Flask-Limiter has switched to its own
# in-memory fallback; from then on `limiter.limiter.storage` is that fallback.
_local_store = MemoryStorage()


@dataclass
class _Attempt:
    email: str
    address: str
    known: bool
    counted: bool = False
    holds_window: bool = False


@contextmanager
def sign_in_attempt(email: str, address: str) -> Iterator[None]:
    """Guard one credentials check: refuse it while delayed, count it if it fails."""
    if not limiter.enabled:
        yield
        return
    attempt = _begin(normalize_email(email), address_key(address))
    try:
        yield
    except Unauthorized:
        raise  # the failure counted in _begin stands
    except Exception:
        _give_back(attempt)  # no verdict on the password (or it was right): not a failure
        raise
    _give_back(attempt)
    _remember_address(attempt)


def _begin(email: str, address: str) -> _Attempt:
    settings = current_app.config
    allowance = settings["LOGIN_FAILURES_BEFORE_DELAY"]
    attempt = _Attempt(email, address, known=_store("get", _known_key(email, address)) > 0)
    if attempt.known:
        in_a_row = _store("incr", _address_failures_key(email, address), FAILURE_MEMORY_SECONDS)
        if in_a_row <= allowance:
            return attempt
        attempt.known = False  # too many failures from here: no longer trusted
        _store("clear", _known_key(email, address))
    failures = _store("incr", _failures_key(email), FAILURE_MEMORY_SECONDS)
    attempt.counted = True
    if failures < allowance:
        return attempt
    delay = min(
        settings["LOGIN_DELAY_SECONDS"] * 2 ** min(failures - allowance, 32),
        settings["LOGIN_DELAY_MAX_SECONDS"],
    )
    # The first attempt to open the window is checked; any other while it lasts is not.
    if _store("incr", _window_key(email), delay) == 1:
        attempt.holds_window = True
        return attempt
    _give_back(attempt)
    retry_after = max(1, math.ceil(_store("get_expiry", _window_key(email)) - time.time()))
    raise TooManyRequests(
        "Too many failed sign-ins for this email; try again later, or from where you "
        "usually sign in.",
        retry_after=retry_after,
    )


def _give_back(attempt: _Attempt) -> None:
    """Undo what _begin counted for an attempt that was not a failed password."""
    if attempt.known:
        in_a_row = _address_failures_key(attempt.email, attempt.address)
        _store("incr", in_a_row, FAILURE_MEMORY_SECONDS, -1)
    if attempt.counted:
        _store("incr", _failures_key(attempt.email), FAILURE_MEMORY_SECONDS, -1)
        attempt.counted = False
    if attempt.holds_window:
        _store("clear", _window_key(attempt.email))
        attempt.holds_window = False


def _remember_address(attempt: _Attempt) -> None:
    """The account signed in from here: its attempts from here skip the email's delay."""
    email, address = attempt.email, attempt.address
    _store("clear", _address_failures_key(email, address))
    _store("clear", _known_key(email, address))  # so the 30 days count from now
    _store("incr", _known_key(email, address), KNOWN_ADDRESS_SECONDS)


def _failures_key(email: str) -> str:
    return f"{KEY_PREFIX}/failures/{email}"


def _window_key(email: str) -> str:
    return f"{KEY_PREFIX}/delay/{email}"


def _known_key(email: str, address: str) -> str:
    return f"{KEY_PREFIX}/known/{email}/{address}"


def _address_failures_key(email: str, address: str) -> str:
    return f"{KEY_PREFIX}/failures/{email}/{address}"


def _store(operation: str, *args):
    """One counter operation in the rate-limit store, or in this process while it is down."""
    try:
        return getattr(limiter.limiter.storage, operation)(*args)
    except StorageError:
        log.warning("Rate-limit store unreachable: counting sign-in failures in this process")
        return getattr(_local_store, operation)(*args)
