"""Races through the HTTP API: concurrent requests on real connections, one winner each.

Every race starts its requests together on a barrier, each thread with its own test
client (so its own app context, session and database connection), and is repeated on
a fresh job several rounds so that a lost race is likely to show. The loser must get
the service's own 409 (the row locks decided), not the constraint backstop's.
"""

import threading
from collections import Counter

from sqlalchemy import func, select

from marketplace.bids.models import Bid
from marketplace.contracts.models import Contract
from marketplace.extensions import db
from marketplace.jobs.models import Job
from tests.client import ApiClient, assert_problem

ROUNDS = 5
# What the IntegrityError handler answers: a race the locks should have prevented.
BACKSTOP_DETAIL = "The request conflicts with existing data."


def race(app, *calls):
    """Send (token, method, path, body) requests at once; their responses, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, token, method, path, body):
        try:
            client = ApiClient(app, token)
            barrier.wait(timeout=10)
            response = client.request(method, path, json=body)
            response.get_data()  # buffer the body, so it can be read after closing
            response.close()
            results[index] = response
        except BaseException as error:
            barrier.abort()
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racing request hung"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def tally(name: str, rounds: list[list[int]]) -> None:
    """Print how many of each status every round produced (shown by pytest -s)."""
    for number, codes in enumerate(rounds, 1):
        counts = ", ".join(f"{code}x{n}" for code, n in sorted(Counter(codes).items()))
        print(f"[race] {name} round {number}: {counts}")


def assert_lock_conflict(response) -> None:
    """A 409 the service decided under its locks, not the unique-constraint backstop."""
    body = assert_problem(response, 409)
    assert body["detail"] != BACKSTOP_DETAIL, body


def post_job(client: ApiClient) -> int:
    response = client.post(
        "/jobs",
        json={
            "title": "Key in 500 invoices",
            "description": "Copy invoice totals into a spreadsheet.",
            "skills": ["data-entry"],
            "budget": 20000,
            "currency": "USD",
        },
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def bid_body(amount: int = 15000) -> dict:
    return {
        "amount": amount,
        "currency": "USD",
        "delivery_days": 5,
        "cover_letter": "Fast and accurate.",
    }


def place_bid(freelancer: ApiClient, job_id: int, amount: int = 15000) -> int:
    response = freelancer.post(f"/jobs/{job_id}/bids", json=bid_body(amount))
    assert response.status_code == 201, response.json
    return response.json["id"]


def job_status(client: ApiClient, job_id: int) -> str:
    return client.get(f"/jobs/{job_id}").json["status"]


def bid_statuses(client: ApiClient, job_id: int) -> dict[int, str]:
    """Every bid on the job, as its client sees them."""
    page = client.get(f"/jobs/{job_id}/bids", query_string={"limit": 100}).json
    return {bid["id"]: bid["status"] for bid in page["data"]}


def api_contracts(client: ApiClient, job_id: int) -> list[dict]:
    page = client.get("/contracts", query_string={"limit": 100}).json
    assert page["next_cursor"] is None
    return [contract for contract in page["data"] if contract["job_id"] == job_id]


def db_contracts(app, job_id: int) -> list[tuple[int, int]]:
    """(id, bid_id) of the job's contracts, straight from the database."""
    with app.app_context():
        rows = db.session.execute(
            select(Contract.id, Contract.bid_id).where(Contract.job_id == job_id)
        )
        return [tuple(row) for row in rows]


