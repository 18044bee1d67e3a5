"""The measured process of `python -m benchmarks.cpu`, run under callgrind.

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='qsort*' \\
        python -m benchmarks.cpu_probe SPEC.json marketplace|bare

It makes the app once, then forks a child per row, which sends the row's warm-up
requests, then its measured ones from inside a call of libc's `qsort` (whose
comparison callback runs them): callgrind collects only there, so the child's
profile holds the measured requests' instructions and nothing else. Requests are
WSGI calls with environs built before the measured part, as a server hands them
over. The child writes `row.<pid>.json` beside its `callgrind.out.<pid>`.

Only the standard library is imported at the top: the bare app must be made in a
process where no module of the marketplace registered its engine hooks.
"""

import ctypes
import io
import json
import os
import sys
import traceback
from pathlib import Path

_COMPARE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_LIBC = ctypes.CDLL(None)


def collected(work) -> None:
    """Run `work()` inside libc's qsort, the function callgrind is told to collect in."""
    failed: list[BaseException] = []
    ran: list[bool] = []

    def compare(_a, _b) -> int:
        if not ran:
            ran.append(True)
            try:
                work()
            except BaseException as error:  # re-raised below, outside C
                failed.append(error)
        return 0

    pair = (ctypes.c_int * 2)()
    _LIBC.qsort(pair, 2, ctypes.sizeof(ctypes.c_int), _COMPARE(compare))
    if failed:
        raise failed[0]


def environ(request: dict) -> dict:
    """The WSGI environ of one request: {method, path, token, body}."""
    from werkzeug.test import EnvironBuilder

    headers = {"Authorization": f"Bearer {request['token']}"} if request.get("token") else {}
    kwargs = {"json": request["body"]} if request.get("body") is not None else {}
    builder = EnvironBuilder(
        path=request["path"], method=request["method"], headers=headers, **kwargs
    )
    try:
        built = builder.get_environ()
    finally:
        builder.close()
    data = built["wsgi.input"].read()
    built["wsgi.input"] = io.BytesIO(data)
    built["RAW_URI"] = request["path"]  # as gunicorn sets it
    built["REMOTE_ADDR"] = "127.0.0.1"
    return built


def send(app, env: dict) -> str:
    status: list[str] = []

    def start_response(line, _headers, _exc_info=None):
        status.append(line)

    body = app(env, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0]


def run_row(app, row: dict, warm: int, out: Path) -> None:
    environs = [environ(request) for request in row["requests"]]
    for env in environs[:warm]:
        _expect_2xx(row, send(app, env))
    measured = environs[warm:]
    statuses: list[str] = []

    def work():
        for env in measured:
            statuses.append(send(app, env))

    collected(work)
    for line in statuses:
        _expect_2xx(row, line)
    record = {"row": row["name"], "requests": len(measured)}
    (out / f"row.{os.getpid()}.json").write_text(json.dumps(record))


def _expect_2xx(row: dict, status: str) -> None:
    if not status.startswith("2"):
        raise RuntimeError(f"{row['name']}: {status}")


def make_app(which: str):
    if which == "bare":
        from benchmarks import bare_app

        return bare_app.app
    from marketplace import create_app

    return create_app()


def main(spec_path: str, which: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    out = Path(spec["out"])
    app = make_app(which)
    failures = 0
    for row in spec["rows"]:
        if row["app"] != which:
            continue
        pid = os.fork()
        if pid == 0:  # the child: a fresh connection pool, since the parent made none
            code = 0
            try:
                run_row(app, row, spec["warm"], out)
            except BaseException:  # reported; the child exits
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        failures += status != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
