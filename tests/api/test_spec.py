"""The OpenAPI spec says what the server does, in a form generators and validators take.

Every response of the suite is also checked against the spec (tests/spec_check.py);
these tests pin the conventions themselves, and that the check can fail.
"""

import re

import pytest
from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields
from openapi_spec_validator import validate

from marketplace.spec import ConventionsPlugin, SpecError
from tests.client import spec_check
from tests.spec_check import SpecMismatch

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def operation(spec, operation_id):
    return next(op for _, _, op in operations(spec) if op["operationId"] == operation_id)


def header_names(operation):
    return {p["$ref"].rsplit("/", 1)[1] for p in operation.get("parameters", []) if "$ref" in p}


def test_the_spec_is_valid_openapi_3_0(spec):
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_every_operation_has_a_readable_unique_camel_case_id(spec):
    ids = [op["operationId"] for _, _, op in operations(spec)]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-zA-Z]+", i) for i in ids), ids
    assert {"fundMilestone", "acceptBid", "placeBid", "getMe", "receiveStripeWebhook"} <= set(ids)
    assert operation(spec, "fundMilestone")["summary"]


def test_errors_are_problems_and_nothing_is_left_to_a_default(spec):
    for method, path, op in operations(spec):
        assert "default" not in op["responses"], (method, path)
        errors = {code: r for code, r in op["responses"].items() if int(code) >= 400}
        assert {"401", "422", "503"} <= set(errors), (method, path)
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    for method, path, op in operations(spec):
        for response in (r for code, r in op["responses"].items() if int(code) >= 400):
            assert list(response["content"]) == ["application/problem+json"], (method, path)
            schema = response["content"]["application/problem+json"]["schema"]
            if schema == PROBLEM:
                continue
            # A problem with members of its own (a refused delivery's report) is a Problem.
            own = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            assert set(problem["properties"]) <= set(own["properties"]), (method, path)
            assert set(own["required"]) == set(problem["required"]), (method, path)


def test_each_operation_lists_the_errors_its_rules_can_give(spec):
    def errors(operation_id):
        op = operation(spec, operation_id)
        return {int(code) for code in op["responses"] if int(code) >= 400}

    assert {402, 404, 409, 415, 502} <= errors("fundMilestone")
    assert 429 in errors("login")
    assert 429 in errors("createToken")
    assert 429 not in errors("acceptBid")
    assert {404, 409} <= errors("acceptBid")
    assert 404 not in errors("postJob")
    assert 403 not in errors("getMe")  # a suspended user may read their own account
    assert 403 in errors("listMyBids")  # freelancers only
    assert not {402, 409, 415, 502} & errors("listJobs")


