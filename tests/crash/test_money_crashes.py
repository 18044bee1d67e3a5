"""Money actions crashed after the payment provider acted, then retried or recovered.

For each money action (fund, release by approval with payouts on, refund, a payout of
what waited for the payout account, an admin's split in both of its steps) the request
is stopped in its booking transaction, after the local gateway made the charge, refund
or transfer (a session of the test holds a lock the booking needs), and then:

- `kill`: the gunicorn worker is killed with kill -9 (its arbiter starts another);
- `terminate`: the worker's database backend is ended with pg_terminate_backend, so the
  database goes away between the call and the commit (the worker answers 503).

Then the money is found out one way: `same`, the same request again (with the same
Idempotency-Key); `other`, another request on the milestone (other parameters, or
another money action); `cli`, `flask marketplace recover-operations`. Each ends with the
money booked once (the gateway's records against the ledger: balances and the ledger
check), no operation pending and the milestone where the action takes it.

PostgreSQL only: the lock that stops the request half-way is PostgreSQL's.
"""

import uuid

import pytest
import requests

from tests.crash.harness import (
    Blocker,
    InFlight,
    Served,
    admin,
    contract,
    fresh_database,
    register,
    terminate_backend,
    until_free,
    wait_until_claims_run_out,
)

AMOUNT = 10_000  # USD 100.00; the platform fee is 10 %
FEE = 1_000
SPLIT = 6_000  # an admin's ruling: this to the freelancer, the rest refunded
OTHER_SPLIT = 3_000

