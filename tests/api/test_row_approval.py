"""Row-level approval: the client approves a delivery of records less the rows it rejects.

The arithmetic, as API.md gives it (platform fee 10%):
- fixed price 1000, 3 of 4 rows accepted: 750 released, 250 held;
- 50 per record, at most 10, 8 delivered, 6 accepted: 300 released, the unused capacity
  (2 records, 100) refunded at once, 100 held;
- fixed price 1001, 1 of 2 accepted: round_half_up(1001 x 1/2) = 501 released, 500 held;
- nothing held: simply approved.
"""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from marketplace.contracts.models import Milestone
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.payments.ledger import verify_ledger
from tests.api.test_events import feed
from tests.client import assert_problem
from tests.deliveries import SCHEMA, record
from tests.money import assert_ledger_ok, balance, expect_ok, failing_gateway, fund
from tests.work import place_bid, post_job

__all__ = ["failing_gateway"]


@pytest.fixture
def company(api, factory):
    return api.as_user(factory.client())


@pytest.fixture
def freelancer(api, factory):
    return api.as_user(factory.freelancer())


@pytest.fixture
def admin(api, factory):
    return api.as_user(factory.admin())


def records_contract(company, freelancer, *plan: dict) -> dict:
    """A contract on a job with a record schema, with the bid's milestones as planned."""
    job = post_job(company, schema=SCHEMA)
    amount = sum(m.get("amount") or m["unit_price"] * m["max_records"] for m in plan)
    bid = place_bid(freelancer, job["id"], amount=amount, milestones=list(plan))
    response = company.post(f"/bids/{bid['id']}/accept")
    assert response.status_code == 201, response.json
    return response.json


def delivered(company, freelancer, plan: dict, rows: int) -> int:
    """A funded milestone of that plan, `rows` records delivered: its id."""
    contract = records_contract(company, freelancer, {"title": "Batch", **plan})
    milestone = contract["milestones"][0]["id"]
    assert fund(company, milestone).status_code == 200
    body = {"records": [record(n) for n in range(1, rows + 1)]}
    response = freelancer.post(f"/milestones/{milestone}/submit", json=body)
    assert response.status_code == 200, response.json
    return milestone


def rejecting(*rows: int) -> dict:
    return {"rejected_rows": [{"row": n, "reason": f"Row {n} is wrong."} for n in rows]}


def approve(company, milestone: int, *rows: int) -> dict:
    response = company.post(f"/milestones/{milestone}/approve", json=rejecting(*rows))
    assert response.status_code == 200, response.json
    return response.json


def test_fixed_price_1000_with_3_of_4_rows_accepted_releases_750_and_holds_250(
    app, company, freelancer
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)

    answer = approve(company, milestone, 2)

    assert answer["status"] == "partially_approved"
    assert answer["records"] == {"submitted": 4, "accepted": 3, "rejected": 1}
    assert answer["held"] == 250
    assert answer["unit_price"] is None
    assert answer["max_records"] is None
    due = datetime.fromisoformat(answer["rejection_due_at"])
    assert abs(due - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)
    assert answer["auto_release_at"] is None
    # 750 released, less its 10% fee (75), once.
    assert balance(freelancer) == {
        "in_escrow": 250,
        "pending_payout": 675,
        "paid_out": 0,
        "refunded": 0,
        "fees": 75,
    }
    assert balance(company)["in_escrow"] == 250
    assert balance(company)["refunded"] == 0
    assert_ledger_ok(app)


def test_per_record_50_by_10_with_8_delivered_and_6_accepted(app, company, freelancer):
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)

    answer = approve(company, milestone, 3, 7)

    assert answer["status"] == "partially_approved"
    assert answer["amount"] == 500
    assert (answer["unit_price"], answer["max_records"]) == (50, 10)
    assert answer["records"] == {"submitted": 8, "accepted": 6, "rejected": 2}
    # 6 x 50 = 300 released; 2 undelivered x 50 = 100 refunded at once; 2 x 50 = 100 held.
    assert answer["held"] == 100
    assert balance(freelancer)["pending_payout"] == 270
    assert balance(freelancer)["fees"] == 30
    assert balance(company)["refunded"] == 100
    assert balance(company)["in_escrow"] == 100
    assert_ledger_ok(app)


