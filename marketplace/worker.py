"""The worker: sends webhooks and runs the timed chores, until it is told to stop.

Several may run at once, on several hosts: fan-out takes a row lock, deliveries are
taken with FOR UPDATE SKIP LOCKED and held for a lease, and the chores are safe to run
concurrently (as from cron). SIGTERM stops it after the delivery in hand; deliveries it
took and did not start are let go for another worker at once.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from marketplace.database import utcnow
from marketplace.events import webhooks
from marketplace.extensions import db

log = logging.getLogger(__name__)


def _release_due() -> None:
    from marketplace.milestones.service import release_due

    release_due()


def _recover_operations() -> None:
    from marketplace.milestones.engine import recover_pending

    recover_pending()


def _purge_expired() -> None:
    from marketplace import idempotency
    from marketplace.accounts.service import purge_expired_sessions
    from marketplace.events.service import purge_expired
    from marketplace.files.sweep import sweep_files

    idempotency.purge_expired()
    purge_expired_sessions()
    purge_expired(current_app.config["EVENT_RETENTION_DAYS"])
    sweep_files(timedelta(minutes=current_app.config["FILE_SWEEP_GRACE_MINUTES"]), dry_run=False)


# What the worker runs besides webhooks, and how often.
CHORES: dict[str, tuple[timedelta, Callable[[], None]]] = {
    "release-due": (timedelta(minutes=1), _release_due),
    "recover-operations": (timedelta(minutes=5), _recover_operations),
    "purge-expired": (timedelta(hours=24), _purge_expired),
}


@dataclass
class Worker:
    clock: Callable[[], datetime] = utcnow
    stop: threading.Event = field(default_factory=threading.Event)
    batch: int = 20
    last_run: dict[str, datetime] = field(default_factory=dict)

    def run(self, poll_seconds: float = 1.0) -> None:
        """Work until stopped, waiting `poll_seconds` whenever nothing was due."""
        while not self.stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                # The database went away, say: wait and try again rather than exit.
                db.session.rollback()
                log.exception("a round of the worker failed; trying again")
                busy = False
            if not busy:
                self.stop.wait(poll_seconds)

    def run_once(self) -> bool:
        """One round: chores that are due, fan-out, and the deliveries due now. Whether
        there was anything to send."""
        self.run_chores()
        now = self.clock()
        try:
            webhooks.fan_out(now)
        except Exception:
            db.session.rollback()
            log.exception("fan-out failed; trying again next round")
        taken = webhooks.claim_due(now, self.batch)
        for n, delivery_id in enumerate(taken):
            if self.stop.is_set():
                webhooks.release(taken[n:])
                break
            try:
                webhooks.send(delivery_id, self.clock())
            except Exception:
                db.session.rollback()
                log.exception(
                    "delivery %s failed; its lease runs out and it is tried again", delivery_id
                )
        return bool(taken)

    def run_chores(self) -> None:
        now = self.clock()
        for name, (every, chore) in CHORES.items():
            last = self.last_run.get(name)
            if last is not None and now - last < every:
                continue
            self.last_run[name] = now
            try:
                chore()
            except Exception:
                db.session.rollback()
                log.exception("%s failed; it runs again in %s", name, every)
