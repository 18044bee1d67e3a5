"""Property: any sequence of money actions keeps the ledger, every escrow and every balance right.

A hypothesis state machine drives contracts, milestones and payouts through the HTTP
API on the local gateway, legal and illegal actions alike (an illegal one must be a
409 that changes nothing), tried first by the wrong caller (403 or 404, also changing
nothing), and keeps a small model of where every minor unit should be. After each
step it checks verify_ledger(), every milestone's status and escrow, the parties'
/me/balance against the model, and that the ledger's lines sum to zero per currency.

Each example starts from an empty database (and an empty local gateway, whose
idempotency keys are derived from our row ids, which SQLite reuses), so the global
checks are exact and a failing example cannot leak into the next one while
hypothesis shrinks it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from marketplace.contracts.models import Contract, Milestone
from marketplace.extensions import db
from marketplace.payments.gateway import get_gateway
from marketplace.payments.ledger import escrow_balance, verify_ledger
from marketplace.payments.models import LedgerLine
from marketplace.payments.reconcile import reconcile
from tests.client import ApiClient
from tests.emptying import empty_everything
from tests.factories import Factory
from tests.work import JOB

HOLDING = frozenset({"funded", "submitted", "changes_requested"})
SUBMITTABLE = frozenset({"funded", "changes_requested"})
SETTLED = frozenset({"approved", "cancelled"})
# The milestone money actions (their path segment) and the states they are legal from.
LEGAL_FROM = {
    "fund": {"pending"},
    "submit": SUBMITTABLE,
    "request-changes": {"submitted"},
    "approve": {"submitted"},
    "refund": HOLDING,
}
# How often an aimed milestone action is each one, among those possible: mostly forward.
FORWARD = {"fund": 3, "submit": 3, "approve": 3, "request-changes": 1, "refund": 1}
COLUMNS = ("in_escrow", "pending_payout", "paid_out", "refunded", "fees")
CLIENTS, FREELANCERS = ("client0", "client1"), ("freelancer0", "freelancer1")

CURRENCIES = st.sampled_from(["USD", "EUR", "JPY"])
# From the smallest charge these currencies take (50 cents, 50 yen): the API refuses less.
AMOUNTS = st.integers(min_value=50, max_value=10**7)
FEES_BPS = st.sampled_from([1000, 0, 250, 1999, 10_000])
DECLINING = ("pm_card_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds")
# Mostly a card that pays, sometimes one that is declined.
METHODS = st.integers(min_value=0, max_value=9).map(
    lambda n: (
        DECLINING[n % 2] if n in (3, 6) else ("pm_card_mastercard" if n == 7 else "pm_card_visa")
    )
)
PICK = st.integers(min_value=0, max_value=255)
# Whether to aim at a target for which the action is legal (when there is one) or at one
# for which it is not: a uniform pick would make almost every action a 409.
AIM = st.booleans()
MOSTLY = st.integers(min_value=0, max_value=3).map(lambda n: n != 0)
RARELY = st.integers(min_value=0, max_value=3).map(lambda n: n == 0)
# Someone who tries the action first: the contract's other party (403) or a user who
# cannot see the contract (404). Permission is checked before state.
INTRUDERS = st.sampled_from([None, None, None, "other", "stranger"])
# /me/balance is asked after every step for each user whose money may have moved, and
# for every user at least this often.
FULL_CHECK_EVERY = 10

# The arguments of each kind of step; how often each comes is LedgerMachine.weights().
STEPS = {
    "milestone_action": {
        "action": st.sampled_from(sorted(LEGAL_FROM)),
        "pick": PICK,
        "aim": MOSTLY,
        "intruder": INTRUDERS,
        "method": METHODS,
        "due_now": st.booleans(),
    },
    "create_contract": {
        "client": st.sampled_from(CLIENTS),
        "freelancer": st.sampled_from(FREELANCERS),
        "currency": CURRENCIES,
        "amounts": st.lists(AMOUNTS, min_size=1, max_size=3),
        "fee_bps": FEES_BPS,
    },
    "add_milestone": {"pick": PICK, "aim": AIM, "intruder": INTRUDERS, "amount": AMOUNTS},
    "cancel_milestone": {"pick": PICK, "aim": RARELY, "intruder": INTRUDERS},
    "cancel_contract": {
        "pick": PICK,
        "aim": RARELY,
        "intruder": INTRUDERS,
        "by_freelancer": st.booleans(),
    },
    "complete_contract": {"pick": PICK, "aim": AIM, "intruder": INTRUDERS},
    "enable_payouts": {"pick": PICK, "aim": MOSTLY},
    "release_due": {},
}
MAX_DEALS = 4


def fee_of(amount: int, fee_bps: int) -> int:
    """The platform fee as API.md states it: amount x bps / 10000, rounded half up."""
    return (amount * fee_bps + 5000) // 10000


@dataclass
class Deal:
    id: int
    client: str
    freelancer: str
    currency: str
    fee_bps: int
    status: str = "active"


@dataclass
class Stone:
    id: int
    deal: Deal
    amount: int
    status: str = "pending"
    due: bool = False  # submitted with a review period of 0: release-due takes it
    notes: list[str] = field(default_factory=list)


class LedgerMachine(RuleBasedStateMachine):
    app = None  # set by the test function

    def __init__(self):
        super().__init__()
        empty_everything(self.app)  # as after each test, before each example
        factory = Factory(self.app)
        api = ApiClient(self.app)
        self.users = {
            "client0": api.as_user(factory.client()),
            "client1": api.as_user(factory.client()),
            "freelancer0": api.as_user(factory.freelancer(country="NG")),
            "freelancer1": api.as_user(factory.freelancer(country="DE")),
        }
        self.outsider = api.as_user(factory.freelancer())
        self.deals: list[Deal] = []
        self.stones: list[Stone] = []
        self.payouts_enabled = dict.fromkeys(FREELANCERS, False)
        # (user, currency) -> refunded / pending_payout / paid_out / fees
        self.books: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.touched: set[str] = set(self.users)
        self.checks = 0
        self.unchanged = None  # the last snapshot, while nothing can have changed since
        self.lines_seen = 0
        self.balances_seen: dict[str, dict] = {}

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def choose(items: list, pick: int, aim: bool, legal):
        """items[pick], among those for which `legal` is `aim` when there are any."""
        pool = [item for item in items if bool(legal(item)) == aim] or items
        return pool[pick % len(pool)]

    def party(self, deal: Deal, role: str) -> ApiClient:
        self.touched |= {deal.client, deal.freelancer}
        return self.users[getattr(deal, role)]

    def snapshot(self):
        """What a refused action must leave exactly as it was."""
        with self.app.app_context():
            lines = db.session.scalar(select(func.count(LedgerLine.id)))
            rows = db.session.execute(
                select(Milestone.id, Milestone.status, Milestone.amount, Contract.status)
                .join(Contract, Contract.id == Milestone.contract_id)
                .order_by(Milestone.id)
            ).all()
            db.session.rollback()
        return lines, [tuple(row) for row in rows]

    def act(self, user: ApiClient, path: str, expected: int, json=None):
        """POST; a refusal (4xx) must be a problem document and change nothing."""
        before = (self.unchanged or self.snapshot()) if expected >= 400 else None
        response = user.post(path, json=json)
        assert response.status_code == expected, (path, response.status_code, response.json)
        self.unchanged = None
        if before is not None:
            assert response.mimetype == "application/problem+json"
            assert self.snapshot() == before, f"{path} answered {expected} but changed things"
            self.unchanged = before  # still the state, for the step's next refusal
        return response

    def intrude(self, intruder, deal: Deal, role: str, path: str, json=None) -> None:
        """The wrong caller tries first: 403 for the other party, 404 for a stranger."""
        if intruder == "stranger":
            self.act(self.outsider, path, 404, json)
        elif intruder == "other":
            other = "freelancer" if role == "client" else "client"
            self.act(self.party(deal, other), path, 403, json)

    def release(self, stone: Stone) -> None:
        deal = stone.deal
        fee = fee_of(stone.amount, deal.fee_bps)
        books = self.books[(deal.freelancer, deal.currency)]
        books["fees"] += fee
        paid = self.payouts_enabled[deal.freelancer]
        books["paid_out" if paid else "pending_payout"] += stone.amount - fee
        stone.status, stone.due = "approved", False
        self.touched |= {deal.client, deal.freelancer}

    def expected_balances(self, user: str) -> dict[str, dict]:
        rows: dict[str, Counter] = defaultdict(Counter)
        for (owner, currency), books in self.books.items():
            if owner == user:
                rows[currency].update(books)
        for stone in self.stones:
            if stone.status in HOLDING and user in (stone.deal.client, stone.deal.freelancer):
                rows[stone.deal.currency]["in_escrow"] += stone.amount
        return {c: {k: row[k] for k in COLUMNS} for c, row in rows.items()}

    # -- the steps ----------------------------------------------------------------------

    @rule(data=st.data())
    def step(self, data):
        """One step of a kind drawn by weight, not one rule per kind: hypothesis's own
        rule choice switches whole rules off per example, starving the long paths."""
        kinds = [kind for kind, weight in self.weights().items() for _ in range(weight)]
        kind = data.draw(st.sampled_from(kinds), label="step")
        getattr(self, kind)(**data.draw(st.fixed_dictionaries(STEPS[kind]), label=kind))

    def weights(self) -> dict[str, int]:
        """Mostly milestone money actions; the rest more often when they would do something."""
        submitted = any(s.status == "submitted" for s in self.stones)  # due or not yet
        waiting = any(self.pending(f) for f in FREELANCERS if not self.payouts_enabled[f])
        return {
            "milestone_action": 60,
            "create_contract": 5 if len(self.deals) < MAX_DEALS else 0,
            "add_milestone": 6,
            "cancel_milestone": 3,
            "cancel_contract": 3,
            "complete_contract": 6 if any(map(self.completable, self.deals)) else 2,
            "enable_payouts": 12 if waiting else 2,
            "release_due": 10 if submitted else 2,
        }

    def pending(self, freelancer: str) -> int:
        return sum(b["pending_payout"] for (o, _), b in self.books.items() if o == freelancer)

    # -- deals --------------------------------------------------------------------------

    @initialize(
        client=st.sampled_from(CLIENTS),
        freelancer=st.sampled_from(FREELANCERS),
        currency=CURRENCIES,
        amounts=st.lists(AMOUNTS, min_size=1, max_size=3),
        fee_bps=FEES_BPS,
    )
    def first_contract(self, client, freelancer, currency, amounts, fee_bps):
        self.create_contract(client, freelancer, currency, amounts, fee_bps)

    def create_contract(self, client, freelancer, currency, amounts, fee_bps):
        self.unchanged = None
        company, worker = self.users[client], self.users[freelancer]
        job = company.post("/jobs", json={**JOB, "currency": currency})
        assert job.status_code == 201, job.json
        bid = {
            "amount": sum(amounts),
            "currency": currency,
            "delivery_days": 7,
            "cover_letter": "Property-based, and careful with money.",
        }
        if len(amounts) > 1:  # else the contract gets one milestone for the whole amount
            bid["milestones"] = [{"title": f"Part {i}", "amount": a} for i, a in enumerate(amounts)]
        placed = worker.post(f"/jobs/{job.json['id']}/bids", json=bid)
        assert placed.status_code == 201, placed.json
        saved_bps = self.app.config["PLATFORM_FEE_BPS"]
        self.app.config["PLATFORM_FEE_BPS"] = fee_bps
        try:
            accepted = company.post(f"/bids/{placed.json['id']}/accept")
        finally:
            self.app.config["PLATFORM_FEE_BPS"] = saved_bps
        assert accepted.status_code == 201, accepted.json
        contract = accepted.json
        assert (contract["fee_bps"], contract["currency"]) == (fee_bps, currency)
        assert contract["amount"] == sum(amounts)
        assert [m["amount"] for m in contract["milestones"]] == amounts
        deal = Deal(contract["id"], client, freelancer, currency, fee_bps)
        self.deals.append(deal)
        self.stones += [Stone(m["id"], deal, m["amount"]) for m in contract["milestones"]]
        self.touched |= {client, freelancer}

    def add_milestone(self, pick, aim, intruder, amount):
        deal = self.choose(self.deals, pick, aim, lambda d: d.status == "active")
        path, body = f"/contracts/{deal.id}/milestones", {"title": "More", "amount": amount}
        self.intrude(intruder, deal, "client", path, body)
        expected = 201 if deal.status == "active" else 409
        response = self.act(self.party(deal, "client"), path, expected, body)
        if response.status_code == 201:
            assert (response.json["status"], response.json["amount"]) == ("pending", amount)
            assert response.json["currency"] == deal.currency
            self.stones.append(Stone(response.json["id"], deal, amount))

    def cancellable(self, deal: Deal) -> bool:
        held = any(s.status in HOLDING for s in self.stones if s.deal is deal)
        return deal.status == "active" and not held

    def completable(self, deal: Deal) -> bool:
        settled = all(s.status in SETTLED for s in self.stones if s.deal is deal)
        return deal.status == "active" and settled

    def cancel_contract(self, pick, aim, intruder, by_freelancer):
        deal = self.choose(self.deals, pick, aim, self.cancellable)
        legal = self.cancellable(deal)
        path = f"/contracts/{deal.id}/cancel"
        if intruder == "stranger":  # either party may cancel: only a stranger may not
            self.act(self.outsider, path, 404)
        role = "freelancer" if by_freelancer else "client"
        response = self.act(self.party(deal, role), path, 200 if legal else 409)
        if response.status_code == 200:
            deal.status = "cancelled"
            stones = [s for s in self.stones if s.deal is deal]
            for stone in stones:
                if stone.status == "pending":
                    stone.status = "cancelled"
            assert response.json["status"] == "cancelled"
            assert [m["status"] for m in response.json["milestones"]] == [s.status for s in stones]

    def complete_contract(self, pick, aim, intruder):
        deal = self.choose(self.deals, pick, aim, self.completable)
        legal = self.completable(deal)
        path = f"/contracts/{deal.id}/complete"
        self.intrude(intruder, deal, "client", path)
        response = self.act(self.party(deal, "client"), path, 200 if legal else 409)
        if response.status_code == 200:
            assert response.json["status"] == "completed"
            deal.status = "completed"

    # -- milestone money actions --------------------------------------------------------

    def milestone_action(self, action, pick, aim, intruder, method, due_now):
        if aim:  # an action that is legal for some milestone (forward ones first), on one
            open_now = [a for a in FORWARD if self.with_status(LEGAL_FROM[a])]
            possible = [a for a in open_now for _ in range(FORWARD[a])]
            action = possible[pick % len(possible)] if possible else action
        legal_for = LEGAL_FROM[action]
        stone = self.choose(self.stones, pick // 11, aim, lambda s: s.status in legal_for)
        legal = stone.status in legal_for
        getattr(self, action.replace("-", "_"))(stone, legal, intruder, method, due_now)

    def with_status(self, statuses) -> list[Stone]:
        return [s for s in self.stones if s.status in statuses]

    def attempt(self, stone, role, action, legal, intruder, json=None, ok=200):
        path = f"/milestones/{stone.id}/{action}"
        self.intrude(intruder, stone.deal, role, path, json)
        return self.act(self.party(stone.deal, role), path, ok if legal else 409, json)

    def fund(self, stone, legal, intruder, method, _due_now):
        ok = 402 if method in DECLINING else 200  # declined: nothing booked, still pending
        body = {"payment_method": method}
        response = self.attempt(stone, "client", "fund", legal, intruder, body, ok)
        if response.status_code == 200:
            assert response.json["status"] == "funded"
            stone.status = "funded"

    def submit(self, stone, legal, intruder, _method, due_now):
        note = f"Delivery {len(stone.notes) + 1}"
        saved_days = self.app.config["REVIEW_PERIOD_DAYS"]
        self.app.config["REVIEW_PERIOD_DAYS"] = 0 if due_now else 14
        try:
            response = self.attempt(stone, "freelancer", "submit", legal, intruder, {"note": note})
        finally:
            self.app.config["REVIEW_PERIOD_DAYS"] = saved_days
        if response.status_code == 200:
            stone.notes.append(note)
            assert response.json["status"] == "submitted"
            assert response.json["auto_release_at"] is not None
            assert [s["note"] for s in response.json["submissions"]] == stone.notes
            stone.status, stone.due = "submitted", due_now

    def request_changes(self, stone, legal, intruder, _method, _due_now):
        body = {"reason": "Rows 40-60 are missing."}
        response = self.attempt(stone, "client", "request-changes", legal, intruder, body)
        if response.status_code == 200:
            assert response.json["status"] == "changes_requested"
            assert response.json["auto_release_at"] is None
            stone.status, stone.due = "changes_requested", False

    def approve(self, stone, legal, intruder, _method, _due_now):
        response = self.attempt(stone, "client", "approve", legal, intruder)
        if response.status_code == 200:
            assert response.json["status"] == "approved"
            self.release(stone)

    def refund(self, stone, legal, intruder, _method, _due_now):
        response = self.attempt(stone, "freelancer", "refund", legal, intruder)
        if response.status_code == 200:
            assert response.json["status"] == "cancelled"
            self.books[(stone.deal.client, stone.deal.currency)]["refunded"] += stone.amount
            stone.status, stone.due = "cancelled", False

    def cancel_milestone(self, pick, aim, intruder):
        """Apart from the others: it ends a milestone's story, so it is aimed rarely."""
        stone = self.choose(self.stones, pick, aim, lambda s: s.status == "pending")
        legal = stone.status == "pending"
        response = self.attempt(stone, "client", "cancel", legal, intruder)
        if response.status_code == 200:
            assert response.json["status"] == "cancelled"
            stone.status = "cancelled"

    # -- payouts and the clock ----------------------------------------------------------

    def enable_payouts(self, pick, aim):
        self.unchanged = None
        freelancer = self.choose(list(FREELANCERS), pick, aim, self.pending)
        response = self.users[freelancer].post("/me/payout-account")
        assert response.status_code == 200, response.json
        assert response.json == {"onboarding_url": None, "payouts_enabled": True}
        self.payouts_enabled[freelancer] = True
        for (owner, _currency), books in self.books.items():
            if owner == freelancer:
                books["paid_out"] += books.pop("pending_payout", 0)
        self.touched.add(freelancer)

    def release_due(self):
        self.unchanged = None
        result = self.app.test_cli_runner().invoke(args=["marketplace", "release-due"])
        assert result.exit_code == 0, result.output
        due = [s for s in self.stones if s.status == "submitted" and s.due]
        released = sorted(
            int(line.split()[1].rstrip(":"))
            for line in result.output.splitlines()
            if line.startswith("milestone ")
        )
        assert released == sorted(s.id for s in due), (released, result.output)
        assert f"{len(due)} milestone(s) due." in result.output
        for stone in due:
            self.release(stone)

    # -- after every step ---------------------------------------------------------------

    @invariant()
    def money_is_where_the_model_says(self):
        state = self.snapshot()
        lines, rows = state
        with self.app.app_context():
            report = verify_ledger()
            against_provider = reconcile(get_gateway())
            escrows = {stone.id: escrow_balance(stone.id) for stone in self.stones}
            per_currency = db.session.execute(
                select(LedgerLine.currency, func.sum(LedgerLine.amount)).group_by(
                    LedgerLine.currency
                )
            ).all()
            db.session.rollback()
        assert report["ok"], report["problems"]
        assert against_provider["ok"], against_provider["differences"]
        assert {currency: int(total) for currency, total in per_currency if total} == {}
        assert rows == [(s.id, s.status, s.amount, s.deal.status) for s in self.stones]
        for stone in self.stones:
            held = stone.amount if stone.status in HOLDING else 0
            assert escrows[stone.id] == held, (stone, escrows[stone.id])
        self.check_balances(lines)
        self.unchanged = state  # until the next step changes something

    def check_balances(self, lines: int) -> None:
        """/me/balance of every user whose balance may have moved, and of all now and then.

        A user is asked when the model moved their money, or when the ledger moved and
        the step touched their deal; everyone is asked every FULL_CHECK_EVERY steps.
        """
        self.checks += 1
        full = self.checks % FULL_CHECK_EVERY == 1
        moved = lines != self.lines_seen
        for name in sorted(self.users):
            expected = self.expected_balances(name)
            if full or expected != self.balances_seen.get(name) or (moved and name in self.touched):
                rows = self.users[name].get("/me/balance").json["balances"]
                actual = {row.pop("currency"): row for row in rows}
                zero = dict.fromkeys(COLUMNS, 0)
                for currency in set(actual) | set(expected):
                    got, want = actual.get(currency, zero), expected.get(currency, zero)
                    assert got == want, (name, currency, got, want)
                self.balances_seen[name] = expected
        if full:
            assert self.outsider.get("/me/balance").json == {"balances": []}
        self.touched, self.lines_seen = set(), lines


@pytest.mark.runs_long
def test_random_money_actions_keep_the_books_straight(app):
    LedgerMachine.app = app
    try:
        run_state_machine_as_test(
            LedgerMachine,
            # 20 examples of up to 15 steps: some 10 s on SQLite, 20 s on PostgreSQL. No example
            # database: nothing is written into the tree; a failure prints its steps.
            settings=settings(
                max_examples=20,
                stateful_step_count=15,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        LedgerMachine.app = None
