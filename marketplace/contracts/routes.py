"""HTTP endpoints of contracts and milestones, and accepting the bid that makes a contract."""

from flask_login import current_user

from marketplace.contracts import schemas, service
from marketplace.extensions import Blueprint
from marketplace.pagination import PageArgsSchema, page_schema

blp = Blueprint("contracts", __name__, url_prefix="/api/v1", description="Contracts and milestones")


# Accepting is something done to a bid, so the spec files it under bids; it lives here
# because it makes the contract, and bids sits below contracts.
@blp.post("/bids/<id:bid_id>/accept", tags=["bids"])
@blp.response(201, schemas.ContractSchema)
def accept_bid(bid_id):
    """Accept a pending bid: creates the contract, declines the job's other bids."""
    return service.accept_bid(current_user, bid_id)


@blp.get("/contracts")
@blp.arguments(schemas.ContractQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.ContractSchema))
def list_contracts(args):
    """The caller's contracts (all, for admins)."""
    return service.list_contracts(current_user, **args)


@blp.get("/contracts/<id:contract_id>")
@blp.response(200, schemas.ContractSchema)
def get_contract(contract_id):
    """One contract (its parties, admins)."""
    return service.get_contract(current_user, contract_id)


@blp.post("/contracts/<id:contract_id>/milestones")
@blp.arguments(schemas.MilestoneCreateSchema)
@blp.response(201, schemas.MilestoneSchema)
def add_milestone(data, contract_id):
    """Add a milestone to an active contract (its client)."""
    return service.add_milestone(current_user, contract_id, data)


@blp.post("/contracts/<id:contract_id>/complete")
@blp.response(200, schemas.ContractSchema)
def complete_contract(contract_id):
    """Complete a contract whose milestones are all settled (its client)."""
    return service.complete_contract(current_user, contract_id)


@blp.post("/contracts/<id:contract_id>/cancel")
@blp.response(200, schemas.ContractSchema)
def cancel_contract(contract_id):
    """Cancel a contract while no milestone holds money (either party)."""
    return service.cancel_contract(current_user, contract_id)


@blp.get("/contracts/<id:contract_id>/messages")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(schemas.MessageSchema))
def list_messages(args, contract_id):
    """The contract's messages, oldest first."""
    return service.list_messages(current_user, contract_id, **args)


@blp.post("/contracts/<id:contract_id>/messages")
@blp.arguments(schemas.MessageCreateSchema)
@blp.response(201, schemas.MessageSchema)
def post_message(data, contract_id):
    """Write a message on the contract (parties, admins)."""
    return service.post_message(current_user, contract_id, data["body"])
