"""Demo data for the embedded marketplace: companies, overseas freelancers, an admin.

Besides the accounts, the demo holds data-entry jobs from the three companies (in US
dollars, euros and pounds), bids from the freelancers, and contracts with milestones
and messages; one job has a record schema, source files and gold records, and a
delivery measured on them. Everything after the accounts goes through the same schemas and service
functions as the HTTP API, so the demo obeys every business rule the API does. It is
deterministic: the same data every time, with deadlines counted from today.
"""

import io
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.accounts.models import Role, User
from marketplace.accounts.service import hash_password
from marketplace.bids import service as bids
from marketplace.bids.schemas import BidCreateSchema
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract
from marketplace.contracts.schemas import MessageCreateSchema, MilestoneCreateSchema
from marketplace.database import utcnow
from marketplace.deliveries import reading
from marketplace.deliveries import service as deliveries
from marketplace.demo_documents import invoice_pdf, scanned_form_png
from marketplace.extensions import db
from marketplace.files.service import add_file
from marketplace.jobs import gold
from marketplace.jobs import service as jobs
from marketplace.jobs.models import Job
from marketplace.jobs.schemas import JobCreateSchema
from marketplace.milestones import service as payments

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


# The demo's jobs, posted in this order (so the last is the newest). Money is in minor
# units. Each job may carry its bids, then what happened next: "withdrawn" bids, the
# bid its client "accepted" (with "extra_milestones" and "messages" on the contract),
# or "closed" (the job was closed; its pending bids are declined).
DEMO_JOBS = [
    {
        "client": "acme@demo.test",
        "title": "Type up 400 scanned bills of lading into our shipment spreadsheet",
        "description": (
            "We have about 400 scanned bills of lading (PDF, mostly typed, some with "
            "handwritten corrections) from our Rotterdam and Savannah lanes. For each one, "
            "enter shipper, consignee, port of loading, port of discharge, container "
            "numbers, gross weight and number of packages into our Excel template. "
            "Accuracy matters more than speed: we spot-check 10% of rows."
        ),
        "skills": ["data entry", "pdf to excel", "excel"],
        "budget": 45000,
        "currency": "USD",
        "deadline_days": 21,
        "bids": [
            {
                "freelancer": "ivan@demo.test",
                "amount": 42000,
                "delivery_days": 10,
                "cover_letter": (
                    "I turn scanned shipping documents into spreadsheets every week. "
                    "I would deliver in two batches of 200 so you can check the first "
                    "batch before I do the rest."
                ),
                "milestones": [
                    {"title": "First 200 bills of lading entered", "amount": 21000},
                    {"title": "Remaining 200 bills of lading entered", "amount": 21000},
                ],
            },
            {
                "freelancer": "amara@demo.test",
                "amount": 45000,
                "delivery_days": 14,
                "cover_letter": (
                    "Five years of transcription work, including freight paperwork. "
                    "I double-check container numbers against their check digit."
                ),
            },
        ],
        "accepted": "ivan@demo.test",
        "messages": [
            (
                "acme@demo.test",
                "Welcome aboard, Ivan. The scans and the Excel template are in the shared "
                "folder; please keep container numbers in upper case without spaces.",
            ),
            (
                "ivan@demo.test",
                "Thanks! Got the files. A few bills list two consignees; I'll put the "
                "second one in the notes column unless you prefer otherwise.",
            ),
            ("acme@demo.test", "Notes column is perfect."),
        ],
    },
    {
        "client": "acme@demo.test",
        "title": "Clean and deduplicate a 12,000-row carrier contact list",
        "description": (
            "Our carrier contacts live in one Google Sheet that three offices have edited "
            "for years. Merge duplicate companies, normalise phone numbers to E.164, split "
            "full names into first and last name, and flag rows without an email address. "
            "Keep a log of every merge."
        ),
        "skills": ["data cleaning", "google sheets", "excel"],
        "budget": 30000,
        "currency": "USD",
        "deadline_days": 14,
        "bids": [
            {
                "freelancer": "rahul@demo.test",
                "amount": 28000,
                "delivery_days": 6,
                "cover_letter": (
                    "Spreadsheet cleanup is what I do. I use formulas plus a short review "
                    "pass by hand, so every merge is in the log with the original rows."
                ),
                "milestones": [
                    {"title": "Duplicates merged, with merge log", "amount": 18000},
                    {"title": "Phone numbers and names normalised", "amount": 10000},
                ],
            },
            {
                "freelancer": "ivan@demo.test",
                "amount": 30000,
                "delivery_days": 8,
                "cover_letter": "I can clean and deduplicate the list within eight days.",
            },
        ],
    },
    {
        "client": "acme@demo.test",
        "title": "Key customs declaration forms into our broker portal",
        "description": (
            "Enter about 150 customs declaration forms into our broker's web portal, "
            "copying HS codes, declared values and country of origin."
        ),
        "skills": ["data entry", "form transcription"],
        "budget": 25000,
        "currency": "USD",
        "deadline_days": 10,
        "bids": [
            {
                "freelancer": "maria@demo.test",
                "amount": 24000,
                "delivery_days": 7,
                "cover_letter": "I have entered customs forms before and can start at once.",
            },
        ],
        "closed": True,
    },
    {
        "client": "nordwind@demo.test",
        "title": "Type up scanned paper claim forms (German and English)",
        "description": (
            "We are digitising about 1,200 paper claim forms for household insurance. "
            "Most are filled in by hand, in German or English. Type each form into our "
            "claims template: policy number, date of loss, cause, claimed amount and the "
            "claimant's description. Mark illegible fields instead of guessing."
        ),
        "skills": ["form transcription", "data entry", "ocr correction"],
        "budget": 80000,
        "currency": "EUR",
        "deadline_days": 30,
        "bids": [
            {
                "freelancer": "maria@demo.test",
                "amount": 76000,
                "delivery_days": 20,
                "cover_letter": (
                    "I transcribe handwritten forms every day and read German well enough "
                    "for claim forms. Illegible fields will be marked, never guessed."
                ),
            },
            {
                "freelancer": "ivan@demo.test",
                "amount": 80000,
                "delivery_days": 25,
                "cover_letter": "I can type the forms up in 25 days.",
            },
        ],
        "accepted": "maria@demo.test",
        "extra_milestones": [
            {
                "title": "Rush batch: 100 storm-damage claims",
                "description": "Claims from the March storm, needed before the month ends.",
                "amount": 9000,
                "due_days": 7,
            },
        ],
        "messages": [
            (
                "nordwind@demo.test",
                "Guten Tag María, we added a rush batch of storm claims as a separate "
                "milestone. Could you do those first?",
            ),
            (
                "maria@demo.test",
                "Of course, I'll start with the storm claims and send them within a week.",
            ),
        ],
    },
    {
        "client": "nordwind@demo.test",
        "title": "Correct OCR output of 2,500 scanned policy documents",
        "description": (
            "Our OCR run over 2,500 scanned policy documents left typical errors: "
            "umlauts lost, 0 and O mixed up, broken table columns. Compare the text with "
            "the scan and correct it. Documents are two to four pages each."
        ),
        "skills": ["ocr correction", "data entry"],
        "budget": 60000,
        "currency": "EUR",
        "deadline_days": 28,
        "bids": [
            {
                "freelancer": "maria@demo.test",
                "amount": 58000,
                "delivery_days": 21,
                "cover_letter": "OCR correction is a daily task for me, German included.",
                "milestones": [
                    {"title": "Documents 1 to 1,250 corrected", "amount": 29000},
                    {"title": "Documents 1,251 to 2,500 corrected", "amount": 29000},
                ],
            },
            {
                "freelancer": "ivan@demo.test",
                "amount": 55000,
                "delivery_days": 24,
                "cover_letter": "I can fix the OCR text; I have done this for Ukrainian archives.",
            },
        ],
    },
    {
        "client": "nordwind@demo.test",
        "title": "Build a spreadsheet of broker addresses from scanned letters",
        "description": (
            "About 300 scanned letters from insurance brokers. Extract the broker's name, "
            "street, postcode, town and phone number into a spreadsheet, one row per broker."
        ),
        "skills": ["data entry", "pdf to excel"],
        "budget": 18000,
        "currency": "EUR",
        "deadline_days": 12,
    },
    {
        "client": "brightbooks@demo.test",
        "title": "Tidy up a client ledger export in Google Sheets",
        "description": (
            "A ledger export for one of our clients has inconsistent dates, merged cells "
            "and duplicated transactions. Tidy it into one clean table with ISO dates and "
            "a column flagging suspected duplicates for our review."
        ),
        "skills": ["data cleaning", "google sheets"],
        "budget": 22000,
        "currency": "GBP",
        "deadline_days": 9,
        "bids": [
            {
                "freelancer": "rahul@demo.test",
                "amount": 20000,
                "delivery_days": 4,
                "cover_letter": "Messy ledger exports are my favourite kind of job.",
                "milestones": [
                    {"title": "Clean table with ISO dates", "amount": 14000},
                    {"title": "Suspected duplicates flagged", "amount": 6000},
                ],
            },
        ],
        "accepted": "rahul@demo.test",
        "messages": [
            (
                "rahul@demo.test",
                "I've started on the export. Should refunds stay as negative amounts or "
                "go into a separate column?",
            ),
            ("brightbooks@demo.test", "Negative amounts, please, like the original."),
        ],
    },
    {
        "client": "brightbooks@demo.test",
        "title": "Enter shoebox receipts for 15 sole traders",
        "description": (
            "Scanned receipts for 15 sole-trader clients, about 60 each. Enter date, "
            "supplier, net amount, VAT and category into one sheet per client."
        ),
        "skills": ["data entry", "excel"],
        "budget": 40000,
        "currency": "GBP",
        "deadline_days": 20,
        "bids": [
            {
                "freelancer": "ivan@demo.test",
                "amount": 38000,
                "delivery_days": 12,
                "cover_letter": "I can enter all the receipts within twelve days.",
            },
            {
                "freelancer": "amara@demo.test",
                "amount": 39500,
                "delivery_days": 10,
                "cover_letter": (
                    "Receipts are most of my work; I know UK VAT rates and categories."
                ),
            },
        ],
        "withdrawn": ["ivan@demo.test"],
    },
    {
        "client": "brightbooks@demo.test",
        "title": "Transcribe monthly supplier invoices into our bookkeeping spreadsheet",
        "description": (
            "Every month we receive about 500 supplier invoices as PDFs and paper scans. "
            "Transcribe supplier, invoice number, invoice date, net, VAT and gross "
            "amounts into our spreadsheet so we can import them into Xero. Ongoing work "
            "for the right person."
        ),
        "skills": ["invoice transcription", "data entry", "excel"],
        "budget": 35000,
        "currency": "GBP",
        "deadline_days": 15,
        "bids": [
            {
                "freelancer": "amara@demo.test",
                "amount": 34000,
                "delivery_days": 7,
                "cover_letter": (
                    "Invoice transcription is my speciality. I'd deliver in two halves so "
                    "you can import and check the first 250 early."
                ),
                "milestones": [
                    {"title": "First 250 invoices transcribed", "amount": 17000},
                    {"title": "Remaining invoices transcribed", "amount": 17000},
                ],
            },
            {
                "freelancer": "rahul@demo.test",
                "amount": 35000,
                "delivery_days": 9,
                "cover_letter": "I can transcribe the invoices and check totals with formulas.",
            },
        ],
    },
    {
        "client": "brightbooks@demo.test",
        "title": "Key in twelve supplier invoices for our VAT return, checked on delivery",
        "description": (
            "Twelve supplier invoices from November (PDFs attached, one of them public as "
            "a sample). Key in one record per invoice: invoice number, supplier, date as "
            "on the invoice (dd/mm/yyyy), net amount, VAT rate, VAT and total. Deliveries "
            "are checked against the record schema, and a few invoices are known answers."
        ),
        "skills": ["invoice transcription", "data entry"],
        "budget": 6000,
        "currency": "GBP",
        "deadline_days": 5,
        "schema": {
            "fields": [
                {
                    "name": "invoice_number",
                    "type": "string",
                    "title": "Invoice number",
                    "constraints": {"required": True, "pattern": "INV-[0-9]{5}"},
                },
                {
                    "name": "supplier",
                    "type": "string",
                    "constraints": {"required": True, "maxLength": 200},
                },
                {
                    "name": "invoice_date",
                    "type": "date",
                    "format": "%d/%m/%Y",
                    "constraints": {"required": True},
                },
                {"name": "net", "type": "number", "constraints": {"minimum": 0}},
                {"name": "vat_rate", "type": "integer", "constraints": {"enum": [0, 5, 20]}},
                {"name": "vat", "type": "number", "constraints": {"minimum": 0}},
                {
                    "name": "gross",
                    "type": "number",
                    "constraints": {"required": True, "minimum": 0},
                },
            ],
            "primaryKey": "invoice_number",
        },
        "quality": {"min_accuracy": 0.98},
        "source_files": "invoices",
        # Known answers among the twelve: the delivery is measured on these (by invoice
        # number), and only Bright Books and admins see which they are.
        "gold": [2, 7, 10],
        "bids": [
            {
                "freelancer": "amara@demo.test",
                "amount": 6000,
                "delivery_days": 2,
                "cover_letter": "Twelve invoices: I can key them in and deliver tomorrow.",
                # Paid per invoice the client accepts: 5.00 GBP each, twelve at most.
                "milestones": [
                    {"title": "Twelve invoices keyed in", "unit_price": 500, "max_records": 12}
                ],
            },
        ],
        "accepted": "amara@demo.test",
    },
    {
        "client": "acme@demo.test",
        "title": "Transcribe third-quarter freight invoices into CSV",
        "description": (
            "Transcribe roughly 800 freight invoices from July to September into a CSV "
            "with carrier, invoice number, date, currency, amount and our shipment "
            "reference. Invoices are scanned PDFs, some in Spanish."
        ),
        "skills": ["invoice transcription", "data entry"],
        "budget": 52000,
        "currency": "USD",
        "deadline_days": 25,
        "bids": [
            {
                "freelancer": "amara@demo.test",
                "amount": 50000,
                "delivery_days": 12,
                "cover_letter": "I transcribe freight invoices regularly and can start today.",
            },
            {
                "freelancer": "maria@demo.test",
                "amount": 52000,
                "delivery_days": 14,
                "cover_letter": "I read Spanish natively, which helps with those invoices.",
            },
        ],
    },
]


