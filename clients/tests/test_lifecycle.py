"""A whole marketplace lifecycle through the generated client (clients/python/), over HTTP.

register -> token -> job -> bid -> accept -> fund -> submit -> approve -> balances -> payout
"""

import secrets
from datetime import UTC, datetime

# The operations the lifecycle runs, by the module names the generator gives them: the
# spec's operationIds in snake case. A renamed operation is renamed here too.
from marketplace_client import AuthenticatedClient, Client
from marketplace_client.api.accounts import create_token, register
from marketplace_client.api.bids import accept_bid, place_bid
from marketplace_client.api.jobs import post_job
from marketplace_client.api.payments import (
    approve_milestone,
    fund_milestone,
    get_balance,
    set_up_payout_account,
    submit_milestone,
)
from marketplace_client.models import BidCreate, Fund, JobCreate, Register, Submit, TokenCreate

PASSWORD = "correct horse battery"
CURRENCY = "USD"
AMOUNT = 12_345  # 123.45 USD: the 10 % fee, 1234.5, rounds half up to 1235


def expect(response, status: int):
    """The typed body of an answer that has the expected status; anything else fails loudly."""
    assert response.status_code == status, (
        f"expected {status}, got {int(response.status_code)}: {response.content.decode()}"
    )
    return response.parsed


def sign_up(base_url: str, role: str, name: str, country: str) -> AuthenticatedClient:
    """A new account of that role, and a client acting with a bearer token of its own."""
    anonymous = Client(base_url=base_url)
    email = f"{role}-{secrets.token_hex(6)}@lifecycle.test"
    body = Register(email=email, password=PASSWORD, role=role, name=name, country=country)
    user = expect(register.sync_detailed(client=anonymous, body=body), 201)
    assert (user.email, user.role) == (email, role)
    token_body = TokenCreate(email=email, password=PASSWORD, name="lifecycle test")
    token = expect(create_token.sync_detailed(client=anonymous, body=token_body), 201)
    assert token.token
    return AuthenticatedClient(base_url=base_url, token=token.token)


def balance_in(api: AuthenticatedClient, currency: str):
    """The caller's balance in one currency, read from the ledger."""
    balances = expect(get_balance.sync_detailed(client=api), 200).balances
    [balance] = [b for b in balances if b.currency == currency]
    return balance


def test_a_job_is_paid_from_posting_to_payout(server):
    company = sign_up(server["url"], "client", "Acme Forms", "US")
    freelancer = sign_up(server["url"], "freelancer", "Rosa Keys", "PH")

    job_body = JobCreate(
        title="Type up 200 scanned invoices",
        description="Key each invoice's number, date and total into the sheet provided.",
        skills=["data entry", "invoices"],
        budget=15_000,
        currency=CURRENCY,
    )
    job = expect(post_job.sync_detailed(client=company, body=job_body), 201)
    assert job.status == "open"

    bid_body = BidCreate(
        amount=AMOUNT, currency=CURRENCY, delivery_days=5, cover_letter="Done within the week."
    )
    bid = expect(place_bid.sync_detailed(client=freelancer, job_id=job.id, body=bid_body), 201)
    assert bid.status == "pending"

    contract = expect(accept_bid.sync_detailed(client=company, bid_id=bid.id), 201)
    assert (contract.status, contract.amount, contract.currency) == ("active", AMOUNT, CURRENCY)
    if server["defaults"]:
        assert contract.fee_bps == 1000  # PLATFORM_FEE_BPS's default
    [milestone] = contract.milestones
    assert (milestone.status, milestone.amount) == ("pending", AMOUNT)

    funded = expect(
        fund_milestone.sync_detailed(
            client=company, milestone_id=milestone.id, body=Fund(payment_method="pm_card_visa")
        ),
        200,
    )
    assert funded.status == "funded"
    assert balance_in(company, CURRENCY).in_escrow == AMOUNT
    assert balance_in(freelancer, CURRENCY).in_escrow == AMOUNT

    delivery = Submit(note="All 200 invoices keyed in, sheet attached.")
    submitted = expect(
        submit_milestone.sync_detailed(client=freelancer, milestone_id=milestone.id, body=delivery),
        200,
    )
    assert submitted.status == "submitted"
    assert submitted.auto_release_at > datetime.now(UTC)
    assert [s.note for s in submitted.submissions] == [delivery.note]

    approval = approve_milestone.sync_detailed(client=company, milestone_id=milestone.id)
    approved = expect(approval, 200)
    assert approved.status == "approved"

    # fee = amount x fee_bps / 10000, rounded half up to the minor unit
    fee = (AMOUNT * contract.fee_bps + 5_000) // 10_000
    earned = balance_in(freelancer, CURRENCY)
    assert (earned.in_escrow, earned.pending_payout, earned.fees, earned.paid_out) == (
        0,
        AMOUNT - fee,
        fee,
        0,
    )
    spent = balance_in(company, CURRENCY)
    assert (spent.in_escrow, spent.refunded) == (0, 0)

    payouts = expect(set_up_payout_account.sync_detailed(client=freelancer), 200)
    assert payouts.payouts_enabled is True
    paid = balance_in(freelancer, CURRENCY)
    assert (paid.pending_payout, paid.paid_out, paid.fees) == (0, AMOUNT - fee, fee)
