"""Source files: a job's client attaches what is to be keyed in (API.md, Data-entry work).

Kinds are told from the bytes; sizes are capped by MAX_UPLOAD_BYTES; who sees what
depends on the role and the job's state; downloads by others are audited.
"""

import hashlib
import io
from urllib.parse import unquote

import pytest

from marketplace.extensions import db
from marketplace.files.models import SourceFile
from marketplace.storage import StorageUnavailable, StoredFileMissing, get_storage
from tests.client import assert_problem
from tests.files import (
    CSV,
    DOCX,
    EXE,
    KINDS,
    PDF,
    PNG,
    TEXT,
    add_file,
    multipart,
    stored_keys,
    upload,
)
from tests.money import paid_contract
from tests.s3_server import wanted as s3_wanted
from tests.work import make_contract, place_bid, post_job


@pytest.fixture
def client(api, factory):
    return api.as_user(factory.client())


@pytest.fixture
def job(client):
    return post_job(client)


def rows(app) -> int:
    with app.app_context():
        return db.session.query(SourceFile).count()


# kinds --------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", list(KINDS))
def test_each_kind_is_told_from_its_bytes_and_reads_back(client, job, content_type):
    data, name = KINDS[content_type]

    created = add_file(client, job["id"], data, name)

    assert created == {
        "id": created["id"],
        "job_id": job["id"],
        "name": name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sample": False,
        "created_at": created["created_at"],
    }
    response = client.get(f"/files/{created['id']}/content")
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.get_data() == data


def test_the_name_and_the_part_header_do_not_decide_the_kind(client, job):
    body, content_type = multipart([("file", "scan.pdf", PNG)])
    body = body.replace(b"application/octet-stream", b"application/pdf")

    response = client.post(f"/jobs/{job['id']}/files", data=body, content_type=content_type)

    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "image/png"
    assert response.json["name"] == "scan.pdf"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a;b;c\n1;2;3\n", "text/csv"),
        (b"a\tb\n1\t2\n", "text/csv"),
        (b'\xef\xbb\xbfname,note\n"Smith, J.","two\nlines"\nLee,ok\n', "text/csv"),
        (b"just one column\nof words\n", "text/plain"),
        (b"Dear team, please type these up.\nThanks, and regards\nA, B, C\n", "text/plain"),
        (b"a,b\n", "text/plain"),  # one row is no table
    ],
)
def test_text_is_csv_only_when_it_reads_as_a_table(client, job, data, expected):
    assert add_file(client, job["id"], data, "notes.txt")["content_type"] == expected


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE, "invoice.pdf"),  # a program renamed
        (DOCX, "book.xlsx"),  # a zip that is not a workbook
        (b"PK\x03\x04" + bytes(100), "broken.xlsx"),  # a zip signature, no zip
        (b"GIF89a" + bytes(100), "scan.gif"),
        ("Café totals\n".encode("latin-1"), "latin1.csv"),
        ("a,b\n1,2\n".encode("utf-16"), "utf16.csv"),
        (b"totals\x07 ring\n", "bell.txt"),
        ("C1 \u0085 control\n".encode(), "c1.txt"),
    ],
)
def test_anything_else_is_a_415_and_nothing_is_kept(app, client, job, data, name):
    before = stored_keys(app)

    assert_problem(upload(client, job["id"], data, name), 415)

    assert rows(app) == 0
    assert stored_keys(app) == before


def test_text_spoilt_after_its_start_is_refused_while_streaming(app, client, job):
    # The start (more than the 64 KiB looked at first) is clean CSV; byte 300,001 is not.
    data = b"a,b\n" * 75_000 + b"\x00" + b"a,b\n" * 1_000
    before = stored_keys(app)

    assert_problem(upload(client, job["id"], data, "long.csv"), 415)

    assert rows(app) == 0
    assert stored_keys(app) == before


def test_text_cut_inside_a_character_is_refused(client, job):
    assert_problem(upload(client, job["id"], "a,b\nc,é".encode()[:-1], "cut.csv"), 415)


def test_an_empty_file_is_a_422(app, client, job):
    body = assert_problem(upload(client, job["id"], b"", "empty.csv"), 422, "file")
    assert "empty" in body["errors"]["file"][0]
    assert rows(app) == 0


