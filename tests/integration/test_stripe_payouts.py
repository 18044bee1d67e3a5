"""Payouts to freelancers' Stripe accounts after onboarding: Stripe switching transfers off
and on again, freelancers disconnecting their account, payouts that fail at the bank,
expired onboarding links, countries Stripe does not pay out to, and the SDK's limits.

Every event is signed, delivered twice, and where order matters, out of order.
"""

from urllib.parse import urlsplit

import pytest

from marketplace.payments.stripe_gateway import StripeGateway, worst_case_seconds
from tests.client import assert_problem
from tests.integration import test_stripe_gateway as stripe_tests
from tests.money import assert_ledger_ok, balance, fund
from tests.stripe_fake.fixtures import TEST_API_KEY
from tests.stripe_fake.webhooks import make_event

# The Stripe gateway's fixtures and helpers.
stripe_mode, deal = stripe_tests.stripe_mode, stripe_tests.deal
approve, deliver = stripe_tests.approve, stripe_tests.deliver

GUNICORN_TIMEOUT_SECONDS = 30  # gunicorn's default; scripts/gunicorn.conf.py keeps it


def twice(api, event):
    first, second = deliver(api, event), deliver(api, event)
    assert first.status_code == second.status_code == 200, (first.json, second.json)
    assert second.json["duplicate"] is True
    return first.json


def account_event(deal, account_id, kind="account.updated"):
    """The event Stripe sends now, with its snapshot of the account (a copy)."""
    return make_event(kind, deal.fake.accounts[account_id], account=account_id)


def onboard(api, deal) -> str:
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    twice(api, account_event(deal, account_id))
    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    return account_id


def release(deal, milestone_id):
    fund(deal.company, milestone_id)
    deal.freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "done"})
    approve(deal, milestone_id)


def audit(deal, action):
    response = deal.admin.get("/admin/audit-log", query_string={"action": action, "limit": 100})
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_requirements_past_due_switch_payouts_off_until_stripe_has_what_it_needs(app, api, deal):
    account_id = onboard(api, deal)
    deal.fake.require(account_id, "individual.id_number")
    off = account_event(deal, account_id)

    twice(api, off)

    assert deal.freelancer.get("/me").json["payouts_enabled"] is False
    (entry,) = audit(deal, "payouts.disabled")
    assert entry["target"] == f"user:{deal.freelancer.get('/me').json['id']}"
    # A release meanwhile waits as pending_payout: no transfer is tried.
    release(deal, deal.first)
    assert deal.fake.transfers == {}
    assert balance(deal.freelancer)["pending_payout"] == 27_000

    deal.fake.activate_account(account_id)
    on = account_event(deal, account_id)
    twice(api, on)
    # The stale "off" snapshot arriving late changes nothing: the account is re-read.
    assert deliver(api, make_event("account.updated", off["data"]["object"])).status_code == 200

    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    (transfer,) = deal.fake.transfers.values()
    assert (transfer["amount"], transfer["destination"]) == (27_000, account_id)
    assert balance(deal.freelancer)["pending_payout"] == 0
    assert balance(deal.freelancer)["paid_out"] == 27_000
    assert_ledger_ok(app)


def test_capability_updated_switches_payouts_off_and_on(app, api, deal):
    account_id = onboard(api, deal)
    deal.fake.set_capability(account_id, "transfers", "inactive")
    inactive = make_event(
        "capability.updated", deal.fake.capability(account_id), account=account_id
    )

    twice(api, inactive)
    assert deal.freelancer.get("/me").json["payouts_enabled"] is False
    release(deal, deal.first)
    assert balance(deal.freelancer)["pending_payout"] == 27_000

    deal.fake.set_capability(account_id, "transfers", "active")
    active = make_event("capability.updated", deal.fake.capability(account_id), account=account_id)
    twice(api, active)
    deliver(api, make_event("capability.updated", inactive["data"]["object"]))  # stale

    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    assert balance(deal.freelancer)["paid_out"] == 27_000
    # Another capability of the account is not ours to follow.
    other = {"id": "card_payments", "object": "capability", "account": account_id}
    assert deliver(api, make_event("capability.updated", other)).status_code == 200
    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    assert_ledger_ok(app)


def test_a_disconnected_account_is_never_paid_again_and_the_freelancer_sets_up_anew(app, api, deal):
    old = onboard(api, deal)
    application = deal.fake.deauthorize(old)
    deauthorized = make_event("account.application.deauthorized", application, account=old)

    twice(api, deauthorized)
    # Stripe's last word on the old account, late: it cannot switch anything back on.
    late = make_event("account.updated", {"id": old, "object": "account"}, account=old)
    assert deliver(api, late).status_code == 200

    me = deal.freelancer.get("/me").json
    assert me["payouts_enabled"] is False
    (entry,) = audit(deal, "payout_account.disconnected")
    assert entry["data"]["account"] == old
    release(deal, deal.first)
    assert deal.fake.transfers == {}
    assert balance(deal.freelancer)["pending_payout"] == 27_000

    setup = deal.freelancer.post("/me/payout-account").json
    assert setup["payouts_enabled"] is False
    assert setup["onboarding_url"].startswith("https://connect.stripe.com/")
    first_call, second_call = deal.fake.calls("POST", "/v1/accounts")
    # A new key: Stripe would answer the old one with the disconnected account.
    assert second_call.idempotency_key != first_call.idempotency_key
    (new,) = set(deal.fake.accounts) - {old}
    deal.fake.activate_account(new)
    twice(api, account_event(deal, new))

    (transfer,) = deal.fake.transfers.values()
    assert (transfer["destination"], transfer["amount"]) == (new, 27_000)
    assert balance(deal.freelancer)["paid_out"] == 27_000
    assert_ledger_ok(app)


