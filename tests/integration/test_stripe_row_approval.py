"""Row approval with Stripe: a partial approval's release is a transfer, the held money
stays in escrow, and a chargeback on the milestone takes that held money back first."""

import pytest

from tests.client import assert_problem
from tests.deliveries import SCHEMA, record
from tests.integration.test_stripe_chargebacks import payouts_on, platform_dispute, resolve, tell
from tests.integration.test_stripe_gateway import _charge_of, stripe_mode
from tests.money import assert_ledger_ok, balance, fund
from tests.work import place_bid, post_job

__all__ = ["stripe_mode"]


@pytest.fixture
def deal(api, factory, stripe_mode):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer(country="NG"))
        admin = api.as_user(factory.admin())
        fake = stripe_mode

    job = post_job(Deal.company, schema=SCHEMA)
    bid = place_bid(Deal.freelancer, job["id"], amount=30_000)
    Deal.contract = Deal.company.post(f"/bids/{bid['id']}/accept").json
    Deal.milestone = Deal.contract["milestones"][0]["id"]
    return Deal


def partially_approved(deal) -> dict:
    """Funded, four records delivered, row 4 rejected: 22,500 released, 7,500 held."""
    assert fund(deal.company, deal.milestone).status_code == 200
    delivery = {"records": [record(n) for n in range(1, 5)]}
    submitted = deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json=delivery)
    assert submitted.status_code == 200, submitted.json
    body = {"rejected_rows": [{"row": 4, "reason": "Wrong total."}]}
    answer = deal.company.post(f"/milestones/{deal.milestone}/approve", json=body)
    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["held"]) == ("partially_approved", 7_500)
    return answer.json


def shown(deal) -> dict:
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return contract["milestones"][0]


def test_the_released_part_is_a_transfer_and_the_held_part_a_refund(app, api, deal):
    payouts_on(api, deal)
    partially_approved(deal)
    assert balance(deal.freelancer)["paid_out"] == 20_250
    assert balance(deal.company)["in_escrow"] == 7_500

    accepted = deal.freelancer.post(f"/milestones/{deal.milestone}/accept-rejection")

    assert accepted.json["status"] == "approved"
    assert balance(deal.company)["refunded"] == 7_500
    assert balance(deal.company)["in_escrow"] == 0
    assert_ledger_ok(app)


def test_a_lost_chargeback_after_a_partial_approval_takes_the_held_money_first(app, api, deal):
    payouts_on(api, deal)
    partially_approved(deal)
    dispute = deal.fake.open_dispute(_charge_of(app, deal.milestone), 30_000)

    tell(api, "charge.dispute.created", dispute)

    frozen = shown(deal)
    assert (frozen["status"], frozen["held"]) == ("disputed", 7_500)
    assert platform_dispute(deal)["opened_by"] is None
    assert_ledger_ok(app)

    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))

    after = shown(deal)
    assert (after["status"], after["held"]) == ("resolved", 0)
    assert platform_dispute(deal)["status"] == "resolved"
    assert balance(deal.company)["refunded"] == 30_000
    assert balance(deal.company)["in_escrow"] == 0
    # 7,500 from escrow; the 22,500 released is taken back from the freelancer's payout
    # (the 20,250 transfer), the fee (2,250) and Stripe's dispute fee are the platform's loss.
    assert balance(deal.freelancer)["paid_out"] == 0
    assert_ledger_ok(app)


def test_a_won_chargeback_after_a_partial_approval_leaves_the_held_money_to_a_ruling(
    app, api, deal
):
    partially_approved(deal)
    dispute = deal.fake.open_dispute(_charge_of(app, deal.milestone), 30_000)
    tell(api, "charge.dispute.created", dispute)
    ours = platform_dispute(deal)
    assert_problem(resolve(deal, ours, 5_000), 409)

    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "won"))

    assert_problem(resolve(deal, ours, 7_501), 422)
    assert resolve(deal, ours, 5_000).status_code == 200
    after = shown(deal)
    assert (after["status"], after["held"]) == ("resolved", 0)
    assert balance(deal.company)["refunded"] == 2_500
    assert balance(deal.freelancer)["pending_payout"] == 20_250 + 4_500
    assert_ledger_ok(app)
