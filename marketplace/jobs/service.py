"""Use cases of jobs: post, find, edit, close."""

import json
from functools import cache

from blinker import Namespace
from flask import current_app
from sqlalchemy import ColumnElement, Select, bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg
from sqlalchemy.orm import joinedload, with_expression

from marketplace.accounts.models import Role, User
from marketplace.deliveries import gold
from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.jobs import search
from marketplace.jobs.models import Job, JobSkill
from marketplace.jobs.schemas import job_item
from marketplace.lookup import one_or_404
from marketplace.money import payable_errors
from marketplace.pagination import (
    Page,
    SortKey,
    bound_page,
    page_of,
    page_params,
    paginate_bound_rows,
    paginate_rows,
)
from marketplace.states import JOB, JobAction, JobStatus, next_status

ORDERS = {
    "newest": (SortKey(Job.created_at), SortKey(Job.id)),
    "budget_desc": (SortKey(Job.budget), SortKey(Job.created_at), SortKey(Job.id)),
}

# Bids sit above jobs, so jobs never touches them: it announces what is happening to a
# job, inside the caller's transaction and with the job's row locked (the lock order
# everywhere: the job first), and bids answers in that same transaction.
signals = Namespace()
job_closing = signals.signal(
    "job-closing", doc="A job (the sender: its id) is closing: its pending bids are declined."
)
job_currency_changing = signals.signal(
    "job-currency-changing",
    doc="A job (the sender: its id) is changing currency: a receiver may refuse with Conflict.",
)

job_schema_changing = signals.signal(
    "job-schema-changing",
    doc="A job (the sender: its id) is changing its record schema: a receiver may refuse "
    "with Conflict.",
)

# How many bids a job has, as its JSON shows: bids registers the expression when imported.
_read_expressions: dict[str, ColumnElement[int]] = {}


def register_bid_count(expression: ColumnElement[int]) -> None:
    """Give the count of a job's bids: a scalar subquery correlated to Job."""
    _read_expressions["bid_count"] = expression


def _bid_count() -> ColumnElement[int]:
    try:
        return _read_expressions["bid_count"]
    except KeyError:
        raise RuntimeError("No bid count is registered: import marketplace.bids.service") from None


def jobs_query() -> Select:
    """Jobs with what their JSON shows, in one query plus one for skills."""
    return select(Job).options(joinedload(Job.client), with_expression(Job.bid_count, _bid_count()))


def get_job(job_id: int, *, lock: bool = False) -> Job:
    """A job by id; with `lock`, its row stays locked until the transaction ends."""
    return one_or_404(jobs_query().where(Job.id == job_id), Job, lock=lock, what="job")


def job_json(job_id: int) -> dict:
    """A job's JSON (GET /jobs/{id}) as its list shows it, by the list's one statement.

    A plain row read by a statement made once: no ORM entity, its skills loaded by a
    second query, nor marshmallow dumping it (see schemas.job_item).
    """
    dialect = db.session.get_bind().dialect.name
    row = db.session.execute(_one_listed(dialect), {"job_id": job_id}).first()
    if row is None:
        raise NotFound("No such job.")
    return job_item(row, _pg_skills(row) if dialect == "postgresql" else _sqlite_skills(row))


@cache
def _one_listed(dialect: str) -> Select:
    return _listing(dialect).where(Job.id == bindparam("job_id"))


def get_job_row(job_id: int, *, lock: bool = False) -> Job:
    """A job's own row, without what only its JSON shows (client, bid count)."""
    return one_or_404(select(Job).where(Job.id == job_id), Job, lock=lock, what="job")


def _check_currency(currency: str) -> None:
    """Only a currency the platform's payment gateway takes (422 otherwise)."""
    errors = payable_errors(current_app.config, currency, {})
    if errors:
        raise ValidationFailed(errors)


