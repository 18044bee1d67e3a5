"""Reconciliation on the local gateway: its store's records against the ledger."""

import pytest

from marketplace.contracts.models import Contract, Milestone
from marketplace.extensions import db
from marketplace.payments import ledger
from marketplace.payments.gateway import ChargeRequest, RefundRequest, TransferRequest, get_gateway
from marketplace.payments.keys import namespace
from tests.client import assert_problem
from tests.money import contract_with, expect_ok, failing_gateway, fund, pay

__all__ = ["failing_gateway"]


@pytest.fixture
def admin(api, factory):
    return api.as_user(factory.admin())


@pytest.fixture
def deal(api, factory):
    """Four milestones, each taken a different way on the local gateway:
    paid out, refunded by the freelancer, split by a ruling, and held."""

    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer(country="NG"))
        admin = api.as_user(factory.admin())

    contract = contract_with(Deal.company, Deal.freelancer, 40_000, 12_345, 10_000, 7_500)
    Deal.paid, Deal.refunded, Deal.split, Deal.held = (m["id"] for m in contract["milestones"])
    expect_ok(Deal.freelancer.post("/me/payout-account"))
    pay(Deal.company, Deal.freelancer, Deal.paid)
    expect_ok(fund(Deal.company, Deal.refunded))
    expect_ok(Deal.freelancer.post(f"/milestones/{Deal.refunded}/refund"))
    expect_ok(fund(Deal.company, Deal.split))
    dispute = expect_ok(
        Deal.company.post(f"/milestones/{Deal.split}/disputes", json={"reason": "Half done."})
    )
    expect_ok(
        Deal.admin.post(
            f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 4_000, "note": "x"}
        )
    )
    expect_ok(fund(Deal.company, Deal.held))
    return Deal


def run(app, *args):
    return app.test_cli_runner().invoke(args=["marketplace", *args])


def charge_of(app, milestone_id: int) -> dict:
    """The local gateway's record of a milestone's (first) charge."""
    with app.app_context():
        charges = get_gateway().records("charge")
    return next(c for c in charges if c["metadata"]["milestone_id"] == str(milestone_id))


def namespace_of(app) -> str:
    with app.app_context():
        return namespace()


def test_a_clean_run_after_every_kind_of_money_movement(app, deal):
    result = deal.admin.get("/admin/reconciliation")

    assert result.status_code == 200
    assert result.json == {"ok": True, "checked": 4, "differences": [], "losses": []}
    cli = run(app, "reconcile")
    assert cli.exit_code == 0, cli.output
    assert cli.output == "4 milestone(s) checked against the provider: ok.\n"


def test_records_of_another_installation_in_the_same_store_are_ignored(app, deal):
    """Another database using the same store has milestones with the same ids."""
    with app.app_context():
        gateway = get_gateway()
        assert namespace() != "staging"
        charge = gateway.charge(
            ChargeRequest(
                amount=99_900,
                currency="USD",
                idempotency_key="staging:charge:m1.a1:x",
                milestone_id=deal.held,
                transfer_group=f"milestone-{deal.held}",
                payment_method="pm_card_visa",
                installation="staging",
            )
        )
        gateway.refund(RefundRequest(charge.intent_id, 900, "staging:refund:m1:x"))
        destination = gateway.records("transfer")[0]["destination"]
        gateway.transfer(
            TransferRequest(
                amount=5_000,
                currency="USD",
                destination=destination,
                source_charge_id=charge.charge_id,
                transfer_group=f"milestone-{deal.paid}",
                idempotency_key="staging:transfer:m1:x",
            )
        )
        # A transfer group alone does not say whose a transfer is.
        gateway.transfer(
            TransferRequest(
                amount=600,
                currency="USD",
                destination=destination,
                source_charge_id=None,
                transfer_group=f"milestone-{deal.refunded}",
                idempotency_key="staging:transfer:m2:x",
            )
        )

    result = deal.admin.get("/admin/reconciliation").json

    assert result["ok"] is True, result["differences"]
    assert result["checked"] == 4


