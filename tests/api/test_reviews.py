"""Reviews: only contracts on which money was released count and can be reviewed."""

import pytest

from marketplace.extensions import db
from marketplace.profiles.models import Review
from tests.client import assert_problem
from tests.money import contract_with, expect_ok, fund, paid_contract, pay

UNPAID = "money was released"


@pytest.fixture
def deal(api, factory):
    class Deal:
        client_user = factory.client()
        freelancer_user = factory.freelancer()
        client = api.as_user(client_user)
        freelancer = api.as_user(freelancer_user)
        admin = api.as_user(factory.admin())
        viewer = api.as_user(factory.client())

    return Deal


def profile(deal, user) -> dict:
    body = deal.viewer.get(f"/users/{user.id}").json
    return {"rating": body["rating"], "completed_contracts": body["completed_contracts"]}


NOTHING = {"rating": {"average": None, "count": 0}, "completed_contracts": 0}


def review(caller, contract_id, rating=5):
    return caller.post(f"/contracts/{contract_id}/reviews", json={"rating": rating})


def test_a_contract_whose_milestones_were_all_cancelled_earns_no_rating(deal):
    contract = contract_with(deal.client, deal.freelancer, 10_000, 20_000)
    for milestone in contract["milestones"]:
        expect_ok(deal.client.post(f"/milestones/{milestone['id']}/cancel"))
    expect_ok(deal.client.post(f"/contracts/{contract['id']}/complete"))

    by_client = review(deal.client, contract["id"])
    by_freelancer = review(deal.freelancer, contract["id"])

    assert UNPAID in assert_problem(by_client, 409)["detail"]
    assert UNPAID in assert_problem(by_freelancer, 409)["detail"]
    assert profile(deal, deal.freelancer_user) == NOTHING
    assert profile(deal, deal.client_user) == NOTHING


def test_a_contract_refunded_in_full_earns_no_rating(deal):
    contract = contract_with(deal.client, deal.freelancer, 10_000)
    milestone = contract["milestones"][0]["id"]
    expect_ok(fund(deal.client, milestone))
    expect_ok(deal.freelancer.post(f"/milestones/{milestone}/refund"))
    expect_ok(deal.client.post(f"/contracts/{contract['id']}/complete"))

    assert_problem(review(deal.client, contract["id"]), 409)
    assert profile(deal, deal.freelancer_user) == NOTHING


@pytest.mark.parametrize(("freelancer_amount", "counts"), [(0, False), (1, True), (10_000, True)])
def test_a_dispute_ruling_counts_when_it_gives_the_freelancer_money(
    deal, freelancer_amount, counts
):
    contract = contract_with(deal.client, deal.freelancer, 10_000)
    milestone = contract["milestones"][0]["id"]
    expect_ok(fund(deal.client, milestone))
    dispute = expect_ok(
        deal.client.post(f"/milestones/{milestone}/disputes", json={"reason": "Half missing."})
    )
    expect_ok(
        deal.admin.post(
            f"/disputes/{dispute['id']}/resolve",
            json={"freelancer_amount": freelancer_amount, "note": "Ruled."},
        )
    )
    expect_ok(deal.client.post(f"/contracts/{contract['id']}/complete"))

    response = review(deal.client, contract["id"], rating=2)

    if counts:
        assert response.status_code == 201, response.json
        assert profile(deal, deal.freelancer_user) == {
            "rating": {"average": 2.0, "count": 1},
            "completed_contracts": 1,
        }
    else:
        assert UNPAID in assert_problem(response, 409)["detail"]
        assert profile(deal, deal.freelancer_user) == NOTHING


def test_one_paid_milestone_is_enough(deal):
    contract = contract_with(deal.client, deal.freelancer, 10_000, 20_000)
    first, second = (m["id"] for m in contract["milestones"])
    pay(deal.client, deal.freelancer, first)
    expect_ok(deal.client.post(f"/milestones/{second}/cancel"))
    expect_ok(deal.client.post(f"/contracts/{contract['id']}/complete"))

    assert review(deal.client, contract["id"], rating=4).status_code == 201
    assert review(deal.freelancer, contract["id"], rating=5).status_code == 201

    assert profile(deal, deal.freelancer_user) == {
        "rating": {"average": 4.0, "count": 1},
        "completed_contracts": 1,
    }
    assert profile(deal, deal.client_user) == {
        "rating": {"average": 5.0, "count": 1},
        "completed_contracts": 1,
    }


