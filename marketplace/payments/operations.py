"""What a user hears when the payment provider refused a call: a clear 4xx.

A refusal is a definite no: the provider did not act, nothing moved, and the
movement is settled as failed at once (milestones/engine.py). The next call of its
kind on the milestone is a new movement with a new key.
"""

from marketplace.errors import (
    DomainError,
    PaymentAmountRefused,
    PaymentDeclined,
    PaymentRefused,
    ValidationFailed,
)
from marketplace.payments.gateway import (
    AmountRefused,
    CardDeclined,
    DestinationRefused,
    ProviderRefused,
    UnknownPaymentMethod,
)

# What each kind of call does, for the people who hear it was refused.
WHAT = {
    "charge": "the payment",
    "refund": "the refund to the client",
    "transfer": "the transfer to the freelancer's payout account",
    "payout_account": "the request about the freelancer's payout account",
}


def refused_problem(
    refusal: ProviderRefused, kind: str, *, after: tuple[str, ...] = ()
) -> DomainError:
    """The answer to a request whose provider call (of this kind) was refused.

    `after`: the kinds of the calls the same action made before, which did go through.
    """
    if isinstance(refusal, CardDeclined):
        return PaymentDeclined(f"The payment was declined ({refusal.code}).")
    if isinstance(refusal, UnknownPaymentMethod):
        return ValidationFailed({"payment_method": ["Unknown payment method."]})
    detail = (
        f"The payment provider refused {WHAT.get(kind, 'the request')}: "
        f"{refusal.message.rstrip('.')} ({refusal.code})."
    )
    if after:
        done = " and ".join(WHAT.get(k, k) for k in after)
        detail += (
            f" Before it, {done} went through and is booked; the rest of the milestone's "
            "money stays in escrow until this same request is repeated."
        )
    else:
        detail += " Nothing was moved and nothing changed here."
    if isinstance(refusal, AmountRefused):
        return PaymentAmountRefused(detail)
    if isinstance(refusal, DestinationRefused):
        detail += (
            " The freelancer's payout account cannot receive money now; try again once it "
            "can (POST /me/payout-account gives the freelancer a link to finish it)."
        )
    return PaymentRefused(detail)
