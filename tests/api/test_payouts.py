"""Where freelancers can be paid out: PAYOUT_COUNTRIES, GET /payout-countries,
`payout_eligible`, and the 422 at payout setup (the local gateway; Stripe's side is in
tests/integration/test_stripe_payouts.py)."""

from contextlib import contextmanager

import pycountry
import pytest

from marketplace.payments.gateway import get_gateway
from marketplace.payout_countries import payout_countries
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, fund


@contextmanager
def configured(app, **settings):
    before = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    try:
        yield
    finally:
        app.config.update(before)


def register(api, country: str, role: str = "freelancer") -> dict:
    response = api.post(
        "/auth/register",
        json={
            "email": f"{role}.{country.lower()}@example.test",
            "password": "long enough password",
            "role": role,
            "name": "Someone",
            "country": country,
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_the_local_gateway_pays_out_everywhere(api):
    listed = api.get("/payout-countries")

    assert listed.status_code == 200
    body = listed.json
    assert body["platform_country"] == "US"
    codes = [entry["country"] for entry in body["countries"]]
    assert codes == sorted(c.alpha_2 for c in pycountry.countries)
    by_code = {entry["country"]: entry["currencies"] for entry in body["countries"]}
    assert by_code["PH"] == ["PHP"]
    assert by_code["DE"] == ["EUR"]
    assert by_code["AQ"] == []  # no currency known: none promised


def test_stripe_defaults_to_its_cross_border_list_for_the_platform_country(app, api):
    with configured(app, PAYMENT_GATEWAY="stripe"):
        body = api.get("/payout-countries").json
    codes = {entry["country"] for entry in body["countries"]}

    # Self-serve cross-border payouts from a US platform reach the US, UK, EEA, Canada
    # and Switzerland only; farther countries need Stripe to enable them, and the
    # operator to name them in PAYOUT_COUNTRIES.
    assert {"US", "GB", "DE", "NO", "CA", "CH"} <= codes
    assert not {"PH", "IN", "PK", "BD", "KE", "NG", "CN"} & codes
    assert {"country": "CA", "currencies": ["CAD"]} in body["countries"]
    with configured(app, PAYMENT_GATEWAY="stripe", PAYOUT_COUNTRIES=frozenset({"PK", "US"})):
        widened = api.get("/payout-countries").json
    assert {"country": "PK", "currencies": ["PKR"]} in widened["countries"]

    with configured(app, PAYMENT_GATEWAY="stripe", PLATFORM_COUNTRY="GB"):
        british = api.get("/payout-countries").json
    codes = {entry["country"] for entry in british["countries"]}
    assert british["platform_country"] == "GB"
    # From the UK, self-serve cross-border payouts reach the US, UK, EEA, Canada, Switzerland.
    assert {"US", "GB", "DE", "NO", "CA", "CH"} <= codes
    assert not {"PH", "IN", "NG"} & codes


def test_payout_countries_overrides_the_default_for_any_gateway(app):
    assert payout_countries({"PAYMENT_GATEWAY": "local", "PLATFORM_COUNTRY": "US"}) is None
    for gateway in ("local", "stripe"):
        config = {"PAYMENT_GATEWAY": gateway, "PLATFORM_COUNTRY": "US"}
        assert payout_countries({**config, "PAYOUT_COUNTRIES": frozenset({"PH"})}) == {"PH"}


def test_a_freelancer_from_elsewhere_hears_it_at_registration(app, api, factory):
    viewer = api.as_user(factory.client())
    with configured(app, PAYOUT_COUNTRIES=frozenset({"PH", "IN"})):
        listed = api.get("/payout-countries").json
        outside = register(api, "DE")
        inside = register(api, "PH")
        client = register(api, "DE", role="client")
        seen = viewer.get(f"/users/{outside['id']}").json

    assert [entry["country"] for entry in listed["countries"]] == ["IN", "PH"]
    assert outside["payout_eligible"] is False
    assert inside["payout_eligible"] is True
    assert client["payout_eligible"] is None
    # A client sees it before accepting a bid.
    assert seen["payout_eligible"] is False


def test_payout_setup_in_a_country_payouts_do_not_reach_is_a_clear_422(app, api, factory):
    company = api.as_user(factory.client())
    freelancer = api.as_user(factory.freelancer(country="DE"))
    with app.app_context():
        gateway = get_gateway()
    accounts_before = len(gateway.records("account"))
    contract = contract_with(company, freelancer, 10_000)
    milestone = contract["milestones"][0]["id"]
    fund(company, milestone)
    freelancer.post(f"/milestones/{milestone}/submit", json={"note": "done"})

    with configured(app, PAYOUT_COUNTRIES=frozenset({"PH"})):
        refused = freelancer.post("/me/payout-account")
        again = freelancer.post("/me/payout-account")
        me = freelancer.get("/me").json
        # The release itself is not held up: the money waits for the freelancer.
        assert company.post(f"/milestones/{milestone}/approve").json["status"] == "approved"

    body = assert_problem(refused, 422)
    assert body["type"] == "/problems/payout-country-unsupported"
    assert "DE" in body["detail"]
    assert again.status_code == 422
    assert len(gateway.records("account")) == accounts_before  # the provider was not asked
    assert (me["payouts_enabled"], me["payout_eligible"]) == (False, False)
    assert balance(freelancer)["pending_payout"] == 9_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("country", ["US", "PH"])
def test_eligible_freelancers_set_up_payouts_as_before(app, api, factory, country):
    freelancer = api.as_user(factory.freelancer(country=country))
    with configured(app, PAYOUT_COUNTRIES=frozenset({"US", "PH"})):
        response = freelancer.post("/me/payout-account")

    assert response.json == {"onboarding_url": None, "payouts_enabled": True}
