"""What is measured: the rows, and what they need from the seeded data.

Each row is one GET, to the marketplace or the bare app, anonymous or with the bearer
token of the hot job's client or of a freelancer. The facts (the hot job, the deep
page's cursor, how many jobs the searches match) are read in-process with the app's
own models; tokens come from POST /api/v1/auth/tokens; statements are counted
in-process (benchmarks/statements.py).
"""

import math
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import func, select

from benchmarks import data, flow, statements
from benchmarks.client import Client
from marketplace.accounts.models import User
from marketplace.bids.models import Bid
from marketplace.extensions import db
from marketplace.jobs import search
from marketplace.jobs.models import Job
from marketplace.jobs.service import ORDERS
from marketplace.pagination import encode_cursor

FLOW_CLIENTS = 8
PAGE_SIZE = 20
DEEP_PAGE = 1000


@dataclass(frozen=True)
class Row:
    name: str
    server: str  # "bare" or "marketplace"
    path: str  # may name a fact: {hot_job}, {detail_job}, {deep_cursor}
    who: str | None = None  # whose bearer token: "client" (the hot job's) or "freelancer"


# GET /jobs and /jobs/{id} are for signed-in callers (API.md): freelancers browse them.
ROWS = (
    Row("bare-const", "bare", "/const"),
    Row("bare-orm-read", "bare", "/user"),
    Row("healthz", "marketplace", "/healthz"),
    Row("healthz-bearer", "marketplace", "/healthz", "client"),
    Row("me", "marketplace", "/api/v1/me", "freelancer"),
    Row("jobs-page1", "marketplace", "/api/v1/jobs", "freelancer"),
    Row("jobs-deep-page", "marketplace", "/api/v1/jobs?cursor={deep_cursor}", "freelancer"),
    Row(
        "search-common",
        "marketplace",
        "/api/v1/jobs?q=" + urllib.parse.quote(data.COMMON_QUERY),
        "freelancer",
    ),
    Row("search-rare", "marketplace", f"/api/v1/jobs?q={data.RARE_WORD}", "freelancer"),
    Row("job-detail", "marketplace", "/api/v1/jobs/{detail_job}", "freelancer"),
    Row("hot-job-bids", "marketplace", "/api/v1/jobs/{hot_job}/bids", "client"),
)
FLOW = "money-flow"
# A bare app's requests with the money flow's statements and commits (benchmarks/bare_app.py).
BARE_FLOW = "bare-money-flow"
BASELINE = "bare-orm-read"
NAMES = [row.name for row in ROWS] + [FLOW]


def facts(app, scale: data.Scale) -> dict:
    """What the rows need from the data: the hot job and its client, the deep page's cursor."""
    with app.app_context():
        hot = db.session.get(Job, scale.hot_job)
        hot_bids = db.session.scalar(select(func.count()).where(Bid.job_id == hot.id))
        open_jobs = select(Job).where(Job.status == "open")
        opened = db.session.scalar(select(func.count()).select_from(open_jobs.subquery()))
        page = min(DEEP_PAGE, opened // PAGE_SIZE)
        keys = ORDERS["newest"]
        before = db.session.scalars(
            open_jobs.order_by(*(k.order_by for k in keys))
            .offset((page - 1) * PAGE_SIZE - 1)
            .limit(1)
        ).one()
        found = {
            "hot_job": hot.id,
            "hot_bids": hot_bids,
            "hot_client": db.session.get(User, hot.client_id).email,
            "detail_job": scale.jobs // 2,
            "deep_page": page,
            "deep_cursor": encode_cursor(keys, before),
            "open_jobs": opened,
        }
        db.session.rollback()
    return found


def search_counts(app) -> dict:
    with app.app_context():
        name = db.engine.dialect.name
        found = {}
        for key, query in (("common_matches", data.COMMON_QUERY), ("rare_matches", data.RARE_WORD)):
            condition = search.match(db.session, query)
            found[key] = db.session.scalar(
                select(func.count()).select_from(Job).where(Job.status == "open", condition)
            )
        version = ".".join(str(part) for part in db.engine.dialect.server_version_info or ())
        found["database"] = f"{'PostgreSQL' if name == 'postgresql' else 'SQLite'} {version}"
        db.session.rollback()
    return found


def make_tokens(port: int, fact: dict) -> dict:
    """Bearer tokens through POST /api/v1/auth/tokens, as a client app gets them.

    The hot job's client's, and a client's and a freelancer's for each money-flow
    pair (the first pair's freelancer is the freelancer of the rows). Asked for a few
    at a time: each checks an argon2 password hash.
    """

    def token(email: str) -> str:
        client = Client(port)
        try:
            body = {"email": email, "password": data.PASSWORD, "name": "benchmark"}
            return client.call("POST", "/api/v1/auth/tokens", body=body)["token"]
        finally:
            client.close()

    clients = [data.email("client", n) for n in range(FLOW_CLIENTS + 1)]
    clients = [e for e in clients if e != fact["hot_client"]][:FLOW_CLIENTS]
    freelancers = [data.email("freelancer", n) for n in range(FLOW_CLIENTS)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        hot_client, *made = pool.map(token, [fact["hot_client"], *clients, *freelancers])
    pairs = [flow.Pair(c, f) for c, f in zip(made[:FLOW_CLIENTS], made[FLOW_CLIENTS:], strict=True)]
    return {"client": hot_client, "freelancer": pairs[0].freelancer, "pairs": pairs}


def headers_for(row: Row, tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[row.who]}"} if row.who else {}


def count_statements(app, rows, paths, tokens, flow_milestones) -> dict[str, str]:
    """Statements per request of every row, in-process (see benchmarks/statements.py)."""
    with app.app_context():
        engine = db.engine
    statements.count(app, engine, "GET", "/healthz")  # the app's first request, uncounted
    counts = {}
    for row in rows:
        path = paths[row.name]
        if row.server == "bare":
            counts[row.name] = str(statements.count_bare(path))
        else:
            token = tokens[row.who] if row.who else None
            n = statements.count(app, engine, "GET", path, token=token, warm=False)
            counts[row.name] = str(n)
    if flow_milestones:
        pair = tokens["pairs"][0]
        per_step = {}
        # The first milestone's steps warm up, the second's are counted.
        for milestone_id, counted in zip(flow_milestones, (False, True), strict=True):
            for step, who, path, body in flow.steps(milestone_id):
                token = pair.client if who == "client" else pair.freelancer
                n, commits = statements.count_with_commits(
                    app, engine, "POST", path, token=token, body=body, warm=False
                )
                if counted:
                    per_step[step] = str(n)
                    per_step[f"{step} commits"] = str(commits)
        counts[FLOW] = "/".join(per_step[s] for s in flow.STEPS)
        counts[BARE_FLOW] = counts[FLOW]
        counts.update(per_step)
    with app.app_context():
        db.session.remove()
    return counts


def step_counts(counts: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each money step's statements and commits, as count_statements counted them."""
    return {step: (int(counts[step]), int(counts[f"{step} commits"])) for step in flow.STEPS}


def flow_per_run(milestones: int) -> int:
    """Milestones the money flow pays in a run: the same number for every client."""
    return math.ceil(milestones / FLOW_CLIENTS) * FLOW_CLIENTS
