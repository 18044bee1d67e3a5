"""Money races through the HTTP API on the local gateway: one winner, money moved once.

Each race starts its contenders together on a barrier, each in its own thread with its
own test client (so its own app context, session and database connection), and is
repeated on a fresh contract between fresh users every round, so that each round's
balances are that round's alone. After every round the winner's effect is checked in
the API, the database, the ledger and the gateway's own records; the loser must get
the service's own 409, decided under the row lock, not the unique-constraint backstop.
"""

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from marketplace.contracts.models import Milestone
from marketplace.extensions import db
from marketplace.milestones.service import release_due
from marketplace.money import format_amount
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import LedgerTransaction
from tests.client import ApiClient, assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, fund

ROUNDS = 5
# Per round, how long (s) one contender is held back after the barrier: + the first,
# - the second. A few ms shifts who usually wins while the requests (10-200 ms each)
# still overlap, so both orders of every race get tried.
STAGGER = (0.0, 0.002, -0.002, 0.004, -0.004)
FEE_BPS = 1000  # the default PLATFORM_FEE_BPS, fixed on every contract made here
# What the IntegrityError handler answers: a race the locks should have prevented.
BACKSTOP_DETAIL = "The request conflicts with existing data."
BALANCE_COLUMNS = ("in_escrow", "pending_payout", "paid_out", "refunded", "fees")

# Who sends each milestone action, and its body.
ACTIONS = {
    "approve": ("client", None),
    "refund": ("freelancer", None),
    "request-changes": ("client", {"reason": "Rows 40-60 are missing."}),
}


# -- racing ------------------------------------------------------------------------------


def race(*contenders, stagger: float = 0.0):
    """Run the contenders at once; their results in order, and how long they overlapped.

    A contender is a function that prepares in its own thread (a test client, a CLI
    runner) and returns the action to time; every action starts on the same barrier.
    A positive `stagger` (seconds) holds the first contender back that long, a negative
    one the second, so that rounds try both orders while the two still overlap. The
    overlap (ms) is how long every contender was in flight at once: above 0, they raced.
    """
    barrier = threading.Barrier(len(contenders))
    results: list = [None] * len(contenders)
    spans: list = [None] * len(contenders)
    holds = [max(stagger, 0.0), max(-stagger, 0.0)] + [0.0] * (len(contenders) - 2)

    def run(index, prepare):
        try:
            action = prepare()
            barrier.wait(timeout=10)
            time.sleep(holds[index])
            start = time.perf_counter()
            results[index] = action()
            spans[index] = (start, time.perf_counter())
        except BaseException as error:
            barrier.abort()
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racing contender hung"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    overlap = min(end for _, end in spans) - max(start for start, _ in spans)
    return results, round(overlap * 1000, 1)


def http(app, token: str, method: str, path: str, body=None):
    """A contender that sends one API request with its own client."""

    def prepare():
        client = ApiClient(app, token)

        def send():
            response = client.request(method, path, json=body)
            response.get_data()  # buffer the body, so it can be read after closing
            response.close()
            return response

        return send

    return prepare


def cli_release_due(app):
    """A contender that runs `flask marketplace release-due` (its own app context)."""

    def prepare():
        runner = app.test_cli_runner()
        return lambda: runner.invoke(args=["marketplace", "release-due"])

    return prepare


def release_due_run(app):
    """A contender that does what one `release-due` run does, in its own app context.

    Two CliRunner.invoke calls cannot overlap in one process: each swaps the process-wide
    sys.stdout and puts back what it found, so concurrent runs garble each other's output
    and can leave sys.stdout pointing at a dead buffer. A cron host runs the command's
    function in its own process; here each thread runs it on its own connection.
    """

    def prepare():
        def run():
            with app.app_context():
                return release_due()

        return run

    return prepare


def action(app, deal, name: str, milestone_id: int):
    """A contender that sends a milestone action as the party who may send it."""
    who, body = ACTIONS[name]
    token = deal.company.token if who == "client" else deal.freelancer.token
    return http(app, token, "POST", f"/milestones/{milestone_id}/{name}", body)


# -- setting up --------------------------------------------------------------------------