# the request's shape ------------------------------------------------------------------


def test_sample_is_true_or_false(client, job):
    assert add_file(client, job["id"], sample="true")["sample"] is True
    assert add_file(client, job["id"], sample="false")["sample"] is False
    assert_problem(upload(client, job["id"], sample="yes"), 422, "sample")


@pytest.mark.parametrize(
    "parts",
    [
        [("sample", None, b"true")],  # no file
        [("file", None, CSV)],  # a plain field, not a file
        [("file", "a.csv", CSV), ("title", None, b"x")],  # an unknown field
        [("file", "a.csv", CSV), ("file", "b.pdf", PDF)],  # which file is meant?
        [("file", "a.csv", CSV), ("sample", None, b"true"), ("sample", None, b"false")],
    ],
)
def test_a_malformed_upload_is_a_422(app, client, job, parts):
    body, content_type = multipart(parts)

    response = client.post(f"/jobs/{job['id']}/files", data=body, content_type=content_type)

    assert_problem(response, 422)
    assert rows(app) == 0


def test_a_file_needs_a_name(client, job):
    body, content_type = multipart([("file", "", CSV)])
    response = client.post(f"/jobs/{job['id']}/files", data=body, content_type=content_type)
    assert_problem(response, 422, "file")


def test_a_json_body_is_a_415(client, job):
    assert_problem(client.post(f"/jobs/{job['id']}/files", json={"file": "x"}), 415)


def test_names_keep_their_last_part_without_control_characters(client, job):
    # As browsers frame it: a quote as %22 (werkzeug reads it back as a quote).
    body, content_type = multipart([("file", "../../scans/in%22voice\x07 1.pdf", PDF)])
    response = client.post(f"/jobs/{job['id']}/files", data=body, content_type=content_type)
    assert response.json["name"] == 'in"voice 1.pdf'

    long = add_file(client, job["id"], PDF, "x" * 300 + ".pdf")
    assert long["name"] == "x" * 251 + ".pdf"


def test_an_unknown_job_is_a_404(client):
    assert_problem(upload(client, 999_999), 404)
    assert_problem(client.get("/jobs/999999/files"), 404)


def test_only_the_jobs_client_adds_files(api, factory, job):
    other = api.as_user(factory.client())
    assert_problem(upload(other, job["id"]), 403)


def test_files_can_be_added_in_any_state_of_the_job(api, factory, client):
    contract = make_contract(client, api.as_user(factory.freelancer()))
    assert add_file(client, contract["job_id"])["job_id"] == contract["job_id"]


# size ---------------------------------------------------------------------------------


def test_a_file_past_max_upload_bytes_is_a_413_and_nothing_is_kept(app, client, job, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1000)
    before = stored_keys(app)

    assert add_file(client, job["id"], b"a,b\n" * 250)["size"] == 1000
    assert_problem(upload(client, job["id"], b"a,b\n" * 250 + b"x"), 413)
    # A body past the cap and its framing is refused before it is read.
    assert_problem(upload(client, job["id"], b"a,b\n" * 100_000), 413)

    assert rows(app) == 1
    assert len(stored_keys(app)) == len(before) + 1


def test_uploads_take_more_than_the_json_cap(client, job):
    data = b"invoice,total\n" + b"1001,120.50\n" * 200_000  # 2.4 MB
    # Framed here: the test client would spool its own body to a file it never closes.
    body, content_type = multipart([("file", "big.csv", data)])

    created = client.post(f"/jobs/{job['id']}/files", data=body, content_type=content_type).json

    assert created["size"] == len(data)
    assert client.get(f"/files/{created['id']}/content").get_data() == data


def test_json_bodies_elsewhere_keep_the_1_mib_cap(client, job):
    response = client.patch(f"/jobs/{job['id']}", json={"description": "x" * (1024 * 1024)})
    assert_problem(response, 413)


