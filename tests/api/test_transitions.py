"""Every action from every state: the state tables decide, and a refusal changes nothing.

Each case puts a resource in a state (straight in the database, since some states
belong to features built on top of this one), calls the action over HTTP, and expects
200 where the table allows the action and 409 with nothing changed where it does not.
"""

import pytest
from sqlalchemy import update

from marketplace import states
from marketplace.bids.models import Bid
from marketplace.contracts.models import Contract, Milestone
from marketplace.extensions import db
from marketplace.jobs.models import Job
from marketplace.milestones import states as milestone_states
from tests.client import assert_problem
from tests.deliveries import funded_milestone, record
from tests.money import pay
from tests.work import make_contract, place_bid, post_job


def set_status(app, model, row_id, status):
    with app.app_context():
        db.session.execute(update(model).where(model.id == row_id).values(status=status))
        db.session.commit()


@pytest.fixture
def company(api, factory):
    return api.as_user(factory.client())


@pytest.fixture
def freelancer(api, factory):
    return api.as_user(factory.freelancer())


JOB_ACTIONS = {"edit": ("PATCH", "", {"budget": 12_345}), "close": ("POST", "/close", None)}


@pytest.mark.parametrize("status", list(states.JobStatus))
@pytest.mark.parametrize("action", list(JOB_ACTIONS))
def test_job_actions(app, company, status, action):
    job = post_job(company)
    set_status(app, Job, job["id"], status)
    method, suffix, body = JOB_ACTIONS[action]

    response = company.request(method, f"/jobs/{job['id']}{suffix}", json=body)

    after = company.get(f"/jobs/{job['id']}").json
    if (status, action) in states.JOB:
        assert response.status_code == 200, response.json
        assert after["status"] == states.JOB[(status, action)]
    else:
        assert_problem(response, 409)
        assert after == {**job, "status": status}


BID_ACTIONS = {
    "edit": ("freelancer", "PATCH", "", {"delivery_days": 9}),
    "withdraw": ("freelancer", "POST", "/withdraw", None),
    "decline": ("company", "POST", "/decline", None),
    "accept": ("company", "POST", "/accept", None),
}


@pytest.mark.parametrize("status", list(states.BidStatus))
@pytest.mark.parametrize("action", list(BID_ACTIONS))
def test_bid_actions(app, company, freelancer, status, action):
    job = post_job(company)
    bid = place_bid(freelancer, job["id"])
    set_status(app, Bid, bid["id"], status)
    who, method, suffix, body = BID_ACTIONS[action]
    caller = {"freelancer": freelancer, "company": company}[who]

    response = caller.request(method, f"/bids/{bid['id']}{suffix}", json=body)

    after = freelancer.get(f"/bids/{bid['id']}").json
    if (status, action) in states.BID:
        assert response.status_code in (200, 201), response.json
        assert after["status"] == states.BID[(status, action)]
    else:
        assert_problem(response, 409)
        assert after == {**bid, "status": status}
        assert company.get("/contracts").json["data"] == []


CONTRACT_ACTIONS = {
    "add_milestone": ("company", "/milestones", {"title": "more", "amount": 500}),
    "complete": ("company", "/complete", None),
    "cancel": ("freelancer", "/cancel", None),
    "review": ("company", "/reviews", {"rating": 5}),
}


@pytest.mark.parametrize("status", list(states.ContractStatus))
@pytest.mark.parametrize("action", list(CONTRACT_ACTIONS))
def test_contract_actions(app, company, freelancer, status, action):
    contract = make_contract(company, freelancer)
    # A paid (approved) milestone: settled, and reviewable, so only the contract's state decides.
    pay(company, freelancer, contract["milestones"][0]["id"])
    set_status(app, Contract, contract["id"], status)
    before = company.get(f"/contracts/{contract['id']}").json
    who, suffix, body = CONTRACT_ACTIONS[action]
    caller = {"freelancer": freelancer, "company": company}[who]

    response = caller.post(f"/contracts/{contract['id']}{suffix}", json=body)

    after = company.get(f"/contracts/{contract['id']}").json
    if (status, action) in states.CONTRACT:
        assert response.status_code in (200, 201), response.json
        assert after["status"] == states.CONTRACT[(status, action)]
    else:
        assert_problem(response, 409)
        assert after == before


