"""Access control as a matrix: every endpoint under /api/v1 x every kind of caller.

OWASP API1 (object level) and API5 (function level): no endpoint may be left open by
accident. Each cell of MATRIX is one test on a fresh world, built lazily through the
HTTP API with only what that cell's path needs. The objects are in a state where the
allowed callers succeed (their cells are 2xx), so a refused cell proves that permission
is checked before state. A refused cell, and any GET, must also leave every table of the
database exactly as it was; so these cells of one endpoint share their world (built
once, see shared_data in tests/conftest.py), and each other cell gets a fresh one.

The expected statuses are what API.md requires. Where the app differs, the cell is an
xfail(strict=True) listed in GAPS, so the suite stays green and the gap stays visible.
"""

import io
import re
from functools import cached_property

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from tests.client import API_PREFIX, ApiClient, assert_problem
from tests.deliveries import SCHEMA, funded_milestone, record
from tests.factories import Actor, Factory
from tests.files import CSV, add_file
from tests.money import contract_with, fund, paid_contract
from tests.probe import probe
from tests.work import JOB, make_contract, place_bid, post_job

ROLES = (
    "anonymous",  # no credentials at all
    "client",  # the owner: posted the jobs, client party of the contracts
    "other_client",  # a client with nothing to do with any of it
    "freelancer",  # the bidder, freelancer party of the contracts
    "other_freelancer",  # a freelancer with nothing to do with any of it
    "admin",
    "suspended",  # a suspended client (no party to anything) with a live bearer token
)

NOTE = {"note": "All 300 invoices are in the sheet."}
REASON = {"reason": "Half of the totals are missing."}
CARD = {"payment_method": "pm_card_visa"}
JOB_EDIT = {"title": "Transcribe scanned receipts"}
BID = {"amount": 30_000, "currency": "USD", "delivery_days": 5, "cover_letter": "Fast and exact."}
BID_EDIT = {"delivery_days": 4}
PROFILE_EDIT = {"bio": "Data entry since 2010."}
MILESTONE = {"title": "Extra batch", "amount": 5_000}
MESSAGE = {"body": "The scans of batch 3 are blurry."}
REVIEW = {"rating": 5, "comment": "Exact work, on time."}
SPLIT = {"freelancer_amount": 4_000, "note": "Part of the work was delivered."}
SUSPENSION = {"reason": "Fake reviews."}
GOLD = {"records": [record(2), record(3)]}
# A public address as such: no name to resolve.
WEBHOOK = {"url": "https://93.184.216.34/hooks", "events": ["*"]}


def new_account(world, me):
    """A fresh registration (the caller's own credentials, if any, do not matter)."""
    world.serial += 1
    return {
        "email": f"new{world.serial}.{id(world)}@example.test",
        "password": "a long enough password",
        "role": "freelancer",
        "name": "New Person",
        "country": "DE",
    }


def own_credentials(world, me):
    """The caller's own email and password; anonymous callers know the client's."""
    me = me or world.client
    return {"email": me.email, "password": me.password}


def own_credentials_and_name(world, me):
    return {**own_credentials(world, me), "name": "laptop"}


