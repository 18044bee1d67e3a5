"""HTTP endpoints of escrow and money."""

import io

from flask import Response, current_app, redirect, request, stream_with_context
from flask_login import current_user
from marshmallow import ValidationError as MarshmallowError

from marketplace import payout_countries
from marketplace.accounts.auth import allow_suspended, public, roles
from marketplace.accounts.models import Role
from marketplace.contracts.schemas import MilestoneSchema
from marketplace.deliveries import service as deliveries
from marketplace.deliveries.schemas import (
    DEFAULT_RECORDS_PAGE,
    DeliveredRecordSchema,
    DeliveryProblemSchema,
    DeliveryUploadSchema,
    RecordsQueryArgsSchema,
)
from marketplace.errors import PayloadTooLarge, ValidationFailed
from marketplace.extensions import Blueprint
from marketplace.inputs import (
    json_body,
    streams_array,
    takes_upload,
    too_large_detail,
    upload_limit,
)
from marketplace.milestones import service
from marketplace.pagination import page_response, page_schema
from marketplace.payments import schemas, statements
from marketplace.spec import problem_schema
from marketplace.transactions import writes

MULTIPART = "multipart/form-data"

blp = Blueprint("payments", __name__, url_prefix="/api/v1", description="Escrow and money")


@blp.post("/milestones/<id:milestone_id>/fund")
@blp.arguments(schemas.FundSchema, required=False)
@blp.response(200, MilestoneSchema)
def fund(data, milestone_id):
    """Put a milestone's money in escrow (the client)."""
    return service.fund_milestone(current_user, milestone_id, data["payment_method"])


@blp.post("/milestones/<id:milestone_id>/cancel-funding")
@blp.response(200, MilestoneSchema)
def cancel_funding(milestone_id):
    """Give up a funding attempt: its payment is cancelled, the milestone pending (the client)."""
    return service.cancel_funding(current_user, milestone_id)


@blp.post("/milestones/<id:milestone_id>/cancel")
@blp.response(200, MilestoneSchema)
@blp.doc(tags=["contracts"])
def cancel_milestone(milestone_id):
    """Cancel a milestone that is not funded yet (the client)."""
    return service.cancel_milestone(current_user, milestone_id)


@blp.post("/milestones/<id:milestone_id>/submit")
@blp.arguments(schemas.SubmitSchema)
@blp.response(200, MilestoneSchema)
@problem_schema(
    422,
    DeliveryProblemSchema,
    "A delivery of records that failed its check, or whose accuracy on the job's gold "
    "records is under the contract's `min_accuracy`, is `/problems/delivery-refused`, with "
    "the check's `report` (its `gold`, for the freelancer, the accuracy alone): nothing "
    "was stored and the milestone is unchanged. Records missing on a job with a record "
    "schema, or sent on a job without one, are a plain 422 on `records`.",
)
@blp.doc(requestBody={"content": {MULTIPART: {"schema": DeliveryUploadSchema}}})
@takes_upload
@streams_array("records")
def submit(data, milestone_id):
    """Deliver the work of a funded milestone (the freelancer): records, checked, on a job
    with a record schema, as JSON or as a CSV or XLSX file (multipart)."""
    if request.mimetype == MULTIPART:
        data = _upload_fields()
        delivery = deliveries.file_delivery(request.files["file"])
    elif data.get("records") is not None:
        delivery = deliveries.json_delivery(data["records"], json_body())
    else:
        delivery = None
    return service.submit_milestone(current_user, milestone_id, data.get("note"), delivery)


def _upload_fields() -> dict:
    """The parts of a multipart delivery, as the JSON one's fields: a `file`, a `note`."""
    unknown = (set(request.form) - {"note"}) | (set(request.files) - {"file"})
    errors: dict = {name: ["Unknown field."] for name in sorted(unknown)}
    for name in ("file", "note"):
        if len(request.files.getlist(name)) + len(request.form.getlist(name)) > 1:
            errors[name] = ["Sent more than once."]
    if "file" not in request.files:
        errors["file"] = ["A CSV or XLSX file of the records is required."]
    if "\x00" in request.form.get("note", ""):
        # No database text holds a NUL; a JSON body is refused for one before its view.
        errors["note"] = ["Text must not contain NUL characters."]
    if errors:
        raise ValidationFailed(errors)
    upload = request.files["file"]
    upload.stream.seek(0, io.SEEK_END)
    if upload.stream.tell() > upload_limit():
        raise PayloadTooLarge(too_large_detail())
    upload.stream.seek(0)
    try:
        return schemas.SubmitSchema().load(
            {"note": request.form["note"]} if "note" in request.form else {}
        )
    except MarshmallowError as invalid:
        raise ValidationFailed(invalid.messages_dict) from None


