"""The printed result: the environment, then a plain table, then notes under it."""

import math
import os
import platform
from datetime import UTC, datetime
from importlib.metadata import version

from sqlalchemy.engine import make_url

from benchmarks import data, flow, load
from benchmarks.scenario import BARE_FLOW, BASELINE, FLOW, FLOW_CLIENTS, flow_per_run

HEADER = ("row", "req/s", "p50 ms", "p99 ms", "ratio to bare ORM read", "statements")


def table(rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, ` | ` between them; numbers right-aligned."""
    lines = [list(HEADER), *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def render(line):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])


def number(value: float, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def ratio(value: float, baseline: float | None) -> str:
    if not baseline or value is None or math.isnan(value):
        return "-"
    return f"{value / baseline:.2f}x"


def environment(items: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in items)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in items)


def describe(args, fact, env, timer, settings, load_average) -> list[tuple[str, str]]:
    """The environment, as name and value lines."""
    scale = args.scale
    url = make_url(args.database_url).render_as_string(hide_password=True)
    flow_line = ""
    if args.flow:
        flow_line = (
            f"; money flow: {FLOW_CLIENTS} clients, {flow_per_run(args.milestones):,}"
            " milestones a run"
        )
    items = [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("database", f"{fact['database']} at {url}"),
        (
            "scale",
            f"{scale.users:,} users ({scale.clients:,} clients), {scale.jobs:,} jobs"
            f" ({fact['open_jobs']:,} open), {scale.bids:,} bids; hot job {fact['hot_job']}"
            f" with {fact['hot_bids']:,} bids",
        ),
        (
            "search",
            f"{data.COMMON_QUERY!r} matches {fact['common_matches']:,} open jobs"
            f" ({fact['common_matches'] / fact['open_jobs']:.0%}),"
            f" {data.RARE_WORD!r} {fact['rare_matches']}",
        ),
        (
            "server",
            f"gunicorn {version('gunicorn')} with scripts/gunicorn.conf.py:"
            f" {settings['workers']} worker(s), {settings['worker_class']},"
            f" {settings['threads']} thread(s); access log on (to instance/benchmark/logs/)",
        ),
        (
            "app settings",
            "RATELIMIT_ENABLED=false (no rate limits, no sign-in delays),"
            f" PAYMENT_GATEWAY=local, SESSION_COOKIE_SECURE={env['SESSION_COOKIE_SECURE']},"
            f" PASSWORD_HASH_PROFILE={env.get('PASSWORD_HASH_PROFILE', 'RFC_9106_LOW_MEMORY')}",
        ),
        (
            "load",
            f"{load.version()}: {min(load.THREADS, args.connections)} threads,"
            f" {args.connections} connections, {args.duration} s a run, median of"
            f" {args.repeat} run(s){flow_line}",
        ),
        (
            "statements",
            "one request's, counted in-process (SQLite's BEGIN included; the local"
            " gateway's own database not)",
        ),
        (
            "machine",
            f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()};"
            f" load average {load_average[0]:.1f} before, {load_average[1]:.1f} after",
        ),
    ]
    if timer is not None:
        phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in timer.phases.items())
        items.append(("seeding", f"{timer.total:.1f} s ({phases})"))
    else:
        items.append(("seeding", "reused (--reuse)"))
    return items


def results(args, measured, fact) -> list[str]:
    """The table and the lines under it; returns what failed."""
    counts, flow_results = measured.counts, measured.flow_results
    medians = {name: load.median(runs) for name, runs in measured.results.items() if runs}
    baseline = medians[BASELINE].requests_per_second
    lines, failures, notes = [], [], []
    for row in args.rows:
        if row.name in measured.skipped:
            lines.append([row.name, "-", "-", "-", "-", counts.get(row.name, "-")])
            notes.append(f"{row.name}: {measured.skipped[row.name]}")
            continue
        m = medians[row.name]
        lines.append(
            [
                row.name,
                number(m.requests_per_second),
                number(m.p50_ms, 2),
                number(m.p99_ms, 2),
                ratio(m.requests_per_second, baseline),
                counts[row.name],
            ]
        )
        if m.non_2xx:
            failures.append(f"{row.name}: {m.non_2xx} non-2xx answers of {m.requests}")
        if m.socket_errors:
            notes.append(f"{row.name}: socket errors {m.socket_errors}")
    if flow_results:
        summary = flow.median(flow_results)
        p50, p99 = summary["all"]
        rate = summary["requests_per_second"]
        lines.append(
            [
                f"{FLOW} (all steps)",
                number(rate),
                number(p50, 2),
                number(p99, 2),
                ratio(rate, baseline),
                counts[FLOW],
            ]
        )
        for step in flow.STEPS:
            p50, p99 = summary["steps"][step]
            lines.append([f"  {step}", "", number(p50, 2), number(p99, 2), "", counts[step]])
        notes.append(
            f"{FLOW}: {summary['milestones_per_second']:.1f} milestones/s (fund -> submit ->"
            f" approve, {FLOW_CLIENTS} clients, {flow_per_run(args.milestones):,} milestones a run)"
        )
        failures += [f"{FLOW}: {error}" for error in summary["errors"][:5]]
    if measured.bare_flow_results:
        summary = flow.median(measured.bare_flow_results)
        p50, p99 = summary["all"]
        rate = summary["requests_per_second"]
        lines.append(
            [
                f"{BARE_FLOW} (all steps)",
                number(rate),
                number(p50, 2),
                number(p99, 2),
                ratio(rate, baseline),
                counts[BARE_FLOW],
            ]
        )
        notes.append(
            f"{BARE_FLOW}: {summary['milestones_per_second']:.1f} milestones/s (a bare Flask"
            f" app sending each step's statements in as many durable commits: "
            + ", ".join(f"{s} {counts[s]}/{counts[s + ' commits']}" for s in flow.STEPS)
            + " statements/commits)"
        )
        failures += [f"{BARE_FLOW}: {error}" for error in summary["errors"][:5]]
    print(table(lines))
    print()
    if "jobs-deep-page" in medians and "jobs-page1" in medians:
        deep, first = medians["jobs-deep-page"], medians["jobs-page1"]
        notes.append(
            f"deep page (page {fact['deep_page']}) / page 1: req/s"
            f" {ratio(deep.requests_per_second, first.requests_per_second)},"
            f" p50 {ratio(deep.p50_ms, first.p50_ms)}"
        )
    for note in notes:
        print(note)
    return failures