class Deal:
    """Fresh users with an active contract of pending milestones."""

    def __init__(self, app, api, factory, *amounts: int):
        self.company = factory.client()
        self.freelancer = factory.freelancer()
        self.client_api = api.as_user(self.company)
        self.freelancer_api = api.as_user(self.freelancer)
        contract = contract_with(self.client_api, self.freelancer_api, *amounts)
        assert contract["fee_bps"] == FEE_BPS
        self.milestones = [m["id"] for m in contract["milestones"]]
        self.amounts = dict(zip(self.milestones, amounts, strict=True))

    def fund_all(self) -> None:
        for milestone_id in self.milestones:
            response = fund(self.client_api, milestone_id)
            assert response.status_code == 200, response.json

    def submit_all(self) -> None:
        for milestone_id in self.milestones:
            response = self.freelancer_api.post(
                f"/milestones/{milestone_id}/submit", json={"note": "All rows typed up."}
            )
            assert response.status_code == 200, response.json
            assert response.json["status"] == "submitted"

    def enable_payouts(self) -> None:
        response = self.freelancer_api.post("/me/payout-account")
        assert response.status_code == 200, response.json
        assert response.json["payouts_enabled"] is True


def submitted_deal(app, api, factory, *amounts: int) -> Deal:
    deal = Deal(app, api, factory, *amounts)
    deal.fund_all()
    deal.submit_all()
    return deal


@pytest.fixture
def due_at_once(app):
    """Submits in this test are due for auto-release at once (REVIEW_PERIOD_DAYS = 0)."""
    original = app.config["REVIEW_PERIOD_DAYS"]
    app.config["REVIEW_PERIOD_DAYS"] = 0
    yield
    app.config["REVIEW_PERIOD_DAYS"] = original


# -- checking ----------------------------------------------------------------------------


def fee_on(amount: int) -> int:
    """10 % rounded half up to the minor unit, worked out here independently of the app."""
    return (amount * FEE_BPS + 5000) // 10000


def amount_for(round_number: int) -> int:
    """A different amount each round; odd fives make the fee round half up (1234.5)."""
    return 12_345 + 1_000 * round_number


def money(**columns: int) -> dict[str, int]:
    """A balance row as GET /me/balance shows it: every column not named is 0."""
    return {**dict.fromkeys(BALANCE_COLUMNS, 0), **columns}


def statuses(results) -> list[int]:
    return [result.status_code for result in results]


def stagger_for(round_number: int) -> float:
    """Rounds hold the first or the second contender back by turns (see race)."""
    return STAGGER[round_number % len(STAGGER)]


def report(name: str, number: int, overlap: float, stagger: float, **figures) -> None:
    """Print one round's figures (pytest -s shows them)."""
    shown = "; ".join(f"{key} {value}" for key, value in figures.items())
    print(
        f"[money race] {name} round {number + 1}: {shown}; "
        f"stagger {stagger * 1000:+.0f} ms; in flight together {overlap} ms"
    )


def counts(codes) -> str:
    return ", ".join(f"{code}x{n}" for code, n in sorted(Counter(codes).items()))


def assert_lock_conflict(response) -> None:
    """A 409 the service decided under its locks, not the unique-constraint backstop."""
    body = assert_problem(response, 409)
    assert body["detail"] != BACKSTOP_DETAIL, body