def db_state(app, job_id: int) -> tuple[str, dict[int, str]]:
    """The job's status and its bids' statuses, straight from the database."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        bids = db.session.execute(select(Bid.id, Bid.status).where(Bid.job_id == job_id))
        return str(job.status), {bid_id: str(status) for bid_id, status in bids}


def assert_one_contract(app, client: ApiClient, job_id: int, winner: dict) -> None:
    """The winning accept's contract is the job's only one, in the API and the DB."""
    assert [c["id"] for c in api_contracts(client, job_id)] == [winner["id"]]
    assert db_contracts(app, job_id) == [(winner["id"], winner["bid_id"])]
    assert job_status(client, job_id) == "in_progress"
    assert db_state(app, job_id)[0] == "in_progress"


def assert_no_contract(app, client: ApiClient, job_id: int) -> None:
    assert api_contracts(client, job_id) == []
    assert db_contracts(app, job_id) == []


def test_accepting_two_bids_on_one_job_at_once_makes_one_contract(app, api, factory):
    owner = factory.client()
    client = api.as_user(owner)
    alice, bob = api.as_user(factory.freelancer()), api.as_user(factory.freelancer())
    rounds = []

    for _ in range(ROUNDS):
        job_id = post_job(client)
        bids = [place_bid(alice, job_id, 15000), place_bid(bob, job_id, 16000)]

        responses = race(
            app, *[(owner.token, "POST", f"/bids/{bid_id}/accept", None) for bid_id in bids]
        )

        rounds.append(statuses(responses))
        assert sorted(statuses(responses)) == [201, 409]
        winner = next(r for r in responses if r.status_code == 201).json
        assert_lock_conflict(next(r for r in responses if r.status_code == 409))
        loser_bid = next(bid_id for bid_id in bids if bid_id != winner["bid_id"])
        assert_one_contract(app, client, job_id, winner)
        expected = {winner["bid_id"]: "accepted", loser_bid: "declined"}
        assert bid_statuses(client, job_id) == expected
        assert db_state(app, job_id)[1] == expected

    tally("accept bid A | accept bid B", rounds)


def test_accepting_the_same_bid_twice_at_once_makes_one_contract(app, api, factory):
    owner = factory.client()
    client = api.as_user(owner)
    alice, bob = api.as_user(factory.freelancer()), api.as_user(factory.freelancer())
    rounds = []

    for _ in range(ROUNDS):
        job_id = post_job(client)
        bid_id = place_bid(alice, job_id)
        other_bid = place_bid(bob, job_id)
        accept = (owner.token, "POST", f"/bids/{bid_id}/accept", None)

        responses = race(app, accept, accept)

        rounds.append(statuses(responses))
        assert sorted(statuses(responses)) == [201, 409]
        winner = next(r for r in responses if r.status_code == 201).json
        assert_lock_conflict(next(r for r in responses if r.status_code == 409))
        assert winner["bid_id"] == bid_id
        assert_one_contract(app, client, job_id, winner)
        expected = {bid_id: "accepted", other_bid: "declined"}
        assert bid_statuses(client, job_id) == expected
        assert db_state(app, job_id)[1] == expected

    tally("accept bid A | accept bid A", rounds)


def test_accept_racing_close_of_the_job_has_one_winner(app, api, factory):
    owner = factory.client()
    client = api.as_user(owner)
    alice, bob = api.as_user(factory.freelancer()), api.as_user(factory.freelancer())
    rounds, winners = [], Counter()

    for _ in range(ROUNDS):
        job_id = post_job(client)
        bid_id = place_bid(alice, job_id)
        other_bid = place_bid(bob, job_id)

        accept, close = race(
            app,
            (owner.token, "POST", f"/bids/{bid_id}/accept", None),
            (owner.token, "POST", f"/jobs/{job_id}/close", None),
        )

        rounds.append([accept.status_code, close.status_code])
        if accept.status_code == 201:
            winners["accept"] += 1
            assert_lock_conflict(close)
            assert_one_contract(app, client, job_id, accept.json)
            expected = {bid_id: "accepted", other_bid: "declined"}
        else:
            winners["close"] += 1
            assert_lock_conflict(accept)
            assert close.status_code == 200, close.json
            assert close.json["status"] == "closed"
            assert_no_contract(app, client, job_id)
            assert job_status(client, job_id) == "closed"
            assert db_state(app, job_id)[0] == "closed"
            expected = {bid_id: "declined", other_bid: "declined"}
        assert bid_statuses(client, job_id) == expected
        assert db_state(app, job_id)[1] == expected

    tally("accept | close (accept, close)", rounds)
    print(f"[race] accept | close winners: {dict(winners)}")


def test_accept_racing_withdraw_of_the_bid_has_one_winner(app, api, factory):
    owner = factory.client()
    client = api.as_user(owner)
    bidder = factory.freelancer()
    alice, bob = api.as_user(bidder), api.as_user(factory.freelancer())
    rounds, winners = [], Counter()

    for _ in range(ROUNDS):
        job_id = post_job(client)
        bid_id = place_bid(alice, job_id)
        other_bid = place_bid(bob, job_id)

        accept, withdraw = race(
            app,
            (owner.token, "POST", f"/bids/{bid_id}/accept", None),
            (bidder.token, "POST", f"/bids/{bid_id}/withdraw", None),
        )

        rounds.append([accept.status_code, withdraw.status_code])
        if accept.status_code == 201:
            winners["accept"] += 1
            assert_lock_conflict(withdraw)
            assert_one_contract(app, client, job_id, accept.json)
            expected = {bid_id: "accepted", other_bid: "declined"}
        else:
            winners["withdraw"] += 1
            assert_lock_conflict(accept)
            assert withdraw.status_code == 200, withdraw.json
            assert withdraw.json["status"] == "withdrawn"
            assert_no_contract(app, client, job_id)
            assert job_status(client, job_id) == "open"
            assert db_state(app, job_id)[0] == "open"
            expected = {bid_id: "withdrawn", other_bid: "pending"}
        assert bid_statuses(client, job_id) == expected
        assert db_state(app, job_id)[1] == expected

    tally("accept | withdraw (accept, withdraw)", rounds)
    print(f"[race] accept | withdraw winners: {dict(winners)}")


def test_two_bids_at_once_by_one_freelancer_leave_one_pending_bid(app, api, factory):
    client = api.as_user(factory.client())
    freelancer = factory.freelancer()
    rounds = []

    for _ in range(ROUNDS):
        job_id = post_job(client)
        place = (freelancer.token, "POST", f"/jobs/{job_id}/bids", bid_body())

        responses = race(app, place, place)

        rounds.append(statuses(responses))
        assert sorted(statuses(responses)) == [201, 409]
        winner = next(r for r in responses if r.status_code == 201).json
        assert_lock_conflict(next(r for r in responses if r.status_code == 409))
        assert winner["status"] == "pending"
        assert bid_statuses(client, job_id) == {winner["id"]: "pending"}
        assert client.get(f"/jobs/{job_id}").json["bid_count"] == 1
        with app.app_context():
            pending = db.session.scalar(
                select(func.count(Bid.id)).where(
                    Bid.job_id == job_id,
                    Bid.freelancer_id == freelancer.id,
                    Bid.status == "pending",
                )
            )
        assert pending == 1

    tally("bid | bid (same freelancer)", rounds)
