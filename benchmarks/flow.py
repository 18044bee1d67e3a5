"""The money flow: clients fund milestones, freelancers submit them, clients approve.

Contracts are made beforehand through the API, so only the three money steps are
timed. Each pair of client and freelancer is one thread with its own keep-alive
connection, working through its own milestones one after another.
"""

import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.client import Client

STEPS = ("fund", "submit", "approve")
PLAN_MAX = 50  # milestones one bid may propose
MILESTONE_AMOUNT = 10_000


@dataclass(frozen=True)
class Pair:
    """Bearer tokens of a client and a freelancer who work together."""

    client: str
    freelancer: str


def make_milestones(port: int, pair: Pair, count: int) -> list[int]:
    """`count` pending milestones on new contracts between the pair, made through the API."""
    client, freelancer = Client(port, pair.client), Client(port, pair.freelancer)
    try:
        return plan_milestones(client.call, freelancer.call, count)
    finally:
        client.close()
        freelancer.close()


def plan_milestones(client: Callable, freelancer: Callable, count: int) -> list[int]:
    """`count` pending milestones through two callers' `call(method, path, body=...)`."""
    ids: list[int] = []
    while len(ids) < count:
        n = min(PLAN_MAX, count - len(ids))
        amount = n * MILESTONE_AMOUNT
        job = client(
            "POST",
            "/api/v1/jobs",
            body={
                "title": f"Key in {n} batches of warehouse delivery notes",
                "description": "Each batch is checked and paid on its own.",
                "skills": ["data entry"],
                "budget": amount,
                "currency": "USD",
            },
        )
        plan = [{"title": f"Batch {i + 1}", "amount": MILESTONE_AMOUNT} for i in range(n)]
        bid = freelancer(
            "POST",
            f"/api/v1/jobs/{job['id']}/bids",
            body={
                "amount": amount,
                "currency": "USD",
                "delivery_days": 7,
                "cover_letter": "I deliver each batch the day after it is funded.",
                "milestones": plan,
            },
        )
        contract = client("POST", f"/api/v1/bids/{bid['id']}/accept")
        ids += [m["id"] for m in contract["milestones"]]
    return ids


def steps(milestone_id: int) -> list[tuple[str, str, str, dict | None]]:
    """(step, who, path, body) of one milestone's way from pending to approved."""
    base = f"/api/v1/milestones/{milestone_id}"
    return [
        ("fund", "client", f"{base}/fund", {"payment_method": "pm_card_visa"}),
        ("submit", "freelancer", f"{base}/submit", {"note": "All records typed and checked."}),
        ("approve", "client", f"{base}/approve", None),
    ]


def bare_steps(counts: dict[str, tuple[int, int]]) -> Callable:
    """The bare app's steps (benchmarks/bare_app.py `POST /flow`): each as many statements
    and commits as the marketplace's (`counts`); `row` is the worker's own row."""

    def steps_of(row: int) -> list[tuple[str, str, str, dict | None]]:
        return [
            (step, "client", f"/flow?statements={s}&commits={c}&row={row}", None)
            for step, (s, c) in ((step, counts[step]) for step in STEPS)
        ]

    return steps_of


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100); NaN of nothing."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class FlowResult:
    milestones: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, per step
    errors: list[str] = field(default_factory=list)

    @property
    def milestones_per_second(self) -> float:
        return self.milestones / self.seconds

    def p(self, step: str, q: float) -> float:
        return percentile(self.latencies[step], q)


def run(port: int, work: list[tuple[Pair, list[int]]], steps_of: Callable = steps) -> FlowResult:
    """Every pair's milestones funded, submitted and approved, the pairs concurrently.

    `steps_of` gives the requests of one milestone (`bare_steps` the bare app's).
    """
    latencies: dict[str, list[float]] = {step: [] for step in STEPS}
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(work) + 1)

    def worker(pair: Pair, milestone_ids: list[int]) -> None:
        connection = Client(port)
        tokens = {"client": pair.client, "freelancer": pair.freelancer}
        start.wait()
        try:
            for milestone_id in milestone_ids:
                for step, who, path, body in steps_of(milestone_id):
                    began = time.perf_counter()
                    status, answer = connection.request("POST", path, token=tokens[who], body=body)
                    took = (time.perf_counter() - began) * 1000
                    with lock:
                        latencies[step].append(took)
                        if status != 200:
                            errors.append(f"{step} {milestone_id}: {status} {answer}")
                    if status != 200:
                        break
                else:
                    with lock:
                        done[0] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in work]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return FlowResult(done[0], time.perf_counter() - began, latencies, errors)


def median(results: list[FlowResult]) -> dict:
    """Milestones a second and each step's p50 and p99: medians over the runs."""
    return {
        "milestones_per_second": statistics.median(r.milestones_per_second for r in results),
        "requests_per_second": statistics.median(3 * r.milestones_per_second for r in results),
        "steps": {
            step: (
                statistics.median(r.p(step, 50) for r in results),
                statistics.median(r.p(step, 99) for r in results),
            )
            for step in STEPS
        },
        "all": (
            statistics.median(
                percentile([v for s in STEPS for v in r.latencies[s]], 50) for r in results
            ),
            statistics.median(
                percentile([v for s in STEPS for v in r.latencies[s]], 99) for r in results
            ),
        ),
        "errors": [e for r in results for e in r.errors],
    }
