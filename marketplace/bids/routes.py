"""HTTP endpoints of bids."""

from flask_login import current_user

from marketplace.accounts.auth import roles
from marketplace.accounts.models import Role
from marketplace.bids import schemas, service
from marketplace.extensions import Blueprint
from marketplace.pagination import page_schema

blp = Blueprint("bids", __name__, url_prefix="/api/v1", description="Bids freelancers place")


@blp.post("/jobs/<id:job_id>/bids")
@blp.arguments(schemas.BidCreateSchema)
@blp.response(201, schemas.BidSchema)
@roles(Role.FREELANCER)
def place_bid(data, job_id):
    """Bid on an open job (freelancers only)."""
    return service.place_bid(current_user, job_id, data)


@blp.get("/jobs/<id:job_id>/bids")
@blp.arguments(schemas.BidQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.BidSchema))
def list_job_bids(args, job_id):
    """A job's bids: all for its client, only their own for a freelancer."""
    return service.list_job_bids(current_user, job_id, **args)


@blp.get("/bids")
@blp.arguments(schemas.BidQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.BidSchema))
@roles(Role.FREELANCER)
def list_my_bids(args):
    """The calling freelancer's own bids."""
    return service.list_my_bids(current_user, **args)


@blp.get("/bids/<id:bid_id>")
@blp.response(200, schemas.BidSchema)
def get_bid(bid_id):
    """One bid (its bidder, the job's client, admins)."""
    return service.get_bid(current_user, bid_id)[0]


@blp.patch("/bids/<id:bid_id>")
@blp.arguments(schemas.BidUpdateSchema)
@blp.response(200, schemas.BidSchema)
def update_bid(changes, bid_id):
    """Change a pending bid (its bidder only)."""
    return service.update_bid(current_user, bid_id, changes)


@blp.post("/bids/<id:bid_id>/withdraw")
@blp.response(200, schemas.BidSchema)
def withdraw_bid(bid_id):
    """Withdraw a pending bid."""
    return service.withdraw_bid(current_user, bid_id)


@blp.post("/bids/<id:bid_id>/decline")
@blp.response(200, schemas.BidSchema)
def decline_bid(bid_id):
    """Decline a pending bid on your job."""
    return service.decline_bid(current_user, bid_id)
