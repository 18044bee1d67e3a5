"""Deliveries of records: check and store, export, and the memory a large one takes.

    python -m benchmarks.deliveries [--database-url postgresql://...] [--rows 10000]
                                    [--gold 5000]

Each delivery is a real `POST /milestones/{id}/submit` through the app (multipart, in
process, no server), on a fresh funded milestone of a job with an eight-field record
schema (every type, every kind of constraint, a pattern and a primary key). It prints
the check and store of `--rows` rows as CSV and as XLSX, the CSV export of those rows,
frictionless' own validation of the same CSV for comparison, and, each from a process of
its own, the peak resident memory of a 50,000-row delivery as CSV, as JSON records and as
XLSX. Targets: CSV delivery under 1.5 s, export under 0.5 s, peak under 150 MB.

The process measured is a worker that has served the job's creation too, so frictionless
(imported to validate the record schema) is in its memory before the delivery arrives:
the worst case of a worker that serves every kind of request. The request body is made
before the peak is reset, as a server's socket holds it; the app spools it to a
temporary file as it reads it, JSON or multipart alike. SQLite in a temporary folder by default; a
PostgreSQL database given with --database-url has its public schema wiped first.

With `--gold N`, every job first gets N gold records (`PUT /jobs/{id}/gold` as CSV,
timed): rows of the delivery spread evenly through it, one in a hundred with a field
that differs; each delivery is then also compared with them. The peak is then that of
a 50,000-row delivery holding N gold rows (the comparison reads only the gold keys, and
a batch's matching gold rows as the check hands the batch on).
"""

import argparse
import csv
import gc
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path

from sqlalchemy import create_engine, text
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace import create_app
from marketplace.accounts.auth import TOKEN_PREFIX, hash_secret, new_secret
from marketplace.accounts.models import ApiToken, User
from marketplace.accounts.service import hash_password
from marketplace.config import database_url
from marketplace.extensions import db

COUNTRIES = ["US", "DE", "FR", "IN", "PH", "NG", "KE", "BR"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 100}},
        {"name": "email", "type": "string", "format": "email", "constraints": {"unique": True}},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0, "maximum": 100000}},
        {"name": "day", "type": "date", "format": "%d/%m/%Y"},
        {"name": "paid", "type": "boolean"},
        {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{3}-[0-9]{4}"}},
        {"name": "country", "type": "string", "constraints": {"enum": COUNTRIES}},
    ],
    "primaryKey": "id",
}
NAMES = [field["name"] for field in SCHEMA["fields"]]
TARGETS = {"csv": 1.5, "export": 0.5, "peak_mb": 150}
PEAK_KINDS = ("csv", "json", "xlsx")


