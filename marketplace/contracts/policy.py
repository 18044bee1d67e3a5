"""Who may see and act on a contract: its two parties, and admins to read."""

from marketplace.accounts.models import User
from marketplace.contracts.models import Contract


def can_view_contract(user: User, contract: Contract) -> bool:
    return user.is_admin or contract.party_role(user.id) is not None
