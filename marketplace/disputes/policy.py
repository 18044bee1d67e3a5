"""Who may see a dispute: the contract's parties and admins. Only admins resolve."""

from marketplace.accounts.models import User
from marketplace.contracts.models import Contract


def can_view_dispute(user: User, contract: Contract) -> bool:
    return user.is_admin or contract.party_role(user.id) is not None