def test_fixed_price_1001_with_1_of_2_accepted_rounds_the_release_half_up(app, company, freelancer):
    milestone = delivered(company, freelancer, {"amount": 1001}, rows=2)

    answer = approve(company, milestone, 1)

    # round_half_up(1001 x 1/2) = round_half_up(500.5) = 501 released; 500 held.
    assert answer["held"] == 500
    assert balance(freelancer)["pending_payout"] + balance(freelancer)["fees"] == 501
    assert balance(company)["in_escrow"] == 500
    assert_ledger_ok(app)


def test_nothing_held_is_simply_approved(app, company, freelancer):
    milestone = delivered(company, freelancer, {"amount": 50}, rows=101)

    answer = approve(company, milestone, 101)

    # round_half_up(50 x 100/101) = round_half_up(49.50...) = 50: nothing is held.
    assert answer["status"] == "approved"
    assert answer["held"] == 0
    assert answer["rejection_due_at"] is None
    assert answer["records"] == {"submitted": 101, "accepted": 100, "rejected": 1}
    assert balance(freelancer)["pending_payout"] + balance(freelancer)["fees"] == 50
    page = company.get(f"/milestones/{milestone}/records?format=json&limit=1000").json
    assert page["data"][-1]["rejected"] == "Row 101 is wrong."
    assert_ledger_ok(app)


def test_per_record_without_rejections_releases_what_was_delivered_and_refunds_the_rest(
    app, company, freelancer
):
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)

    response = company.post(f"/milestones/{milestone}/approve")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "approved"
    assert response.json["records"] == {"submitted": 8, "accepted": 8, "rejected": 0}
    assert response.json["held"] == 0
    # 8 x 50 = 400 released; 2 x 50 = 100 of unused capacity refunded.
    assert balance(freelancer)["pending_payout"] == 360
    assert balance(company)["refunded"] == 100
    assert balance(company)["in_escrow"] == 0
    assert_ledger_ok(app)


def test_the_freelancer_accepting_the_rejection_refunds_the_held_money(app, company, freelancer):
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)
    approve(company, milestone, 3, 7)

    response = freelancer.post(f"/milestones/{milestone}/accept-rejection")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "approved"
    assert response.json["held"] == 0
    assert response.json["rejection_due_at"] is None
    assert response.json["records"] == {"submitted": 8, "accepted": 6, "rejected": 2}
    assert balance(company) == {
        "in_escrow": 0,
        "pending_payout": 0,
        "paid_out": 0,
        "refunded": 200,
        "fees": 0,
    }
    assert balance(freelancer)["pending_payout"] == 270
    assert_ledger_ok(app)


def test_release_due_refunds_the_held_money_once_the_rejection_period_ends(
    app, company, freelancer
):
    app.config["REJECTION_PERIOD_DAYS"] = 0
    try:
        milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
        approve(company, milestone, 4)
    finally:
        app.config["REJECTION_PERIOD_DAYS"] = 3

    result = app.test_cli_runner().invoke(args=["marketplace", "release-due"])

    assert f"milestone {milestone}: held money refunded; approved" in result.output
    after = company.get(f"/contracts/{_contract_of(company, milestone)}").json["milestones"][0]
    assert after["status"] == "approved"
    assert after["held"] == 0
    assert balance(company)["refunded"] == 250
    assert balance(company)["in_escrow"] == 0
    assert_ledger_ok(app)


