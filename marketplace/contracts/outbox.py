"""The events of contracts, their milestones and messages, each shaped for its recipient.

A milestone's events follow its status: whichever action moves it (a request, the
worker's release-due, a provider's webhook, a dispute's ruling), the move itself
writes the event, with the milestone as GET /contracts/{id} shows it to each party.
"""

from sqlalchemy import event, select
from sqlalchemy.orm import joinedload

from marketplace.contracts.models import Contract, ContractMessage, Milestone
from marketplace.contracts.schemas import ContractSchema, MessageSchema, MilestoneSchema
from marketplace.deliveries.schemas import reading_as
from marketplace.events import service as events
from marketplace.extensions import db
from marketplace.states import MilestoneStatus as M

# Holding money before: a cancellation then gave it back (a refund).
_HELD = frozenset({M.FUNDED, M.SUBMITTED, M.CHANGES_REQUESTED})

_MILESTONE_EVENTS = {
    M.FUNDED: "milestone.funded",
    M.SUBMITTED: "milestone.submitted",
    M.CHANGES_REQUESTED: "milestone.changes_requested",
    M.APPROVED: "milestone.approved",
    M.PARTIALLY_APPROVED: "milestone.partially_approved",
    M.RESOLVED: "milestone.resolved",
}


def contract_parties(contract_id: int) -> dict[int, str]:
    contract = db.session.get_one(Contract, contract_id)
    return {contract.client_id: "client", contract.freelancer_id: "freelancer"}


def _contract(contract_id: int) -> Contract:
    # Read again after the transaction's changes are flushed: its milestones may have
    # changed since the contract was loaded.
    stmt = (
        select(Contract)
        .options(joinedload(Contract.client), joinedload(Contract.freelancer))
        .where(Contract.id == contract_id)
    )
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def contract_event(type: str, contract_id: int) -> None:
    """Tell both parties (and admins) that the contract changed."""

    loaded: list[Contract] = []

    def shape(role: str) -> dict:
        loaded[:] = loaded or [_contract(contract_id)]
        with reading_as(role):
            return ContractSchema().dump(loaded[0])

    events.emit(type, lambda: contract_parties(contract_id), shape, by_role=True)


def message_event(message: ContractMessage) -> None:
    """Tell both parties of a contract (and admins) of a new message."""
    contract_id = message.contract_id

    def shape(_role: str) -> dict:
        loaded = db.session.scalars(
            select(ContractMessage)
            .options(joinedload(ContractMessage.author))
            .where(ContractMessage.id == message.id)
        ).one()
        return MessageSchema().dump(loaded)

    events.emit("message.created", lambda: contract_parties(contract_id), shape)


def milestone_event(type: str, milestone: Milestone) -> None:
    # The milestone as this transaction left it: its actions keep its loaded submissions
    # up to date (a delivery is appended to them), so nothing needs reading again.
    def shape(role: str) -> dict:
        with reading_as(role):
            return MilestoneSchema().dump(milestone)

    events.emit(type, lambda: contract_parties(milestone.contract_id), shape, by_role=True)


@event.listens_for(Milestone.status, "set", active_history=True)
def _status_changed(milestone: Milestone, value, oldvalue, _initiator) -> None:
    if value == oldvalue:
        return
    if value == M.CANCELLED and oldvalue in _HELD:
        milestone_event("milestone.refunded", milestone)
    elif value in _MILESTONE_EVENTS:
        milestone_event(_MILESTONE_EVENTS[M(value)], milestone)