@pytest.mark.parametrize("status", list(states.MilestoneStatus))
def test_milestone_cancel(app, company, freelancer, status):
    contract = make_contract(company, freelancer)
    milestone = contract["milestones"][0]
    set_status(app, Milestone, milestone["id"], status)

    response = company.post(f"/milestones/{milestone['id']}/cancel")

    after = company.get(f"/contracts/{contract['id']}").json["milestones"][0]
    if (status, "cancel") in milestone_states.MILESTONE:
        assert response.status_code == 200
        assert after["status"] == "cancelled"
    else:
        assert_problem(response, 409)
        assert after["status"] == status


@pytest.mark.parametrize("status", list(states.MilestoneStatus))
def test_a_contract_holding_money_cannot_be_cancelled(app, company, freelancer, status):
    contract = make_contract(company, freelancer)
    set_status(app, Milestone, contract["milestones"][0]["id"], status)

    response = freelancer.post(f"/contracts/{contract['id']}/cancel")

    after = company.get(f"/contracts/{contract['id']}").json
    if status in states.MONEY_HELD:
        assert_problem(response, 409)
        assert after["status"] == "active"
        assert after["milestones"][0]["status"] == status
    else:
        assert response.status_code == 200
        assert after["status"] == "cancelled"


@pytest.mark.parametrize("status", list(states.MilestoneStatus))
def test_a_contract_completes_only_when_every_milestone_is_settled(
    app, company, freelancer, status
):
    contract = make_contract(company, freelancer)
    set_status(app, Milestone, contract["milestones"][0]["id"], status)

    response = company.post(f"/contracts/{contract['id']}/complete")

    if status in states.SETTLED:
        assert response.status_code == 200
    else:
        assert_problem(response, 409)
        assert company.get(f"/contracts/{contract['id']}").json["status"] == "active"


def test_the_milestone_table_holds_every_state_of_the_contract():
    reachable = {status for (status, _action) in milestone_states.MILESTONE} | set(
        milestone_states.MILESTONE.values()
    )
    assert reachable == set(states.MilestoneStatus)


# Row-level approval's actions, by who takes them over HTTP.
ROW_ACTIONS = {
    "approve_with_rejections": (
        "company",
        "/approve",
        {"rejected_rows": [{"row": 1, "reason": "Wrong total."}]},
    ),
    "accept_rejection": ("freelancer", "/accept-rejection", None),
    "dispute_rejection": ("freelancer", "/disputes", {"reason": "Row 1 is right."}),
}


@pytest.mark.parametrize("status", list(states.MilestoneStatus))
@pytest.mark.parametrize("action", list(ROW_ACTIONS))
def test_row_approval_actions_in_every_other_state_are_refused(
    app, company, freelancer, status, action
):
    """The allowed ones move money, and are shown in test_row_approval.py; every other
    state of the table refuses them. (A dispute from other states is a plain dispute.)"""
    if (status, action) in milestone_states.MILESTONE or (
        action == "dispute_rejection"
        and (status, milestone_states.MilestoneAction.DISPUTE) in milestone_states.MILESTONE
    ):
        pytest.skip("allowed: moves money, see test_row_approval.py and test_disputes.py")
    milestone = funded_milestone(app, company, freelancer)
    delivery = {"records": [record(1), record(2)]}
    assert freelancer.post(f"/milestones/{milestone}/submit", json=delivery).status_code == 200
    set_status(app, Milestone, milestone, status)
    who, suffix, body = ROW_ACTIONS[action]
    caller = {"freelancer": freelancer, "company": company}[who]
    before = company.get(f"/milestones/{milestone}/records?format=json").json

    response = caller.post(f"/milestones/{milestone}{suffix}", json=body)

    assert_problem(response, 409)
    assert company.get(f"/milestones/{milestone}/records?format=json").json == before
    with app.app_context():
        assert db.session.get(Milestone, milestone).status == status
