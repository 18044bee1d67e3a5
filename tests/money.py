"""Helpers for money tests: contracts with funded milestones, balances, the ledger check."""

import pytest

from marketplace.extensions import db
from marketplace.payments.gateway import ProviderUnavailable
from marketplace.payments.keys import ProviderKey, namespace
from marketplace.payments.ledger import verify_ledger
from tests.work import make_contract


def contract_with(client, freelancer, *amounts: int) -> dict:
    """An active contract with one pending milestone per amount, in USD."""
    plan = [{"title": f"Batch {n + 1}", "amount": a} for n, a in enumerate(amounts)]
    return make_contract(client, freelancer, amount=sum(amounts), milestones=plan)


def fund(client, milestone_id: int, method: str = "pm_card_visa", **kwargs):
    return client.post(
        f"/milestones/{milestone_id}/fund", json={"payment_method": method}, **kwargs
    )


def expect_ok(response) -> dict:
    assert response.status_code in (200, 201), (response.status_code, response.json)
    return response.json


def pay(client, freelancer, milestone_id: int) -> dict:
    """Fund, deliver and approve a milestone: its money is released to the freelancer."""
    expect_ok(fund(client, milestone_id))
    expect_ok(freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "Done."}))
    return expect_ok(client.post(f"/milestones/{milestone_id}/approve"))


def paid_contract(client, freelancer, *amounts: int) -> dict:
    """A completed contract whose milestones were all paid (the kind that may be reviewed)."""
    contract = contract_with(client, freelancer, *(amounts or (10_000,)))
    for milestone in contract["milestones"]:
        pay(client, freelancer, milestone["id"])
    return expect_ok(client.post(f"/contracts/{contract['id']}/complete"))


def balance(user, currency: str = "USD") -> dict:
    rows = {b["currency"]: b for b in user.get("/me/balance").json["balances"]}
    empty = dict.fromkeys(("in_escrow", "pending_payout", "paid_out", "refunded", "fees"), 0)
    return {k: v for k, v in rows.get(currency, empty).items() if k != "currency"}


def provider_key(app, what: str, ids: str, refusals: int = 0, **params) -> str:
    """The idempotency key the app sends for this call (payments/keys.py)."""
    with app.app_context():
        return ProviderKey(what, ids, params).render(refusals)


def key_parts(app, key: str) -> tuple[str, str, str]:
    """(what, ids, digest) of one of this installation's keys."""
    with app.app_context():
        own = namespace()
    prefix, what, ids, digest = key.split(":")
    assert prefix == own, (key, own)
    assert len(digest) == 24
    return what, ids, digest


def assert_ledger_ok(app, *, reconciled: bool = True) -> dict:
    """The ledger's own checks pass, and (unless a provider call is known to be in
    flight, or money was moved outside the marketplace) it agrees with the provider."""
    from marketplace.payments.gateway import get_gateway
    from marketplace.payments.reconcile import reconcile

    with app.app_context():
        result = verify_ledger()
        against_provider = reconcile(get_gateway()) if reconciled else {"ok": True}
        db.session.rollback()
    assert result["ok"], result["problems"]
    assert against_provider["ok"], against_provider["differences"]
    return result


class FailingGateway:
    """Wraps the real gateway and fails one call on demand, before or after it acts.

    "before": the call never reaches the provider. "after": the provider acts, then the
    answer is lost (a timeout), which is what makes idempotency keys necessary.
    """

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.plan: dict[str, str] = {}

    def fail(self, method: str, when: str) -> None:
        assert when in ("before", "after")
        self.plan[method] = when

    def __getattr__(self, method):
        real = getattr(self.inner, method)
        if not callable(real):
            return real  # a setting, such as key_lifetime

        def call(*args, **kwargs):
            when = self.plan.pop(method, None)
            if when == "before":
                raise ProviderUnavailable(f"{method}: connection refused")
            result = real(*args, **kwargs)
            if when == "after":
                raise ProviderUnavailable(f"{method}: timed out")
            return result

        return call


@pytest.fixture
def failing_gateway(app):
    from marketplace.payments.gateway import get_gateway

    with app.app_context():
        real = get_gateway()
    wrapper = FailingGateway(real)
    app.extensions["payment_gateway"] = wrapper
    yield wrapper
    app.extensions["payment_gateway"] = real
