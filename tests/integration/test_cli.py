"""The `marketplace` CLI group: create-admin and seed-demo; the secret key warning."""

import os
import subprocess
import sys

import pytest

from marketplace.config import PROJECT_ROOT
from marketplace.demo import DEMO_PASSWORD, DEMO_USERS
from tests.client import ApiClient, assert_problem


def run(app, *args):
    return app.test_cli_runner().invoke(args=["marketplace", *args])


def test_create_admin_makes_an_admin_who_can_sign_in(app, api):
    result = run(app, "create-admin", "Boss@Example.test", "--password", "admin password")

    assert result.exit_code == 0, result.output
    token = api.post(
        "/auth/tokens",
        json={"email": "boss@example.test", "password": "admin password", "name": "ops"},
    ).json["token"]
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).json["role"] == "admin"


def test_create_admin_promotes_an_existing_account_and_ends_its_old_credentials(app, api, factory):
    user = factory.freelancer()
    api.login(user.email, user.password)
    old_token = api.as_user(user)

    result = run(app, "create-admin", user.email, "--password", "brand new password")

    assert result.exit_code == 0, result.output
    assert_problem(old_token.get("/me"), 401)
    assert_problem(api.get("/me"), 401)
    old = api.post("/auth/login", json={"email": user.email, "password": user.password})
    assert_problem(old, 401)
    api.login(user.email, "brand new password")
    assert api.get("/me").json["role"] == "admin"


def test_create_admin_refuses_a_short_password(app, api):
    result = run(app, "create-admin", "boss@example.test", "--password", "short")

    assert result.exit_code != 0
    assert "10 characters" in result.output


def test_admin_is_not_a_role_anyone_can_register(api):
    response = api.post(
        "/auth/register",
        json={
            "email": "a@b.test",
            "password": "0123456789",
            "role": "admin",
            "name": "A",
            "country": "US",
        },
    )

    assert_problem(response, 422, "role")


def test_seed_demo_loads_accounts_once(app, api):
    first = run(app, "seed-demo")
    second = run(app, "seed-demo")

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "not loaded" in second.output
    email = DEMO_USERS[1][0]
    api.login(email, DEMO_PASSWORD)
    assert api.get("/me").json["email"] == email
    assert len(api.get("/jobs?status=in_progress&limit=100").json["data"]) == 4


def test_seed_demo_shows_a_freelancer_open_jobs_in_several_currencies(app, api):
    assert run(app, "seed-demo").exit_code == 0
    api.login("amara@demo.test", DEMO_PASSWORD)

    open_jobs = api.get("/jobs?limit=100").json["data"]
    found = api.get("/jobs?q=invoices").json["data"]

    assert {job["currency"] for job in open_jobs} == {"USD", "EUR", "GBP"}
    assert len(open_jobs) == 6
    assert {job["client"]["name"] for job in open_jobs} == {
        "Acme Logistics",
        "Nordwind Versicherung",
        "Bright Books Ltd",
    }
    assert all(job["budget"] > 0 and job["skills"] for job in open_jobs)
    assert any(job["bid_count"] > 0 for job in open_jobs)
    assert found
    assert all(job["status"] == "open" for job in found)
    assert any("invoice" in job["title"].lower() for job in found)
    bids = api.get("/bids?limit=100").json["data"]
    assert {bid["status"] for bid in bids} >= {"pending", "declined"}
    assert all(sum(m["amount"] for m in bid["milestones"]) in (0, bid["amount"]) for bid in bids)


def test_seed_demo_gives_a_client_a_contract_with_milestones_and_messages(app, api):
    assert run(app, "seed-demo").exit_code == 0
    api.login("nordwind@demo.test", DEMO_PASSWORD)

    contracts = api.get("/contracts").json["data"]

    assert len(contracts) == 1
    contract = contracts[0]
    assert contract["status"] == "active"
    assert contract["currency"] == "EUR"
    assert contract["freelancer"]["name"] == "María Santos"
    assert len(contract["milestones"]) == 2
    assert contract["amount"] == sum(m["amount"] for m in contract["milestones"])
    assert api.get(f"/jobs/{contract['job_id']}").json["status"] == "in_progress"
    messages = api.get(f"/contracts/{contract['id']}/messages").json["data"]
    assert [m["author"]["name"] for m in messages] == ["Nordwind Versicherung", "María Santos"]
    closed = api.get("/jobs?status=closed").json["data"]
    assert [job["client"]["name"] for job in closed] == ["Acme Logistics"]