def seed() -> None:
    """Create the demo accounts, then the jobs, bids, contracts and messages."""
    users = _create_users()
    today = utcnow().date()
    for spec in DEMO_JOBS:
        _create_job(spec, users, today)
    _move_money(users)
    _deliver_invoices(users)


# How far the demo's contracts got, in creation order: one step list per milestone.
MONEY_STEPS: list[list[tuple[str, ...]]] = [
    [("fund", "submit", "approve"), ("fund", "submit")],
    [("fund",)],
]


def _move_money(users: dict[str, User]) -> None:
    """Fund, deliver and approve some milestones on the local gateway's test card."""
    for contract, plans in zip(
        db.session.scalars(select(Contract).order_by(Contract.id)).all(),
        MONEY_STEPS,
        strict=False,
    ):
        client = db.session.get_one(User, contract.client_id)
        freelancer = db.session.get_one(User, contract.freelancer_id)
        for milestone, steps in zip(list(contract.milestones), plans, strict=False):
            if "fund" in steps:
                payments.fund_milestone(client, milestone.id, "pm_card_visa")
            if "submit" in steps:
                payments.submit_milestone(freelancer, milestone.id, "Delivered: see the sheet.")
            if "approve" in steps:
                payments.approve_milestone(client, milestone.id)


def demo_invoices() -> list[dict]:
    """The twelve supplier invoices of the data-entry demo job, as their records."""
    suppliers = [
        "Harbour Stationers Ltd",
        "Kettle & Crumb Catering",
        "Northgate Office Cleaning",
        "Pennine Print Works",
    ]
    invoices = []
    for number in range(12):
        net = 120 + number * 37.5
        rate = (20, 20, 5, 0)[number % 4]
        vat = round(net * rate / 100, 2)
        invoices.append(
            {
                "invoice_number": f"INV-{10230 + number * 7:05d}",
                "supplier": suppliers[number % 4],
                "invoice_date": f"{3 + number * 2:02d}/11/2026",
                "net": net,
                "vat_rate": rate,
                "vat": vat,
                "gross": round(net + vat, 2),
            }
        )
    return invoices


