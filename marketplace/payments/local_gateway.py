"""The embedded payment gateway: offline, and behaving like Stripe's test mode.

It answers Stripe's test payment methods the way Stripe does, honours idempotency keys
(the same key returns the first result; the same key with other parameters is an
error), and keeps its own record of charges, refunds, transfers and payout accounts
in a SQLite file of its own: like a real provider, what it did stays done whatever
happens to the marketplace's transaction.
"""

import json
import secrets
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import JSON, Column, MetaData, String, Table, create_engine, insert, select

from marketplace.database import UTCDateTime, utcnow
from marketplace.payments.gateway import (
    CardDeclined,
    Charge,
    ChargeRequest,
    GatewayError,
    PayoutAccount,
    PayoutAccountRequest,
    Refund,
    RefundRequest,
    Transfer,
    TransferRequest,
    UnknownPaymentMethod,
)

# Stripe's succeeding test payment methods.
SUCCEEDING = frozenset(
    f"pm_card_{name}"
    for name in (
        "visa", "visa_debit", "mastercard", "mastercard_debit", "mastercard_prepaid", "amex",
        "discover", "diners", "jcb", "unionpay", "us", "gb", "de", "fr", "in", "ng", "ph",
        "br", "mx", "ca", "au", "jp",
    )
)  # fmt: skip
# Stripe's declining ones, with the decline code Stripe gives.
DECLINING = {
    "pm_card_chargeDeclined": "card_declined",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "pm_card_chargeCustomerFail": "card_declined",
    "pm_card_visa_chargeDeclined": "card_declined",
    "pm_card_chargeDeclinedFraudulent": "fraudulent",
    "pm_card_chargeDeclinedExpiredCard": "expired_card",
}

# Which field of each kind of record is its id (a decline has none of its own).
ID_FIELDS = {
    "charge": "intent_id",
    "refund": "refund_id",
    "transfer": "transfer_id",
    "account": "account_id",
}

metadata = MetaData()
objects = Table(
    "objects",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("kind", String(20), nullable=False, index=True),
    Column("idempotency_key", String(255), unique=True),
    Column("request", JSON),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
)


class LocalGateway:
    name = "local"

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(f"sqlite:///{path}")
        metadata.create_all(self.engine)

    # -- what the marketplace calls -------------------------------------------------

    def charge(self, request: ChargeRequest) -> Charge:
        def make(_connection):
            method = request.payment_method
            if method in DECLINING:
                return "decline", {"code": DECLINING[method]}
            if method not in SUCCEEDING:
                raise UnknownPaymentMethod(method)
            intent_id = _new_id("pi")
            return "charge", {
                "intent_id": intent_id,
                "status": "succeeded",
                "amount": request.amount,
                "currency": request.currency,
                "charge_id": _new_id("ch"),
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
                "metadata": {"milestone_id": str(request.milestone_id)},
                "transfer_group": request.transfer_group,
                "refunded": 0,
            }

        kind, data = self._once(request.idempotency_key, asdict(request), make)
        if kind == "decline":
            raise CardDeclined("Your card was declined.", data["code"])
        return _charge(data)

    def retrieve_charge(self, intent_id: str) -> Charge:
        return _charge(self._get(intent_id, "charge"))

    def cancel_charge(self, intent_id: str) -> None:
        # Local charges are confirmed at once: none is ever left open to cancel.
        self._get(intent_id, "charge")

    def refund(self, request: RefundRequest) -> Refund:
        def make(connection):
            charge = self._get(request.intent_id, "charge", connection)
            if request.amount <= 0 or charge["refunded"] + request.amount > charge["amount"]:
                raise GatewayError("Refund exceeds what is left of the charge.")
            charge["refunded"] += request.amount
            connection.execute(
                objects.update().where(objects.c.id == request.intent_id).values(data=charge)
            )
            return "refund", {
                "refund_id": _new_id("re"),
                "amount": request.amount,
                "status": "succeeded",
                "intent_id": request.intent_id,
            }

        _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return Refund(data["refund_id"], data["amount"], data["status"])

    def transfer(self, request: TransferRequest) -> Transfer:
        def make(connection):
            account = self._get(request.destination, "account", connection)
            if not account["transfers_active"]:
                raise GatewayError("The destination account cannot receive transfers.")
            return "transfer", {"transfer_id": _new_id("tr"), **asdict(request)}

        _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return Transfer(data["transfer_id"], data["amount"], data["destination"])

    def create_payout_account(self, request: PayoutAccountRequest) -> PayoutAccount:
        def make(_connection):
            # Locally there is no onboarding: the account can receive transfers at once.
            return "account", {
                "account_id": _new_id("acct"),
                "transfers_active": True,
                "country": request.country,
                "user_id": request.user_id,
            }

        _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return PayoutAccount(data["account_id"], data["transfers_active"])

    def retrieve_payout_account(self, account_id: str) -> PayoutAccount:
        data = self._get(account_id, "account")
        return PayoutAccount(data["account_id"], data["transfers_active"])

    def onboarding_link(self, account_id: str) -> str | None:
        return None

    # -- for tests and the demo -----------------------------------------------------

    def records(self, kind: str) -> list[dict]:
        """Every charge, decline, refund, transfer or account this gateway has made."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(objects.c.data).where(objects.c.kind == kind).order_by(objects.c.created_at)
            )
            return [row.data for row in rows]

    def forget_everything(self) -> None:
        """Start from nothing (tests empty the marketplace's database too)."""
        with self.engine.begin() as connection:
            connection.execute(objects.delete())

    # -- storage --------------------------------------------------------------------

    def _once(self, key: str, request: dict, make):
        """Run `make` once per idempotency key; replay its stored result after that.

        One transaction, which on SQLite holds the file's write lock from its start,
        so concurrent calls with one key run `make` once.
        """
        fingerprint = json.loads(json.dumps(request, default=str))
        with self.engine.begin() as connection:
            row = connection.execute(
                select(objects).where(objects.c.idempotency_key == key)
            ).first()
            if row is not None:
                if row.request != fingerprint:
                    raise GatewayError(f"Idempotency key {key!r} was used with other parameters.")
                return row.kind, row.data
            kind, data = make(connection)
            id_field = ID_FIELDS.get(kind)
            object_id = data[id_field] if id_field else _new_id(kind)
            connection.execute(
                insert(objects).values(
                    id=object_id, kind=kind, idempotency_key=key, request=fingerprint, data=data
                )
            )
        return kind, data

    def _get(self, object_id: str, kind: str, connection=None) -> dict:
        query = select(objects.c.data).where(objects.c.id == object_id, objects.c.kind == kind)
        if connection is not None:
            data = connection.execute(query).scalar()
        else:
            with self.engine.connect() as own:
                data = own.execute(query).scalar()
        if data is None:
            raise GatewayError(f"No such {kind}: {object_id}")
        return dict(data)


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(10)}"


def _charge(data: dict) -> Charge:
    return Charge(
        intent_id=data["intent_id"],
        status=data["status"],
        amount=data["amount"],
        currency=data["currency"],
        charge_id=data["charge_id"],
        client_secret=data["client_secret"],
        metadata=data["metadata"],
    )