def test_a_freelancers_dispute_of_the_rejection_splits_only_the_held_money(
    app, company, freelancer, admin
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 1)

    by_client = company.post(f"/milestones/{milestone}/disputes", json={"reason": "Mine."})
    opened = freelancer.post(f"/milestones/{milestone}/disputes", json={"reason": "Row 1 is ok."})

    assert_problem(by_client, 403)
    assert opened.status_code == 201, opened.json
    contract = _contract_of(company, milestone)
    shown = company.get(f"/contracts/{contract}").json["milestones"][0]
    assert (shown["status"], shown["held"]) == ("disputed", 250)
    assert shown["rejection_due_at"] is None
    dispute = opened.json["id"]
    too_much = admin.post(
        f"/disputes/{dispute}/resolve", json={"freelancer_amount": 251, "note": "All of it."}
    )
    assert_problem(too_much, 422)

    ruled = admin.post(
        f"/disputes/{dispute}/resolve", json={"freelancer_amount": 150, "note": "Partly."}
    )

    assert ruled.status_code == 200, ruled.json
    assert ruled.json["resolution"]["freelancer_amount"] == 150
    assert ruled.json["resolution"]["client_amount"] == 100
    after = company.get(f"/contracts/{contract}").json["milestones"][0]
    assert (after["status"], after["held"]) == ("resolved", 0)
    # 750 at the approval and 150 by the ruling, each less its own fee (75 and 15).
    assert balance(freelancer)["pending_payout"] == 810
    assert balance(freelancer)["fees"] == 90
    assert balance(company)["refunded"] == 100
    assert balance(company)["in_escrow"] == 0
    assert_ledger_ok(app)


def test_each_rejected_rows_reason_is_shown_with_the_records_to_both_parties(
    app, company, freelancer
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 2, 4)

    for party in (company, freelancer):
        page = party.get(f"/milestones/{milestone}/records?format=json").json
        assert [r["rejected"] for r in page["data"]] == [
            None,
            "Row 2 is wrong.",
            None,
            "Row 4 is wrong.",
        ]


def test_a_contract_with_a_partially_approved_milestone_cannot_be_cancelled(
    app, company, freelancer
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 2)
    contract = _contract_of(company, milestone)

    response = freelancer.post(f"/contracts/{contract}/cancel")

    assert_problem(response, 409)
    assert company.get(f"/contracts/{contract}").json["status"] == "active"


def _contract_of(company, milestone: int) -> int:
    contracts = company.get("/contracts").json["data"]
    return next(c["id"] for c in contracts if any(m["id"] == milestone for m in c["milestones"]))


def shown(company, milestone: int) -> dict:
    contract = company.get(f"/contracts/{_contract_of(company, milestone)}").json
    return next(m for m in contract["milestones"] if m["id"] == milestone)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"rejected_rows": [{"row": 1, "reason": "a"}, {"row": 1, "reason": "b"}]},
            "rejected_rows",
        ),
        ({"rejected_rows": [{"row": 1, "reason": ""}]}, "rejected_rows.0.reason"),
        ({"rejected_rows": [{"row": 1, "reason": "   "}]}, "rejected_rows.0.reason"),
        ({"rejected_rows": [{"row": 1, "reason": "x" * 501}]}, "rejected_rows.0.reason"),
        ({"rejected_rows": [{"row": 1}]}, "rejected_rows.0.reason"),
        ({"rejected_rows": [{"row": 0, "reason": "No row 0."}]}, "rejected_rows.0.row"),
        ({"rejected_rows": [{"row": "1", "reason": "Text."}]}, "rejected_rows.0.row"),
        ({"rejected_rows": [{"row": 5, "reason": "Unknown."}]}, "rejected_rows"),
        (
            {"rejected_rows": [{"row": 2, "reason": "ok"}, {"row": 9, "reason": "no"}]},
            "rejected_rows",
        ),
        ({"rejected_rows": {"row": 1, "reason": "Not a list."}}, "rejected_rows"),
        ({"rejected": [{"row": 1, "reason": "Unknown field."}]}, "rejected"),
    ],
)
def test_a_bad_rejection_is_a_422_and_changes_nothing(app, company, freelancer, body, field):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    before = shown(company, milestone)

    response = company.post(f"/milestones/{milestone}/approve", json=body)

    problem = assert_problem(response, 422)
    assert field in problem["errors"], problem
    assert shown(company, milestone) == before
    assert balance(freelancer)["pending_payout"] == 0
    page = company.get(f"/milestones/{milestone}/records?format=json").json
    assert all(r["rejected"] is None for r in page["data"])
    assert_ledger_ok(app)