def _attach_invoices(client: User, job_id: int) -> None:
    """The job's source files: the first three invoices as PDFs (the first a public
    sample) and a scanned page."""
    documents = [
        (f"{invoice['invoice_number']}.pdf", invoice_pdf(invoice))
        for invoice in demo_invoices()[:3]
    ]
    documents.append(("scanned-page-04.png", scanned_form_png()))
    for index, (name, data) in enumerate(documents):
        upload = FileStorage(stream=io.BytesIO(data), filename=name)
        add_file(client, job_id, upload, sample=index == 0)


def _deliver_invoices(users: dict[str, User]) -> None:
    """The data-entry job's milestone: funded, then its twelve records delivered as the
    freelancer's CSV and checked, waiting for the client's review."""
    client = users["brightbooks@demo.test"]
    contract = db.session.scalars(
        select(Contract)
        .join(Job, Job.id == Contract.job_id)
        .where(Contract.client_id == client.id, Job.record_schema.is_not(None))
    ).one()
    milestone_id = contract.milestones[0].id
    freelancer = db.session.get_one(User, contract.freelancer_id)
    payments.fund_milestone(client, milestone_id, "pm_card_visa")
    header = ["invoice_number", "supplier", "invoice_date", "net", "vat_rate", "vat", "gross"]
    lines = [",".join(header)]
    for invoice in demo_invoices():
        cells = [str(invoice[name]) for name in header]
        lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
    sheet = ("\r\n".join(lines) + "\r\n").encode()
    upload = FileStorage(stream=io.BytesIO(sheet), filename="november-invoices.csv")
    payments.submit_milestone(
        freelancer,
        milestone_id,
        "All twelve invoices keyed in; totals checked against each PDF.",
        deliveries.file_delivery(upload),
    )