pytestmark = pytest.mark.crash


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    url = fresh_database("money")
    server = Served(tmp_path_factory.mktemp("crash"), url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def operator(served):
    return admin(served)


# -- what the gateway did ---------------------------------------------------------------


def charges(served, milestone_id):
    return [
        c
        for c in served.gateway().records("charge")
        if c["metadata"]["milestone_id"] == str(milestone_id)
    ]


def refunds(served, milestone_id):
    intents = {c["intent_id"] for c in charges(served, milestone_id)}
    return [r for r in served.gateway().records("refund") if r["intent_id"] in intents]


def transfers(served, milestone_id):
    group = f"milestone-{milestone_id}"
    return [t for t in served.gateway().records("transfer") if t["transfer_group"] == group]


def amounts(records):
    return sorted(r["amount"] for r in records)


# -- the crash --------------------------------------------------------------------------


def crash(served, how: str, table: str, send, acted) -> None:
    """Send the request; once it waits on `table` after the provider `acted`, crash it."""
    blocker = Blocker(served.database_url, table)
    try:
        flight = InFlight(send)
        backend = blocker.waiter(flight)
        assert acted(), "the request stopped before the provider acted"
        if how == "kill":
            dead = served.kill_worker()
        else:
            terminate_backend(served.database_url, backend)
    finally:
        blocker.release()
    outcome = flight.result()
    if how == "kill":
        assert isinstance(outcome, requests.ConnectionError), outcome
        served.wait_until_up(not_pid=dead)
    else:
        assert not isinstance(outcome, BaseException), outcome
        assert outcome.status == 503, outcome
        assert outcome.problem == "database-unavailable", outcome


def recover_with_cli(served) -> str:
    wait_until_claims_run_out(served.database_url)
    result = served.flask("recover-operations")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert ": succeeded" in result.stdout, result.stdout
    return result.stdout


def milestone(user, contract_id: int) -> dict:
    return user.ok("GET", f"/contracts/{contract_id}")["milestones"][0]


def assert_settled(served, operator) -> None:
    """Nothing pending anywhere, and the ledger's invariants hold."""
    pending = operator.ok("GET", "/admin/operations?status=pending")["data"]
    assert pending == [], pending
    check = operator.ok("GET", "/admin/ledger/verify")
    assert check["ok"], check["problems"]


def parties(served, *, payouts: bool):
    client, freelancer = register(served, "client"), register(served, "freelancer")
    if payouts:
        assert freelancer.ok("POST", "/me/payout-account")["payouts_enabled"]
    deal = contract(client, freelancer, AMOUNT)
    return client, freelancer, deal, deal["milestones"][0]["id"]


def fund(client, milestone_id, method="pm_card_visa", key=None):
    return client.post(f"/milestones/{milestone_id}/fund", {"payment_method": method}, key=key)


def funded(client, freelancer, milestone_id, *, submitted: bool) -> None:
    assert fund(client, milestone_id).status == 200
    if submitted:
        freelancer.ok("POST", f"/milestones/{milestone_id}/submit", {"note": "Done."})


CRASHES = ("kill", "terminate")


# -- fund -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", CRASHES)
@pytest.mark.parametrize("recovery", ["same", "other", "cli"])
def test_fund(served, operator, how, recovery):
    client, _freelancer, deal, m = parties(served, payouts=False)
    key = uuid.uuid4().hex
    crash(
        served,
        how,
        "ledger_lines",
        lambda: fund(client, m, key=key),
        lambda: len(charges(served, m)) == 1,
    )

    if recovery == "same":
        answer = until_free(lambda: fund(client, m, key=key))
        assert answer.status == 200, answer
        assert answer.body["status"] == "funded"
    elif recovery == "other":
        # Another card: the first charge is found out and booked; no second is made.
        answer = until_free(lambda: fund(client, m, "pm_card_mastercard"))
        assert answer.status == 409, answer
    else:
        recover_with_cli(served)

    assert milestone(client, deal["id"])["status"] == "funded"
    assert amounts(charges(served, m)) == [AMOUNT]
    assert client.balance()["in_escrow"] == AMOUNT
    assert_settled(served, operator)


# -- release (approve, payouts on: a transfer) ------------------------------------------


@pytest.mark.parametrize("how", CRASHES)
@pytest.mark.parametrize("recovery", ["same", "other", "cli"])
def test_approve(served, operator, how, recovery):
    client, freelancer, deal, m = parties(served, payouts=True)
    funded(client, freelancer, m, submitted=True)
    key = uuid.uuid4().hex
    crash(
        served,
        how,
        "ledger_lines",
        lambda: client.post(f"/milestones/{m}/approve", key=key),
        lambda: len(transfers(served, m)) == 1,
    )

    if recovery == "same":
        answer = until_free(lambda: client.post(f"/milestones/{m}/approve", key=key))
        assert answer.status == 200, answer
        assert answer.body["status"] == "approved"
    elif recovery == "other":
        # The freelancer's refund, the next money action: the release is found out first.
        answer = until_free(lambda: freelancer.post(f"/milestones/{m}/refund"))
        assert answer.status == 409, answer
    else:
        recover_with_cli(served)

    assert milestone(client, deal["id"])["status"] == "approved"
    assert amounts(transfers(served, m)) == [AMOUNT - FEE]
    assert refunds(served, m) == []
    assert client.balance()["in_escrow"] == 0
    assert freelancer.balance() == {
        "in_escrow": 0,
        "pending_payout": 0,
        "paid_out": AMOUNT - FEE,
        "refunded": 0,
        "fees": FEE,
    }
    assert_settled(served, operator)


# -- refund -----------------------------------------------------------------------------


@pytest.mark.parametrize("how", CRASHES)
@pytest.mark.parametrize("recovery", ["same", "other", "cli"])
def test_refund(served, operator, how, recovery):
    client, freelancer, deal, m = parties(served, payouts=False)
    funded(client, freelancer, m, submitted=False)
    key = uuid.uuid4().hex
    crash(
        served,
        how,
        "ledger_lines",
        lambda: freelancer.post(f"/milestones/{m}/refund", key=key),
        lambda: len(refunds(served, m)) == 1,
    )

    if recovery == "same":
        answer = until_free(lambda: freelancer.post(f"/milestones/{m}/refund", key=key))
        assert answer.status == 200, answer
        assert answer.body["status"] == "cancelled"
    elif recovery == "other":
        # The client opens a dispute: the refund is found out first, nothing is left.
        answer = until_free(
            lambda: client.post(f"/milestones/{m}/disputes", {"reason": "Not delivered."})
        )
        assert answer.status == 409, answer
    else:
        recover_with_cli(served)

    assert milestone(client, deal["id"])["status"] == "cancelled"
    assert amounts(refunds(served, m)) == [AMOUNT]
    assert client.balance()["in_escrow"] == 0
    assert client.balance()["refunded"] == AMOUNT
    assert freelancer.balance()["in_escrow"] == 0
    assert_settled(served, operator)


# -- payout of what waited for the payout account ---------------------------------------


@pytest.mark.parametrize("how", CRASHES)
@pytest.mark.parametrize("recovery", ["same", "cli"])
def test_payout(served, operator, how, recovery):
    client, freelancer, deal, m = parties(served, payouts=False)
    funded(client, freelancer, m, submitted=True)
    client.ok("POST", f"/milestones/{m}/approve")
    assert freelancer.balance()["pending_payout"] == AMOUNT - FEE
    key = uuid.uuid4().hex
    crash(
        served,
        how,
        "ledger_lines",
        lambda: freelancer.post("/me/payout-account", key=key),
        lambda: len(transfers(served, m)) == 1,
    )

    if recovery == "same":
        answer = until_free(lambda: freelancer.post("/me/payout-account", key=key))
        assert answer.status == 200, answer
        assert answer.body["payouts_enabled"] is True
    else:
        recover_with_cli(served)

    assert milestone(client, deal["id"])["status"] == "approved"
    assert amounts(transfers(served, m)) == [AMOUNT - FEE]
    assert freelancer.balance() == {
        "in_escrow": 0,
        "pending_payout": 0,
        "paid_out": AMOUNT - FEE,
        "refunded": 0,
        "fees": FEE,
    }
    assert_settled(served, operator)


# -- an admin's split: a refund, then a transfer ----------------------------------------


def resolve(operator, dispute_id, freelancer_amount, key=None):
    body = {"freelancer_amount": freelancer_amount, "note": "Split as agreed."}
    return operator.post(f"/disputes/{dispute_id}/resolve", body, key=key)


def disputed(served):
    client, freelancer, deal, m = parties(served, payouts=True)
    funded(client, freelancer, m, submitted=True)
    dispute = client.ok("POST", f"/milestones/{m}/disputes", {"reason": "Half of it is wrong."})
    return client, freelancer, deal, m, dispute["id"]


def assert_split_booked_once(served, operator, client, freelancer, deal, m, dispute_id):
    fee = SPLIT // 10
    assert milestone(client, deal["id"])["status"] == "resolved"
    ruling = operator.ok("GET", f"/disputes/{dispute_id}")
    assert ruling["status"] == "resolved"
    assert ruling["resolution"]["freelancer_amount"] == SPLIT
    assert amounts(refunds(served, m)) == [AMOUNT - SPLIT]
    assert amounts(transfers(served, m)) == [SPLIT - fee]
    assert client.balance()["in_escrow"] == 0
    assert client.balance()["refunded"] == AMOUNT - SPLIT
    assert freelancer.balance() == {
        "in_escrow": 0,
        "pending_payout": 0,
        "paid_out": SPLIT - fee,
        "refunded": 0,
        "fees": fee,
    }
    assert_settled(served, operator)


@pytest.mark.parametrize("how", CRASHES)
@pytest.mark.parametrize("recovery", ["same", "other", "cli"])
def test_resolve_crashed_after_the_refund(served, operator, how, recovery):
    client, freelancer, deal, m, dispute_id = disputed(served)
    key = uuid.uuid4().hex
    crash(
        served,
        how,
        "ledger_lines",  # the refund's booking: the first write to the ledger
        lambda: resolve(operator, dispute_id, SPLIT, key=key),
        lambda: len(refunds(served, m)) == 1 and transfers(served, m) == [],
    )

    if recovery == "same":
        answer = until_free(lambda: resolve(operator, dispute_id, SPLIT, key=key))
        assert answer.status == 200, answer
    elif recovery == "other":
        # Another split: the refund already made is booked, and the new ruling refused,
        # since it would refund another amount; the admin rules again as told.
        answer = until_free(lambda: resolve(operator, dispute_id, OTHER_SPLIT))
        assert answer.status == 409, answer
        assert f"freelancer_amount {SPLIT}" in answer.body["detail"]
        assert client.balance()["refunded"] == AMOUNT - SPLIT
        assert resolve(operator, dispute_id, SPLIT).status == 200
    else:
        # The recovery books the refund; the ruling goes on when the admin repeats it.
        recover_with_cli(served)
        assert client.balance()["refunded"] == AMOUNT - SPLIT
        assert operator.ok("GET", f"/disputes/{dispute_id}")["status"] == "open"
        assert resolve(operator, dispute_id, SPLIT).status == 200

    assert_split_booked_once(served, operator, client, freelancer, deal, m, dispute_id)


@pytest.mark.parametrize("how", CRASHES)
@pytest.mark.parametrize("recovery", ["same", "other", "cli"])
def test_resolve_crashed_after_the_transfer(served, operator, how, recovery):
    client, freelancer, deal, m, dispute_id = disputed(served)
    key = uuid.uuid4().hex
    crash(
        served,
        how,
        # The refund's booking writes no dispute; the transfer's records the ruling.
        "disputes",
        lambda: resolve(operator, dispute_id, SPLIT, key=key),
        lambda: len(refunds(served, m)) == 1 and len(transfers(served, m)) == 1,
    )

    if recovery == "same":
        answer = until_free(lambda: resolve(operator, dispute_id, SPLIT, key=key))
        assert answer.status == 200, answer
    elif recovery == "other":
        # The transfer is booked under the ruling it was made for; this one is too late.
        answer = until_free(lambda: resolve(operator, dispute_id, OTHER_SPLIT))
        assert answer.status == 409, answer
    else:
        recover_with_cli(served)

    assert_split_booked_once(served, operator, client, freelancer, deal, m, dispute_id)


def test_ledger_verifies_and_nothing_is_left_to_recover(served):
    """After every crash above: the CLI's own checks, as an operator runs them."""
    recovered = served.flask("recover-operations")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "0 pending operation(s) looked at" in recovered.stdout
    verified = served.flask("verify-ledger")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ok." in verified.stdout