def test_security_is_waived_only_where_no_one_signs_in(spec):
    public = {op["operationId"] for _, _, op in operations(spec) if op.get("security") == []}

    assert public == {
        "register",
        "login",
        "createToken",
        "receiveStripeWebhook",
        # Where payouts reach, for anyone deciding to sign up; and where Stripe sends a
        # freelancer whose onboarding link expired (the signed token is the credential).
        "listPayoutCountries",
        "refreshOnboarding",
    }
    assert spec["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]


def test_idempotency_and_csrf_headers_are_declared_where_they_apply(spec):
    assert header_names(operation(spec, "fundMilestone")) == {"IdempotencyKey", "CsrfToken"}
    assert header_names(operation(spec, "updateJob")) == {"CsrfToken"}
    assert header_names(operation(spec, "logout")) == {"CsrfToken"}
    assert header_names(operation(spec, "login")) == set()
    assert header_names(operation(spec, "getJob")) == set()
    key = spec["components"]["parameters"]["IdempotencyKey"]
    assert (key["name"], key["in"], key["schema"]["maxLength"]) == (
        "Idempotency-Key",
        "header",
        255,
    )
    assert spec["components"]["parameters"]["CsrfToken"]["name"] == "X-CSRF-Token"


def test_responses_declare_the_headers_they_carry(spec):
    fund = operation(spec, "fundMilestone")["responses"]
    assert "Idempotent-Replayed" in fund["200"]["headers"]
    assert "Idempotent-Replayed" in fund["409"]["headers"]
    assert "Idempotent-Replayed" not in fund["401"].get("headers", {})
    assert "Retry-After" in fund["503"]["headers"]
    assert "WWW-Authenticate" in fund["401"]["headers"]
    login = operation(spec, "login")["responses"]
    for status in ("200", "429"):
        assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(
            login[status]["headers"]
        )


def test_response_schemas_require_what_is_always_sent(spec):
    schemas = spec["components"]["schemas"]

    milestone = schemas["Milestone"]
    assert set(milestone["required"]) == set(milestone["properties"]) - {"payment"}
    assert set(schemas["Job"]["required"]) == set(schemas["Job"]["properties"])
    assert "deadline" in schemas["Job"]["required"]  # null when none, but always sent
    receipt = schemas["WebhookReceipt"]
    assert receipt["required"] == ["received"]
    assert "required" not in schemas["JobUpdate"]  # request schemas keep their own rules


def test_nullable_references_put_the_reference_first(spec):
    dispute = spec["components"]["schemas"]["Dispute"]["properties"]

    assert dispute["resolution"]["anyOf"] == [
        {"$ref": "#/components/schemas/Resolution"},
        {"type": "object", "nullable": True, "enum": [None]},
    ]
    assert dispute["opened_by"]["anyOf"][0] == {"$ref": "#/components/schemas/Person"}
    assert spec["components"]["schemas"]["Job"]["properties"]["deadline"]["nullable"]


def test_money_is_described_as_minor_units_of_its_currency(spec):
    schemas = spec["components"]["schemas"]

    budget = schemas["Job"]["properties"]["budget"]
    assert budget["type"] == "integer"
    assert "minor units of `currency`" in budget["description"]
    assert "minor units" in schemas["Balance"]["properties"]["pending_payout"]["description"]
    assert "Signed" in schemas["Transaction"]["properties"]["amount"]["description"]
    assert (
        "milestone's `currency`"
        in schemas["Resolve"]["properties"]["freelancer_amount"]["description"]
    )
    assert "description" not in schemas["Contract"]["properties"]["fee_bps"]


def test_the_response_check_refuses_what_the_spec_does_not_say(app, api, factory):
    check = spec_check(app)
    me = api.as_user(factory.client()).get("/me")
    check.check(me)

    me.status_code = 418
    with pytest.raises(SpecMismatch, match="does not list this status"):
        check.check(me)
    me.status_code = 200
    me.set_data(b'{"id": "1"}')
    with pytest.raises(SpecMismatch, match="is not of type 'integer'"):
        check.check(me)
    problem = api.get("/me")
    problem.headers["Content-Type"] = "application/json"
    with pytest.raises(SpecMismatch, match="application/json"):
        check.check(problem)


def _app_with(*blueprints) -> Flask:
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api()
    api.init_app(app, spec_kwargs={"extra_plugins": [ConventionsPlugin(app)]})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return app


def test_two_operations_cannot_share_an_id():
    first, second = Blueprint("first", __name__), Blueprint("second", __name__)
    for blueprint in (first, second):

        @blueprint.get(f"/{blueprint.name}/things")
        def list_things():
            """Things."""

    with pytest.raises(SpecError, match="listThings"):
        _app_with(first, second)


def test_a_schema_cannot_be_a_request_and_a_response_that_always_sends_more():
    class ThingSchema(Schema):
        name = fields.String(required=True)
        note = fields.String()

    blueprint = Blueprint("things", __name__)

    @blueprint.post("/things")
    @blueprint.arguments(ThingSchema)
    @blueprint.response(201, ThingSchema)
    def add_thing(data):
        """Add a thing."""

    with pytest.raises(SpecError, match="note"):
        _app_with(blueprint)