def _create_users() -> dict[str, User]:
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
    return {user.email: user for user in users}


def _create_job(spec: dict, users: dict[str, User], today: date) -> None:
    """Post one job through the services and play out what happened to it."""
    client = users[spec["client"]]
    job_data = JobCreateSchema().load(
        {
            "title": spec["title"],
            "description": spec["description"],
            "skills": spec["skills"],
            "budget": spec["budget"],
            "currency": spec["currency"],
            "deadline": (today + timedelta(days=spec["deadline_days"])).isoformat(),
            **{key: spec[key] for key in ("schema", "quality") if key in spec},
        }
    )
    job = jobs.post_job(client, job_data)
    if spec.get("source_files") == "invoices":
        _attach_invoices(client, job.id)
    if "gold" in spec:
        invoices = demo_invoices()
        known = [invoices[index] for index in spec["gold"]]
        gold.replace_gold(client, job.id, lambda names: reading.records_table(known, names))
    bid_ids = {}
    for bid in spec.get("bids", []):
        freelancer = users[bid["freelancer"]]
        bid_data = BidCreateSchema().load(
            {
                "amount": bid["amount"],
                "currency": job.currency,
                "delivery_days": bid["delivery_days"],
                "cover_letter": bid["cover_letter"],
                "milestones": bid.get("milestones", []),
            }
        )
        bid_ids[freelancer.email] = bids.place_bid(freelancer, job.id, bid_data).id
    for email in spec.get("withdrawn", []):
        bids.withdraw_bid(users[email], bid_ids[email])
    if spec.get("closed"):
        jobs.close_job(client, job.id)
    if "accepted" in spec:
        contract = contracts.accept_bid(client, bid_ids[spec["accepted"]])
        for milestone in spec.get("extra_milestones", []):
            milestone_data = MilestoneCreateSchema().load(
                {
                    "title": milestone["title"],
                    "description": milestone["description"],
                    "amount": milestone["amount"],
                    "due_date": (today + timedelta(days=milestone["due_days"])).isoformat(),
                }
            )
            contracts.add_milestone(client, contract.id, milestone_data)
        for email, body in spec.get("messages", []):
            message = MessageCreateSchema().load({"body": body})
            contracts.post_message(users[email], contract.id, message["body"])