def test_reviews_stored_on_unpaid_contracts_before_the_rule_do_not_count(app, deal):
    unpaid = contract_with(deal.client, deal.freelancer, 10_000)
    expect_ok(deal.client.post(f"/milestones/{unpaid['milestones'][0]['id']}/cancel"))
    expect_ok(deal.client.post(f"/contracts/{unpaid['id']}/complete"))
    paid = paid_contract(deal.client, deal.freelancer)
    expect_ok(review(deal.client, paid["id"], rating=3))
    with app.app_context():  # as an older version let it happen
        db.session.add(
            Review(
                contract_id=unpaid["id"],
                author_id=deal.client_user.id,
                subject_id=deal.freelancer_user.id,
                rating=5,
            )
        )
        db.session.commit()

    assert profile(deal, deal.freelancer_user) == {
        "rating": {"average": 3.0, "count": 1},
        "completed_contracts": 1,
    }


def test_a_users_reviews_are_listed_newest_first_a_page_at_a_time(api, factory, deal):
    other_client = factory.client(name="Second Company")
    other = api.as_user(other_client)
    written = []
    for author, rating in ((deal.client, 5), (other, 3), (deal.client, 4)):
        contract = paid_contract(author, deal.freelancer)
        body = {"rating": rating, "comment": f"Rated {rating}."}
        written.append(expect_ok(author.post(f"/contracts/{contract['id']}/reviews", json=body)))
    # The freelancer's own review of a client is about the client, not about them.
    expect_ok(review(deal.freelancer, contract["id"], rating=1))
    path = f"/users/{deal.freelancer_user.id}/reviews"

    first = deal.viewer.get(path, query_string={"limit": 2}).json
    rest = deal.viewer.get(path, query_string={"limit": 2, "cursor": first["next_cursor"]}).json

    listed = first["data"] + rest["data"]
    assert [r["id"] for r in listed] == [r["id"] for r in reversed(written)]
    assert rest["next_cursor"] is None
    newest = listed[0]
    assert newest == {
        "id": written[2]["id"],
        "rating": 4,
        "comment": "Rated 4.",
        "author": {"id": deal.client_user.id, "name": deal.client_user.name},
        "contract_id": written[2]["contract_id"],
        "created_at": written[2]["created_at"],
    }
    assert listed[1]["author"] == {"id": other_client.id, "name": "Second Company"}
    about_client = deal.viewer.get(f"/users/{deal.client_user.id}/reviews").json["data"]
    assert [r["rating"] for r in about_client] == [1]


def test_reviews_that_do_not_count_are_not_listed(app, deal):
    unpaid = contract_with(deal.client, deal.freelancer, 10_000)
    expect_ok(deal.client.post(f"/milestones/{unpaid['milestones'][0]['id']}/cancel"))
    expect_ok(deal.client.post(f"/contracts/{unpaid['id']}/complete"))
    with app.app_context():
        db.session.add(
            Review(
                contract_id=unpaid["id"],
                author_id=deal.client_user.id,
                subject_id=deal.freelancer_user.id,
                rating=5,
            )
        )
        db.session.commit()

    listed = deal.viewer.get(f"/users/{deal.freelancer_user.id}/reviews").json

    assert listed == {"data": [], "next_cursor": None}


def test_reviews_of_nobody_are_not_found_and_need_a_signed_in_caller(api, deal):
    assert_problem(deal.viewer.get("/users/987654/reviews"), 404)
    assert_problem(api.get(f"/users/{deal.freelancer_user.id}/reviews"), 401)
    assert_problem(deal.viewer.get(f"/users/{deal.freelancer_user.id}/reviews?limit=0"), 422)
