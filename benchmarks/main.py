"""Benchmark the marketplace API under gunicorn beside a bare Flask app (`benchmarks/run`).

Seeds a database (or reuses one seeded at the same scale), serves the marketplace
(`wsgi:app`) and the bare app (`benchmarks.bare_app:app`) with scripts/serve's gunicorn
configuration, loads each row with wrk and the money flow with a Python driver, counts
each row's SQL statements in-process, checks the ledger, and prints a table.
"""

import argparse
import math
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from benchmarks import bare_app, data, flow, load, report, scenario, seed, servers
from benchmarks.client import Client, UnexpectedStatus
from benchmarks.scenario import BARE_FLOW, BASELINE, FLOW, FLOW_CLIENTS, NAMES, ROWS
from marketplace import create_app
from marketplace.accounts.service import hash_password
from marketplace.config import PROJECT_ROOT, database_url

WORKDIR = PROJECT_ROOT / "instance" / "benchmark"
DEFAULT_DATABASE = f"sqlite:///{WORKDIR / 'marketplace.db'}"
PROBE_TIMEOUT = 180  # seconds one request of a row may take at all


def progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    pass


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run", description=__doc__, formatter_class=_HelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        help="postgresql://... (its public schema is wiped unless --reuse) or sqlite:///FILE",
    )
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs to seed")
    parser.add_argument("--bids", type=int, default=1_000_000, help="bids to seed")
    parser.add_argument("--users", type=int, default=25_000, help="a fifth of them clients")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; medians shown")
    parser.add_argument(
        "--milestones", type=int, default=400, help="milestones the money flow pays per run"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the database as seeded before at this scale"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="ROWS",
        help=f"comma-separated rows to run ({BASELINE} always runs): {', '.join(NAMES)}",
    )
    parser.add_argument(
        "--sqlite-fts",
        choices=("rebuild", "triggers"),
        default="rebuild",
        help="fill SQLite's search index once after the jobs (faster) or by its trigger",
    )
    args = parser.parse_args(argv)
    args.database_url = database_url(args.database_url)
    wanted = {name.strip() for item in args.only or [] for name in item.split(",") if name}
    unknown = wanted - set(NAMES)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}; rows are {', '.join(NAMES)}")
    args.rows = [row for row in ROWS if not wanted or row.name in wanted | {BASELINE}]
    args.flow = not wanted or FLOW in wanted
    args.scale = data.Scale(args.jobs, args.bids, args.users)
    try:
        args.scale.check()
    except ValueError as error:
        parser.error(str(error))
    if min(args.duration, args.connections, args.repeat, args.milestones) < 1:
        parser.error("--duration, --connections, --repeat and --milestones must be positive")
    return args


def app_environment(url: str) -> dict[str, str]:
    """The served app's environment, set as scripts/serve sets it, without rate limits."""
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    env.setdefault("SESSION_COOKIE_SECURE", "false")
    env |= {
        "DATABASE_URL": url,
        "PAYMENT_GATEWAY": "local",
        "LOCAL_GATEWAY_PATH": str(WORKDIR / "local_gateway.db"),
        # Neither rate limits nor sign-in delays may slow the load down.
        "RATELIMIT_ENABLED": "false",
    }
    return env


def prepare_database(args, app) -> seed.Timer | None:
    """Seed, or check that the database was seeded at this scale (--reuse)."""
    url = args.database_url
    if args.reuse:
        found = seed.seeded_scale(url)
        if found != args.scale:
            sys.exit(f"--reuse: the database is seeded at {found}, not {args.scale}; seed it anew")
        progress("reusing the seeded database; applying any new migrations")
        seed.migrate(url)
        return None
    progress(f"seeding {seed.dialect(url)} at {args.scale}")
    Path(app.config["LOCAL_GATEWAY_PATH"]).unlink(missing_ok=True)

    def password_hash():
        with app.app_context():
            return hash_password(data.PASSWORD)

    timer = seed.seed(url, args.scale, password_hash=password_hash, fts=args.sqlite_fts)
    progress(f"seeded in {timer.total:.1f} s")
    return timer


def probe_rows(rows, servers_by_name, paths, tokens) -> dict[str, float | None]:
    """One request per row before the load, which must answer 2xx: its seconds.

    None for a request still running after PROBE_TIMEOUT; its server is restarted then,
    so the request left running there does not slow the other rows down.
    """
    took = {}
    for row in rows:
        server = servers_by_name[row.server]
        client = Client(server.port, timeout=PROBE_TIMEOUT)
        token = tokens[row.who] if row.who else None
        began = time.perf_counter()
        try:
            client.call("GET", paths[row.name], token=token)
            took[row.name] = time.perf_counter() - began
        except UnexpectedStatus as error:
            sys.exit(f"{row.name} does not answer 2xx: {error}")
        except TimeoutError:
            took[row.name] = None
            progress(f"{row.name}: no answer in {PROBE_TIMEOUT} s; restarting its server")
            server.restart()
        finally:
            client.close()
    return took


