"""What the OpenAPI spec says about every operation, decided in one place.

flask-smorest documents each route from its marshmallow schemas. ConventionsPlugin
adds what the marketplace does around every route, read from the same markers the
request hooks obey (@public, @roles, @allow_suspended, idempotency.exempt, the rate
limits): an operationId, the problem+json answers the operation can give, the
Idempotency-Key and X-CSRF-Token headers, the headers its responses carry, response
fields marked `required` because they are always sent, and money amounts described as
minor units of their currency. A new route gets all of it without saying anything.
"""

import re
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_limiter.util import get_qualified_name
from werkzeug.routing import Rule

PROBLEM_MEDIA_TYPE = "application/problem+json"
SAFE_METHODS = frozenset({"get", "head", "options"})
# A response field the server leaves out of some answers says so in its metadata
# (`metadata={"sometimes": True}`); every other field of a response is always sent.
SOMETIMES = "sometimes"
_SOMETIMES_MARK = "x-sometimes"


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: every error response of the API."""

    type = ma.fields.String(
        required=True,
        metadata={
            "description": "What kind of problem; `about:blank` for plain HTTP errors.",
            "example": "/problems/validation-failed",
        },
    )
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={SOMETIMES: True, "description": "Field errors, on a 422."},
    )


def problem_schema(status: int, schema: type[ma.Schema], description: str):
    """A view whose `status` problems carry members of their own (RFC 9457 extension
    members), documented by `schema` instead of the plain Problem; `description` is added
    to the status's own."""

    def mark(view):
        marked = {**getattr(view, "problem_schemas", {}), status: (schema, description)}
        view.problem_schemas = marked
        return view

    return mark


class SpecError(Exception):
    """The routes or schemas break a rule the spec relies on; fix them, not the spec."""


# Operation ids are the view function's name in camelCase, except where that name
# alone does not say what the operation acts on.
OPERATION_IDS = {
    "accounts.csrf_token": "getCsrfToken",
    "accounts.me": "getMe",
    "admin.audit_log": "listAuditLog",
    "admin.reconciliation": "getReconciliation",
    "admin.reinstate": "reinstateUser",
    "admin.suspend": "suspendUser",
    "contracts.list_messages": "listContractMessages",
    "contracts.post_message": "postContractMessage",
    "disputes.add_message": "postDisputeMessage",
    "disputes.resolve": "resolveDispute",
    "payments.approve": "approveMilestone",
    "payments.balance": "getBalance",
    "payments.fund": "fundMilestone",
    "payments.payout_account": "setUpPayoutAccount",
    "payments.refund": "refundMilestone",
    "payments.request_changes": "requestMilestoneChanges",
    "payments.submit": "submitMilestone",
    "payments.transactions": "listTransactions",
    "webhooks.stripe_webhook": "receiveStripeWebhook",
}

# Operations that call the payment provider: 502 when it fails, 402 when it declines.
# Every action on a milestone may first recover a call left pending on it (a 502 if the
# provider still does not answer).
MONEY_STATUSES = {
    "admin.reconciliation": {502},
    "admin.recover_operation": {409, 502},
    "payments.fund": {402, 502},
    "payments.cancel_funding": {502},
    "payments.approve": {502},
    "payments.refund": {502},
    "payments.accept_rejection": {502},
    "payments.payout_account": {502},
    # A stale or tampered token (404), the provider refusing (409) or not answering (502).
    "payments.refresh_onboarding": {404, 409, 502},
    "payments.submit": {502},
    "payments.request_changes": {502},
    "payments.cancel_milestone": {502},
    "contracts.cancel_contract": {502},
    "disputes.open_dispute": {502},
    "disputes.resolve": {502},
    "webhooks.stripe_webhook": {409, 502},
}

# Operations that count something of their own and answer 429 with Retry-After past it:
# a milestone's deliveries refused by their check (DELIVERY_CHECKS_PER_DAY).
COUNTED_STATUSES = {"payments.submit": {429}}