def test_a_reason_of_500_characters_is_taken(app, company, freelancer):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)

    answer = company.post(
        f"/milestones/{milestone}/approve",
        json={"rejected_rows": [{"row": 1, "reason": "x" * 500}]},
    )

    assert answer.status_code == 200, answer.json
    page = company.get(f"/milestones/{milestone}/records?format=json").json
    assert page["data"][0]["rejected"] == "x" * 500


def test_rejected_rows_need_a_milestone_delivered_as_records(app, company, freelancer):
    job = post_job(company)
    bid = place_bid(freelancer, job["id"], amount=1000)
    contract = company.post(f"/bids/{bid['id']}/accept").json
    milestone = contract["milestones"][0]["id"]
    fund(company, milestone)
    freelancer.post(f"/milestones/{milestone}/submit", json={"note": "Done."})

    response = company.post(f"/milestones/{milestone}/approve", json=rejecting(1))

    problem = assert_problem(response, 422)
    assert "note" in problem["errors"]["rejected_rows"][0]
    assert shown(company, milestone)["status"] == "submitted"


def test_only_the_client_approves_and_only_the_freelancer_accepts_a_rejection(
    app, api, factory, company, freelancer, admin
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    stranger = api.as_user(factory.client())

    assert_problem(freelancer.post(f"/milestones/{milestone}/approve", json=rejecting(1)), 403)
    assert_problem(stranger.post(f"/milestones/{milestone}/approve", json=rejecting(1)), 404)
    assert_problem(admin.post(f"/milestones/{milestone}/approve", json=rejecting(1)), 403)
    approve(company, milestone, 1)
    for caller, status in ((company, 403), (stranger, 404), (admin, 403)):
        assert_problem(caller.post(f"/milestones/{milestone}/accept-rejection"), status)
    assert_problem(stranger.post(f"/milestones/{milestone}/disputes", json={"reason": "x"}), 404)
    after = shown(company, milestone)
    assert (after["status"], after["held"]) == ("partially_approved", 250)
    assert_ledger_ok(app)


def test_a_partially_approved_milestone_refuses_every_other_action(app, company, freelancer):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 1)
    before = shown(company, milestone)

    refused = [
        company.post(f"/milestones/{milestone}/approve"),
        company.post(f"/milestones/{milestone}/approve", json=rejecting(2)),
        company.post(f"/milestones/{milestone}/request-changes", json={"reason": "More."}),
        company.post(f"/milestones/{milestone}/cancel"),
        company.post(f"/milestones/{milestone}/cancel-funding"),
        fund(company, milestone),
        freelancer.post(f"/milestones/{milestone}/refund"),
        freelancer.post(f"/milestones/{milestone}/submit", json={"records": [record(1)]}),
    ]

    for response in refused:
        assert_problem(response, 409)
    assert shown(company, milestone) == before
    assert_ledger_ok(app)


def test_accepting_a_rejection_needs_a_partial_approval(app, company, freelancer):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)

    submitted = freelancer.post(f"/milestones/{milestone}/accept-rejection")
    approve(company, milestone)
    approved = freelancer.post(f"/milestones/{milestone}/accept-rejection")

    assert "partially_approved" in assert_problem(submitted, 409)["detail"]
    assert_problem(approved, 409)
    assert shown(company, milestone)["status"] == "approved"
    assert_ledger_ok(app)


def test_every_row_rejected_at_a_fixed_price_holds_it_all(app, company, freelancer):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=2)

    answer = approve(company, milestone, 1, 2)

    assert (answer["status"], answer["held"]) == ("partially_approved", 1000)
    assert answer["records"] == {"submitted": 2, "accepted": 0, "rejected": 2}
    assert balance(freelancer)["pending_payout"] == 0
    assert balance(company)["in_escrow"] == 1000
    assert_ledger_ok(app)
    accepted = freelancer.post(f"/milestones/{milestone}/accept-rejection")
    assert accepted.json["status"] == "approved"
    assert balance(company)["refunded"] == 1000
    assert_ledger_ok(app)


