"""Idempotency keys for the payment provider: `<namespace>:<what>:<ids>:<digest>`.

- `namespace`: this installation's, made once per database (the `installation` row),
  so two databases sharing one Stripe account or one local gateway store never send
  the same key;
- `what`: the kind of call (`charge`, `refund`, `transfer`, `account`);
- `ids`: our ids for the thing it is about (`m12.a1`: milestone 12, first funding
  attempt; `u5`: user 5), then `.r1`, `.r2`... once the provider refused calls of this
  kind on it (a refused key stays refused at the provider);
- `digest`: of the parameters that make the call distinct (amount, currency, payment
  method, destination, source charge...), so that a retry with other parameters is
  another call, never a reuse of a key with other parameters.

A repeat of the same call (same ids, same parameters, no refusal between) sends the
same key, which is what makes a retry after a lost answer safe.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import exists, select

from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement, MovementStatus
from marketplace.payments.models import Installation

# Stripe's limit.
MAX_LENGTH = 255


def namespace() -> str:
    """This installation's namespace (read once per process: it never changes while the
    app runs)."""
    extensions = current_app.extensions
    if "installation_namespace" not in extensions:
        found = db.session.scalar(select(Installation.namespace))
        if found is None:
            raise RuntimeError(
                "The database has no installation namespace: run `flask --app wsgi db upgrade`."
            )
        extensions["installation_namespace"] = found
    return extensions["installation_namespace"]


def renew_namespace() -> tuple[str, str]:
    """Replace the namespace (a copy becoming another installation): (old, new)."""
    installation = db.session.scalar(select(Installation).with_for_update())
    if installation is None:
        raise ValueError("The database has no installation namespace: run `db upgrade`.")
    if db.session.scalar(select(exists().where(EscrowMovement.status == MovementStatus.PENDING))):
        db.session.rollback()
        raise ValueError(
            "A provider call is unsettled: its repeat must send the current namespace."
        )
    old, installation.namespace = installation.namespace, secrets.token_hex(8)
    new = installation.namespace
    db.session.commit()
    current_app.extensions.pop("installation_namespace", None)
    return old, new


def digest(params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ProviderKey:
    """A call's key before the number of earlier refusals is known."""

    what: str
    ids: str
    params: dict = field(default_factory=dict)

    def render(self, refusals: int = 0) -> str:
        ids = f"{self.ids}.r{refusals}" if refusals else self.ids
        key = f"{namespace()}:{self.what}:{ids}:{digest(self.params)}"
        if len(key) > MAX_LENGTH:
            raise ValueError(f"idempotency key longer than {MAX_LENGTH}: {key[:60]}...")
        return key