def one_winner(responses):
    """Exactly one response is a 200 and the other a lock 409; the winner's index."""
    assert sorted(statuses(responses)) == [200, 409], [r.get_data() for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    for loser in responses:
        if loser.status_code == 409:
            assert_lock_conflict(loser)
    return winner


def db_status(app, milestone_id: int) -> str:
    with app.app_context():
        status = str(db.session.get(Milestone, milestone_id).status)
        db.session.rollback()
    return status


def ledger_kinds(app, milestone_id: int) -> dict[str, int]:
    """How many ledger transactions of each kind the milestone has."""
    with app.app_context():
        rows = db.session.execute(
            select(LedgerTransaction.kind, func.count(LedgerTransaction.id))
            .where(LedgerTransaction.milestone_id == milestone_id)
            .group_by(LedgerTransaction.kind)
        ).all()
        db.session.rollback()
    return {kind: count for kind, count in rows}


def gateway_records(app, milestone_id: int) -> dict[str, list[dict]]:
    """The local gateway's charges, refunds and transfers for the milestone."""
    with app.app_context():
        gateway = get_gateway()
        charges = [
            c
            for c in gateway.records("charge")
            if c["metadata"].get("milestone_id") == str(milestone_id)
        ]
        intents = {c["intent_id"] for c in charges}
        refunds = [r for r in gateway.records("refund") if r["intent_id"] in intents]
        transfers = [
            t
            for t in gateway.records("transfer")
            if t["transfer_group"] == f"milestone-{milestone_id}"
        ]
    return {"charges": charges, "refunds": refunds, "transfers": transfers}


def assert_released_once(app, deal: Deal, milestone_id: int, *, paid_out: bool = False):
    """The milestone was approved and released exactly once, less one fee."""
    amount = deal.amounts[milestone_id]
    assert db_status(app, milestone_id) == "approved"
    expected_kinds = {"funding": 1, "provider_fee": 1, "release": 1}
    if paid_out:
        expected_kinds["payout"] = 1
    assert ledger_kinds(app, milestone_id) == expected_kinds
    records = gateway_records(app, milestone_id)
    assert len(records["charges"]) == 1
    assert records["refunds"] == []
    assert len(records["transfers"]) == (1 if paid_out else 0)
    if paid_out:
        assert records["transfers"][0]["amount"] == amount - fee_on(amount)


# -- 1. fund | fund ----------------------------------------------------------------------


def test_two_fund_requests_at_once_charge_the_card_once(app, api, factory):
    for number in range(ROUNDS):
        amount = amount_for(number)
        deal = Deal(app, api, factory, amount)
        (milestone_id,) = deal.milestones
        fund_it = http(
            app,
            deal.company.token,
            "POST",
            f"/milestones/{milestone_id}/fund",
            {"payment_method": "pm_card_visa"},
        )

        stagger = stagger_for(number)

        responses, overlap = race(fund_it, fund_it, stagger=stagger)

        won = one_winner(responses)
        report("fund | fund", number, overlap, stagger, statuses=counts(statuses(responses)))
        winner = responses[won]
        assert winner.json["status"] == "funded"
        assert db_status(app, milestone_id) == "funded"
        records = gateway_records(app, milestone_id)
        assert len(records["charges"]) == 1
        assert records["charges"][0]["amount"] == amount
        assert ledger_kinds(app, milestone_id) == {"funding": 1, "provider_fee": 1}
        assert balance(deal.client_api)["in_escrow"] == amount
        assert balance(deal.freelancer_api)["in_escrow"] == amount
        assert_ledger_ok(app)


# -- 2. approve, refund, request-changes on a submitted milestone ------------------------


def assert_outcome(app, deal: Deal, milestone_id: int, won: str) -> None:
    """State, balances, ledger and gateway records agree with the action that won."""
    amount = deal.amounts[milestone_id]
    fee = fee_on(amount)
    company, freelancer = balance(deal.client_api), balance(deal.freelancer_api)
    records = gateway_records(app, milestone_id)
    assert len(records["charges"]) == 1
    assert len(records["refunds"]) <= 1
    assert len(records["transfers"]) <= 1
    if won == "approve":
        assert_released_once(app, deal, milestone_id)
        assert company == money()
        assert freelancer == money(pending_payout=amount - fee, fees=fee)
    elif won == "refund":
        assert db_status(app, milestone_id) == "cancelled"
        assert ledger_kinds(app, milestone_id) == {"funding": 1, "provider_fee": 1, "refund": 1}
        assert [r["amount"] for r in records["refunds"]] == [amount]
        assert records["transfers"] == []
        assert company == money(refunded=amount)
        assert freelancer == money()
    else:
        assert won == "request-changes"
        assert db_status(app, milestone_id) == "changes_requested"
        assert ledger_kinds(app, milestone_id) == {"funding": 1, "provider_fee": 1}
        assert records["refunds"] == records["transfers"] == []
        assert company == money(in_escrow=amount)
        assert freelancer == money(in_escrow=amount)
    assert_ledger_ok(app)


FINAL_STATUS = {
    "approve": "approved",
    "refund": "cancelled",
    "request-changes": "changes_requested",
}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("approve", "approve"),
        ("approve", "refund"),
        ("approve", "request-changes"),
        ("refund", "refund"),
    ],
    ids=lambda name: name,
)
def test_two_actions_at_once_on_a_submitted_milestone_have_one_winner(
    app, api, factory, first, second
):
    name, winners = f"{first} | {second}", Counter()

    for number in range(ROUNDS):
        deal = submitted_deal(app, api, factory, amount_for(number))
        (milestone_id,) = deal.milestones
        stagger = stagger_for(number)

        responses, overlap = race(
            action(app, deal, first, milestone_id),
            action(app, deal, second, milestone_id),
            stagger=stagger,
        )

        index = one_winner(responses)
        won = (first, second)[index]
        side = f"{won} ({('first', 'second')[index]})"
        winners[side] += 1
        report(name, number, overlap, stagger, statuses=counts(statuses(responses)), won=side)
        assert responses[index].json["status"] == FINAL_STATUS[won]
        assert_outcome(app, deal, milestone_id, won)

    print(f"[money race] {name} winners: {dict(sorted(winners.items()))}")


# -- 3. approve | release-due ------------------------------------------------------------


