"""Instructions per request, counted by callgrind: the Python CPU a request costs.

    python -m benchmarks.cpu [--database-url ...] [--requests 20]

Wall-clock rates shift with whatever else the machine runs; the instructions a
request executes in the app's process do not. This seeds a small database (as
`benchmarks/run` does, 10,000 jobs by default, or reuses one seeded at that scale),
makes bearer tokens and pending milestones in-process, then runs
benchmarks/cpu_probe.py under `valgrind --tool=callgrind` twice, for the marketplace
and for the bare app (benchmarks/bare_app.py), and prints each row's instructions per
request and their ratio to the bare app's one-row read (its instructions over the
row's, as a req/s ratio would be when the CPU is what limits both). The database
server's work is not in the count, nor the WSGI server's (the same for every row).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url

from benchmarks import data, flow, main, scenario, statements
from marketplace import create_app
from marketplace.extensions import db

CPU_DIR = main.WORKDIR / "cpu"
BASELINE = "bare-orm-read"
FLOW_STEPS = ("fund", "submit", "approve")
NAMES = (
    "bare-const", BASELINE, "healthz", "healthz-bearer", "me", "jobs-page1", "job-detail",
    *FLOW_STEPS,
)  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cpu",
        description=__doc__,
        formatter_class=main._HelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=main.DEFAULT_DATABASE,
        help="postgresql://... (its public schema is wiped unless --reuse) or sqlite:///FILE",
    )
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs to seed")
    parser.add_argument("--bids", type=int, default=100_000, help="bids to seed")
    parser.add_argument("--users", type=int, default=2_500, help="a fifth of them clients")
    parser.add_argument("--requests", type=int, default=20, help="measured requests per row")
    parser.add_argument("--warm", type=int, default=5, help="requests per row before measuring")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database as seeded before at this scale"
    )
    parser.add_argument(
        "--only",
        metavar="ROWS",
        help=f"comma-separated rows to measure ({BASELINE} always runs): {', '.join(NAMES)}",
    )
    args = parser.parse_args(argv)
    args.only = {name.strip() for name in (args.only or "").split(",") if name.strip()}
    unknown = args.only - set(NAMES)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    args.database_url = main.database_url(args.database_url)
    args.scale = data.Scale(args.jobs, args.bids, args.users)
    args.sqlite_fts = "rebuild"
    try:
        args.scale.check()
    except ValueError as error:
        parser.error(str(error))
    if args.requests < 1 or args.warm < 1:
        parser.error("--requests and --warm must be positive")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is needed: apt-get install valgrind")
    return args


class InProcess:
    """`call(method, path, body=...)` through the app's test client, with a bearer token."""

    def __init__(self, app, token: str | None = None):
        self.client = app.test_client()
        self.token = token

    def call(self, method: str, path: str, *, body=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.open(path, method=method, headers=headers, json=body)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.get_json()


def token(app, email: str) -> str:
    body = {"email": email, "password": data.PASSWORD, "name": "cpu benchmark"}
    return InProcess(app).call("POST", "/api/v1/auth/tokens", body=body)["token"]


def count_step(app, method: str, path: str, token_: str, body) -> tuple[int, int]:
    """Statements and commits of one request, counted in-process."""
    with app.app_context():
        engine = db.engine
    commits: list[int] = []

    def commit(_connection):
        commits.append(1)

    event.listen(engine, "commit", commit)
    try:
        with statements.counting(engine) as sent:
            InProcess(app, token_).call(method, path, body=body)
    finally:
        event.remove(engine, "commit", commit)
    return len(sent), len(commits)


def flow_counts(app, client: str, freelancer: str) -> dict[str, tuple[int, int]]:
    """Statements and commits of each money step: a milestone's warms up, the next's count."""
    ids = flow.plan_milestones(InProcess(app, client).call, InProcess(app, freelancer).call, 2)
    tokens = {"client": client, "freelancer": freelancer}
    counted = {}
    for milestone_id in ids:
        for step, who, path, body in flow.steps(milestone_id):
            counted[step] = count_step(app, "POST", path, tokens[who], body)
    return counted


def rows(args, fact: dict, tokens: dict, milestones: list[int]) -> list[dict]:
    """Every row: its app and its requests (the first `--warm` of them uncounted)."""
    n = args.warm + args.requests

    def get(name: str, app: str, path: str, who: str | None = None) -> dict:
        request = {"method": "GET", "path": path, "token": tokens.get(who)}
        return {"name": name, "app": app, "requests": [request] * n}

    made = [
        get("bare-const", "bare", "/const"),
        get(BASELINE, "bare", "/user"),
        get("healthz", "marketplace", "/healthz"),
        get("healthz-bearer", "marketplace", "/healthz", "client"),
        get("me", "marketplace", "/api/v1/me", "freelancer"),
        get("jobs-page1", "marketplace", "/api/v1/jobs", "freelancer"),
        get("job-detail", "marketplace", f"/api/v1/jobs/{fact['detail_job']}", "freelancer"),
    ]
    by_step: dict[str, list[dict]] = {step: [] for step in FLOW_STEPS}
    for milestone_id in milestones:
        for step, who, path, body in flow.steps(milestone_id):
            request = {"method": "POST", "path": path, "token": tokens[who], "body": body}
            by_step[step].append(request)
    made += [{"name": step, "app": "marketplace", "requests": by_step[step]} for step in FLOW_STEPS]
    wanted = args.only | {BASELINE} if args.only else set(NAMES)
    return [row for row in made if row["name"] in wanted]


def callgrind(spec_path: Path, which: str, out: Path) -> None:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        "--toggle-collect=qsort*",  # qsort calls qsort_r, which runs the callback
        f"--callgrind-out-file={out}/callgrind.out.%p",
        sys.executable,
        "-m",
        "benchmarks.cpu_probe",
        str(spec_path),
        which,
    ]
    main.progress(f"callgrind: the {which} app's rows")
    finished = subprocess.run(  # noqa: S603 (our own command line)
        command, cwd=main.PROJECT_ROOT, env=os.environ, capture_output=True, text=True
    )
    if finished.returncode != 0:
        sys.exit(f"the {which} probe failed:\n{finished.stdout}{finished.stderr[-4000:]}")