# Path placeholders name objects of World (below):
#   {job}        open job of the client, with {bid}, the freelancer's pending bid
#   {fresh_job}  open job of the client without bids
#   {contract}   active contract client x freelancer, one milestone in each state:
#                {pending}, {funded}, {submitted}, {disputed} (with {dispute}, open)
#   {settled}    active contract whose only milestone is cancelled (may complete or cancel)
#   {completed}  completed contract whose milestone was paid (may be reviewed)
#   {token}      a second live API token of the client
#   {file}       a file (not a sample) on the job of an active contract client x freelancer
#   {open_file}  a file (not a sample) on {job}
#   {operation}  the provider call (a charge) that funded {funded}
#   {delivered}  a submitted milestone of a job with a record schema, records delivered
#   {partial}    a partially approved milestone (records delivered, one row rejected)
#   {event}      the client's event of {bid} (bid.created)
#   {webhook}    a webhook endpoint of the client's
#   {gold_job}   a job with a record schema and gold records, under contract with the freelancer
#   {freelancer.id}, {bystander.id}, {suspended.id}  user ids
# Anonymous callers send the client's credentials to login and tokens-create.
# fmt: off
MATRIX = [
    # method   path                                        anon cli  ocl  frl  ofr  adm  sus
    ("POST",   "/auth/register",                           201, 201, 201, 201, 201, 201, 403),
    ("POST",   "/auth/login",                              200, 200, 200, 200, 200, 200, 403),
    ("POST",   "/auth/logout",                             401, 204, 204, 204, 204, 204, 204),
    ("POST",   "/auth/tokens",                             201, 201, 201, 201, 201, 201, 403),
    ("GET",    "/auth/tokens",                             401, 200, 200, 200, 200, 200, 200),
    ("DELETE", "/auth/tokens/{token}",                     401, 204, 404, 404, 404, 404, 404),
    # cookie sessions only, and every caller here has a bearer token (see test_sessions.py)
    ("GET",    "/auth/csrf",                               401, 401, 401, 401, 401, 401, 401),
    ("GET",    "/me",                                      401, 200, 200, 200, 200, 200, 200),
    ("PATCH",  "/me",                                      401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/users/{freelancer.id}",                   401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/users/{freelancer.id}/reviews",           401, 200, 200, 200, 200, 200, 403),
    # jobs
    ("POST",   "/jobs",                                    401, 201, 201, 403, 403, 403, 403),
    ("GET",    "/jobs",                                    401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/jobs/{job}",                              401, 200, 200, 200, 200, 200, 403),
    ("PATCH",  "/jobs/{job}",                              401, 200, 403, 403, 403, 403, 403),
    ("POST",   "/jobs/{job}/close",                        401, 200, 403, 403, 403, 403, 403),
    # gold records: a freelancer, even the one delivering the job, learns nothing of them
    ("PUT",    "/jobs/{gold_job}/gold",                    401, 200, 404, 404, 404, 403, 403),
    ("GET",    "/jobs/{gold_job}/gold",                    401, 200, 404, 404, 404, 200, 403),
    # source files
    ("POST",   "/jobs/{job}/files",                        401, 201, 403, 403, 403, 403, 403),
    ("GET",    "/jobs/{job}/files",                        401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/files/{file}",                            401, 200, 404, 200, 404, 200, 403),
    ("GET",    "/files/{file}/content",                    401, 200, 404, 200, 404, 200, 403),
    ("DELETE", "/files/{open_file}",                       401, 204, 404, 404, 404, 403, 403),
    # bids
    ("POST",   "/jobs/{fresh_job}/bids",                   401, 403, 403, 201, 201, 403, 403),
    ("GET",    "/jobs/{job}/bids",                         401, 200, 403, 200, 200, 403, 403),
    ("GET",    "/bids",                                    401, 403, 403, 200, 200, 403, 403),
    ("GET",    "/bids/{bid}",                              401, 200, 404, 200, 404, 200, 403),
    ("PATCH",  "/bids/{bid}",                              401, 403, 404, 200, 404, 403, 403),
    ("POST",   "/bids/{bid}/withdraw",                     401, 403, 404, 200, 404, 403, 403),
    ("POST",   "/bids/{bid}/decline",                      401, 200, 404, 403, 404, 403, 403),
    ("POST",   "/bids/{bid}/accept",                       401, 201, 404, 403, 404, 403, 403),
    # contracts
    ("GET",    "/contracts",                               401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/contracts/{contract}",                    401, 200, 404, 200, 404, 200, 403),
    ("POST",   "/contracts/{contract}/milestones",         401, 201, 404, 403, 404, 403, 403),
    ("GET",    "/contracts/{contract}/messages",           401, 200, 404, 200, 404, 200, 403),
    ("POST",   "/contracts/{contract}/messages",           401, 201, 404, 201, 404, 201, 403),
    ("POST",   "/contracts/{settled}/complete",            401, 200, 404, 403, 404, 403, 403),
    ("POST",   "/contracts/{settled}/cancel",              401, 200, 404, 200, 404, 403, 403),
    ("POST",   "/contracts/{completed}/reviews",           401, 201, 404, 201, 404, 403, 403),
    # milestones and escrow
    ("POST",   "/milestones/{pending}/fund",               401, 200, 404, 403, 404, 403, 403),
    ("POST",   "/milestones/{pending}/cancel",             401, 200, 404, 403, 404, 403, 403),
    ("POST",   "/milestones/{pending}/cancel-funding",     401, 409, 404, 403, 404, 403, 403),
    ("POST",   "/milestones/{funded}/submit",              401, 403, 404, 200, 404, 403, 403),
    ("POST",   "/milestones/{submitted}/approve",          401, 200, 404, 403, 404, 403, 403),
    ("POST",   "/milestones/{submitted}/request-changes",  401, 200, 404, 403, 404, 403, 403),
    ("POST",   "/milestones/{funded}/refund",              401, 403, 404, 200, 404, 403, 403),
    ("POST",   "/milestones/{partial}/accept-rejection",   401, 403, 404, 200, 404, 403, 403),
    ("GET",    "/milestones/{delivered}/records",          401, 200, 404, 200, 404, 200, 403),
    ("GET",    "/me/balance",                              401, 200, 200, 200, 200, 200, 200),
    ("GET",    "/me/transactions",                         401, 200, 200, 200, 200, 200, 200),
    ("POST",   "/me/payout-account",                       401, 403, 403, 200, 200, 403, 403),
    ("GET",    "/payout-countries",                        200, 200, 200, 200, 200, 200, 403),
    # disputes
    ("POST",   "/milestones/{funded}/disputes",            401, 201, 404, 201, 404, 403, 403),
    ("GET",    "/disputes",                                401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/disputes/{dispute}",                      401, 200, 404, 200, 404, 200, 403),
    ("POST",   "/disputes/{dispute}/messages",             401, 201, 404, 201, 404, 201, 403),
    ("POST",   "/disputes/{dispute}/resolve",              401, 403, 403, 403, 403, 200, 403),
    # admin
    ("GET",    "/admin/users",                             401, 403, 403, 403, 403, 200, 403),
    ("POST",   "/admin/users/{bystander.id}/suspend",      401, 403, 403, 403, 403, 200, 403),
    ("POST",   "/admin/users/{suspended.id}/reinstate",    401, 403, 403, 403, 403, 200, 403),
    ("GET",    "/admin/audit-log",                         401, 403, 403, 403, 403, 200, 403),
    ("GET",    "/admin/ledger/verify",                     401, 403, 403, 403, 403, 200, 403),
    ("GET",    "/admin/operations",                        401, 403, 403, 403, 403, 200, 403),
    ("POST",   "/admin/operations/{operation}/recover",    401, 403, 403, 403, 403, 200, 403),
    ("GET",    "/admin/reconciliation",                    401, 403, 403, 403, 403, 200, 403),
    # events
    ("GET",    "/events",                                  401, 200, 200, 200, 200, 200, 200),
    ("GET",    "/events/{event}",                          401, 200, 404, 404, 404, 200, 403),
    ("POST",   "/webhook-endpoints",                       401, 201, 201, 201, 201, 201, 403),
    ("GET",    "/webhook-endpoints",                       401, 200, 200, 200, 200, 200, 403),
    ("GET",    "/webhook-endpoints/{webhook}",             401, 200, 404, 404, 404, 404, 403),
    ("PATCH",  "/webhook-endpoints/{webhook}",             401, 200, 404, 404, 404, 404, 403),
    ("DELETE", "/webhook-endpoints/{webhook}",             401, 204, 404, 404, 404, 404, 403),
    ("GET",    "/webhook-endpoints/{webhook}/deliveries",  401, 200, 404, 404, 404, 404, 403),
    ("POST",   "/webhook-endpoints/{webhook}/test",        401, 200, 404, 404, 404, 404, 403),
    ("POST",   "/webhook-endpoints/{webhook}/rotate-secret", 401, 200, 404, 404, 404, 404, 403),
]
# fmt: on


class Form(dict):
    """A body sent as multipart/form-data: field name -> (bytes, filename) or text."""


def a_file(world, me):
    return Form(file=(CSV, "totals.csv"))


# What each call sends (the rest send no body).
BODIES = {
    ("POST", "/jobs/{job}/files"): a_file,
    ("POST", "/auth/register"): new_account,
    ("POST", "/auth/login"): own_credentials,
    ("POST", "/auth/tokens"): own_credentials_and_name,
    ("PATCH", "/me"): PROFILE_EDIT,
    ("POST", "/jobs"): JOB,
    ("PATCH", "/jobs/{job}"): JOB_EDIT,
    ("POST", "/jobs/{fresh_job}/bids"): BID,
    ("PATCH", "/bids/{bid}"): BID_EDIT,
    ("POST", "/contracts/{contract}/milestones"): MILESTONE,
    ("POST", "/contracts/{contract}/messages"): MESSAGE,
    ("POST", "/contracts/{completed}/reviews"): REVIEW,
    ("POST", "/milestones/{pending}/fund"): CARD,
    ("POST", "/milestones/{funded}/submit"): NOTE,
    ("PUT", "/jobs/{gold_job}/gold"): GOLD,
    ("POST", "/milestones/{submitted}/request-changes"): REASON,
    ("POST", "/milestones/{funded}/disputes"): REASON,
    ("POST", "/disputes/{dispute}/messages"): MESSAGE,
    ("POST", "/disputes/{dispute}/resolve"): SPLIT,
    ("POST", "/admin/users/{bystander.id}/suspend"): SUSPENSION,
    ("POST", "/webhook-endpoints"): WEBHOOK,
    ("PATCH", "/webhook-endpoints/{webhook}"): {"description": "CRM"},
}

# Cells where the app contradicts API.md: (method, path, role) -> why.
SUSPENDED_RULE = (
    "API.md Conventions: a suspended user may read GET /me, /me/balance, "
    "/me/transactions and /events, and may always log out and revoke their own tokens; every other "
    "call gets 403"
)
GAPS: dict[tuple[str, str, str], str] = {}


class World:
    """Users and objects for one cell, each built on first use (the HTTP API as users do)."""

    def __init__(self, app, factory: Factory):
        self.app = app
        self.factory = factory
        self.serial = 0

    def http(self, actor: Actor | None = None) -> ApiClient:
        """A fresh client (no cookies from earlier calls), with the actor's bearer token."""
        return ApiClient(self.app, token=actor.token if actor else None)

    def actor(self, role: str) -> Actor | None:
        return None if role == "anonymous" else getattr(self, role)

    def __getitem__(self, name: str):  # for str.format_map
        return getattr(self, name)

    # users -------------------------------------------------------------------------

    @cached_property
    def client(self) -> Actor:
        return self.factory.client(name="Owner Client")

    @cached_property
    def other_client(self) -> Actor:
        return self.factory.client(name="Other Client")

    @cached_property
    def freelancer(self) -> Actor:
        return self.factory.freelancer(name="The Freelancer")

    @cached_property
    def other_freelancer(self) -> Actor:
        return self.factory.freelancer(name="Other Freelancer")

    @cached_property
    def admin(self) -> Actor:
        return self.factory.admin()

    @cached_property
    def bystander(self) -> Actor:
        """A freelancer only ever acted on (suspended by the admin)."""
        return self.factory.freelancer(name="Bystander")

    @cached_property
    def suspended(self) -> Actor:
        """A client with a live token, suspended by an admin through the API."""
        user = self.factory.client(name="Suspended Client")
        response = self.http(self.admin).post(f"/admin/users/{user.id}/suspend", json=SUSPENSION)
        assert response.status_code == 200, response.json
        return user

    # objects -----------------------------------------------------------------------

    @cached_property
    def _job_with_bid(self) -> tuple[int, int]:
        job = post_job(self.http(self.client))
        bid = place_bid(self.http(self.freelancer), job["id"])
        return job["id"], bid["id"]

    @property
    def job(self) -> int:
        return self._job_with_bid[0]

    @property
    def bid(self) -> int:
        return self._job_with_bid[1]

    @cached_property
    def event(self) -> int:
        assert self.bid
        page = expect(self.http(self.client).get("/events"), 200)
        return page["data"][0]["id"]

    @cached_property
    def webhook(self) -> int:
        return expect(self.http(self.client).post("/webhook-endpoints", json=WEBHOOK), 201)["id"]

    @cached_property
    def fresh_job(self) -> int:
        return post_job(self.http(self.client))["id"]

    @cached_property
    def _escrow(self) -> dict:
        client, freelancer = self.http(self.client), self.http(self.freelancer)
        contract = contract_with(client, freelancer, 10_000, 10_000, 10_000, 10_000)
        names = ("pending", "funded", "submitted", "disputed")
        ids = dict(zip(names, (m["id"] for m in contract["milestones"]), strict=True))
        for name in ("funded", "submitted", "disputed"):
            expect(fund(client, ids[name]), 200)
        expect(freelancer.post(f"/milestones/{ids['submitted']}/submit", json=NOTE), 200)
        path = f"/milestones/{ids['disputed']}/disputes"
        dispute = expect(client.post(path, json=REASON), 201)
        return {**ids, "contract": contract["id"], "dispute": dispute["id"]}

    contract = property(lambda self: self._escrow["contract"])
    pending = property(lambda self: self._escrow["pending"])
    funded = property(lambda self: self._escrow["funded"])
    submitted = property(lambda self: self._escrow["submitted"])
    disputed = property(lambda self: self._escrow["disputed"])
    dispute = property(lambda self: self._escrow["dispute"])

    @cached_property
    def delivered(self) -> int:
        client, freelancer = self.http(self.client), self.http(self.freelancer)
        milestone = funded_milestone(self.app, client, freelancer)
        records = {"records": [record(1), record(2)]}
        expect(freelancer.post(f"/milestones/{milestone}/submit", json=records), 200)
        return milestone

    @cached_property
    def partial(self) -> int:
        client, freelancer = self.http(self.client), self.http(self.freelancer)
        milestone = funded_milestone(self.app, client, freelancer)
        records = {"records": [record(1), record(2)]}
        expect(freelancer.post(f"/milestones/{milestone}/submit", json=records), 200)
        rejected = {"rejected_rows": [{"row": 2, "reason": "Wrong total."}]}
        expect(client.post(f"/milestones/{milestone}/approve", json=rejected), 200)
        return milestone

    @cached_property
    def gold_job(self) -> int:
        client, freelancer = self.http(self.client), self.http(self.freelancer)
        job = post_job(client, schema=SCHEMA)["id"]
        expect(client.put(f"/jobs/{job}/gold", json={"records": [record(1)]}), 200)
        bid = place_bid(freelancer, job)
        expect(client.post(f"/bids/{bid['id']}/accept"), 201)
        return job

    @cached_property
    def operation(self) -> int:
        """The provider call that funded {funded} (settled: recovering it changes nothing)."""
        query = {"milestone_id": self.funded}
        page = expect(self.http(self.admin).get("/admin/operations", query_string=query), 200)
        return page["data"][0]["id"]

    def _settled_contract(self) -> int:
        client = self.http(self.client)
        contract = make_contract(client, self.http(self.freelancer))
        milestone = contract["milestones"][0]["id"]
        expect(client.post(f"/milestones/{milestone}/cancel"), 200)
        return contract["id"]

    @cached_property
    def settled(self) -> int:
        return self._settled_contract()

    @cached_property
    def completed(self) -> int:
        return paid_contract(self.http(self.client), self.http(self.freelancer))["id"]

    @cached_property
    def file(self) -> int:
        client = self.http(self.client)
        contract = make_contract(client, self.http(self.freelancer))
        return add_file(client, contract["job_id"])["id"]

    @cached_property
    def open_file(self) -> int:
        return add_file(self.http(self.client), self.job)["id"]

    @cached_property
    def token(self) -> int:
        body = {**own_credentials(self, self.client), "name": "spare"}
        return expect(self.http().post("/auth/tokens", json=body), 201)["id"]


def expect(response, status: int):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def database_rows(app) -> dict:
    """Every row of every table, to show that a refused call changed nothing."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in db.metadata.sorted_tables
        }


# Reads that write to the audit log when they succeed.
AUDITED_READS = {("GET", "/files/{file}/content")}


def changes_nothing(method: str, path: str, status: int) -> bool:
    """Whether a cell must leave the database as it was: refused, or a GET."""
    return status >= 400 or (method == "GET" and (method, path) not in AUDITED_READS)


def shares_world(method: str, path: str):
    """The mark of the cells of one endpoint that change nothing: they share one world."""
    return pytest.mark.shared_data(f"access matrix: {method} {path}")


def world_for(request, app, factory, shared: bool) -> World:
    """The endpoint's shared world, or a fresh one for a cell that changes things."""
    if not shared:
        return World(app, factory)
    return request.getfixturevalue("shared_data")(lambda: World(app, factory))


def _cells():
    for method, path, *statuses in MATRIX:
        body = BODIES.get((method, path))
        for role, status in zip(ROLES, statuses, strict=True):
            gap = GAPS.get((method, path, role))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            if changes_nothing(method, path, status):
                marks.append(shares_world(method, path))
            yield pytest.param(
                method, path, role, status, body, id=f"{method} {path} {role}", marks=marks
            )


@pytest.mark.parametrize(("method", "path", "role", "expected", "body"), list(_cells()))
def test_access(request, app, factory, method, path, role, expected, body):
    refused = expected >= 400
    unchanged = changes_nothing(method, path, expected)
    world = world_for(request, app, factory, shared=unchanged)
    me = world.actor(role)
    caller = world.http(me)
    url = path.format_map(world)
    payload = body(world, me) if callable(body) else body
    before = database_rows(app) if unchanged else None

    if isinstance(payload, Form):
        form = {
            k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in payload.items()
        }
        response = caller.request(method, url, data=form, content_type="multipart/form-data")
    else:
        response = caller.request(method, url, json=payload)

    if refused:
        assert_problem(response, expected)
    else:
        assert response.status_code == expected, (response.status_code, response.json)
    if before is not None:
        assert database_rows(app) == before, (
            f"a {'refused call' if refused else 'GET'} changed the database"
        )


# Permission comes before validation too: a caller who may not act learns nothing from
# the shape of their request. Anonymous callers send something invalid to every
# endpoint that needs sign-in; non-admins do the same to every admin endpoint.
INVALID_BODY = {"unexpected": 1}
INVALID_QUERY = "?limit=0"
VALIDATION_FIRST = (
    "API.md: 401 when not signed in, 403 when not allowed; the app validates the "
    "request first and answers 422"
)
# The endpoints whose arguments are parsed (and rejected) before the caller is checked.
VALIDATED_BEFORE_AUTH: set[tuple[str, str]] = set()


ROLE_GATED = {
    ("POST", "/jobs"),
    ("POST", "/jobs/{fresh_job}/bids"),
    ("GET", "/bids"),
    ("POST", "/me/payout-account"),
}


# Endpoints for one role whose other refusals of that role are a party check (which comes
# after the body's shape): the roles @roles refuses first.
GATED_ROLES = {("POST", "/jobs/{job}/files"): {"freelancer", "other_freelancer", "admin"}}


def _role_gated(method: str, path: str, role: str) -> bool:
    """Endpoints for one role only (@roles): everyone else gets 403 first."""
    if (method, path) in GATED_ROLES:
        return role in GATED_ROLES[(method, path)]
    return (method, path) in ROLE_GATED or path.startswith("/admin/") or path.endswith("/resolve")


def _invalid_cells():
    for method, path, *statuses in MATRIX:
        expected = dict(zip(ROLES, statuses, strict=True))
        # Refused before the body is read: anonymous callers, suspended users, and roles an
        # endpoint is not for. (A party check on one object comes after the body's shape.)
        roles = [
            role
            for role in ROLES
            if expected[role] == 401
            or (expected[role] == 403 and (role == "suspended" or _role_gated(method, path, role)))
        ]
        for role in roles:
            marks = [shares_world(method, path)]
            if (method, path) in VALIDATED_BEFORE_AUTH:
                marks.append(pytest.mark.xfail(strict=True, reason=VALIDATION_FIRST))
            yield pytest.param(
                method, path, role, expected[role], id=f"{method} {path} {role}", marks=marks
            )


@pytest.mark.parametrize(("method", "path", "role", "expected"), list(_invalid_cells()))
def test_an_invalid_request_from_a_refused_caller_is_still_refused(
    request, app, factory, method, path, role, expected
):
    world = world_for(request, app, factory, shared=True)
    caller = world.http(world.actor(role))
    url = path.format_map(world)
    before = database_rows(app)
    if method in ("GET", "DELETE"):
        response = caller.request(method, url + INVALID_QUERY)
    else:
        response = caller.request(method, url, json=INVALID_BODY)
    assert_problem(response, expected)
    assert database_rows(app) == before, "a refused call changed the database"


def _endpoint(method: str, path: str) -> tuple[str, str]:
    return method, re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)


NOT_IN_MATRIX = {
    "/openapi.json",  # public documentation
    "/",  # says where the documentation is
    "/webhooks/stripe",  # Stripe authenticates by signature, not as a user
    # The provider's browser redirect: authenticated by its signed token (test_payouts.py)
    "/payout-account/onboarding",
}


def test_the_matrix_covers_every_endpoint(app):
    routes = {
        _endpoint(method, rule.rule.removeprefix(API_PREFIX))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX + "/")
        and rule.rule.removeprefix(API_PREFIX) not in NOT_IN_MATRIX
        and not rule.endpoint.startswith(f"{probe.name}.")  # test-only endpoints
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    rows = [_endpoint(method, path) for method, path, *_ in MATRIX]
    assert len(rows) == len(set(rows)), "an endpoint appears twice"
    assert set(rows) == routes
    print(
        f"\naccess matrix: {len(rows)} endpoints x {len(ROLES)} roles = "
        f"{len(rows) * len(ROLES)} cells"
    )
