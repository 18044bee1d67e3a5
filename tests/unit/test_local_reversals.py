"""The local gateway reverses transfers as Stripe does: idempotently, never beyond them."""

import pytest

from marketplace.payments.gateway import (
    PayoutAccountRequest,
    ProviderRefused,
    ReversalRequest,
    TransferRequest,
)
from marketplace.payments.local_gateway import LocalGateway


@pytest.fixture
def transfer(tmp_path):
    gateway = LocalGateway(tmp_path / "gateway.db")
    account = gateway.create_payout_account(PayoutAccountRequest(1, "f@example.test", "NG", "a1"))
    sent = gateway.transfer(
        TransferRequest(9000, "USD", account.account_id, None, "milestone-1", "t1")
    )
    return gateway, sent.transfer_id


def test_a_reversal_takes_back_part_of_a_transfer_once_per_key(transfer):
    gateway, transfer_id = transfer
    assert gateway.reversible(transfer_id) == 9000

    first = gateway.reverse_transfer(ReversalRequest(transfer_id, 4000, "r1"))
    again = gateway.reverse_transfer(ReversalRequest(transfer_id, 4000, "r1"))

    assert again == first
    assert gateway.reversible(transfer_id) == 5000
    with pytest.raises(ProviderRefused) as refused:
        gateway.reverse_transfer(ReversalRequest(transfer_id, 6000, "r2"))
    assert refused.value.code == "balance_insufficient"
    assert gateway.reversible(transfer_id) == 5000


def test_cards_charged_locally_are_never_disputed(transfer):
    gateway, _ = transfer
    with pytest.raises(ProviderRefused) as missing:
        gateway.retrieve_dispute("dp_1")
    assert missing.value.code == "resource_missing"
