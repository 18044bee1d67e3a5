"""The embedded payment gateway: offline, and behaving like Stripe's test mode.

It answers Stripe's test payment methods the way Stripe does, honours idempotency keys
(the same key returns the first result; the same key with other parameters is an
error), and keeps its own record of charges, refunds, transfers and payout accounts
in a SQLite file of its own: like a real provider, what it did stays done whatever
happens to the marketplace's transaction.

It refuses what Stripe refuses (declines, unknown payment methods, amounts under
Stripe's minimum charge, transfers to an account that cannot receive them, a key used
with other parameters, refunds beyond the charge), each as a `Refusal` with Stripe's
code; `_outcome` is the one place that turns those, and failures of its own store, into
the gateway protocol's errors.
"""

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from sqlalchemy import (
    JSON,
    Column,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from marketplace.database import UTCDateTime, utcnow
from marketplace.money import format_amount, minimum_charge, platform_fee
from marketplace.payments.gateway import (
    AmountRefused,
    CardDeclined,
    CardDispute,
    Charge,
    ChargeRecord,
    ChargeRequest,
    DestinationRefused,
    KeyReused,
    MilestoneActivity,
    MovementLookup,
    PayoutAccount,
    PayoutAccountRequest,
    ProviderRefused,
    ProviderUnavailable,
    Refund,
    RefundRecord,
    RefundRequest,
    Reversal,
    ReversalRequest,
    Settlement,
    Transfer,
    TransferRecord,
    TransferRequest,
    UnknownPaymentMethod,
    group_activity,
    milestone_of_group,
    own_milestone,
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

# Its processing fee, modelled on Stripe's standard card pricing (2.9 % + 30 minor
# units, at most the charge), so that the ledger's fee bookings and their reconciliation
# run with the local gateway too. It settles every currency as charged.
FEE_BPS = 290
FEE_FIXED = 30


def processing_fee(amount: int) -> int:
    """The local gateway's fee on a charge of `amount` minor units."""
    return min(platform_fee(amount, FEE_BPS) + FEE_FIXED, amount)


# Which field of each kind of record is its id (a refusal has none of its own).
ID_FIELDS = {
    "charge": "intent_id",
    "refund": "refund_id",
    "transfer": "transfer_id",
    "account": "account_id",
    "reversal": "reversal_id",
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


class Refusal(Exception):
    """The local gateway says no, as Stripe would: `code` is Stripe's for the same case.

    `stored`: the refusal came once the call ran (a decline, a transfer to an account
    that cannot receive it), so like Stripe the gateway keeps it under the call's key
    and answers a repeat with it; a request refused before it ran is not kept.
    """

    def __init__(self, code: str, message: str, *, stored: bool = False):
        super().__init__(message)
        self.code, self.message, self.stored = code, message, stored


def _outcome(error: Refusal | SQLAlchemyError | OSError) -> Exception:
    """The gateway protocol's error for one of this gateway's failures."""
    if not isinstance(error, Refusal):
        # Its store failed: whether the call's transaction committed is not known here.
        return ProviderUnavailable(f"local gateway store: {type(error).__name__}")
    if error.code in DECLINING.values():
        return CardDeclined(error.code, error.message)
    refused = {
        "payment_method_unknown": UnknownPaymentMethod,
        "amount_too_small": AmountRefused,
        "insufficient_capabilities_for_transfer": DestinationRefused,
        "no_such_destination": DestinationRefused,
        "idempotency_error": KeyReused,
    }.get(error.code, ProviderRefused)
    return refused(error.code, error.message)


@contextmanager
def _answer() -> Iterator[None]:
    try:
        yield
    except (Refusal, SQLAlchemyError, OSError) as error:
        raise _outcome(error) from error


class LocalGateway:
    name = "local"
    key_lifetime: timedelta | None = None  # its store keeps every key

    def __init__(self, path: str | Path):
        # What a new refund is at first: `succeeded` at once, or (tests, the demo)
        # `pending` or `failed`, as Stripe's refunds of some cards and banks are.
        self.refund_status = "succeeded"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(f"sqlite:///{path}")
        event.listen(self.engine, "connect", _commit_without_fsync)
        metadata.create_all(self.engine)

    # -- what the marketplace calls -------------------------------------------------

    def charge(self, request: ChargeRequest) -> Charge:
        def make(_connection):
            minimum = minimum_charge(request.currency.upper())
            if request.amount < minimum:  # checked before the charge is tried, as Stripe does
                raise Refusal(
                    "amount_too_small",
                    f"Amount must be at least {format_amount(minimum, request.currency)}.",
                )
            method = request.payment_method
            if method in DECLINING:
                raise Refusal(DECLINING[method], "Your card was declined.", stored=True)
            if method not in SUCCEEDING:
                raise Refusal("payment_method_unknown", "Unknown payment method.")
            intent_id = _new_id("pi")
            fee = processing_fee(request.amount)
            return "charge", {
                "intent_id": intent_id,
                "status": "succeeded",
                "amount": request.amount,
                "currency": request.currency,
                "charge_id": _new_id("ch"),
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
                "metadata": {
                    "milestone_id": str(request.milestone_id),
                    **({"installation": request.installation} if request.installation else {}),
                },
                "transfer_group": request.transfer_group,
                "refunded": 0,
                "balance_transaction": {
                    "id": _new_id("txn"),
                    "currency": request.currency,
                    "amount": request.amount,
                    "fee": fee,
                    "exchange_rate": None,
                },
            }

        with _answer():
            _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return _charge(data)

    def retrieve_charge(self, intent_id: str) -> Charge:
        with _answer():
            return _charge(self._get(intent_id, "charge"))

    def cancel_charge(self, intent_id: str) -> Charge:
        # Local charges are confirmed at once: none is ever left open to cancel.
        return self.retrieve_charge(intent_id)

    def refund(self, request: RefundRequest) -> Refund:
        def make(connection):
            charge = self._get(request.intent_id, "charge", connection)
            if request.amount <= 0 or charge["refunded"] + request.amount > charge["amount"]:
                raise Refusal(
                    "amount_too_large",
                    "The refund exceeds what is left of the charge.",
                    stored=True,
                )
            if self.refund_status not in ("failed", "canceled"):
                charge["refunded"] += request.amount
            connection.execute(
                objects.update().where(objects.c.id == request.intent_id).values(data=charge)
            )
            return "refund", {
                "refund_id": _new_id("re"),
                "amount": request.amount,
                "status": self.refund_status,
                "intent_id": request.intent_id,
            }

        with _answer():
            _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return _refund(data)

    def retrieve_refund(self, refund_id: str) -> Refund:
        with _answer():
            return _refund(self._get(refund_id, "refund"))

    def list_refunds(self, intent_id: str) -> list[Refund]:
        return [_refund(r) for r in self.records("refund") if r["intent_id"] == intent_id]

    def transfer(self, request: TransferRequest) -> Transfer:
        def make(connection):
            account = self._find(request.destination, "account", connection)
            if account is None:
                raise Refusal("no_such_destination", "The payout account does not exist.")
            if not account["transfers_active"]:
                raise Refusal(
                    "insufficient_capabilities_for_transfer",
                    "The payout account cannot receive transfers.",
                    stored=True,
                )
            return "transfer", {"transfer_id": _new_id("tr"), **asdict(request)}

        with _answer():
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

        with _answer():
            _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return PayoutAccount(data["account_id"], data["transfers_active"])

    def retrieve_payout_account(self, account_id: str) -> PayoutAccount:
        with _answer():
            data = self._get(account_id, "account")
        return PayoutAccount(data["account_id"], data["transfers_active"])

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str | None:
        return None

    def retrieve_dispute(self, dispute_id: str) -> CardDispute:
        """Cards charged locally are never disputed: there is no such dispute."""
        raise ProviderRefused("resource_missing", f"No such dispute: {dispute_id}")

    def reversible(self, transfer_id: str) -> int:
        """A local payout account keeps what it received: all that was not reversed."""
        with _answer(), self.engine.connect() as connection:
            transfer = self._get(transfer_id, "transfer", connection)
            return transfer["amount"] - self._reversed(transfer_id, connection)

    def reverse_transfer(self, request: ReversalRequest) -> Reversal:
        def make(connection):
            transfer = self._get(request.transfer_id, "transfer", connection)
            left = transfer["amount"] - self._reversed(request.transfer_id, connection)
            if not 0 < request.amount <= left:
                raise Refusal(
                    "balance_insufficient",
                    f"The transfer has {left} left to reverse.",
                    stored=True,
                )
            return "reversal", {"reversal_id": _new_id("trr"), **asdict(request)}

        with _answer():
            _kind, data = self._once(request.idempotency_key, asdict(request), make)
        return Reversal(data["reversal_id"], data["amount"])

    def _reversed(self, transfer_id: str, connection) -> int:
        rows = connection.execute(
            select(objects.c.data).where(objects.c.kind == "reversal")
        ).scalars()
        return sum(d["amount"] for d in rows if d["transfer_id"] == transfer_id)

    def find_movement(self, lookup: MovementLookup) -> list[Charge | Refund | Transfer]:
        """The store's records the looked-up call may have made, found as the Stripe
        adapter finds them: charges of the milestone made in the window, refunds of the
        intent, transfers in the group to the destination from the source charge."""
        query = select(objects.c.data).where(objects.c.kind == lookup.kind)
        if lookup.kind == "charge":
            query = query.where(
                objects.c.created_at >= lookup.made_from, objects.c.created_at <= lookup.made_until
            )
        with _answer(), self.engine.connect() as connection:
            rows = [dict(data) for data in connection.execute(query).scalars()]
        if lookup.kind == "charge":
            return [
                _charge(data)
                for data in rows
                if own_milestone(data["metadata"], lookup.installation) == lookup.milestone_id
            ]
        if lookup.kind == "refund":
            return [_refund(data) for data in rows if data["intent_id"] == lookup.intent_id]
        return [
            Transfer(data["transfer_id"], data["amount"], data["destination"])
            for data in rows
            if (data.get("transfer_group"), data["destination"], data.get("source_charge_id"))
            == (lookup.transfer_group, lookup.destination, lookup.source_charge_id)
        ]

    def list_activity(self, installation: str) -> list[MilestoneActivity]:
        """What this store holds for the installation, per milestone.

        A refund belongs to its charge's milestone, a transfer to its source charge's;
        a transfer without one is ours if its idempotency key starts with our namespace,
        and is the milestone's its transfer group names.
        """
        with _answer(), self.engine.connect() as connection:
            rows = connection.execute(
                select(objects.c.kind, objects.c.data, objects.c.idempotency_key)
                .where(objects.c.kind.in_(("charge", "refund", "transfer", "reversal")))
                .order_by(objects.c.created_at, objects.c.id)
            ).all()
        charges: list[tuple[int, ChargeRecord]] = []
        by_intent: dict[str, tuple[int, str]] = {}
        by_charge: dict[str, tuple[int, str]] = {}
        for row in rows:
            data = row.data
            if row.kind != "charge" or data["status"] != "succeeded":
                continue
            milestone_id = own_milestone(data["metadata"], installation)
            if milestone_id is None:
                continue
            currency = data["currency"].upper()
            settled = data.get("balance_transaction") or {}
            charge_record = ChargeRecord(
                data["intent_id"],
                data["amount"],
                currency,
                fee=settled.get("fee", 0),
                fee_currency=(settled.get("currency") or currency).upper(),
            )
            charges.append((milestone_id, charge_record))
            by_intent[data["intent_id"]] = by_charge[data["charge_id"]] = (milestone_id, currency)
        refunds: list[tuple[int, RefundRecord]] = []
        transfers: list[tuple[int | None, TransferRecord]] = []
        reversed_by_transfer: dict[str, int] = {}
        for row in rows:
            if row.kind == "reversal":
                transfer_id = row.data["transfer_id"]
                reversed_by_transfer[transfer_id] = (
                    reversed_by_transfer.get(transfer_id, 0) + row.data["amount"]
                )
        for row in rows:
            data = row.data
            if row.kind == "refund" and data["intent_id"] in by_intent:
                milestone_id, currency = by_intent[data["intent_id"]]
                record = RefundRecord(data["refund_id"], data["amount"], data["status"], currency)
                refunds.append((milestone_id, record))
            elif row.kind == "transfer":
                if data.get("source_charge_id") in by_charge:
                    milestone_id = by_charge[data["source_charge_id"]][0]
                elif (row.idempotency_key or "").startswith(f"{installation}:"):
                    milestone_id = milestone_of_group(data.get("transfer_group"))
                else:
                    continue
                sent = TransferRecord(
                    data["transfer_id"],
                    data["amount"],
                    data["currency"].upper(),
                    data["destination"],
                    reversed_by_transfer.get(data["transfer_id"], 0),
                )
                transfers.append((milestone_id, sent))
        return group_activity(charges, refunds, transfers)

    # -- for tests and the demo -----------------------------------------------------

    def records(self, kind: str) -> list[dict]:
        """Every charge, refund, transfer, account or refusal this gateway has made."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(objects.c.data).where(objects.c.kind == kind).order_by(objects.c.created_at)
            )
            return [row.data for row in rows]

    def set_transfers_active(self, account_id: str, active: bool) -> None:
        """Switch a payout account's transfers on or off (Stripe does when it needs more
        from the account holder)."""
        with self.engine.begin() as connection:
            data = self._get(account_id, "account", connection)
            data["transfers_active"] = active
            connection.execute(objects.update().where(objects.c.id == account_id).values(data=data))

    def settle_refund(self, refund_id: str, status: str) -> Refund:
        """A pending refund ends (`succeeded`, `failed` or `canceled`), as Stripe's do days
        later; a refund that did not happen gives its amount back to the charge."""
        with self.engine.begin() as connection:
            data = self._get(refund_id, "refund", connection)
            if data["status"] not in ("pending", "requires_action"):
                raise ValueError(f"refund {refund_id} is {data['status']}, not pending")
            data["status"] = status
            if status in ("failed", "canceled"):
                charge = self._get(data["intent_id"], "charge", connection)
                charge["refunded"] -= data["amount"]
                connection.execute(
                    objects.update().where(objects.c.id == charge["intent_id"]).values(data=charge)
                )
            connection.execute(objects.update().where(objects.c.id == refund_id).values(data=data))
        return _refund(data)

    def refund_outside(self, intent_id: str, amount: int, status: str = "succeeded") -> Refund:
        """A refund made outside the marketplace (Stripe's Dashboard, Radar): no key."""
        with self.engine.begin() as connection:
            charge = self._get(intent_id, "charge", connection)
            if charge["refunded"] + amount > charge["amount"]:
                raise ValueError("the refund exceeds what is left of the charge")
            charge["refunded"] += amount
            connection.execute(
                objects.update().where(objects.c.id == intent_id).values(data=charge)
            )
            data = {
                "refund_id": _new_id("re"),
                "amount": amount,
                "status": status,
                "intent_id": intent_id,
            }
            connection.execute(
                insert(objects).values(id=data["refund_id"], kind="refund", request={}, data=data)
            )
        return _refund(data)

    def forget_everything(self) -> None:
        """Start from nothing (tests empty the marketplace's database too)."""
        self.refund_status = "succeeded"
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
                    raise Refusal(
                        "idempotency_error",
                        "The idempotency key was used with other parameters.",
                    )
                kind, data = row.kind, row.data
            else:
                try:
                    kind, data = make(connection)
                except Refusal as refusal:
                    if not refusal.stored:
                        raise
                    kind, data = "refusal", {"code": refusal.code, "message": refusal.message}
                id_field = ID_FIELDS.get(kind)
                object_id = data[id_field] if id_field else _new_id(kind)
                connection.execute(
                    insert(objects).values(
                        id=object_id, kind=kind, idempotency_key=key, request=fingerprint, data=data
                    )
                )
        if kind in ("refusal", "decline"):  # "decline": how earlier versions kept declines
            raise Refusal(data["code"], data.get("message", "Your card was declined."))
        return kind, data

    def _get(self, object_id: str, kind: str, connection=None) -> dict:
        data = self._find(object_id, kind, connection)
        if data is None:
            raise Refusal("resource_missing", f"No such {kind}: {object_id}")
        return data

    def _find(self, object_id: str, kind: str, connection=None) -> dict | None:
        query = select(objects.c.data).where(objects.c.id == object_id, objects.c.kind == kind)
        if connection is not None:
            data = connection.execute(query).scalar()
        else:
            with self.engine.connect() as own:
                data = own.execute(query).scalar()
        return None if data is None else dict(data)


def _commit_without_fsync(dbapi_connection, _record) -> None:
    """Its store (in WAL mode, marketplace/database.py) commits without waiting for the disk.

    A commit is in the write-ahead log once it returns, so whatever the marketplace's
    processes do (a worker killed mid-request) the gateway keeps what it did, as a
    provider does; only a crash of the machine itself may lose its last calls. Waiting
    for the disk on every call (milliseconds each) would make a stand-in for Stripe's
    test mode slow down every money action it serves.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(10)}"


def _refund(data: dict) -> Refund:
    return Refund(data["refund_id"], data["amount"], data["status"], data["intent_id"])


def _charge(data: dict) -> Charge:
    settled = data.get("balance_transaction")  # none on charges stored by older versions
    return Charge(
        intent_id=data["intent_id"],
        status=data["status"],
        amount=data["amount"],
        currency=data["currency"],
        charge_id=data["charge_id"],
        client_secret=data["client_secret"],
        metadata=data["metadata"],
        settlement=Settlement(
            settled["id"],
            settled["currency"].upper(),
            settled["amount"],
            settled["fee"],
            settled["exchange_rate"],
        )
        if settled
        else None,
    )