def test_seed_demo_holds_a_data_entry_job_with_its_schema_and_source_files(app, api):
    assert run(app, "seed-demo").exit_code == 0
    api.login("brightbooks@demo.test", DEMO_PASSWORD)

    me = api.get("/me").json["id"]
    job = next(
        job
        for job in api.get(f"/jobs?status=in_progress&client_id={me}&limit=100").json["data"]
        if job["schema"]
    )
    files = api.get(f"/jobs/{job['id']}/files").json["data"]

    assert job["schema"]["primaryKey"] == "invoice_number"
    assert job["quality"] == {"min_accuracy": 0.98}
    assert [(f["content_type"], f["sample"]) for f in files] == [
        ("application/pdf", True),
        ("application/pdf", False),
        ("application/pdf", False),
        ("image/png", False),
    ]
    content = api.get(f"/files/{files[0]['id']}/content")
    assert content.status_code == 200
    assert content.data.startswith(b"%PDF-1.4")
    assert content.data.rstrip().endswith(b"%%EOF")
    assert api.get(f"/files/{files[3]['id']}/content").data.startswith(b"\x89PNG")
    contract = next(c for c in api.get("/contracts").json["data"] if c["job_id"] == job["id"])
    milestone = contract["milestones"][0]
    assert contract["min_accuracy"] == 0.98
    assert milestone["status"] == "submitted"
    assert milestone["records"]["submitted"] == 12
    assert (milestone["unit_price"], milestone["max_records"], milestone["amount"]) == (
        500,
        12,
        6000,
    )
    report = milestone["submissions"][-1]["report"]
    assert (report["rows"], report["valid"], report["passed"]) == (12, 12, True)
    exported = api.get(f"/milestones/{milestone['id']}/records").data.decode().splitlines()
    assert exported[0] == "invoice_number,supplier,invoice_date,net,vat_rate,vat,gross"
    assert len(exported) == 13


def test_seed_demo_measures_the_data_entry_delivery_on_gold_records(app, api):
    assert run(app, "seed-demo").exit_code == 0
    client = ApiClient(app)
    client.login("brightbooks@demo.test", DEMO_PASSWORD)
    contract = next(c for c in client.get("/contracts").json["data"] if c["min_accuracy"])
    job = contract["job_id"]

    gold = client.get(f"/jobs/{job}/gold").json
    assert gold["rows"] == 3
    assert [record["invoice_number"] for record in gold["records"]] == [
        "INV-10244",
        "INV-10279",
        "INV-10300",
    ]
    assert gold["records"][0]["invoice_date"] == "2026-11-07"
    report = contract["milestones"][0]["submissions"][-1]["report"]
    assert report["gold"] == {
        "rows": 3,
        "fields": 18,
        "correct": 18,
        "accuracy": 1.0,
        "differences": [],
    }
    assert report["passed"] is True

    freelancer = ApiClient(app)
    freelancer.login("amara@demo.test", DEMO_PASSWORD)
    mine = freelancer.get(f"/contracts/{contract['id']}").json
    assert mine["milestones"][0]["submissions"][-1]["report"]["gold"] == {"accuracy": 1.0}
    assert freelancer.get(f"/jobs/{job}/gold").status_code == 404


def test_purge_expired_deletes_old_idempotency_records(app, api, factory):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.idempotency import IdempotencyRecord

    client = api.as_user(factory.client())
    client.post("/_probe/notes", json={}, headers={"Idempotency-Key": "old"})
    client.post("/_probe/notes", json={}, headers={"Idempotency-Key": "new"})
    with app.app_context():
        db.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "old")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()

    result = run(app, "purge-expired")

    assert result.exit_code == 0, result.output
    assert "1 idempotency records deleted" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


SECRET_KEY_WARNING = "SECRET_KEY is not set"


def _start(tmp_path, *command: str) -> str:
    """Run a command that makes the app, without SECRET_KEY; what it wrote to stderr."""
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.db'}"
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.runs_long
def test_cli_commands_do_not_warn_about_the_secret_key(tmp_path):
    stderr = _start(tmp_path, sys.executable, "-m", "flask", "--app", "wsgi", "routes")

    assert SECRET_KEY_WARNING not in stderr


@pytest.mark.runs_long
def test_serving_requests_without_a_secret_key_warns(tmp_path):
    # What a WSGI server does: import the app outside any command line.
    served = _start(tmp_path, sys.executable, "-c", "import wsgi")
    # What `flask run` does: make the app inside its `run` command.
    run_command = (
        "import click\n"
        "from marketplace import create_app\n"
        "with click.Context(click.Command('run'), info_name='run'):\n"
        "    create_app()\n"
    )
    flask_run = _start(tmp_path, sys.executable, "-c", run_command)

    assert SECRET_KEY_WARNING in served
    assert SECRET_KEY_WARNING in flask_run