def post_job(user: User, data: dict) -> Job:
    """Post a new open job (clients only)."""
    if user.role != Role.CLIENT:
        raise Forbidden("Only clients post jobs.")
    _check_currency(data["currency"])
    job = Job(client_id=user.id, status=JobStatus.OPEN, **data)
    db.session.add(job)
    db.session.commit()
    return get_job(job.id)


def _skills_column(dialect: str) -> ColumnElement:
    """A job's skills in one column of the list statement, in the order JobSchema shows them."""
    of_job = JobSkill.job_id == Job.id
    if dialect == "postgresql":
        skills = array_agg(aggregate_order_by(JobSkill.skill, JobSkill.skill.asc()))
    else:
        # SQLite gives an aggregate no order of its own: _sqlite_skills sorts them (by
        # code point, as SQLite's BINARY collation orders them).
        skills = func.json_group_array(JobSkill.skill)
    return select(skills).where(of_job).correlate(Job).scalar_subquery()


def _pg_skills(row) -> list[str]:
    return row._mapping["skills"] or []


def _sqlite_skills(row) -> list[str]:
    return sorted(json.loads(row._mapping["skills"]))


@cache
def _listing(dialect: str) -> Select:
    """Jobs as their list shows them: one row each, with client, skills and bid count.

    Plain columns, not ORM entities: a list only reads, and building a hundred
    objects per page cost more than the query itself. Made once per dialect (a
    statement is immutable: each request's filters make a new one from it).
    """
    return select(
        Job.id,
        Job.title,
        Job.description,
        _skills_column(dialect).label("skills"),
        Job.budget,
        Job.currency,
        Job.status,
        User.id.label("client_id"),
        User.name.label("client_name"),
        User.country.label("client_country"),
        _bid_count().label("bid_count"),
        Job.deadline,
        Job.record_schema,
        Job.min_accuracy_bps,
        Job.created_at,
    ).join(User, User.id == Job.client_id)


def list_jobs(args: dict) -> Page:
    """Jobs matching the filters, a page at a time, as JSON (see schemas.job_item)."""
    if not args.get("q") and args.get("sort") != "relevance":
        return _filtered(args)
    conditions = [Job.status == args["status"]]
    if args.get("currency"):
        conditions.append(Job.currency == args["currency"])
    if args.get("min_budget") is not None:
        conditions.append(Job.budget >= args["min_budget"])
    if args.get("max_budget") is not None:
        conditions.append(Job.budget <= args["max_budget"])
    if args.get("client_id") is not None:
        conditions.append(Job.client_id == args["client_id"])
    if args.get("skill"):
        conditions.append(
            exists().where(JobSkill.job_id == Job.id, JobSkill.skill.in_(args["skill"]))
        )
    q = args.get("q")
    sort = args.get("sort") or ("relevance" if q else "newest")
    dialect = db.session.get_bind().dialect.name
    listing = _listing(dialect)
    if sort == "relevance":
        if not q:
            raise ValidationFailed({"sort": ["Sorting by relevance needs a search query q."]})
        limit = current_app.config["SEARCH_RANK_CANDIDATES"]
        ranked = search.ranked(dialect, q, conditions, limit)
        by_rank = (SortKey(ranked.c.rank, python_type=float), SortKey(ranked.c.id))
        page = page_of(ranked, by_rank, limit=args["limit"], cursor=args.get("cursor"))
        stmt = listing.join(page, page.c.id == Job.id).add_columns(page.c.rank.label("rank"))
        order: tuple[SortKey, ...] = (
            SortKey(page.c.rank, attribute="rank", python_type=float),
            SortKey(Job.id),
        )
    else:
        stmt = listing.where(*conditions)
        if q:
            stmt = stmt.where(search.match(db.session, q))
        order = ORDERS[sort]
    skills = _pg_skills if dialect == "postgresql" else _sqlite_skills

    def item(row) -> dict:
        return job_item(row, skills(row))

    return paginate_rows(
        db.session, stmt, order, item, limit=args["limit"], cursor=args.get("cursor")
    )


