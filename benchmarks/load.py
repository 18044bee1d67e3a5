"""Load from wrk: one fixed-duration run per call, its output parsed."""

import math
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass

THREADS = 2
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)


class WrkMissing(RuntimeError):
    pass


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int = 0
    timeouts: int = 0
    socket_errors: str = ""


def version() -> str:
    found = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (found.stdout or found.stderr).split("\n", 1)[0].split(" Copyright")[0].strip()


def run(
    url: str, *, duration: int, connections: int, headers: dict[str, str], timeout: int
) -> Result:
    """`wrk --latency` against `url` for `duration` seconds; `timeout` seconds a request."""
    if shutil.which("wrk") is None:
        raise WrkMissing("wrk is not installed (Debian: apt-get install -y wrk)")
    command = ["wrk", f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{duration}s"]
    command += ["--latency", "--timeout", f"{timeout}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    finished = subprocess.run(  # noqa: S603 (our own command line)
        [*command, url], capture_output=True, text=True, timeout=duration + 60, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed: {finished.stderr.strip() or finished.stdout.strip()}")
    return parse(finished.stdout)


def parse(output: str) -> Result:
    """wrk's figures; latencies are NaN when no request finished (all timed out)."""
    latencies = {int(p): float(v) * _UNITS[u] for p, v, u in _LATENCY.findall(output)}
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    if rate is None or total is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:\s+(.*)$", output, re.MULTILINE)
    timeouts = re.search(r"timeout (\d+)", errors.group(1)) if errors else None
    finished = int(total.group(1))
    return Result(
        requests_per_second=float(rate.group(1)),
        p50_ms=latencies.get(50, math.nan) if finished else math.nan,
        p99_ms=latencies.get(99, math.nan) if finished else math.nan,
        requests=finished,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        timeouts=int(timeouts.group(1)) if timeouts else 0,
        socket_errors=errors.group(1).strip() if errors else "",
    )


def median(results: list[Result]) -> Result:
    """Each figure's median over the runs; failures summed, so none is hidden."""
    return Result(
        requests_per_second=_median(r.requests_per_second for r in results),
        p50_ms=_median(r.p50_ms for r in results),
        p99_ms=_median(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        non_2xx=sum(r.non_2xx for r in results),
        timeouts=sum(r.timeouts for r in results),
        socket_errors="; ".join(r.socket_errors for r in results if r.socket_errors),
    )


def _median(values) -> float:
    """The median of the figures there are (NaN ones left out); NaN if none."""
    known = [v for v in values if not math.isnan(v)]
    return statistics.median(known) if known else math.nan
