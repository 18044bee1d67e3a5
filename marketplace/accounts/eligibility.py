"""Who can be paid out: the one rule behind `payout_eligible` on profiles."""

from flask import current_app

from marketplace.accounts.models import Role, User
from marketplace.payout_countries import payout_countries


def payout_eligible(user: User) -> bool | None:
    """Whether the gateway can pay this freelancer out; None for clients and admins."""
    if user.role != Role.FREELANCER:
        return None
    return pays_out_to(user.country)


def pays_out_to(country: str) -> bool:
    """Whether freelancers who live in this country can be paid out: it is one of
    PAYOUT_COUNTRIES (by default Stripe's list for the platform's country with Stripe,
    every country with the local gateway)."""
    countries = payout_countries(current_app.config)
    return countries is None or country in countries
