"""Failed sign-ins: a growing delay per email and address, and per email past a daily budget.

Every credentials check (browser login, token creation) for an email is an attempt.
From each address (for IPv6, its /64) an email gets LOGIN_FAILURES_BEFORE_DELAY
failures in a day checked freely. From then on that address's attempts at that email
open a delay window before their password is checked (LOGIN_DELAY_SECONDS, doubling
with every further failure from there, at most LOGIN_DELAY_MAX_SECONDS); while it is
open, that address's attempts at that email are refused with 429 unchecked. Nobody
else waits for it, so one address cannot slow the owner down anywhere.

Against guesses spread over many addresses, an email also has a budget of
LOGIN_FAILURES_BEFORE_EMAIL_DELAY failures a day from all addresses together. Each
address counts towards it with at most the budget less one address's allowance, so
neither one address, nor one address with the owner's own typos from a new one, can
use it up. Once it is used up, attempts from unknown addresses also open and wait
for a delay window of the email's (the same lengths, doubling with every further
counted failure). A correct password closes the windows it was checked in.

An address that signed in to the account in the last 30 days is known: the email's
window never applies to it, so other people's failures never lock the owner out where
they usually sign in. Its own allowance (failures in a row there) still does; past it,
it is treated as unknown until it signs in again.

Counts live in the rate-limit store, so they are shared by every process that shares it.
Each attempt counts as failed before its password is checked and is given back if it
succeeds, so simultaneous guesses cannot slip past the counts.
"""

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

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
    counted_here: bool = False
    counted_for_email: bool = False
    held_windows: list[str] = field(default_factory=list)


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
    budget = settings["LOGIN_FAILURES_BEFORE_EMAIL_DELAY"]
    attempt = _Attempt(email, address, known=_store("get", _known_key(email, address)) > 0)
    failures_here = _store("incr", _failures_key(email, address), FAILURE_MEMORY_SECONDS)
    attempt.counted_here = True
    if attempt.known and failures_here > allowance:
        attempt.known = False  # too many failures in a row from here: no longer trusted
        _store("clear", _known_key(email, address))
    windows = {}
    if failures_here >= allowance:
        windows[_window_key(email, address)] = _delay(failures_here - allowance)
    if not attempt.known:
        if failures_here <= budget - allowance:
            failures = _store("incr", _failures_key(email), FAILURE_MEMORY_SECONDS)
            attempt.counted_for_email = True
        else:  # this address has had its share of the email's budget
            failures = _store("get", _failures_key(email))
        if failures >= budget:
            windows[_window_key(email)] = _delay(failures - budget)
    # The first attempt to open a window is checked; any other while it lasts is not.
    closed = []
    for key, seconds in windows.items():
        if _store("incr", key, seconds) == 1:
            attempt.held_windows.append(key)
        else:
            closed.append(key)
    if not closed:
        return attempt
    _give_back(attempt)
    reopens = max(_store("get_expiry", key) for key in closed)
    raise TooManyRequests(
        "Too many failed sign-ins for this email; try again later, or from where you "
        "usually sign in.",
        retry_after=max(1, math.ceil(reopens - time.time())),
    )


def _delay(failures_past_allowance: int) -> int:
    """LOGIN_DELAY_SECONDS, doubled for each failure past the allowance, at most the cap."""
    settings = current_app.config
    return min(
        settings["LOGIN_DELAY_SECONDS"] * 2 ** min(failures_past_allowance, 32),
        settings["LOGIN_DELAY_MAX_SECONDS"],
    )


def _give_back(attempt: _Attempt) -> None:
    """Undo what _begin counted for an attempt that was not a failed password."""
    if attempt.counted_here:
        _store("incr", _failures_key(attempt.email, attempt.address), FAILURE_MEMORY_SECONDS, -1)
        attempt.counted_here = False
    if attempt.counted_for_email:
        _store("incr", _failures_key(attempt.email), FAILURE_MEMORY_SECONDS, -1)
        attempt.counted_for_email = False
    for key in attempt.held_windows:
        _store("clear", key)
    attempt.held_windows.clear()


def _remember_address(attempt: _Attempt) -> None:
    """The account signed in from here: its attempts from here skip the email's delay."""
    email, address = attempt.email, attempt.address
    _store("clear", _failures_key(email, address))
    _store("clear", _known_key(email, address))  # so the 30 days count from now
    _store("incr", _known_key(email, address), KNOWN_ADDRESS_SECONDS)


def _failures_key(email: str, address: str | None = None) -> str:
    return f"{KEY_PREFIX}/failures/{email}" + (f"/{address}" if address else "")


def _window_key(email: str, address: str | None = None) -> str:
    return f"{KEY_PREFIX}/delay/{email}" + (f"/{address}" if address else "")


def _known_key(email: str, address: str) -> str:
    return f"{KEY_PREFIX}/known/{email}/{address}"


def _store(operation: str, *args):
    """One counter operation in the rate-limit store, or in this process while it is down."""
    try:
        return getattr(limiter.limiter.storage, operation)(*args)
    except StorageError:
        log.warning("Rate-limit store unreachable: counting sign-in failures in this process")
        return getattr(_local_store, operation)(*args)