def verify_ledger(env: dict[str, str]) -> tuple[bool, str]:
    """`flask --app wsgi marketplace verify-ledger`: passed, and what it said."""
    finished = subprocess.run(
        ["flask", "--app", "wsgi", "marketplace", "verify-ledger"],  # noqa: S607 (the venv's)
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    said = " ".join((finished.stdout + finished.stderr).split())
    return finished.returncode == 0, said


def settle(server: servers.Server, result: load.Result, duration: int) -> None:
    """Let the requests a run left running finish, so they do not slow the next row."""
    if result.timeouts or not result.requests:
        server.restart()  # they may run for long: drop them
    else:
        time.sleep(min(result.p99_ms / 1000, duration))


def flow_work(args, port: int, tokens: dict):
    """Pending milestones for each run of the money flow, and two spare ones to count."""
    if not args.flow:
        return [], None
    progress("making contracts for the money flow")
    per_pair = math.ceil(args.milestones / FLOW_CLIENTS)
    work = [
        [(pair, flow.make_milestones(port, pair, per_pair)) for pair in tokens["pairs"]]
        for _ in range(args.repeat)
    ]
    return work, flow.make_milestones(port, tokens["pairs"][0], 2)


def not_loaded(took: dict[str, float | None], duration: int) -> dict[str, str]:
    """Rows too slow to load, and why: one request alone took longer than a run."""
    skipped = {}
    for name, seconds in took.items():
        if seconds is None:
            skipped[name] = f"no answer in {PROBE_TIMEOUT} s: not loaded"
        elif seconds > duration:
            skipped[name] = f"one request took {seconds:.1f} s, more than a run: not loaded"
    return skipped


def load_rows(args, by_name, paths, tokens, skipped) -> dict[str, list[load.Result]]:
    """wrk runs: every row once, `--repeat` times over, so drifts spread over all rows."""
    results: dict[str, list[load.Result]] = {row.name: [] for row in args.rows}
    for run in range(args.repeat):
        for row in args.rows:
            if row.name in skipped:
                continue
            progress(f"run {run + 1}/{args.repeat}: {row.name}")
            result = load.run(
                by_name[row.server].url(paths[row.name]),
                duration=args.duration,
                connections=args.connections,
                headers=scenario.headers_for(row, tokens),
                timeout=args.duration,
            )
            results[row.name].append(result)
            settle(by_name[row.server], result, args.duration)
    return results


@dataclass
class Measured:
    counts: dict[str, str]
    results: dict[str, list[load.Result]]
    skipped: dict[str, str]  # rows not loaded, and why
    flow_results: list[flow.FlowResult]
    bare_flow_results: list[flow.FlowResult]  # the bare app's, with the same statements
    ledger: tuple[bool, str]
    load_average: tuple[float, float]  # the machine's, before and after


def measure(args, app, env, fact, paths) -> Measured:
    """Serve both apps and measure every row, then the money flow, then check the ledger."""
    log_dir = WORKDIR / "logs"
    log_dir.mkdir(exist_ok=True)
    market = servers.Server("marketplace", "wsgi:app", env, log_dir, "/healthz")
    bare = servers.Server("bare", "benchmarks.bare_app:app", env, log_dir, "/const")
    by_name = {"marketplace": market, "bare": bare}
    load_before = os.getloadavg()[0]
    if args.flow:
        bare_app.create_flow_rows(args.database_url, FLOW_CLIENTS)
    bare_flow_results = []
    try:
        progress("starting the servers")
        market.start()
        bare.start()
        progress("creating bearer tokens through POST /api/v1/auth/tokens")
        tokens = scenario.make_tokens(market.port, fact)
        work, spare = flow_work(args, market.port, tokens)
        progress("one request per row")
        took = probe_rows(args.rows, by_name, paths, tokens)
        skipped = not_loaded(took, args.duration)
        progress("counting statements per request in-process")
        countable = [row for row in args.rows if took[row.name] is not None]
        counts = scenario.count_statements(app, countable, paths, tokens, spare)
        results = load_rows(args, by_name, paths, tokens, skipped)
        flow_results = []
        for run, pairs in enumerate(work):
            progress(f"run {run + 1}/{args.repeat}: {FLOW}")
            flow_results.append(flow.run(market.port, pairs))
        if args.flow:
            steps_of = flow.bare_steps(scenario.step_counts(counts))
            per_pair = math.ceil(args.milestones / FLOW_CLIENTS)
            for run in range(args.repeat):
                progress(f"run {run + 1}/{args.repeat}: {BARE_FLOW}")
                # Each worker writes its own row, as each pair pays its own milestones.
                work = [(flow.Pair("", ""), [i + 1] * per_pair) for i in range(FLOW_CLIENTS)]
                bare_flow_results.append(flow.run(bare.port, work, steps_of))
    finally:
        market.stop()
        bare.stop()
    ledger = verify_ledger(env) if args.flow else (True, "not run (no money flow)")
    load_average = (load_before, os.getloadavg()[0])
    return Measured(counts, results, skipped, flow_results, bare_flow_results, ledger, load_average)


def main(argv=None) -> int:
    args = parse_args(argv)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = app_environment(args.database_url)
    os.environ.update(env)
    app = create_app()
    timer = prepare_database(args, app)
    fact = scenario.facts(app, args.scale) | scenario.search_counts(app)
    paths = {row.name: row.path.format(**fact) for row in args.rows}
    measured = measure(args, app, env, fact, paths)
    settings = servers.settings(env)
    print(
        report.environment(report.describe(args, fact, env, timer, settings, measured.load_average))
    )
    print()
    failures = report.results(args, measured, fact)
    ledger_ok, ledger_said = measured.ledger
    print(f"verify-ledger: {ledger_said}")
    if not ledger_ok:
        failures.append("verify-ledger failed")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
