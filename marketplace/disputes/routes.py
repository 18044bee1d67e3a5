"""HTTP endpoints of disputes."""

from flask_login import current_user

from marketplace.accounts.auth import roles
from marketplace.accounts.models import Role
from marketplace.disputes import schemas, service
from marketplace.extensions import Blueprint
from marketplace.pagination import page_schema

blp = Blueprint("disputes", __name__, url_prefix="/api/v1", description="Disputes")


@blp.post("/milestones/<id:milestone_id>/disputes")
@blp.arguments(schemas.DisputeCreateSchema)
@blp.response(201, schemas.DisputeSchema)
def open_dispute(data, milestone_id):
    """Open a dispute on a milestone holding money (either party): its money is frozen.

    On a `partially_approved` milestone only the freelancer may (the client is refused
    with a 403): the dispute is of the rejected rows, and only the held money is frozen."""
    return service.open_dispute(current_user, milestone_id, data["reason"])


@blp.get("/disputes")
@blp.arguments(schemas.DisputeQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.DisputeSchema))
def list_disputes(args):
    """Parties: their disputes, newest first. Admins: all, oldest first."""
    return service.list_disputes(current_user, **args)


@blp.get("/disputes/<id:dispute_id>")
@blp.response(200, schemas.DisputeSchema)
def get_dispute(dispute_id):
    """One dispute, with its messages and resolution."""
    return service.get_dispute(current_user, dispute_id)


@blp.post("/disputes/<id:dispute_id>/messages")
@blp.arguments(schemas.DisputeMessageCreateSchema)
@blp.response(201, schemas.DisputeMessageSchema)
def add_message(data, dispute_id):
    """Add evidence or discussion (parties, admins)."""
    return service.add_message(current_user, dispute_id, data["body"])


@blp.post("/disputes/<id:dispute_id>/resolve")
@blp.arguments(schemas.ResolveSchema)
@blp.response(200, schemas.DisputeSchema)
@roles(Role.ADMIN)
def resolve(data, dispute_id):
    """Split the milestone's money between the parties (admins only).

    `freelancer_amount` is at most the money the dispute is about: the milestone's
    amount, or its `held` money when the dispute was opened from `partially_approved`;
    less what a refund made outside the marketplace took."""
    return service.resolve(current_user, dispute_id, data["freelancer_amount"], data["note"])