# The filters of a list without search, each bound as a parameter of its name.
_FILTERS = {
    "currency": lambda: Job.currency == bindparam("currency"),
    "min_budget": lambda: Job.budget >= bindparam("min_budget"),
    "max_budget": lambda: Job.budget <= bindparam("max_budget"),
    "client_id": lambda: Job.client_id == bindparam("client_id"),
    "skill": lambda: exists().where(
        JobSkill.job_id == Job.id, JobSkill.skill.in_(bindparam("skill", expanding=True))
    ),
}


def _filtered(args: dict) -> Page:
    """A list without search: its statement is made once for each set of filters."""
    given = tuple(name for name in _FILTERS if args.get(name) not in (None, "", []))
    sort = args.get("sort") or "newest"
    dialect = db.session.get_bind().dialect.name
    cursor = args.get("cursor")
    stmt = _filtered_statement(dialect, sort, given, bool(cursor))
    order = ORDERS[sort]
    params = {"status": args["status"], **{name: args[name] for name in given}}
    params |= page_params(order, limit=args["limit"], cursor=cursor)
    skills = _pg_skills if dialect == "postgresql" else _sqlite_skills

    def item(row) -> dict:
        return job_item(row, skills(row))

    return paginate_bound_rows(db.session, stmt, params, order, item, limit=args["limit"])


@cache
def _filtered_statement(dialect: str, sort: str, given: tuple[str, ...], cursor: bool) -> Select:
    conditions = [Job.status == bindparam("status"), *(_FILTERS[name]() for name in given)]
    return bound_page(_listing(dialect).where(*conditions), ORDERS[sort], cursor=cursor)


def _own_job(user: User, job_id: int) -> Job:
    """The job, locked, if the user is its client."""
    job = get_job_row(job_id, lock=True)
    if job.client_id != user.id:
        raise Forbidden("Only the job's client may change it.")
    return job


def update_job(user: User, job_id: int, changes: dict) -> Job:
    """Edit a job while it is open."""
    job = _own_job(user, job_id)
    next_status(JOB, job.status, JobAction.EDIT, "job")
    if changes.get("currency", job.currency) != job.currency:
        _check_currency(changes["currency"])
        job_currency_changing.send(job.id)
    if "record_schema" in changes:
        # The same schema again is no change, so a client may send the whole job back.
        record_schema = changes.pop("record_schema")
        if record_schema != job.record_schema:
            job_schema_changing.send(job.id)
            change_record_schema(job, record_schema)
    for field, value in changes.items():
        setattr(job, field, value)
    db.session.commit()
    return get_job(job.id)


def change_record_schema(job: Job, record_schema: dict | None) -> None:
    """Give a job a new record schema (or none), in the caller's transaction.

    The one place a job's schema changes: whatever was checked against the old one goes
    with it, which is the job's gold records (deliveries cannot exist yet: a schema is
    fixed once anyone has bid).
    """
    job.record_schema = record_schema
    gold.clear_gold(job.id)


def close_job(user: User, job_id: int) -> Job:
    """Close an open job; its pending bids are declined."""
    job = _own_job(user, job_id)
    job.status = next_status(JOB, job.status, JobAction.CLOSE, "job")
    job_closing.send(job.id)
    db.session.commit()
    return get_job(job.id)


def close_open_jobs_of(client_id: int) -> int:
    """Close every open job of a client (in the caller's transaction); returns how many."""
    open_jobs = db.session.scalars(
        select(Job.id)
        .where(Job.client_id == client_id, Job.status == JobStatus.OPEN)
        .with_for_update()
    ).all()
    for job_id in open_jobs:
        job_closing.send(job_id)
    if open_jobs:
        closed = next_status(JOB, JobStatus.OPEN, JobAction.CLOSE, "job")
        db.session.execute(update(Job).where(Job.id.in_(open_jobs)).values(status=closed))
    return len(open_jobs)
