"""Source files through the generated client: a multipart upload, the list, the bytes back."""

import hashlib
from io import BytesIO

from marketplace_client.api.files import download_file, get_file
from marketplace_client.api.jobs import add_file, list_files, post_job
from marketplace_client.models import FileUpload, JobCreate
from marketplace_client.types import File
from test_lifecycle import expect, sign_up

SHEET = b"invoice,date,total\n1001,2026-01-05,120.50\n1002,2026-01-06,99.00\n"


def test_a_sample_file_goes_up_and_comes_back(server):
    company = sign_up(server["url"], "client", "Acme Forms", "US")
    bidder = sign_up(server["url"], "freelancer", "Rosa Keys", "PH")
    job_body = JobCreate(
        title="Key in invoice totals",
        description="Totals of scanned invoices into the sheet.",
        skills=["data entry"],
        budget=15_000,
        currency="USD",
    )
    job = expect(post_job.sync_detailed(client=company, body=job_body), 201)

    upload = FileUpload(
        file=File(payload=BytesIO(SHEET), file_name="totals.csv", mime_type="text/csv"),
        sample=True,
    )
    added = expect(add_file.sync_detailed(client=company, job_id=job.id, body=upload), 201)
    assert (added.name, added.content_type, added.sample) == ("totals.csv", "text/csv", True)
    assert added.sha256 == hashlib.sha256(SHEET).hexdigest()

    listed = expect(list_files.sync_detailed(client=bidder, job_id=job.id), 200)
    assert [f.id for f in listed.data] == [added.id]
    assert expect(get_file.sync_detailed(client=bidder, file_id=added.id), 200).size == len(SHEET)
    content = expect(download_file.sync_detailed(client=bidder, file_id=added.id), 200)
    assert content.payload.read() == SHEET
