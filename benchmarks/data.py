"""The seeded marketplace, made up deterministically: users, jobs, their skills, bids.

Rows come out as tuples in the tables' column order, a table at a time, so a loader can
stream them into the database without holding a million bids in memory. Job texts are
drawn from a data-entry vocabulary built so that the common search `spreadsheet rows`
matches about 30% of jobs (the only texts with "spreadsheet" or "rows" are those jobs')
and the rare word matches a handful.
"""

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PASSWORD = "bench-password"
EMAIL_DOMAIN = "bench.test"
COMMON_QUERY = "spreadsheet rows"
COMMON_SHARE = 0.30
RARE_WORD = "herbarium"
RARE_JOBS = 5
HOT_BIDS = 5_000
OPEN_SHARE = 0.85
PLAN_SHARE = 0.10  # bids proposing a two-milestone plan
SEED = 20_240_601

# Jobs are posted over the two years before the seed, users join before that.
SPAN = timedelta(days=730)

USER_COLUMNS = (
    "id", "email", "password_hash", "role", "name", "country", "skills", "bio", "status",
    "suspended_reason", "payouts_enabled", "payout_account_id", "email_notifications",
    "created_at",
)  # fmt: skip
JOB_COLUMNS = (
    "id", "client_id", "title", "description", "budget", "currency", "status", "deadline",
    "created_at", "updated_at",
)  # fmt: skip
JOB_SKILL_COLUMNS = ("job_id", "skill")
BID_COLUMNS = (
    "id", "job_id", "freelancer_id", "amount", "currency", "delivery_days", "cover_letter",
    "status", "created_at", "updated_at",
)  # fmt: skip
BID_MILESTONE_COLUMNS = ("id", "bid_id", "position", "title", "amount")

SKILLS = (
    "data entry", "excel", "google sheets", "typing", "ocr correction", "pdf to excel",
    "invoice transcription", "form transcription", "data cleaning", "crm updates",
    "copy typing", "web research", "product listings", "bookkeeping", "transcription",
    "lead lists", "csv", "airtable", "deduplication", "quality checking",
)  # fmt: skip
CLIENT_COUNTRIES = ("US", "US", "US", "GB", "GB", "DE", "FR", "NL", "CA", "AU", "IE", "ES")
FREELANCER_COUNTRIES = ("NG", "IN", "PH", "PK", "KE", "BD", "UA", "EG", "VN", "ID", "BR", "MX")
FIRST_NAMES = (
    "Amara", "Rahul", "Maria", "Ivan", "Chen", "Fatima", "Joseph", "Ana", "Tunde", "Priya",
    "Olena", "Kwame", "Nadia", "Luis", "Grace", "Omar", "Mei", "Samuel", "Aisha", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Verma", "Santos", "Petrenko", "Wang", "Khan", "Mwangi", "Reyes", "Adeyemi",
    "Sharma", "Kovalenko", "Mensah", "Hossain", "Garcia", "Njeri", "Hassan", "Nguyen",
)  # fmt: skip
COMPANY_WORDS = (
    "Acme", "Nordwind", "Bright", "Harbour", "Summit", "Cedar", "Atlas", "Beacon", "Pioneer",
    "Meridian", "Oakridge", "Bluewater", "Redwood", "Silverline", "Northgate", "Crescent",
)  # fmt: skip
COMPANY_KINDS = (
    "Logistics", "Insurance", "Books Ltd", "Health", "Realty", "Retail", "Legal", "Surveys",
    "Freight", "Accounting", "Clinics", "Archives", "Imports", "Estates", "Research",
)  # fmt: skip

# What the documents are: (plural, singular).
DOCUMENTS = (
    ("invoices", "invoice"), ("receipts", "receipt"), ("purchase orders", "purchase order"),
    ("bills of lading", "bill of lading"), ("insurance claim forms", "claim form"),
    ("patient intake forms", "intake form"), ("survey responses", "survey response"),
    ("business cards", "business card"), ("bank statements", "statement"),
    ("delivery notes", "delivery note"), ("timesheets", "timesheet"),
    ("customs declarations", "declaration"), ("warranty cards", "warranty card"),
    ("membership applications", "application"), ("product catalogue pages", "product"),
)  # fmt: skip
VERBS = ("Type up", "Transcribe", "Enter", "Key in", "Digitise", "Extract", "Copy")
# Where the data goes, for jobs outside the common query: no spreadsheet, no rows.
TARGETS = (
    "our Excel template", "a Google Sheets file", "our CRM", "a CSV file", "our database",
    "an Airtable base", "the online form", "our accounting system",
)  # fmt: skip
EXTRAS = (
    "Accuracy matters more than speed.",
    "We spot-check one entry in ten.",
    "Handwriting is mostly legible.",
    "Files are scanned PDFs at 300 dpi.",
    "Please double-check totals and dates.",
    "Long-term work for the right person.",
    "Use the naming conventions in the attached guide.",
    "Some pages are rotated or faded.",
    "Dates must be written as YYYY-MM-DD.",
    "Fields left blank on the paper stay blank.",
    "Work in batches and send each one for review.",
    "Experience with accounting terms is a plus.",
)
COVER_LETTERS = (
    "I have five years of data-entry experience and a typing speed of 70 words a minute.",
    "I can start today and deliver in batches so you can check my work early.",
    "I double-check every entry against the source before I deliver.",
    "I have done similar work for an accounting firm last month.",
    "I work with a colleague who proofreads everything I type.",
    "I am available full time this week and next.",
    "I can follow your template exactly and flag unreadable fields.",
    "I have a fast connection and work in your time zone.",
    "My previous clients rated my accuracy at 99.8%.",
    "I know OCR tools and correct their output by hand.",
)


