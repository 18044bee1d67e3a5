"""A lost answer older than Stripe's memory of idempotency keys, looked up narrowly.

Stripe forgets a key after 24 hours, so a pending call that old is not repeated (it
would be a new call) but looked up, with Stripe's own list filters: PaymentIntents
`created` while the call was made (matched by our metadata), the refunds of the
charge's PaymentIntent, the transfers of the milestone's group to the freelancer's
account (from the milestone's charge). Never a whole list of the account: that is
reconciliation's to read. Here everything happened 25 hours ago, at Stripe too.
"""

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from tests.client import assert_problem
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_stripe_refusals import payouts_on
from tests.money import assert_ledger_ok, balance, fund
from tests.stripe_fake.fixtures import TEST_API_KEY
from tests.stripe_fake.server import _import_localstripe
from tests.stripe_fake.webhooks import make_event

# The Stripe gateway's fixtures and helpers.
stripe_mode, deal = on_stripe.stripe_mode, on_stripe.deal
deliver, milestone_status, operations = (
    on_stripe.deliver,
    on_stripe.milestone_status,
    on_stripe.operations,
)

AGE = timedelta(hours=25)
# The lists a lookup may read, each only with these filters.
FILTERS = {
    "/v1/payment_intents": {"created"},
    "/v1/refunds": {"payment_intent"},
    "/v1/transfers": {"transfer_group", "destination"},
}


def a_day_later(app, localstripe_server, fake):
    """Stripe forgot our keys (after 24 hours): everything happened 25 hours ago, our
    movements and Stripe's objects alike."""
    with app.app_context():
        for movement in db.session.scalars(select(EscrowMovement)):
            movement.created_at -= AGE
            movement.called_at = movement.called_at and movement.called_at - AGE
        db.session.commit()
    _, resources, _ = _import_localstripe()
    seconds = int(AGE.total_seconds())

    def age():
        for obj in list(resources.store.values()):
            for name in ("created", "date"):
                if isinstance(getattr(obj, name, None), int):
                    setattr(obj, name, getattr(obj, name) - seconds)

    localstripe_server._call(age)
    for transfer in fake.transfers.values():
        transfer["created"] -= seconds
    return len(fake.recorded)


def assert_targeted(fake, since: int) -> None:
    """Every list read since then was filtered as a lookup's are: no whole list of
    PaymentIntents, refunds, transfers or disputes was read."""
    lists = [r for r in fake.recorded[since:] if r.method == "GET" and r.path in FILTERS]
    assert lists, "nothing was looked up"
    for request in lists:
        assert FILTERS[request.path] <= set(request.params), (request.path, request.params)
    assert not [r for r in fake.recorded[since:] if r.path == "/v1/disputes"]


def recover_all(app):
    result = app.test_cli_runner().invoke(args=["marketplace", "recover-operations"])
    assert result.exit_code == 0, result.output
    return result.output


def operation(deal, operation_id):
    return next(o for o in operations(deal.admin, deal.first) if o["id"] == operation_id)


def authenticate(localstripe_server, intent_id: str, client_secret: str) -> None:
    """The client passes the card's authentication (3D Secure) in the client app."""
    response = requests.post(
        f"{localstripe_server.base_url}/v1/payment_intents/{intent_id}/_authenticate",
        data={"client_secret": client_secret, "success": "true"},
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("when", "found"), [("after", True), ("before", False)])
def test_a_forgotten_charge_looks_only_at_the_intents_made_while_it_was_made(
    app, deal, localstripe_server, when, found
):
    """Found, it is booked once (nothing is charged again); not found, the call never
    reached Stripe: settled as failed, and the milestone may be funded again."""
    deal.fake.fail_next("/v1/payment_intents", when, error="connection")
    assert_problem(fund(deal.company, deal.first, expect_5xx=True), 502)
    [lost] = operations(deal.admin, deal.first)
    with app.app_context():
        called = db.session.get(EscrowMovement, lost["id"]).created_at - AGE
    since = a_day_later(app, localstripe_server, deal.fake)
    sent = len(on_stripe.intent_calls(deal.fake))

    output = recover_all(app)

    assert len(on_stripe.intent_calls(deal.fake)) == sent  # nothing was sent again
    [looked] = [r for r in deal.fake.recorded[since:] if r.path == "/v1/payment_intents"]
    window = looked.params["created"]
    # From the call's row made (less a margin for clocks) to its lease's end (and more).
    assert int(window["gte"]) == int((called - timedelta(minutes=15)).timestamp())
    assert 0 < int(window["lte"]) - called.timestamp() < 20 * 60
    assert_targeted(deal.fake, since)
    ended = operation(deal, lost["id"])
    if found:
        assert "succeeded" in output
        assert ended["status"] == "settled"
        assert milestone_status(deal, deal.first) == "funded"
    else:
        assert (ended["status"], ended["refusal"]) == ("failed", "not_found")
        assert milestone_status(deal, deal.first) == "pending"
        assert fund(deal.company, deal.first).json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert "0 pending operation(s)" in recover_all(app)
    assert_ledger_ok(app)  # and reconciled: Stripe holds one succeeded charge, booked once