def test_approve_racing_release_due_releases_the_milestone_once(app, api, factory, due_at_once):
    name, winners = "approve | release-due", Counter()

    for number in range(ROUNDS):
        amount = amount_for(number)
        deal = submitted_deal(app, api, factory, amount)
        (milestone_id,) = deal.milestones
        stagger = stagger_for(number)

        (approve, cli), overlap = race(
            action(app, deal, "approve", milestone_id), cli_release_due(app), stagger=stagger
        )

        assert cli.exception is None, cli.output
        assert cli.exit_code == 0, cli.output
        line = f"milestone {milestone_id}: released {format_amount(amount, 'USD')}"
        released = cli.output.count(line)
        won = "approve" if approve.status_code == 200 else "release-due"
        winners[won] += 1
        report(name, number, overlap, stagger, approve=approve.status_code, won=won)
        if won == "approve":
            assert approve.json["status"] == "approved"
            assert released == 0, cli.output
        else:
            assert_lock_conflict(approve)
            assert released == 1, cli.output
        assert "payout failed" not in cli.output
        assert_released_once(app, deal, milestone_id)
        assert balance(deal.freelancer_api)["pending_payout"] == amount - fee_on(amount)
        assert balance(deal.client_api)["refunded"] == 0
        assert_ledger_ok(app)

    print(f"[money race] {name} winners: {dict(sorted(winners.items()))}")


# -- 4. release-due | release-due --------------------------------------------------------


def test_two_release_due_runs_at_once_release_each_milestone_once(app, api, factory, due_at_once):
    for number in range(ROUNDS):
        deals = [
            submitted_deal(app, api, factory, 10_005 + number, 20_015),
            submitted_deal(app, api, factory, 30_025, 40_035 + number),
        ]
        due = {m: deal for deal in deals for m in deal.milestones}

        stagger = stagger_for(number)

        runs, overlap = race(release_due_run(app), release_due_run(app), stagger=stagger)

        lines = [line for run in runs for line in run]
        assert all(": released " in line for line in lines), lines
        reported = Counter(int(line.split(":")[0].removeprefix("milestone ")) for line in lines)
        assert reported == Counter(list(due)), lines
        for milestone_id, deal in due.items():
            amount = deal.amounts[milestone_id]
            assert f"milestone {milestone_id}: released {format_amount(amount, 'USD')}" in lines
            assert_released_once(app, deal, milestone_id)
        for deal in deals:
            expected = sum(a - fee_on(a) for a in deal.amounts.values())
            assert balance(deal.freelancer_api)["pending_payout"] == expected
        assert_ledger_ok(app)
        split = " + ".join(str(len(run)) for run in runs)
        report("release-due | release-due", number, overlap, stagger, released=split)

    third = app.test_cli_runner().invoke(args=["marketplace", "release-due"])
    assert third.exit_code == 0, third.output
    assert "0 milestone(s) due" in third.output


# -- 5. approve | approve with payouts enabled -------------------------------------------


def test_two_approvals_at_once_with_payouts_enabled_transfer_once(app, api, factory):
    for number in range(ROUNDS):
        amount = amount_for(number)
        deal = Deal(app, api, factory, amount)
        deal.enable_payouts()
        deal.fund_all()
        deal.submit_all()
        (milestone_id,) = deal.milestones
        approve = action(app, deal, "approve", milestone_id)

        stagger = stagger_for(number)

        responses, overlap = race(approve, approve, stagger=stagger)

        won = one_winner(responses)
        name = "approve | approve (payouts enabled)"
        report(name, number, overlap, stagger, statuses=counts(statuses(responses)))
        winner = responses[won]
        assert winner.json["status"] == "approved"
        assert_released_once(app, deal, milestone_id, paid_out=True)
        assert balance(deal.freelancer_api) == money(
            paid_out=amount - fee_on(amount), fees=fee_on(amount)
        )
        assert balance(deal.client_api) == money()
        assert_ledger_ok(app)


def test_approve_racing_the_switching_on_of_payouts_pays_out_once(app, api, factory):
    """Either the release sees payouts on, or the switch sees the release: never stuck."""
    for number in range(ROUNDS):
        amount = 10_000 + number
        deal = submitted_deal(app, api, factory, amount)
        (milestone_id,) = deal.milestones
        stagger = (0.0, 0.002, -0.002, 0.004, -0.004)[number % 5]
        (approve, enable), overlap = race(
            action(app, deal, "approve", milestone_id),
            http(app, deal.freelancer.token, "POST", "/me/payout-account"),
            stagger=stagger,
        )
        money = balance(deal.freelancer_api)
        print(
            f"[race] approve | enable payouts round {number + 1}: overlap {overlap} ms, "
            f"paid out {money['paid_out']}, pending {money['pending_payout']}"
        )
        assert approve.status_code == enable.status_code == 200
        assert enable.json["payouts_enabled"] is True
        assert money["pending_payout"] == 0
        assert money["paid_out"] == amount - fee_on(amount)
        assert_ledger_ok(app)
