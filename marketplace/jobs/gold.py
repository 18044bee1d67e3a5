"""Use cases of a job's gold records: its client replaces them, its client and admins
read them. To anyone else they do not exist (404), so a freelancer cannot even learn
whether a job has any."""

from collections.abc import Callable, Iterator

from flask import current_app

from marketplace.accounts.models import Role, User
from marketplace.deliveries import gold, reading
from marketplace.deliveries.record_schema import field_names
from marketplace.errors import Forbidden, GoldRefused, NotFound
from marketplace.extensions import db
from marketplace.jobs.models import Job
from marketplace.jobs.service import get_job_row

# The same answer for every job, whether it has gold records or not.
NOT_SHOWN = "Not found."


def _readable(user: User, job: Job) -> None:
    if job.client_id != user.id and user.role != Role.ADMIN:
        raise NotFound(NOT_SHOWN)


def replace_gold(user: User, job_id: int, table: Callable[[list[str]], reading.Table]) -> dict:
    """Make the records `table` reads (given the schema's field names) the job's gold set,
    if they pass the checks a delivery passes; the set before them goes. Its client only.

    The job's row is locked: a delivery being checked holds it too (milestones' submit),
    so that it is compared with one gold set from its first row to its last.
    """
    job = get_job_row(job_id, lock=True)
    _readable(user, job)
    if job.client_id != user.id:
        raise Forbidden("Only the job's client may replace its gold records.")
    descriptor = job.record_schema
    refused = gold.gold_problem(descriptor)
    if refused is not None:
        raise GoldRefused(refused)
    assert descriptor is not None
    names = field_names(descriptor)
    checked = gold.replace_gold(
        descriptor,
        job.id,
        lambda: table(names),
        max_records=current_app.config["MAX_RECORDS_PER_DELIVERY"],
    )
    if not checked.passed:
        count = checked.error_count
        raise GoldRefused(
            f"The gold records have {count} error{'s' if count != 1 else ''}: see `report`. "
            "The job's gold set is unchanged.",
            report=checked.report(),
        )
    db.session.commit()
    return {"rows": checked.rows, "fields": len(names)}


def read_gold(user: User, job_id: int) -> Iterator[str]:
    """The job's gold records as JSON, in the order they were sent (its client, admins)."""
    job = get_job_row(job_id)
    _readable(user, job)
    return gold.gold_json(job.record_schema, job.id)
