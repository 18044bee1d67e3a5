"""schemathesis hooks for .ci/schemathesis."""

import itertools

import schemathesis

_keys = itertools.count()


@schemathesis.hook
def map_headers(context, headers):
    """Give every generated request its own Idempotency-Key.

    Generated keys are short and repeat ("0", "a"), and a key one operation used makes
    every other operation's request with it a 422 before it reaches any logic. Keys of
    an invalid length stay as they are; replays and key reuse are tested in the suite.
    """
    key = (headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 240:
        headers["Idempotency-Key"] = f"{key}-{next(_keys)}"
    return headers