ERROR_DESCRIPTIONS = {
    400: "Malformed request: the body is not valid JSON, or holds text with NUL characters "
    "or lone surrogates (a webhook: not a signed Stripe event).",
    401: "Not authenticated: no credentials, wrong ones, or a bearer token that is invalid "
    "or revoked.",
    402: "The payment was declined; nothing changed.",
    403: "Authenticated but not allowed: the wrong role, a suspended account, or a cookie "
    "request without the X-CSRF-Token header.",
    404: "Not found, or not visible to the caller.",
    409: "Not possible in the resource's current state, a duplicate, an Idempotency-Key "
    "whose first request is still running, a payment call on the milestone being made "
    "right now (`/problems/payment-operation-in-progress`, with Retry-After), or refused "
    "by the payment provider "
    "(`/problems/payment-refused`, e.g. a payout account that cannot receive transfers "
    "now); nothing changed.",
    413: "The body is larger than the limit (1 MiB).",
    414: "The URL is too long.",
    415: "The body must be `application/json`.",
    422: "Validation failed: the body, a query parameter (unknown ones too) or the "
    "Idempotency-Key; field errors under `errors`. Also an amount or currency the payment "
    "provider does not take (`/problems/payment-amount-refused`); nothing changed.",
    429: "Too many requests: wait for Retry-After seconds.",
    502: "The payment provider did not answer, so whether it acted is not known. The call "
    "was written down before it was made: repeat the request (it never charges or pays "
    "twice), or it is recovered by the next action on the milestone, "
    "`recover-operations` or an admin. Nothing else was changed.",
    503: "The service cannot reach its database or its file storage; retry after "
    "Retry-After seconds.",
}
# Operations that take upload-sized bodies (inputs.takes_upload) say so for 413 and 415.
UPLOAD_ERROR_DESCRIPTIONS = {
    413: "The file is larger than `MAX_UPLOAD_BYTES` (25 MiB by default), or the whole "
    "body larger than that and 64 KiB of framing; nothing was stored.",
    415: "The body is none of the media types the request body lists, or the file is none "
    "of the kinds taken (its bytes decide, not its name or Content-Type); nothing was stored.",
}

HEADERS = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored response to an earlier request "
        "with the same Idempotency-Key, replayed without doing anything again.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme to use: `Bearer`.",
        "schema": {"type": "string"},
    },
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "When the current window ends, in seconds since the Unix epoch.",
        "schema": {"type": "integer", "minimum": 0},
    },
}
NOT_REPLAYED = frozenset({400, 401, 413, 414, 415, 429})
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

PARAMETERS: dict[str, dict[str, Any]] = {
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Any unique string: the same key from the same user within 24 "
        "hours replays the first response (with `Idempotent-Replayed: true`) instead of "
        "acting again; with another method, path or body it is a 422.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    },
    "CsrfToken": {
        "name": "X-CSRF-Token",
        "in": "header",
        "required": False,
        "description": "Cookie sessions only: the `csrf_token` that login returned. "
        "Bearer requests need none.",
        "schema": {"type": "string"},
    },
}

# Integer fields that hold money, and where their currency is when no `currency`
# field sits beside them.
MONEY_FIELDS = frozenset(
    {
        "amount",
        "budget",
        "min_budget",
        "max_budget",
        "freelancer_amount",
        "client_amount",
        "in_escrow",
        "pending_payout",
        "paid_out",
        "refunded",
        "fees",
        "held",
        "unit_price",
    }
)
CURRENCY_ELSEWHERE = {
    "BidMilestoneSchema": "the bid's `currency`",
    "ResolutionSchema": "the disputed milestone's `currency`",
    "ResolveSchema": "the disputed milestone's `currency`",
}


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


@dataclass(frozen=True)
class Operation:
    """What the request hooks will do around one method of one route."""

    endpoint: str
    method: str
    public: bool
    idempotency_exempt: bool
    allow_suspended: bool
    roles: frozenset | None
    rate_limited: bool
    has_path_ids: bool
    takes_upload: bool = False

    @property
    def safe(self) -> bool:
        return self.method in SAFE_METHODS

    @property
    def takes_idempotency_key(self) -> bool:
        return self.method == "post" and not self.public and not self.idempotency_exempt

    @property
    def needs_csrf(self) -> bool:
        return not self.safe and not self.public

    def error_statuses(self) -> set[int]:
        """Every error status this operation can answer."""
        # Any request may carry a bad bearer token (401), a body that is not JSON or
        # too large (400, 413), a URL too long (414), unknown query parameters (422),
        # or meet a database outage (503).
        statuses = {400, 401, 413, 414, 422, 503}
        if not self.safe:
            statuses.add(415)
        # Only reads that a suspended user may make and that no role limits never 403.
        if not (self.safe and self.allow_suspended and self.roles is None):
            statuses.add(403)
        if self.has_path_ids:
            statuses.add(404)
        if not self.safe and not self.idempotency_exempt:
            statuses.add(409)
        if self.rate_limited:
            statuses.add(429)
        counted = COUNTED_STATUSES.get(self.endpoint, set())
        return statuses | MONEY_STATUSES.get(self.endpoint, set()) | counted