@dataclass(frozen=True)
class Scale:
    """How much to seed."""

    jobs: int
    bids: int
    users: int

    @property
    def clients(self) -> int:
        return max(20, self.users // 5)

    @property
    def freelancers(self) -> int:
        return self.users - self.clients

    @property
    def hot_bids(self) -> int:
        return min(HOT_BIDS, self.bids // 10, self.freelancers)

    @property
    def hot_job(self) -> int:
        """The job with thousands of bids: an open one in the newest tenth."""
        return self.jobs - self.jobs // 20

    def rare_jobs(self) -> set[int]:
        return {1 + i * self.jobs // RARE_JOBS + 7 for i in range(RARE_JOBS)} - {self.hot_job}

    def check(self) -> None:
        if self.jobs < 100 or self.users < 100 or self.bids < self.jobs:
            raise ValueError("seed at least 100 jobs, 100 users and as many bids as jobs")
        if self.freelancers < 20:
            raise ValueError("too few users to have freelancers")


def client_id(n: int) -> int:
    """The user id of the n-th client (from 0)."""
    return 1 + n


def freelancer_id(scale: Scale, n: int) -> int:
    """The user id of the n-th freelancer (from 0)."""
    return 1 + scale.clients + n


def email(role: str, n: int) -> str:
    return f"{role}{n}@{EMAIL_DOMAIN}"


class Seeder:
    """Makes every seeded row; `stamp` turns a UTC datetime into what the database takes."""

    def __init__(self, scale: Scale, stamp: Callable[[datetime], object], now: datetime):
        self.scale = scale
        self.stamp = stamp
        self.now = now.astimezone(UTC)
        self.start = self.now - SPAN
        self.rng = random.Random(SEED)
        self.bid_ids = 0
        self.plan_ids = 0
        self.plans: list[tuple] = []

    # -- users --------------------------------------------------------------------------
    def users(self, password_hash: str) -> Iterator[tuple]:
        rng, scale = self.rng, self.scale
        for n in range(scale.clients):
            name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {n}"
            yield self._user(client_id(n), "client", n, name, password_hash, [], "")
        for n in range(scale.freelancers):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            skills = rng.sample(SKILLS, rng.randint(2, 5))
            bio = f"Freelancer for {', '.join(skills)}. {rng.choice(COVER_LETTERS)}"
            yield self._user(
                freelancer_id(scale, n), "freelancer", n, name, password_hash, skills, bio
            )

    def _user(self, user_id, role, n, name, password_hash, skills, bio) -> tuple:
        countries = CLIENT_COUNTRIES if role == "client" else FREELANCER_COUNTRIES
        joined = self.start - timedelta(days=self.rng.uniform(1, 365))
        return (
            user_id, email(role, n), password_hash, role, name, self.rng.choice(countries),
            json.dumps(skills), bio, "active", None, False, None, True, self.stamp(joined),
        )  # fmt: skip

    # -- jobs ---------------------------------------------------------------------------
    def job_time(self, job_id: int) -> datetime:
        """Jobs are posted in id order, evenly over the span (ties broken by microseconds)."""
        return self.start + SPAN * (job_id / (self.scale.jobs + 1))

    def job_status(self, job_id: int) -> str:
        if job_id == self.scale.hot_job or job_id in self._rare:
            return "open"
        # A fixed pseudo-random pick, the same whichever table asks.
        return "open" if (job_id * 2_654_435_761) % 1000 < OPEN_SHARE * 1000 else "closed"

    def jobs(self) -> Iterator[tuple]:
        rng, scale = self.rng, self.scale
        self._rare = scale.rare_jobs()
        # A few busy clients post most jobs.
        weights = [1 / (n + 1) ** 0.7 for n in range(scale.clients)]
        clients = rng.choices(range(scale.clients), weights=weights, k=scale.jobs)
        self.job_currency = {}
        self.job_budget = {}
        for job_id in range(1, scale.jobs + 1):
            title, description = self._text(job_id)
            currency = rng.choices(("USD", "EUR", "GBP"), weights=(60, 25, 15))[0]
            budget = rng.randrange(5_000, 500_000, 500)
            self.job_currency[job_id], self.job_budget[job_id] = currency, budget
            posted = self.job_time(job_id)
            deadline = None
            if rng.random() < 0.6:
                deadline = (posted.date() + timedelta(days=rng.randint(7, 90))).isoformat()
            yield (
                job_id, client_id(clients[job_id - 1]), title, description, budget, currency,
                self.job_status(job_id), deadline, self.stamp(posted), self.stamp(posted),
            )  # fmt: skip

    def _text(self, job_id: int) -> tuple[str, str]:
        rng = self.rng
        plural, singular = rng.choice(DOCUMENTS)
        verb = rng.choice(VERBS)
        count = rng.randrange(50, 5_000, 50)
        extras = " ".join(rng.sample(EXTRAS, rng.randint(2, 4)))
        if job_id in self._rare:
            title = f"{verb} {count} {RARE_WORD} specimen labels"
            body = f"We are digitising a {RARE_WORD}: each label gives species, place and date."
        elif rng.random() < COMMON_SHARE:
            title = f"{verb} {count} {plural} into a spreadsheet"
            body = f"About {count} rows in total, one per {singular}, columns as in the sample."
        else:
            title = f"{verb} {count} {plural} into {rng.choice(TARGETS)}"
            body = f"About {count} {plural}; one entry per {singular}, fields as in the sample."
        return title, f"{body} {extras}"

    def job_skills(self) -> Iterator[tuple]:
        rng = random.Random(SEED + 1)
        for job_id in range(1, self.scale.jobs + 1):
            for skill in rng.sample(SKILLS, rng.randint(1, 4)):
                yield (job_id, skill)

    # -- bids ---------------------------------------------------------------------------
    def bid_counts(self) -> list[int]:
        """How many bids each job gets (index 0 is job 1): the hot one thousands."""
        scale = self.scale
        rng = random.Random(SEED + 2)
        others = [j for j in range(1, scale.jobs + 1) if j != scale.hot_job]
        weights = [rng.paretovariate(2.5) for _ in others]
        counts = [0] * scale.jobs
        for job_id in rng.choices(others, weights=weights, k=scale.bids - scale.hot_bids):
            counts[job_id - 1] += 1
        counts[scale.hot_job - 1] = scale.hot_bids
        # No job gets more bids than there are freelancers (one pending bid each).
        overflow = 0
        for i, n in enumerate(counts):
            if n > scale.freelancers:
                overflow += n - scale.freelancers
                counts[i] = scale.freelancers
        for i in range(overflow):
            counts[others[i % len(others)] - 1] += 1
        return counts

    def bids(self) -> Iterator[tuple]:
        """Every bid; the two-milestone plans some of them propose are kept in `plans`."""
        rng, scale, stamp = random.Random(SEED + 3), self.scale, self.stamp
        random_, uniform = rng.random, rng.uniform
        letters = [f"{a} {b}" for a in COVER_LETTERS for b in COVER_LETTERS if a != b]
        first_freelancer = freelancer_id(scale, 0)
        for job_id, count in enumerate(self.bid_counts(), start=1):
            if not count:
                continue
            posted = self.job_time(job_id)
            window = min(timedelta(days=14), self.now - posted).total_seconds()
            statuses = ("pending", "withdrawn", 0.92)
            if self.job_status(job_id) != "open":
                statuses = ("declined", "withdrawn", 0.85)
            currency, budget = self.job_currency[job_id], self.job_budget[job_id]
            for n in rng.sample(range(scale.freelancers), count):
                self.bid_ids += 1
                placed = posted + timedelta(seconds=uniform(1, window))
                status = statuses[0] if random_() < statuses[2] else statuses[1]
                changed = placed if status == "pending" else placed + (self.now - placed) / 2
                amount = max(2, round(budget * uniform(0.6, 1.2)))
                if random_() < PLAN_SHARE:
                    self._plan(self.bid_ids, amount)
                yield (
                    self.bid_ids, job_id, first_freelancer + n, amount, currency,
                    1 + int(random_() * 30), letters[int(random_() * len(letters))], status,
                    stamp(placed), stamp(changed),
                )  # fmt: skip

    def _plan(self, bid_id: int, amount: int) -> None:
        first = amount // 2
        for position, (title, part) in enumerate(
            (("First half of the records", first), ("Second half", amount - first))
        ):
            self.plan_ids += 1
            self.plans.append((self.plan_ids, bid_id, position, title, part))