def test_a_chunked_upload_past_the_cap_is_a_413(app, client, job, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1000)
    body, content_type = multipart([("file", "a.csv", b"a,b\n" * 100_000)])

    response = client.post(
        f"/jobs/{job['id']}/files",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert_problem(response, 413)
    assert rows(app) == 0


# visibility ---------------------------------------------------------------------------

ROLES = ("client", "other_client", "freelancer", "other_freelancer", "admin")


def _world(api, factory, state: str) -> dict:
    """A job in `state` with a sample and a private file; the freelancer bid on it (and
    holds its contract once there is one)."""
    people = {role: api.as_user(factory.user(role.removeprefix("other_"))) for role in ROLES}
    client, freelancer = people["client"], people["freelancer"]
    if state in ("open", "closed"):
        job = post_job(client)
        place_bid(freelancer, job["id"])
        job_id = job["id"]
    elif state == "in_progress":
        job_id = make_contract(client, freelancer)["job_id"]
    else:
        job_id = paid_contract(client, freelancer)["job_id"]
    sample = add_file(client, job_id, PNG, "sample.png", sample="true")
    private = add_file(client, job_id, PDF, "all.pdf")
    if state == "closed":
        assert client.post(f"/jobs/{job_id}/close").status_code == 200
    assert client.get(f"/jobs/{job_id}").json["status"] == state
    return {"people": people, "job": job_id, "sample": sample["id"], "private": private["id"]}


EVERYONE = dict.fromkeys(ROLES, ("sample", "private"))
VISIBLE = {
    "open": {**EVERYONE, "other_client": ("sample",), "freelancer": ("sample",),
             "other_freelancer": ("sample",)},
    "in_progress": {**EVERYONE, "other_client": (), "other_freelancer": ()},
    "completed": {**EVERYONE, "other_client": (), "other_freelancer": ()},
    "closed": {**EVERYONE, "other_client": (), "freelancer": (), "other_freelancer": ()},
}  # fmt: skip


@pytest.mark.parametrize("state", list(VISIBLE))
def test_who_sees_which_files(api, factory, state):
    world = _world(api, factory, state)
    for role, caller in world["people"].items():
        visible = VISIBLE[state][role]
        listed = caller.get(f"/jobs/{world['job']}/files")
        assert listed.status_code == 200
        listed_ids = [f["id"] for f in listed.json["data"]]
        assert listed_ids == [world[kind] for kind in ("sample", "private") if kind in visible]
        for kind in ("sample", "private"):
            file_id = world[kind]
            record = caller.get(f"/files/{file_id}")
            content = caller.get(f"/files/{file_id}/content")
            if kind in visible:
                assert (record.status_code, content.status_code) == (200, 200), (role, kind)
            else:
                assert_problem(record, 404)
                assert_problem(content, 404)


def test_the_freelancer_of_a_cancelled_contract_still_sees_its_files(api, factory, client):
    freelancer = api.as_user(factory.freelancer())
    contract = make_contract(client, freelancer)
    file = add_file(client, contract["job_id"])
    assert client.post(f"/milestones/{contract['milestones'][0]['id']}/cancel").status_code == 200
    assert client.post(f"/contracts/{contract['id']}/cancel").status_code == 200

    assert freelancer.get(f"/files/{file['id']}").status_code == 200


def test_an_unknown_file_is_a_404(client):
    assert_problem(client.get("/files/999999"), 404)
    assert_problem(client.get("/files/999999/content"), 404)
    assert_problem(client.delete("/files/999999"), 404)


# removal ------------------------------------------------------------------------------


def test_the_client_removes_a_file_of_an_open_job_and_its_bytes(app, client, job):
    file = add_file(client, job["id"])
    with app.app_context():
        key = db.session.get(SourceFile, file["id"]).storage_key

    response = client.delete(f"/files/{file['id']}")

    assert response.status_code == 204
    assert_problem(client.get(f"/files/{file['id']}"), 404)
    assert rows(app) == 0
    with app.app_context(), pytest.raises(StoredFileMissing):
        get_storage().open(key)


@pytest.mark.parametrize("state", ["in_progress", "completed", "closed"])
def test_files_stay_once_the_job_is_not_open(app, api, factory, state):
    world = _world(api, factory, state)

    assert_problem(world["people"]["client"].delete(f"/files/{world['private']}"), 409)
    assert rows(app) == 2


def test_only_the_client_removes_and_others_learn_only_what_they_see(app, api, factory):
    world = _world(api, factory, "open")
    people = world["people"]

    assert_problem(people["admin"].delete(f"/files/{world['private']}"), 403)
    assert_problem(people["other_client"].delete(f"/files/{world['sample']}"), 403)
    assert_problem(people["other_client"].delete(f"/files/{world['private']}"), 404)
    assert_problem(people["freelancer"].delete(f"/files/{world['private']}"), 404)
    assert rows(app) == 2


# downloads ----------------------------------------------------------------------------


def test_downloads_by_others_than_the_uploader_are_audited(api, factory):
    world = _world(api, factory, "in_progress")
    people = world["people"]
    file_id = world["private"]

    for role in ("client", "client", "freelancer", "admin"):
        assert people[role].get(f"/files/{file_id}/content").status_code == 200
    assert_problem(people["other_client"].get(f"/files/{file_id}/content"), 404)
    people["freelancer"].get(f"/files/{file_id}")  # the record alone is no download

    log = people["admin"].get("/admin/audit-log", query_string={"action": "file.download"})
    entries = sorted(log.json["data"], key=lambda e: e["id"])
    assert [(e["actor"]["name"], e["target"]) for e in entries] == [
        (_name(people["freelancer"]), f"file:{file_id}"),
        (_name(people["admin"]), f"file:{file_id}"),
    ]
    assert entries[0]["data"] == {
        "job_id": world["job"],
        "name": "all.pdf",
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }


def _name(caller) -> str:
    return caller.get("/me").json["name"]


def _downloads(admin) -> list[str]:
    log = admin.get("/admin/audit-log", query_string={"action": "file.download"})
    return [entry["target"] for entry in log.json["data"]]


def test_a_download_whose_content_cannot_be_opened_is_not_audited(app, api, factory):
    world = _world(api, factory, "in_progress")
    admin = world["people"]["admin"]
    file_id = world["private"]
    with app.app_context():
        key = db.session.get(SourceFile, file_id).storage_key

    class Down:
        def open(self, *args, **kwargs):
            raise StorageUnavailable("connection refused")

    real = app.extensions["file_storage"]
    app.extensions["file_storage"] = Down()
    try:
        down = admin.get(f"/files/{file_id}/content", expect_5xx=True)
    finally:
        app.extensions["file_storage"] = real
    with app.app_context():
        get_storage().delete(key)  # the object is gone, its row is still there
    missing = admin.get(f"/files/{file_id}/content")

    assert_problem(down, 503)
    assert_problem(missing, 404)
    assert _downloads(admin) == []


def test_a_head_request_sends_no_bytes_and_is_not_audited(api, factory):
    world = _world(api, factory, "in_progress")
    admin = world["people"]["admin"]
    path = f"/files/{world['private']}/content"

    head = admin.request("HEAD", path)
    head.close()  # as a server does once it answered: the stored file is closed unread

    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(PDF))
    assert head.headers["ETag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert _downloads(admin) == []
    assert admin.get(path).get_data() == PDF
    assert _downloads(admin) == [f"file:{world['private']}"]


def test_a_download_says_what_it_is(client, job):
    file = add_file(client, job["id"], CSV, "totals.csv")

    response = client.get(f"/files/{file['id']}/content")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="totals.csv"'
    assert response.headers["ETag"] == f'"{file["sha256"]}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Length"] == str(len(CSV))
    assert response.headers["Cache-Control"] == "no-store"


def test_a_name_beyond_ascii_is_given_whole_in_filename_star(client, job):
    name = "Übersicht März 2026 — 請求書.pdf"
    file = add_file(client, job["id"], PDF, name)

    disposition = client.get(f"/files/{file['id']}/content").headers["Content-Disposition"]

    parts = dict(part.strip().split("=", 1) for part in disposition.split(";")[1:])
    assert disposition.startswith("attachment;")
    assert parts["filename"] == '"Ubersicht Marz 2026  .pdf"'
    assert parts["filename*"].startswith("UTF-8''")
    assert unquote(parts["filename*"].removeprefix("UTF-8''")) == name


def test_quotes_in_an_ascii_name_are_escaped(client, job):
    body, content_type = multipart([("file", "say %22hi%22.pdf", PDF)])
    file = client.post(f"/jobs/{job['id']}/files", data=body, content_type=content_type).json
    disposition = client.get(f"/files/{file['id']}/content").headers["Content-Disposition"]
    assert disposition == 'attachment; filename="say \\"hi\\".pdf"'


def test_text_files_are_served_as_utf8_text(client, job):
    file = add_file(client, job["id"], TEXT, "notes.txt")
    response = client.get(f"/files/{file['id']}/content")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.get_data() == TEXT


def test_an_unreachable_storage_is_a_503_to_retry(app, client, job):
    file = add_file(client, job["id"])

    class Down:
        def save(self, *args, **kwargs):
            raise StorageUnavailable("connection refused")

        open = delete = save

    real = app.extensions["file_storage"]
    app.extensions["file_storage"] = Down()
    try:
        body, content_type = multipart([("file", "a.png", PNG)])
        path = f"/jobs/{job['id']}/files"
        refused = client.post(path, data=body, content_type=content_type, expect_5xx=True)
        download = client.get(f"/files/{file['id']}/content", expect_5xx=True)
    finally:
        app.extensions["file_storage"] = real

    for response in (refused, download):
        assert_problem(response, 503)
        assert response.headers["Retry-After"]
    assert rows(app) == 1


# lists --------------------------------------------------------------------------------


def test_a_jobs_files_page_oldest_first(client, job):
    ids = [add_file(client, job["id"], CSV, f"part-{n}.csv")["id"] for n in range(5)]

    first = client.get(f"/jobs/{job['id']}/files", query_string={"limit": 2}).json
    second = client.get(
        f"/jobs/{job['id']}/files", query_string={"limit": 2, "cursor": first["next_cursor"]}
    ).json
    third = client.get(
        f"/jobs/{job['id']}/files", query_string={"limit": 2, "cursor": second["next_cursor"]}
    ).json

    pages = [first, second, third]
    assert [[f["id"] for f in page["data"]] for page in pages] == [ids[:2], ids[2:4], ids[4:]]
    assert third["next_cursor"] is None
    assert_problem(client.get(f"/jobs/{job['id']}/files?cursor=nonsense"), 422, "cursor")
    assert_problem(client.get(f"/jobs/{job['id']}/files?limit=0"), 422, "limit")


def test_another_jobs_files_are_not_listed(client, job):
    other = post_job(client)
    add_file(client, other["id"])
    assert client.get(f"/jobs/{job['id']}/files").json == {"data": [], "next_cursor": None}


# idempotency --------------------------------------------------------------------------


def test_a_retried_upload_replays_whatever_its_boundary(app, client, job):
    headers = {"Idempotency-Key": "upload-1"}
    parts = [("sample", None, b"true"), ("file", "scan.png", PNG)]
    first_body, first_type = multipart(parts, boundary="one-boundary")
    again_body, again_type = multipart(parts[::-1], boundary="another-boundary-entirely")
    path = f"/jobs/{job['id']}/files"

    first = client.post(path, data=first_body, content_type=first_type, headers=headers)
    again = client.post(path, data=again_body, content_type=again_type, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert rows(app) == 1


def test_the_same_key_with_another_file_is_a_422(app, client, job):
    headers = {"Idempotency-Key": "upload-2"}
    path = f"/jobs/{job['id']}/files"
    first_body, first_type = multipart([("file", "scan.png", PNG)])
    other_body, other_type = multipart([("file", "scan.png", PNG + b"!")])
    renamed_body, renamed_type = multipart([("file", "other.png", PNG)])

    assert (
        client.post(path, data=first_body, content_type=first_type, headers=headers).status_code
        == 201
    )
    other = client.post(path, data=other_body, content_type=other_type, headers=headers)
    renamed = client.post(path, data=renamed_body, content_type=renamed_type, headers=headers)

    assert_problem(other, 422, "Idempotency-Key")
    assert_problem(renamed, 422, "Idempotency-Key")
    assert rows(app) == 1


def test_the_bytes_are_where_file_storage_says(app, client, job):
    """TEST_FILE_STORAGE=s3 (scripts/s3-tests) runs this file on S3; a folder otherwise."""
    file = add_file(client, job["id"])
    with app.app_context():
        storage = get_storage()
        key = db.session.get(SourceFile, file["id"]).storage_key

    assert type(storage).__name__ == ("S3Storage" if s3_wanted() else "FolderStorage")
    assert any(stored.endswith(key) for stored in stored_keys(app))


# orphaned objects ------------------------------------------------------------------------


def _sweep(app, *args: str):
    result = app.test_cli_runner().invoke(args=["marketplace", "sweep-files", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _exists(app, key: str) -> bool:
    with app.app_context():
        try:
            _close_chunks(get_storage().open(key))
        except StoredFileMissing:
            return False
    return True


def _close_chunks(chunks) -> None:
    chunks.close()


def test_sweep_files_removes_stored_objects_no_row_names(app, api, factory):
    _sweep(app, "--grace-minutes", "0")  # what earlier tests left behind
    client, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    job = make_contract(client, freelancer)["job_id"]
    kept = add_file(client, job, PDF, "kept.pdf")
    with app.app_context():
        kept_key = db.session.get(SourceFile, kept["id"]).storage_key
        for key in ("jobs/1/files/never-committed", "deliveries/1/never-committed"):
            get_storage().save(key, io.BytesIO(b"left behind by a crash"))
    orphans = ["deliveries/1/never-committed", "jobs/1/files/never-committed"]

    young = _sweep(app)  # the grace period spares them: an upload may be under way
    listed = _sweep(app, "--grace-minutes", "0", "--dry-run")
    assert all(_exists(app, key) for key in orphans)
    swept = _sweep(app, "--grace-minutes", "0")

    assert "0 stored file(s) no row names removed" in young
    assert sorted(line for line in listed.splitlines() if line.startswith("would remove")) == [
        f"would remove: {key}" for key in orphans
    ]
    assert sorted(line for line in swept.splitlines() if line.startswith("removed:")) == [
        f"removed: {key}" for key in orphans
    ]
    assert not any(_exists(app, key) for key in orphans)
    assert _exists(app, kept_key)
    assert client.get(f"/files/{kept['id']}/content").get_data() == PDF


def test_a_failed_upload_whose_object_stayed_is_swept(app, client, job, monkeypatch):
    """The upload's commit fails and so does the store's removal of its object (as when
    the process dies between the two): an object no row names, until the sweep."""
    from marketplace.files import service

    _sweep(app, "--grace-minutes", "0")
    with app.app_context():
        storage = get_storage()

    def fail(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service.db.session, "commit", fail)
    monkeypatch.setattr(storage, "delete", fail)
    body, content_type = multipart([("file", "lost.pdf", PDF)])
    response = client.post(
        f"/jobs/{job['id']}/files", data=body, content_type=content_type, expect_5xx=True
    )
    monkeypatch.undo()
    left = stored_keys(app)

    monkeypatch.setitem(app.config, "FILE_SWEEP_GRACE_MINUTES", 0)
    purged = app.test_cli_runner().invoke(args=["marketplace", "purge-expired"])

    assert response.status_code == 500
    assert rows(app) == 0
    assert len(left) == 1
    assert purged.exit_code == 0, purged.output
    assert "1 stored file(s) no row names removed" in purged.output
    assert stored_keys(app) == []


def test_a_removed_file_whose_bytes_the_store_kept_is_swept(app, client, job, monkeypatch):
    file = add_file(client, job["id"])
    with app.app_context():
        storage = get_storage()
        key = db.session.get(SourceFile, file["id"]).storage_key

    def down(*_args, **_kwargs):
        raise StorageUnavailable("connection refused")

    monkeypatch.setattr(storage, "delete", down)
    removed = client.delete(f"/files/{file['id']}")
    monkeypatch.undo()

    assert removed.status_code == 204  # the row went first: nobody reaches the bytes
    assert rows(app) == 0
    assert _exists(app, key)
    _sweep(app, "--grace-minutes", "0")
    assert not _exists(app, key)