def test_every_row_rejected_per_record_refunds_the_capacity_and_holds_the_rest(
    app, company, freelancer
):
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=3)

    answer = approve(company, milestone, 1, 2, 3)

    assert (answer["status"], answer["held"]) == ("partially_approved", 150)
    assert balance(company)["refunded"] == 350
    assert balance(company)["in_escrow"] == 150
    assert balance(freelancer)["pending_payout"] == 0
    assert_ledger_ok(app)


def test_a_partial_approval_and_a_ruling_are_paid_out_each_by_its_own_transfer(
    app, company, freelancer, admin
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    assert freelancer.post("/me/payout-account").json["payouts_enabled"] is True

    approve(company, milestone, 4)
    assert balance(freelancer)["paid_out"] == 675
    dispute = freelancer.post(f"/milestones/{milestone}/disputes", json={"reason": "Row 4."})
    ruled = admin.post(
        f"/disputes/{dispute.json['id']}/resolve", json={"freelancer_amount": 250, "note": "ok"}
    )

    assert ruled.status_code == 200, ruled.json
    # 675 and then 225 (250 less its fee of 25), each its own transfer.
    assert balance(freelancer)["paid_out"] == 900
    assert balance(freelancer)["pending_payout"] == 0
    with app.app_context():
        from marketplace.payments.gateway import get_gateway

        transfers = [
            t["amount"]
            for t in get_gateway().records("transfer")
            if t["transfer_group"] == f"milestone-{milestone}"
        ]
    assert transfers == [675, 225]
    assert_ledger_ok(app)


def test_releases_in_two_parts_wait_for_payouts_and_are_both_paid_out(
    app, company, freelancer, admin
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 4)
    dispute = freelancer.post(f"/milestones/{milestone}/disputes", json={"reason": "Row 4."})
    admin.post(
        f"/disputes/{dispute.json['id']}/resolve", json={"freelancer_amount": 100, "note": "ok"}
    )
    assert balance(freelancer)["pending_payout"] == 675 + 90
    assert_ledger_ok(app)

    assert freelancer.post("/me/payout-account").json["payouts_enabled"] is True

    assert balance(freelancer)["paid_out"] == 765
    assert balance(freelancer)["pending_payout"] == 0
    assert balance(company)["refunded"] == 150
    assert_ledger_ok(app)


def test_a_refused_release_after_the_capacity_refund_goes_on_from_there(app, company, freelancer):
    from tests.api.test_provider_refusals import local

    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)
    assert freelancer.post("/me/payout-account").json["payouts_enabled"] is True
    (account,) = local(app).records("account")
    local(app).set_transfers_active(account["account_id"], False)

    refused = company.post(f"/milestones/{milestone}/approve", json=rejecting(1))

    assert_problem(refused, 409)
    # The unused capacity went back; the rest waits in escrow, the milestone submitted.
    assert shown(company, milestone)["status"] == "submitted"
    assert balance(company)["refunded"] == 100
    assert balance(company)["in_escrow"] == 400
    assert_ledger_ok(app)
    local(app).set_transfers_active(account["account_id"], True)

    again = approve(company, milestone, 1)

    assert (again["status"], again["held"]) == ("partially_approved", 50)
    assert balance(company)["refunded"] == 100  # not refunded twice
    assert balance(freelancer)["paid_out"] == 315
    assert_ledger_ok(app)


def test_a_dispute_from_a_partial_approval_changes_nothing_for_a_refused_client(
    app, company, freelancer
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 1)
    before = shown(company, milestone)

    response = company.post(f"/milestones/{milestone}/disputes", json={"reason": "Mine."})

    assert "freelancer" in assert_problem(response, 403)["detail"]
    assert shown(company, milestone) == before
    assert company.get("/disputes").json["data"] == []