def test_money_the_provider_moved_without_the_ledger_is_a_difference(app, deal):
    own = namespace_of(app)
    paid = charge_of(app, deal.paid)
    with app.app_context():
        gateway = get_gateway()
        # A refund made at the provider only (the Dashboard, a lost answer never booked)...
        gateway.refund(RefundRequest(paid["intent_id"], 1_000, f"{own}:refund:m{deal.paid}:z"))
        # ...a second charge for a held milestone...
        gateway.charge(
            ChargeRequest(
                amount=7_500,
                currency="USD",
                idempotency_key=f"{own}:charge:m{deal.held}.a9:z",
                milestone_id=deal.held,
                transfer_group=f"milestone-{deal.held}",
                payment_method="pm_card_visa",
                installation=own,
            )
        )
        # ...and a transfer from the held milestone's first charge.
        destination = gateway.records("transfer")[0]["destination"]
        gateway.transfer(
            TransferRequest(
                amount=2_500,
                currency="USD",
                destination=destination,
                source_charge_id=charge_of(app, deal.held)["charge_id"],
                transfer_group=f"milestone-{deal.held}",
                idempotency_key=f"{own}:transfer:m{deal.held}:z",
            )
        )
        # ...and one with no source charge: ours by its key, the milestone's by its group.
        gateway.transfer(
            TransferRequest(
                amount=600,
                currency="USD",
                destination=destination,
                source_charge_id=None,
                transfer_group=f"milestone-{deal.refunded}",
                idempotency_key=f"{own}:transfer:m{deal.refunded}:z",
            )
        )

    result = deal.admin.get("/admin/reconciliation").json

    assert result["ok"] is False
    assert result["checked"] == 4
    assert result["differences"] == [
        {
            "milestone_id": deal.paid,
            "what": "refund",
            "currency": "USD",
            "ledger": 0,
            "provider": 1_000,
        },
        {
            "milestone_id": deal.refunded,
            "what": "payout",
            "currency": "USD",
            "ledger": 0,
            "provider": 600,
        },
        {
            "milestone_id": deal.held,
            "what": "funding",
            "currency": "USD",
            "ledger": 7_500,
            "provider": 15_000,
        },
        {
            "milestone_id": deal.held,
            "what": "payout",
            "currency": "USD",
            "ledger": 0,
            "provider": 2_500,
        },
        {
            # The second charge's fee (2.9 % + 30: the local gateway's) is the provider's only.
            "milestone_id": deal.held,
            "what": "provider_fee",
            "currency": "USD",
            "ledger": 248,
            "provider": 496,
        },
    ]
    cli = run(app, "reconcile")
    assert cli.exit_code == 1
    assert f"DIFFERENCE: milestone {deal.paid}: refund: ledger 0.00 USD, provider 10.00 USD" in (
        cli.output
    )
    assert f"DIFFERENCE: milestone {deal.held}: funding: ledger 75.00 USD, provider 150.00 USD" in (
        cli.output
    )
    assert cli.output.endswith("4 milestone(s) checked against the provider: 5 difference(s).\n")


def test_a_booking_with_no_provider_movement_is_a_difference(app, api, factory, deal):
    company = api.as_user(factory.client())
    unfunded = contract_with(company, api.as_user(factory.freelancer()), 6_000)
    milestone_id = unfunded["milestones"][0]["id"]
    with app.app_context():
        milestone = db.session.get(Milestone, milestone_id)
        contract = db.session.get(Contract, milestone.contract_id)
        ledger.book_funding(milestone, contract.client_id)
        held = db.session.get(Milestone, deal.held)
        ledger.book_refund(held, contract.client_id, 500, reference="refund:test")
        db.session.commit()

    result = deal.admin.get("/admin/reconciliation").json

    assert result["checked"] == 5
    found = [
        (d["milestone_id"], d["what"], d["ledger"], d["provider"]) for d in result["differences"]
    ]
    assert found == [
        (deal.held, "refund", 500, 0),
        (milestone_id, "funding", 6_000, 0),
    ]
    assert run(app, "reconcile").exit_code == 1


def test_a_provider_that_cannot_be_read_is_a_502_and_exit_2(app, admin, failing_gateway):
    failing_gateway.fail("list_activity", "before")
    assert_problem(admin.get("/admin/reconciliation", expect_5xx=True), 502)

    failing_gateway.fail("list_activity", "before")
    cli = run(app, "reconcile")
    assert cli.exit_code == 2
    assert "could not be read" in cli.output


def test_with_no_money_anywhere_nothing_is_checked(app, admin):
    assert admin.get("/admin/reconciliation").json == {
        "ok": True,
        "checked": 0,
        "differences": [],
        "losses": [],
    }
