"""Gold records through the generated client: a CSV body, a JSON one, the set read back, and
a freelancer who gets 404 for them."""

from io import BytesIO

from marketplace_client.api.jobs import get_gold_records, post_job, replace_gold_records
from marketplace_client.models import (
    GoldRecords,
    GoldRecordsRecordsItem,
    JobCreate,
    Problem,
    RecordSchemaInput,
)
from marketplace_client.types import File
from test_lifecycle import expect, sign_up

SCHEMA = {
    "fields": [
        {"name": "invoice", "type": "string"},
        {"name": "total", "type": "number"},
        {"name": "day", "type": "date", "format": "%d/%m/%Y"},
    ],
    "primaryKey": "invoice",
}
SHEET = b"invoice,total,day\nINV-1,120.50,05/01/2026\nINV-2,99,06/01/2026\n"


def test_gold_records_go_up_as_csv_or_json_and_only_the_client_reads_them(server):
    company = sign_up(server["url"], "client", "Acme Forms", "US")
    bidder = sign_up(server["url"], "freelancer", "Rosa Keys", "PH")
    job_body = JobCreate(
        title="Key in invoice totals",
        description="Totals of scanned invoices into the sheet.",
        skills=["data entry"],
        budget=15_000,
        currency="USD",
        schema=RecordSchemaInput.from_dict(SCHEMA),
    )
    job = expect(post_job.sync_detailed(client=company, body=job_body), 201)

    as_csv = File(payload=BytesIO(SHEET), file_name="gold.csv", mime_type="text/csv")
    summary = expect(
        replace_gold_records.sync_detailed(client=company, job_id=job.id, body=as_csv), 200
    )
    assert (summary.rows, summary.fields) == (2, 3)
    gold = expect(get_gold_records.sync_detailed(client=company, job_id=job.id), 200)
    assert [record.to_dict() for record in gold.records] == [
        {"invoice": "INV-1", "total": 120.5, "day": "2026-01-05"},
        {"invoice": "INV-2", "total": 99, "day": "2026-01-06"},
    ]

    record = GoldRecordsRecordsItem.from_dict({"invoice": "INV-3", "total": 5, "day": "07/01/2026"})
    as_json = GoldRecords(records=[record])
    summary = expect(
        replace_gold_records.sync_detailed(client=company, job_id=job.id, body=as_json), 200
    )
    assert summary.rows == 1

    hidden = get_gold_records.sync_detailed(client=bidder, job_id=job.id)
    assert hidden.status_code == 404
    assert isinstance(hidden.parsed, Problem)