def _rate_limited(app: Flask, view) -> bool:
    """Limited by flask-limiter, or marked `view.rate_limited = True` if limited otherwise."""
    if getattr(view, "rate_limited", False):
        return True
    limiters = app.extensions.get("limiter") or ()
    name = get_qualified_name(view)
    for limiter in limiters:
        manager = limiter.limit_manager
        if manager.application_limits or manager.default_limits:
            return True
        if name in getattr(limiter, "_marked_for_limiting", ()):
            return True
    return False


# What may stand beside a reference to say "or null" in OpenAPI 3.0, where `nullable`
# means nothing without a `type`: strict validators take it, and generators read the
# reference first and this as None (openapi-python-client: `Model | None`).
NULL_SCHEMA = {"type": "object", "nullable": True, "enum": [None]}


def describe_field(converter, field: ma.fields.Field, ret: dict, **kwargs) -> dict:
    """apispec attribute function: nullable references, money, fields sometimes left out."""
    extra: dict = {}
    choices = ret.get("anyOf")
    if field.allow_none and choices and {"type": "object", "nullable": True} in choices:
        # apispec puts its own null branch first, and one no validator accepts null for.
        ret["anyOf"] = [c for c in choices if c != {"type": "object", "nullable": True}]
        ret["anyOf"].append(NULL_SCHEMA)
    if field.metadata.get(SOMETIMES):
        extra[_SOMETIMES_MARK] = True
    if field.name in MONEY_FIELDS and isinstance(field, ma.fields.Integer):
        parent = field.parent
        if isinstance(parent, ma.Schema) and "currency" in parent.fields:
            currency = "`currency`"
        else:
            currency = CURRENCY_ELSEWHERE.get(type(parent).__name__, "its `currency`")
        money = (
            f"Money: an integer in minor units of {currency} "
            "(12500 with USD is 125.00 US dollars), never a float."
        )
        described = ret.get("description")
        extra["description"] = f"{described} {money}" if described else money
    return extra


