"""Demo data for the embedded marketplace: companies, overseas freelancers, an admin."""

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.service import hash_password
from marketplace.extensions import db

DEMO_PASSWORD = "demo-password"

DEMO_USERS = [
    # email, role, name, country, skills, bio
    ("admin@demo.test", Role.ADMIN, "Marketplace Admin", "US", [], "Resolves disputes."),
    (
        "acme@demo.test",
        Role.CLIENT,
        "Acme Logistics",
        "US",
        [],
        "Freight forwarder with a backlog of scanned bills of lading.",
    ),
    (
        "nordwind@demo.test",
        Role.CLIENT,
        "Nordwind Versicherung",
        "DE",
        [],
        "Insurer digitising paper claim forms.",
    ),
    (
        "brightbooks@demo.test",
        Role.CLIENT,
        "Bright Books Ltd",
        "GB",
        [],
        "Accounting firm that needs invoices transcribed every month.",
    ),
    (
        "amara@demo.test",
        Role.FREELANCER,
        "Amara Okafor",
        "NG",
        ["data entry", "excel", "invoice transcription"],
        "Fast, accurate typist; five years of invoice and receipt transcription.",
    ),
    (
        "rahul@demo.test",
        Role.FREELANCER,
        "Rahul Verma",
        "IN",
        ["data cleaning", "excel", "google sheets"],
        "Spreadsheet cleanup, deduplication and formatting.",
    ),
    (
        "maria@demo.test",
        Role.FREELANCER,
        "María Santos",
        "PH",
        ["form transcription", "ocr correction", "data entry"],
        "Transcribes handwritten forms in English and Spanish.",
    ),
    (
        "ivan@demo.test",
        Role.FREELANCER,
        "Ivan Petrenko",
        "UA",
        ["pdf to excel", "data entry"],
        "Turns scanned PDFs into clean spreadsheets.",
    ),
]


def find_demo_user() -> User | None:
    return db.session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))


def login_lines() -> list[str]:
    """How to sign in as each demo account."""
    lines = [f"Demo logins (password {DEMO_PASSWORD!r} for all):"]
    lines += [f"  {role:<10} {email}" for email, role, *_ in DEMO_USERS]
    return lines


def seed() -> None:
    """Create the demo accounts."""
    password_hash = hash_password(DEMO_PASSWORD)
    users = [
        User(
            email=email,
            role=role,
            name=name,
            country=country,
            skills=skills,
            bio=bio,
            password_hash=password_hash,
        )
        for email, role, name, country, skills, bio in DEMO_USERS
    ]
    db.session.add_all(users)
    db.session.commit()