def test_a_forgotten_charge_awaiting_authentication_is_not_failed_and_funds_when_it_succeeds(
    app, api, deal, localstripe_server, stripe_client
):
    """A card that asks for 3D Secure leaves the PaymentIntent `requires_action`: it may
    still charge, so the call is booked as its answer would have been (the milestone is
    `funding`, its client secret given to the client), and funded by Stripe's event."""
    method = stripe_client.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4000002760003184", "exp_month": 12, "exp_year": 2040, "cvc": "123"},
        }
    )
    deal.fake.fail_next("/v1/payment_intents", "after", error="connection")
    assert_problem(fund(deal.company, deal.first, method.id, expect_5xx=True), 502)
    [lost] = operations(deal.admin, deal.first)
    since = a_day_later(app, localstripe_server, deal.fake)

    # The client tries again: the lost call is looked up first, and is what they get.
    again = fund(deal.company, deal.first, method.id)

    assert again.status_code == 200, again.json
    assert again.json["status"] == "funding"
    assert again.json["payment"]["status"] == "requires_action"
    assert len(deal.fake.calls("POST", "/v1/payment_intents")) == 1
    assert_targeted(deal.fake, since)
    ended = operation(deal, lost["id"])
    assert ended["status"] == "settled"  # answered: processing at Stripe
    assert ended["refusal"] is None
    assert balance(deal.company)["in_escrow"] == 0
    intent_id = ended["provider_id"]
    assert intent_id == again.json["payment"]["client_secret"].split("_secret_")[0]

    authenticate(localstripe_server, intent_id, again.json["payment"]["client_secret"])
    event = make_event("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"})
    assert deliver(api, event).status_code == 200

    assert milestone_status(deal, deal.first) == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert deliver(api, event).json["duplicate"] is True
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_a_forgotten_declined_charge_is_cancelled_and_settled_as_failed(
    app, deal, localstripe_server, stripe_client
):
    deal.fake.fail_next("/v1/payment_intents", "after", error="connection")
    assert_problem(fund(deal.company, deal.first, "pm_card_chargeDeclined", expect_5xx=True), 502)
    [lost] = operations(deal.admin, deal.first)
    [made] = stripe_client.v1.payment_intents.list().data
    assert made.status == "requires_payment_method"
    since = a_day_later(app, localstripe_server, deal.fake)

    recovered = deal.admin.post(f"/admin/operations/{lost['id']}/recover")

    assert (recovered.json["status"], recovered.json["refusal"]) == ("failed", "not_charged")
    # Nobody can confirm it later for a charge the marketplace would not know of.
    assert stripe_client.v1.payment_intents.retrieve(made.id).status == "canceled"
    assert_targeted(deal.fake, since)
    assert milestone_status(deal, deal.first) == "pending"
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_a_forgotten_refund_is_found_among_the_refunds_of_its_intent(app, deal, localstripe_server):
    fund(deal.company, deal.second)
    deal.fake.fail_next("/v1/refunds", "after", error="connection")
    assert_problem(deal.freelancer.post(f"/milestones/{deal.second}/refund", expect_5xx=True), 502)
    [lost] = operations(deal.admin, deal.second, "pending")
    since = a_day_later(app, localstripe_server, deal.fake)

    output = recover_all(app)

    assert "succeeded" in output, output
    assert len(deal.fake.calls("POST", "/v1/refunds")) == 1
    assert_targeted(deal.fake, since)
    [refund] = operations(deal.admin, deal.second, "settled")[1:]
    assert (refund["id"], refund["kind"]) == (lost["id"], "refund")
    assert refund["provider_id"].startswith("re_")
    assert milestone_status(deal, deal.second) == "cancelled"
    assert balance(deal.company)["refunded"] == 10_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_forgotten_transfer_is_found_and_another_installations_is_not_taken(
    app, api, deal, localstripe_server, stripe_client, when
):
    """Every installation names its transfer groups `milestone-<id>`: another
    installation's transfer in that group, of that amount, even to that account (and
    made later, so listed first), is not this call's: it is not from our charge."""
    account_id = payouts_on(api, deal)
    fund(deal.company, deal.first)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "done"})
    deal.fake.fail_next("/v1/transfers", when, error="connection")
    assert_problem(deal.company.post(f"/milestones/{deal.first}/approve", expect_5xx=True), 502)
    [lost] = operations(deal.admin, deal.first, "pending")
    foreign = stripe_client.v1.transfers.create(
        {
            "amount": 27_000,
            "currency": "usd",
            "destination": account_id,
            "transfer_group": f"milestone-{deal.first}",
        }
    )
    since = a_day_later(app, localstripe_server, deal.fake)

    recover_all(app)

    assert_targeted(deal.fake, since)
    ended = operation(deal, lost["id"])
    ours = [t for t in deal.fake.transfers.values() if t["id"] != foreign.id]
    if when == "after":
        [transfer] = ours
        assert (ended["status"], ended["provider_id"]) == ("settled", transfer["id"])
        assert milestone_status(deal, deal.first) == "approved"
        assert balance(deal.freelancer)["paid_out"] == 27_000
    else:
        assert ours == []
        assert (ended["status"], ended["refusal"]) == ("failed", "not_found")
        assert balance(deal.freelancer)["paid_out"] == 0
    assert operations(deal.admin, deal.first, "pending") == []
    assert_ledger_ok(app)
