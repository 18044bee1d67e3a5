"""A lost answer whose idempotency key the provider may have forgotten: looked up, not repeated.

A provider that forgets keys (Stripe, after a day) would take a repeat as a new call,
so a pending call that old is looked up in the provider's records instead, narrowly:
the charges of that milestone made while the call was made, the refunds of its
charge, the transfers of its group to its payout account from its charge. The local
gateway keeps every key; here it forgets them after a day, as Stripe does, and what
is pending happened a day and an hour ago (at the provider too).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.gateway import TransferRequest
from marketplace.payments.local_gateway import objects
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, failing_gateway, fund

__all__ = ["failing_gateway"]

AGE = timedelta(hours=25)


@pytest.fixture
def deal(api, factory, failing_gateway):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())
        gateway = failing_gateway
        store = failing_gateway.inner

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 50_000)
    Deal.milestone = Deal.contract["milestones"][0]["id"]
    yield Deal
    Deal.store.__dict__.pop("key_lifetime", None)


def a_day_later(app, deal):
    """The provider forgets keys after 24 hours, and everything happened 25 hours ago."""
    deal.store.key_lifetime = timedelta(hours=24)
    with app.app_context():
        for movement in db.session.scalars(select(EscrowMovement)):
            movement.created_at -= AGE
            movement.called_at = movement.called_at and movement.called_at - AGE
        db.session.commit()
    with deal.store.engine.begin() as connection:
        for object_id, created in connection.execute(select(objects.c.id, objects.c.created_at)):
            connection.execute(
                update(objects).where(objects.c.id == object_id).values(created_at=created - AGE)
            )


@pytest.fixture
def whole_lists_refused(deal, monkeypatch):
    """Recovery may not read the provider's whole account (reconciliation does)."""

    def refused(installation):
        raise AssertionError("a recovery read every record of the provider")

    monkeypatch.setattr(deal.store, "list_activity", refused)
    return lambda: monkeypatch.undo()


def pending(deal):
    page = deal.admin.get("/admin/operations", query_string={"status": "pending"}).json
    return page["data"]


def operation(deal, operation_id):
    found = deal.admin.get("/admin/operations", query_string={"limit": 100}).json["data"]
    return next(o for o in found if o["id"] == operation_id)


def recover_all(app):
    result = app.test_cli_runner().invoke(args=["marketplace", "recover-operations"])
    assert result.exit_code == 0, result.output
    return result.output


def status_of(deal):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return next(m["status"] for m in contract["milestones"] if m["id"] == deal.milestone)


def charges_of(deal):
    ours = str(deal.milestone)
    return [c for c in deal.store.records("charge") if c["metadata"]["milestone_id"] == ours]


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_forgotten_charge_is_looked_up_and_booked_once(app, deal, whole_lists_refused, when):
    deal.gateway.fail("charge", when)
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)
    [lost] = pending(deal)
    a_day_later(app, deal)

    output = recover_all(app)

    assert pending(deal) == []
    assert len(charges_of(deal)) == (1 if when == "after" else 0)  # nothing charged again
    ended = operation(deal, lost["id"])
    if when == "after":
        assert "succeeded" in output
        [charge] = charges_of(deal)
        assert (ended["status"], ended["provider_id"]) == ("settled", charge["intent_id"])
        assert status_of(deal) == "funded"
        assert balance(deal.company)["in_escrow"] == 50_000
    else:
        assert (ended["status"], ended["refusal"]) == ("failed", "not_found")
        assert status_of(deal) == "pending"
        assert fund(deal.company, deal.milestone).json["status"] == "funded"
    assert "0 pending operation(s)" in recover_all(app)
    whole_lists_refused()
    assert_ledger_ok(app)


def test_a_forgotten_refund_is_found_among_the_refunds_of_its_charge(
    app, deal, whole_lists_refused
):
    fund(deal.company, deal.milestone)
    deal.gateway.fail("refund", "after")
    assert_problem(
        deal.freelancer.post(f"/milestones/{deal.milestone}/refund", expect_5xx=True), 502
    )
    [lost] = pending(deal)
    a_day_later(app, deal)

    recovered = deal.admin.post(f"/admin/operations/{lost['id']}/recover")

    assert recovered.status_code == 200, recovered.json
    [refund] = deal.store.records("refund")
    assert (recovered.json["status"], recovered.json["provider_id"]) == (
        "settled",
        refund["refund_id"],
    )
    assert status_of(deal) == "cancelled"
    assert balance(deal.company)["refunded"] == 50_000
    whole_lists_refused()
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_forgotten_transfer_is_found_and_another_installations_is_not_taken(
    app, deal, whole_lists_refused, when
):
    """Every installation names its transfer groups `milestone-<id>`: a transfer of
    another installation in the same group, of the same amount, even to the same
    payout account, is not this call's (it is not from this milestone's charge)."""
    deal.freelancer.post("/me/payout-account")
    fund(deal.company, deal.milestone)
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})
    deal.gateway.fail("transfer", when)
    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/approve", expect_5xx=True), 502)
    [lost] = pending(deal)
    [account] = deal.store.records("account")
    foreign = deal.store.transfer(
        TransferRequest(
            amount=45_000,
            currency="USD",
            destination=account["account_id"],
            source_charge_id=None,
            transfer_group=f"milestone-{deal.milestone}",
            idempotency_key="elsewhere:transfer:m1.1:0123456789abcdef01234567",
        )
    )
    a_day_later(app, deal)

    recover_all(app)

    ended = operation(deal, lost["id"])
    ours = [t for t in deal.store.records("transfer") if t["transfer_id"] != foreign.transfer_id]
    if when == "after":
        assert (ended["status"], ended["provider_id"]) == ("settled", ours[0]["transfer_id"])
        assert status_of(deal) == "approved"
        assert balance(deal.freelancer)["paid_out"] == 45_000
    else:
        assert ours == []
        assert (ended["status"], ended["refusal"]) == ("failed", "not_found")
        assert balance(deal.freelancer)["paid_out"] == 0
    assert pending(deal) == []
    whole_lists_refused()
    assert_ledger_ok(app)