def read_counts(out: Path) -> dict[str, float]:
    """Instructions per measured request of every row, from the children's profiles."""
    per_request = {}
    for record_path in out.glob("row.*.json"):
        record = json.loads(record_path.read_text())
        pid = record_path.name.split(".")[1]
        totals = 0
        for line in (out / f"callgrind.out.{pid}").read_text().splitlines():
            if line.startswith(("totals:", "summary:")):
                totals = int(line.split()[1])
                break
        per_request[record["row"]] = totals / record["requests"]
    return per_request


def table(spec_rows: list[dict], counts: dict[str, float], steps: dict) -> str:
    header = ("row", "instructions/request", "ratio to bare ORM read", "statements/commits")
    baseline = counts.get(BASELINE)
    lines = [header]
    for row in spec_rows:
        value = counts.get(row["name"])
        shown = f"{value:,.0f}" if value else "-"
        ratio = f"{baseline / value:.2f}x" if value and baseline else "-"
        step = steps.get(row["name"])
        lines.append((row["name"], shown, ratio, f"{step[0]}/{step[1]}" if step else ""))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def render(line):
        pairs = enumerate(zip(line, widths, strict=True))
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])


def main_(argv=None) -> int:
    args = parse_args(argv)
    main.WORKDIR.mkdir(parents=True, exist_ok=True)
    env = main.app_environment(args.database_url)
    # A gateway file of its own: `benchmarks/run` deletes its own when it seeds.
    env["LOCAL_GATEWAY_PATH"] = str(main.WORKDIR / "cpu_gateway.db")
    os.environ.update(env)
    app = create_app()
    main.prepare_database(args, app)
    fact = scenario.facts(app, args.scale)
    main.progress("making tokens and milestones in-process")
    client = token(app, data.email("client", 1))
    freelancer = token(app, data.email("freelancer", 0))
    tokens = {"client": client, "freelancer": freelancer}
    milestones = flow.plan_milestones(
        InProcess(app, client).call,
        InProcess(app, freelancer).call,
        args.warm + args.requests,
    )
    steps = flow_counts(app, client, freelancer)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(CPU_DIR, ignore_errors=True)
    CPU_DIR.mkdir(parents=True)
    spec_rows = rows(args, fact, tokens, milestones)
    spec_path = CPU_DIR / "spec.json"
    spec = {"out": str(CPU_DIR), "warm": args.warm, "rows": spec_rows}
    spec_path.write_text(json.dumps(spec))
    for which in ("bare", "marketplace"):
        if any(row["app"] == which for row in spec_rows):
            callgrind(spec_path, which, CPU_DIR)
    counts = read_counts(CPU_DIR)
    url = make_url(args.database_url).render_as_string(hide_password=True)
    print(f"database    {url}; scale {args.scale}")
    print(f"measured    {args.requests} requests a row after {args.warm} uncounted")
    print()
    print(table(spec_rows, counts, steps))
    missing = [row["name"] for row in spec_rows if row["name"] not in counts]
    for name in missing:
        print(f"FAILED: {name} was not measured")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main_())