@blp.get("/milestones/<id:milestone_id>/records")
@blp.arguments(RecordsQueryArgsSchema, location="query")
@blp.response(
    200,
    page_schema(DeliveredRecordSchema),
    description="The records.",
)
@blp.alt_response(
    200,
    schema={"type": "string"},
    content_type="text/csv",
    description="`format=json`: a page of records in row order (`limit` 1 to 1,000, default "
    "100). `format=csv` (the default): every record as CSV (`text/csv`, as an attachment), "
    "header in schema order, values written canonically (ISO dates, `120.5`); a `string` "
    "cell, or a field name in the header, starting with `=`, `+`, `-`, `@`, tab or carriage "
    "return is prefixed with `'` so that spreadsheets do not run it.",
)
@blp.doc(tags=["contracts"])
def milestone_records(args, milestone_id):
    """The records of the milestone's latest delivery, as CSV or JSON (its parties, admins)."""
    descriptor, submission_id = service.milestone_records(current_user, milestone_id)
    if args["format"] == "json":
        page = deliveries.records_page(
            descriptor,
            submission_id,
            limit=args["limit"] or DEFAULT_RECORDS_PAGE,
            cursor=args["cursor"],
        )
        return page_response(page)
    if args["limit"] is not None or args["cursor"] is not None:
        raise ValidationFailed(
            {
                name: ["Only with format=json."]
                for name in ("limit", "cursor")
                if args[name] is not None
            }
        )
    name = f"milestone-{milestone_id}-records.csv"
    return Response(
        stream_with_context(deliveries.records_csv(descriptor, submission_id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.post("/milestones/<id:milestone_id>/approve")
@blp.arguments(schemas.ApproveSchema, required=False)
@blp.response(200, MilestoneSchema)
def approve(data, milestone_id):
    """Accept a delivery: the money is released to the freelancer less the fee (the client).

    With `rejected_rows`, the accepted rows' share is released and the rejected rows'
    held: per record, `unit_price` for each accepted row, the rejected rows' held and the
    capacity not delivered refunded at once; at a fixed price, the accepted rows' share of
    the amount (rounded half up) released and the rest held. Nothing held: `approved`;
    else `partially_approved`."""
    return service.approve_milestone(current_user, milestone_id, data["rejected_rows"])


@blp.post("/milestones/<id:milestone_id>/accept-rejection")
@blp.response(200, MilestoneSchema)
def accept_rejection(milestone_id):
    """Accept the client's rejection of rows (the freelancer): the held money is refunded
    to the client and the milestone is `approved`."""
    return service.accept_rejection(current_user, milestone_id)


@blp.post("/milestones/<id:milestone_id>/request-changes")
@blp.arguments(schemas.RequestChangesSchema)
@blp.response(200, MilestoneSchema)
def request_changes(data, milestone_id):
    """Send a delivery back (the client)."""
    return service.request_changes(current_user, milestone_id, data["reason"])


@blp.post("/milestones/<id:milestone_id>/refund")
@blp.response(200, MilestoneSchema)
def refund(milestone_id):
    """Give the client all of the milestone's money back (the freelancer)."""
    return service.refund_milestone(current_user, milestone_id)


@blp.get("/me/balance")
@blp.response(200, schemas.BalancesSchema)
@allow_suspended
def balance():
    """The caller's money per currency, computed from the ledger."""
    return statements.balance(current_user)


@blp.get("/me/transactions")
@blp.arguments(schemas.TransactionQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.TransactionSchema))
@allow_suspended
def transactions(args):
    """The caller's own ledger lines, newest first."""
    return statements.transactions(current_user, **args)


@blp.post("/me/payout-account")
@blp.response(200, schemas.PayoutAccountSchema)
@roles(Role.FREELANCER)
def payout_account():
    """Set up where the freelancer's money goes (Stripe: a Connect account and its link)."""
    return service.set_up_payout_account(current_user)


@blp.get("/payout-account/onboarding")
@blp.arguments(schemas.OnboardingRefreshArgsSchema, location="query")
@blp.doc(
    responses={
        "303": {
            "description": "To a fresh onboarding link at the provider (or, when nothing is "
            "left to do there, to the marketplace's return page).",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
    }
)
@public
@writes  # it may find the account disconnected, and say so
def refresh_onboarding(args):
    """Where the provider sends a freelancer whose onboarding link expired (its
    refresh_url): mint a fresh link and redirect to it."""
    return redirect(service.refresh_onboarding(args["token"]), 303)


@blp.get("/payout-countries")
@blp.response(200, schemas.PayoutCountriesSchema)
@public
def list_payout_countries():
    """Where freelancers can be paid out with the configured gateway (PAYOUT_COUNTRIES)."""
    return payout_countries.listing(current_app.config)