@pytest.mark.parametrize("when", ["before", "after"])
def test_recover_operations_finishes_an_approval_whose_refund_went_unanswered(
    app, company, freelancer, failing_gateway, when
):
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)
    failing_gateway.fail("refund", when)

    lost = company.post(f"/milestones/{milestone}/approve", json=rejecting(1), expect_5xx=True)

    assert_problem(lost, 502)
    assert shown(company, milestone)["status"] == "submitted"
    result = app.test_cli_runner().invoke(args=["marketplace", "recover-operations"])
    assert result.exit_code == 0, result.output
    after = shown(company, milestone)
    assert (after["status"], after["held"]) == ("partially_approved", 50)
    assert after["records"] == {"submitted": 8, "accepted": 7, "rejected": 1}
    assert balance(company)["refunded"] == 100
    assert balance(freelancer)["pending_payout"] == 315
    page = company.get(f"/milestones/{milestone}/records?format=json").json
    assert page["data"][0]["rejected"] == "Row 1 is wrong."
    assert_ledger_ok(app)


def test_a_repeated_approval_after_a_lost_refund_answer_refunds_once(
    app, company, freelancer, failing_gateway
):
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)
    failing_gateway.fail("refund", "after")
    lost = company.post(f"/milestones/{milestone}/approve", json=rejecting(1), expect_5xx=True)
    assert_problem(lost, 502)

    again = approve(company, milestone, 1)

    assert (again["status"], again["held"]) == ("partially_approved", 50)
    assert balance(company)["refunded"] == 100
    assert_ledger_ok(app)


def test_accept_rejection_after_a_lost_refund_answer_is_recovered_by_its_repeat(
    app, company, freelancer, failing_gateway
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 1)
    failing_gateway.fail("refund", "after")

    lost = freelancer.post(f"/milestones/{milestone}/accept-rejection", expect_5xx=True)
    assert_problem(lost, 502)
    assert shown(company, milestone)["status"] == "partially_approved"
    assert_ledger_ok(app, reconciled=False)
    again = freelancer.post(f"/milestones/{milestone}/accept-rejection")

    assert again.status_code == 200, again.json
    assert (again.json["status"], again.json["held"]) == ("approved", 0)
    assert balance(company)["refunded"] == 250
    assert_ledger_ok(app)


@pytest.mark.parametrize(
    ("status", "held", "problem"),
    [
        ("partially_approved", 200, "is partially approved holding 200, but its escrow holds 250"),
        ("disputed", 300, "is disputed over 300 held"),
        ("approved", 250, "is approved but holds 250 for rejected rows"),
    ],
)
def test_verify_ledger_checks_the_held_money_against_the_escrow(
    app, company, freelancer, status, held, problem
):
    milestone = delivered(company, freelancer, {"amount": 1000}, rows=4)
    approve(company, milestone, 1)
    with app.app_context():
        db.session.execute(
            update(Milestone).where(Milestone.id == milestone).values(status=status, held=held)
        )
        db.session.commit()

        result = verify_ledger()
        db.session.rollback()

    assert not result["ok"]
    assert any(problem in line for line in result["problems"]), result["problems"]


def test_a_partial_approval_and_the_refund_of_its_held_money_are_events_to_both_parties(
    app, company, freelancer, factory, api
):
    bystander = api.as_user(factory.freelancer())
    milestone = delivered(company, freelancer, {"unit_price": 50, "max_records": 10}, rows=8)
    approve(company, milestone, 3, 7)
    assert expect_ok(freelancer.post(f"/milestones/{milestone}/accept-rejection"))

    for party in (company, freelancer):
        seen = [
            (e["data"]["object"]["status"], e["data"]["object"]["held"])
            for e in feed(party, type=["milestone.partially_approved", "milestone.approved"])
            if e["data"]["object"]["id"] == milestone
        ]
        assert seen == [("partially_approved", 100), ("approved", 0)]
    assert feed(bystander, type="milestone.partially_approved") == []