def gold_rows(count: int, among: int) -> list[list]:
    """`count` gold records for a delivery of `among` rows: its rows spread evenly through
    it, one in a hundred with another name (so that the comparison finds differences)."""
    step = max(1, among // max(count, 1))
    chosen = [row for row in rows(among) if (row[0] - 1) % step == 0][:count]
    for index, row in enumerate(chosen):
        if index % 100 == 0:
            row[1] = f"Someone {row[0]}"
    return chosen


def rows(count: int, seed: int = 7) -> Iterator[list]:
    chance = random.Random(seed)
    return (
        [
            n,
            f"Person {n}",
            f"person{n}@example.test",
            chance.randint(0, 9_999_999) / 100,
            f"{chance.randint(1, 28):02d}/{chance.randint(1, 12):02d}/2026",
            chance.choice(["true", "false"]),
            f"ABC-{chance.randint(0, 9999):04d}",
            chance.choice(COUNTRIES),
        ]
        for n in range(1, count + 1)
    )


def as_csv(table: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(NAMES)
    writer.writerows(table)
    return out.getvalue().encode()


def as_json(table: Iterable[list]) -> bytes:
    """The rows as a JSON delivery's body: `{records: [{field: value}]}`, values typed as
    a client program sends them (numbers and booleans as JSON's own)."""
    typed = {"paid": lambda text: text == "true"}
    records = [
        {name: typed.get(name, _same)(value) for name, value in zip(NAMES, row, strict=True)}
        for row in table
    ]
    return json.dumps({"records": records}).encode()


def _same(value):
    return value


def multipart(data: bytes, name: str) -> tuple[bytes, str]:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return body, f"multipart/form-data; boundary={boundary}"


def delivery_body(kind: str, count: int) -> tuple[bytes, str]:
    """A delivery of `count` rows as `kind` (csv, json, xlsx): (body, content type)."""
    if kind == "json":
        return as_json(rows(count)), "application/json"
    if kind == "xlsx":
        return multipart(as_xlsx(rows(count)), "large.xlsx")
    return multipart(as_csv(rows(count)), "large.csv")


def as_xlsx(table: Iterable[list]) -> bytes:
    from openpyxl import Workbook

    # Not write-only: that mode leaves out the sheet's <dimension>, which Excel writes and
    # without which openpyxl reads a sheet twice.
    book = Workbook()
    sheet = book.active
    sheet.append(NAMES)
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Market:
    """An app on a fresh database, a client and a freelancer, and funded milestones."""

    def __init__(self, url: str, workdir: Path, gold: bytes | None = None):
        self.gold = gold
        self.gold_times: list[Clock] = []
        if url.startswith("postgresql"):
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "FILE_STORAGE": str(workdir / "files"),
                "LOCAL_GATEWAY_PATH": str(workdir / "gateway.db"),
                "SECRET_KEY": "benchmark",
                "RATELIMIT_ENABLED": False,
                "PASSWORD_HASH_PROFILE": "CHEAPEST",
                "DELIVERY_CHECKS_PER_DAY": 1000,
            }
        )
        from flask_migrate import upgrade

        with self.app.app_context():
            upgrade()
            self.client = self._user("client")
            self.freelancer = self._user("freelancer")
        self.http = self.app.test_client()

    def _user(self, role: str) -> str:
        token = TOKEN_PREFIX + new_secret()
        user = User(
            email=f"{role}@bench.test",
            role=role,
            name=role.title(),
            country="US",
            skills=[],
            bio="",
            password_hash=hash_password("benchmark-password"),
        )
        db.session.add(user)
        db.session.add(ApiToken(user=user, name="bench", token_hash=hash_secret(token)))
        db.session.commit()
        return token

    def call(self, token: str, method: str, path: str, **kwargs):
        response = self.http.open(
            "/api/v1" + path,
            method=method,
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )
        if response.status_code >= 300:
            raise SystemExit(f"{method} {path} -> {response.status_code}: {response.data[:500]!r}")
        return response

    def funded_milestone(self) -> int:
        job = self.call(
            self.client,
            "POST",
            "/jobs",
            json={
                "title": "Key in 10,000 invoices",
                "description": "Every invoice of the scans, one row each.",
                "skills": ["data entry"],
                "budget": 100_000,
                "currency": "USD",
                "schema": SCHEMA,
            },
        ).json
        if self.gold is not None:
            with Clock() as clock:
                self.call(
                    self.client,
                    "PUT",
                    f"/jobs/{job['id']}/gold",
                    data=self.gold,
                    content_type="text/csv",
                )
            self.gold_times.append(clock)
        bid = self.call(
            self.freelancer,
            "POST",
            f"/jobs/{job['id']}/bids",
            json={
                "amount": 90_000,
                "currency": "USD",
                "delivery_days": 5,
                "cover_letter": "Fast and exact.",
            },
        ).json
        contract = self.call(self.client, "POST", f"/bids/{bid['id']}/accept").json
        milestone = contract["milestones"][0]["id"]
        self.call(
            self.client,
            "POST",
            f"/milestones/{milestone}/fund",
            json={"payment_method": "pm_card_visa"},
        )
        return milestone

    def deliver(self, data: bytes, name: str, milestone: int | None = None):
        """Submit the file on a fresh milestone: (milestone id, seconds of the request,
        wall clock and this process's CPU)."""
        milestone = milestone or self.funded_milestone()
        return milestone, self.submit(milestone, multipart(data, name))

    def submit(self, milestone: int, body: tuple[bytes, str]) -> "Clock":
        """POST the body (bytes, content type) as the milestone's delivery; its clock."""
        data, content_type = body
        with Clock() as clock:
            response = self.call(
                self.freelancer,
                "POST",
                f"/milestones/{milestone}/submit",
                data=data,
                content_type=content_type,
            )
        assert response.json["records"]["submitted"] > 0
        if self.gold is not None:
            assert response.json["submissions"][-1]["report"]["gold"] is not None
        return clock

    def export(self, milestone: int):
        with Clock() as clock:
            response = self.call(self.client, "GET", f"/milestones/{milestone}/records")
            size = len(response.get_data())
        return size, clock


class Clock:
    """Wall-clock and CPU seconds of a block: on a busy machine the CPU time says more."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def frictionless_seconds(data: bytes, workdir: Path) -> float:
    """frictionless' validation of the same CSV against the same schema (not stored)."""
    import frictionless

    path = workdir / "frictionless.csv"
    path.write_bytes(data)
    schema = frictionless.Schema.from_descriptor({**SCHEMA, "primaryKey": ["id"]})
    with Clock() as clock:
        resource = frictionless.Resource(path=path.name, basepath=str(workdir), schema=schema)
        report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:5]
    return clock