def test_an_account_found_disconnected_at_setup_is_replaced(app, api, deal):
    old = onboard(api, deal)
    deal.fake.deauthorize(old)  # its event has not arrived

    setup = deal.freelancer.post("/me/payout-account").json

    assert setup["payouts_enabled"] is False
    assert set(deal.fake.accounts) - {old}
    assert deal.freelancer.get("/me").json["payouts_enabled"] is False
    assert_ledger_ok(app)


def test_a_failed_payout_at_the_bank_is_recorded_for_the_admins(app, api, deal):
    account_id = onboard(api, deal)
    release(deal, deal.first)
    payout = deal.fake.failed_payout(account_id, 27_000, "usd", "account_closed")

    twice(api, make_event("payout.failed", payout, account=account_id))

    (entry,) = audit(deal, "payout.failed")
    assert entry["target"] == f"user:{deal.freelancer.get('/me').json['id']}"
    assert entry["data"]["payout"] == payout["id"]
    assert (entry["data"]["amount"], entry["data"]["currency"]) == (27_000, "USD")
    assert entry["data"]["failure_code"] == "account_closed"
    # Money left the platform with the transfer; no milestone is concerned: no dispute.
    assert deal.admin.get("/disputes").json["data"] == []
    assert milestone_of(deal, deal.first) == "approved"
    assert balance(deal.freelancer)["paid_out"] == 27_000
    # The platform's own payouts (no account) are not a freelancer's.
    own = make_event("payout.failed", payout | {"id": "po_platform"})
    assert deliver(api, own).status_code == 200
    assert len(audit(deal, "payout.failed")) == 1
    assert_ledger_ok(app)


def milestone_of(deal, milestone_id):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return next(m["status"] for m in contract["milestones"] if m["id"] == milestone_id)


def follow(app, url):
    """GET a URL of ours (where Stripe sends the freelancer's browser)."""
    parts = urlsplit(url)
    return app.test_client().get(f"{parts.path}?{parts.query}")


def test_an_expired_onboarding_link_leads_to_a_fresh_one(app, api, deal):
    first = deal.freelancer.post("/me/payout-account").json["onboarding_url"]
    (link,) = deal.fake.account_links
    assert link["url"] == first
    assert link["refresh_url"].startswith(app.config["PUBLIC_URL"])

    again = follow(app, link["refresh_url"])

    assert again.status_code == 303
    fresh = deal.fake.account_links[-1]
    assert again.headers["Location"] == fresh["url"] != first
    assert fresh["account"] == link["account"]
    # Once onboarding is done there is nothing left at Stripe: back to the marketplace.
    deal.fake.activate_account(link["account"])
    done = follow(app, link["refresh_url"])
    assert done.status_code == 303
    assert done.headers["Location"] == link["return_url"]
    assert len(deal.fake.account_links) == 2


def test_a_refresh_link_is_good_only_for_its_account(app, api, deal):
    deal.freelancer.post("/me/payout-account")
    (link,) = deal.fake.account_links
    tampered = link["refresh_url"].replace("token=", "token=x")

    assert_problem(follow(app, tampered), 404)
    missing = app.test_client().get("/api/v1/payout-account/onboarding")
    assert missing.status_code == 422
    deal.fake.deauthorize(link["account"])
    assert_problem(follow(app, link["refresh_url"]), 404)
    # Found disconnected: recorded, and the next setup makes a new account.
    (entry,) = audit(deal, "payout_account.disconnected")
    assert entry["data"]["account"] == link["account"]
    assert deal.freelancer.get("/me").json["payouts_enabled"] is False
    assert len(deal.fake.account_links) == 1
    assert deal.freelancer.post("/me/payout-account").status_code == 200
    assert len(deal.fake.accounts) == 2


def test_a_country_stripe_does_not_pay_out_to_is_a_422_without_asking_stripe(
    app, api, factory, stripe_mode
):
    stripe_mode.payout_countries = frozenset({"NG"})
    registered = api.post(
        "/auth/register",
        json={
            "email": "li@example.test",
            "password": "long enough password",
            "role": "freelancer",
            "name": "Li",
            "country": "CN",
        },
    ).json
    freelancer = api.as_user(factory.freelancer(country="CN"))

    body = assert_problem(freelancer.post("/me/payout-account"), 422)

    assert registered["payout_eligible"] is False
    assert body["type"] == "/problems/payout-country-unsupported"
    assert stripe_mode.calls("POST", "/v1/accounts") == []
    # Where Stripe would refuse the account, the problem is Stripe's own 4xx, not a 502.
    with_override = {"PAYOUT_COUNTRIES": frozenset({"NG", "KE"})}
    app.config.update(with_override)
    try:
        kenyan = api.as_user(factory.freelancer(country="KE"))
        refused = kenyan.post("/me/payout-account")
    finally:
        app.config["PAYOUT_COUNTRIES"] = None
    assert 400 <= refused.status_code < 500
    assert refused.status_code != 404


def test_the_sdk_gives_up_inside_the_worker_timeout(app):
    gateway = StripeGateway.from_config(
        {**app.config, "STRIPE_SECRET_KEY": TEST_API_KEY, "STRIPE_HTTP_CLIENT": None}
    )
    requestor = gateway.client._requestor

    timeout = requestor._client._timeout
    retries = requestor._options.max_network_retries

    assert timeout == (2.0, 6.0)  # connecting, then waiting for the answer: 8 s a try
    assert retries == 2
    assert worst_case_seconds(timeout, retries) == pytest.approx(3 * 8 + 0.5 + 1.0)
    assert worst_case_seconds(timeout, retries) < GUNICORN_TIMEOUT_SECONDS
    assert worst_case_seconds(timeout, retries) < app.config["PROVIDER_CALL_SECONDS"]
