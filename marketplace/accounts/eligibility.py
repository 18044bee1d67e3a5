"""Who can be paid out: the one rule behind `payout_eligible` on profiles."""

from marketplace.accounts.models import Role, User


def payout_eligible(user: User) -> bool | None:
    """Whether the gateway can pay this freelancer out; None for clients and admins."""
    if user.role != Role.FREELANCER:
        return None
    return pays_out_to(user.country)


def pays_out_to(_country: str) -> bool:
    """Whether freelancers who live in this country can be paid out."""
    # The local gateway pays everywhere, and the Stripe gateway does not limit countries
    # yet: a PAYOUT_COUNTRIES setting, when it comes, is checked here.
    return True