def best(clocks: list) -> str:
    wall = sorted(clock.wall for clock in clocks)
    cpu = min(clock.cpu for clock in clocks)
    return (
        f"{wall[0]:.3f} s (best of {len(wall)}, median {wall[len(wall) // 2]:.3f}; CPU {cpu:.3f} s)"
    )


def peak(url: str, count: int, kind: str, gold: int) -> None:
    """In this process alone: one delivery of `count` rows as `kind` (with `gold` gold
    records among them); print the peak RSS."""
    with tempfile.TemporaryDirectory() as folder:
        market = Market(url, Path(folder), as_csv(gold_rows(gold, count)) if gold else None)
        body = delivery_body(kind, count)
        milestone = market.funded_milestone()
        gc.collect()
        ready = _resident()
        _forget_peak()
        clock = market.submit(milestone, body)
        peak_mb = _peak()
        print(
            json.dumps(
                {"ready_mb": ready, "peak_mb": peak_mb, "seconds": clock.wall, "cpu": clock.cpu}
            )
        )


def _resident() -> float:
    return _status("VmRSS")


def _peak() -> float:
    """The process's peak resident memory (since _forget_peak), in MB."""
    try:
        return _status("VmHWM")
    except OSError:  # not Linux: the peak of the process's whole life
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _forget_peak() -> None:
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from here


def _status(name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise OSError(name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.deliveries", description=__doc__)
    parser.add_argument("--database-url", help="postgresql://... (its public schema is wiped)")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peak-rows", type=int, default=50_000)
    parser.add_argument(
        "--peak-formats",
        default="csv,json,xlsx",
        help="the kinds of delivery whose peak memory is measured (csv,json,xlsx)",
    )
    parser.add_argument(
        "--gold", type=int, default=0, help="gold records of every job (default: none)"
    )
    parser.add_argument("--peak", choices=PEAK_KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url = database_url(args.database_url) if args.database_url else None
        url = url or f"sqlite:///{workdir / 'marketplace.db'}"
        if args.peak:
            peak(url, args.peak_rows, args.peak, args.gold)
            return 0
        gold = as_csv(gold_rows(args.gold, args.rows)) if args.gold else None
        market = Market(url, workdir, gold)
        csv_data, xlsx_data = as_csv(rows(args.rows)), as_xlsx(rows(args.rows))
        print(f"{args.rows:,} rows x {len(NAMES)} fields on {url.split(':')[0]}")
        if args.gold:
            print(f"  every job has {args.gold:,} gold records, spread through the delivery")
        print(f"  CSV {len(csv_data) / 2**20:.1f} MiB, XLSX {len(xlsx_data) / 2**20:.1f} MiB")
        csv_times, xlsx_times, export_times = [], [], []
        for _ in range(args.repeat):
            milestone, clock = market.deliver(csv_data, "records.csv")
            csv_times.append(clock)
            xlsx_times.append(market.deliver(xlsx_data, "records.xlsx")[1])
            size, clock = market.export(milestone)
            export_times.append(clock)
        fl_times = [frictionless_seconds(csv_data, workdir) for _ in range(args.repeat)]
        print(f"  CSV delivery, check and store: {best(csv_times)}  target < {TARGETS['csv']} s")
        print(f"  XLSX delivery, check and store: {best(xlsx_times)}")
        print(
            f"  CSV export ({size / 2**20:.1f} MiB): {best(export_times)}  "
            f"target < {TARGETS['export']} s"
        )
        print(f"  frictionless validate alone (same CSV, nothing stored): {best(fl_times)}")
        if args.gold:
            print(f"  PUT {args.gold:,} gold records (CSV): {best(market.gold_times)}")
    for kind in args.peak_formats.split(","):
        if kind not in PEAK_KINDS:
            parser.error(f"--peak-formats: {kind!r} is not one of {', '.join(PEAK_KINDS)}")
        command = [sys.executable, "-m", "benchmarks.deliveries", "--peak", kind]
        command += ["--peak-rows", str(args.peak_rows), "--gold", str(args.gold)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
        print(
            f"  {args.peak_rows:,}-row {kind.upper()} delivery"
            f"{f' with {args.gold:,} gold rows' if args.gold else ''} in a process of its own: "
            f"{result['seconds']:.2f} s (CPU {result['cpu']:.2f} s), "
            f"peak RSS {result['peak_mb']:.0f} MB (resident before it: "
            f"{result['ready_mb']:.0f} MB)  target < {TARGETS['peak_mb']} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