def _component_refs(node) -> set[str]:
    """The schema components a piece of the spec refers to, directly."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _component_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _component_refs(value)
    return found


class ConventionsPlugin(BasePlugin):
    """apispec plugin: the marketplace's conventions on every operation of the spec."""

    def __init__(self, app: Flask):
        self.app = app

    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec
        self.operation_ids: dict[str, str] = {}
        self.sometimes: dict[str, set[str]] = {}
        self.outputs: set[str] = set()
        self.inputs: set[str] = set()
        self.added_required: dict[str, set[str]] = {}
        for plugin in spec.plugins:
            if isinstance(plugin, MarshmallowPlugin) and plugin.converter is not None:
                plugin.converter.add_attribute_function(describe_field)
                spec.components.schema("Problem", schema=ProblemSchema)
        for name, header in HEADERS.items():
            spec.components.header(name, header)
        for name, parameter in PARAMETERS.items():
            spec.components.parameter(name, parameter["in"], parameter)

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule: Rule = kwargs["rule"]
        view = self.app.view_functions[rule.endpoint]
        for method, doc in operations.items():
            operation = Operation(
                endpoint=rule.endpoint,
                method=method,
                public=getattr(view, "public", False),
                idempotency_exempt=getattr(view, "idempotency_exempt", False),
                allow_suspended=getattr(view, "allow_suspended", False),
                roles=getattr(view, "roles", None),
                rate_limited=_rate_limited(self.app, view),
                has_path_ids=bool(rule.arguments),
                takes_upload=getattr(view, "takes_upload", False),
            )
            self._name(doc, operation, view, several=len(operations) > 1)
            self._headers(doc, operation)
            self._responses(doc, operation, getattr(view, "problem_schemas", {}))
            self._mark_directions(doc)

    def _name(self, doc: dict, operation: Operation, view, *, several: bool) -> None:
        name = OPERATION_IDS.get(operation.endpoint) or camel_case(view.__name__)
        if several:
            name = operation.method + name[:1].upper() + name[1:]
        if not re.fullmatch(r"[a-z][A-Za-z0-9]*", name):
            raise SpecError(f"{operation.endpoint}: {name!r} is not a camelCase operationId")
        taken = self.operation_ids.get(name)
        if taken is not None and taken != operation.endpoint:
            raise SpecError(f"operationId {name!r} is used by {taken} and {operation.endpoint}")
        self.operation_ids[name] = operation.endpoint
        doc["operationId"] = name
        if operation.public:
            doc["security"] = []

    def _headers(self, doc: dict, operation: Operation) -> None:
        parameters = doc.setdefault("parameters", [])
        if operation.takes_idempotency_key:
            parameters.append("IdempotencyKey")
        if operation.needs_csrf:
            parameters.append("CsrfToken")
        if not parameters:
            del doc["parameters"]

    def _responses(self, doc: dict, operation: Operation, schemas: dict) -> None:
        responses = doc.setdefault("responses", {})
        for code in list(responses):
            if code == "default" or int(code) >= 400:
                del responses[code]
        for code, response in responses.items():
            headers = self._response_headers(operation, int(code))
            if headers:
                response.setdefault("headers", {}).update(headers)
        for status in sorted(operation.error_statuses()):
            descriptions = ERROR_DESCRIPTIONS
            if operation.takes_upload:
                descriptions = {**ERROR_DESCRIPTIONS, **UPLOAD_ERROR_DESCRIPTIONS}
            schema, more = schemas.get(status, (None, ""))
            response = {
                "description": f"{descriptions[status]} {more}".strip(),
                "content": {PROBLEM_MEDIA_TYPE: {"schema": self._problem(schema)}},
            }
            headers = self._response_headers(operation, status)
            if headers:
                response["headers"] = headers
            responses[str(status)] = response

    def _problem(self, schema: type[ma.Schema] | None) -> str:
        """The component a problem response refers to (registered on first use)."""
        if schema is None:
            return "Problem"
        name = schema.__name__.removesuffix("Schema")
        if name not in self.spec.components.schemas:
            self.spec.components.schema(name, schema=schema)
        return name

    @staticmethod
    def _response_headers(operation: Operation, status: int) -> dict:
        names: list[str] = []
        if status == 401:
            names.append("WWW-Authenticate")
        if status in (429, 503) or operation.rate_limited:
            names.append("Retry-After")
        if operation.rate_limited:
            names.extend(RATE_LIMIT_HEADERS)
        # Answers given once the key was claimed are stored and replayed: not those of
        # the checks that run before (400, 401, 413, 414, 415), nor 429 and 5xx.
        if operation.takes_idempotency_key and status < 500 and status not in NOT_REPLAYED:
            names.append("Idempotent-Replayed")
        return {name: name for name in names}

    def _mark_directions(self, doc: dict) -> None:
        """Response schemas list every field they always send as `required`."""
        for response in doc.get("responses", {}).values():
            if not isinstance(response, dict):
                continue
            for media in response.get("content", {}).values():
                self._walk(media.get("schema"), output=True)
        for media in (doc.get("requestBody") or {}).get("content", {}).values():
            self._walk(media.get("schema"), output=False)

    def _walk(self, node, *, output: bool) -> None:
        schemas = self.spec.components.schemas
        # A schema may still be given by its component name, resolved to a $ref later.
        names = {node} if isinstance(node, str) else _component_refs(node)
        for name in names:
            if name not in schemas:
                continue
            seen = self.outputs if output else self.inputs
            if name in seen:
                continue
            seen.add(name)
            component = schemas[name]
            sometimes = self._sometimes(name, component)
            if output:
                required = set(component.get("required", ()))
                always = set(component.get("properties", {})) - sometimes
                self.added_required[name] = always - required
                if always:
                    component["required"] = sorted(required | always)
            if name in self.inputs and self.added_required.get(name):
                raise SpecError(
                    f"schema {name} is both a request and a response schema, and the "
                    f"response always sends {sorted(self.added_required[name])} that a "
                    "request may leave out: give each direction its own schema"
                )
            self._walk(component, output=output)

    def _sometimes(self, name: str, component: dict) -> set[str]:
        """The fields marked as sometimes left out (the mark itself leaves the spec)."""
        if name not in self.sometimes:
            self.sometimes[name] = set()
            for field, prop in component.get("properties", {}).items():
                if isinstance(prop, dict) and prop.pop(_SOMETIMES_MARK, False):
                    self.sometimes[name].add(field)
        return self.sometimes[name]
