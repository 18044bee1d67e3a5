"""The local gateway's store keeps its calls across a crash of the process that made them."""

import multiprocessing
import os

from marketplace.payments.gateway import ChargeRequest
from marketplace.payments.local_gateway import LocalGateway


def _charge_and_die(path: str) -> None:
    gateway = LocalGateway(path)
    gateway.charge(
        ChargeRequest(5_000, "USD", "k1", 7, "milestone-7", payment_method="pm_card_visa")
    )
    os._exit(9)  # no clean shutdown: nothing closes the store or checkpoints its log


def test_a_call_is_kept_when_its_process_dies_right_after(tmp_path):
    path = str(tmp_path / "gateway.db")
    LocalGateway(path)  # the store exists before the child opens it
    child = multiprocessing.get_context("spawn").Process(target=_charge_and_die, args=(path,))
    child.start()
    child.join(60)
    assert child.exitcode == 9

    charges = LocalGateway(path).records("charge")

    assert [(c["amount"], c["metadata"]["milestone_id"]) for c in charges] == [(5_000, "7")]


def test_its_store_logs_ahead_and_commits_without_waiting_for_the_disk(tmp_path):
    gateway = LocalGateway(tmp_path / "gateway.db")
    with gateway.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
