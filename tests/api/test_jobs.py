"""Jobs: post, read, edit, close, and find with every filter."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.jobs import search
from tests.client import assert_problem
from tests.work import JOB, place_bid, post_job


@pytest.fixture
def company(api, factory):
    return api.as_user(factory.client(name="Acme Logistics"))


@pytest.fixture
def freelancer(api, factory):
    return api.as_user(factory.freelancer())


def days_from_today(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_a_client_posts_an_open_job(company):
    deadline = days_from_today(60)
    job = post_job(
        company, currency="eur", skills=["Excel", " data entry ", "excel"], deadline=deadline
    )

    assert job["status"] == "open"
    assert job["currency"] == "EUR"
    assert job["skills"] == ["data entry", "excel"]
    assert job["client"]["name"] == "Acme Logistics"
    assert "email" not in job["client"]
    assert job["bid_count"] == 0
    assert job["deadline"] == deadline
    assert company.get(f"/jobs/{job['id']}").json == job


def test_only_clients_post_jobs(api, factory, freelancer):
    assert_problem(freelancer.post("/jobs", json=JOB), 403)
    assert_problem(api.as_user(factory.admin()).post("/jobs", json=JOB), 403)
    assert_problem(api.post("/jobs", json=JOB), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget": 0}, "budget"),
        ({"budget": 12.5}, "budget"),
        ({"budget": "100"}, "budget"),
        ({"currency": "XYZ"}, "currency"),
        ({"title": "  "}, "title"),
        ({"skills": "excel"}, "skills"),
        ({"deadline": "next week"}, "deadline"),
        ({"status": "closed"}, "status"),
    ],
)
def test_bad_jobs_are_refused(company, change, field):
    assert_problem(company.post("/jobs", json={**JOB, **change}), 422, field)
    assert company.get("/jobs").json["data"] == []


def test_a_deadline_cannot_be_in_the_past(company):
    job = post_job(company)
    path = f"/jobs/{job['id']}"

    for past in (days_from_today(-2), "2020-01-01"):
        body = assert_problem(company.post("/jobs", json={**JOB, "deadline": past}), 422)
        assert body["errors"]["deadline"] == ["Must not be in the past."]
        assert_problem(company.patch(path, json={"deadline": past}), 422, "deadline")

    assert [j["id"] for j in company.get("/jobs").json["data"]] == [job["id"]]
    assert company.get(path).json["deadline"] is None
    # Today is not in the past, and no deadline at all is fine.
    assert company.patch(path, json={"deadline": days_from_today(0)}).status_code == 200
    assert company.patch(path, json={"deadline": None}).status_code == 200
    assert post_job(company, deadline=days_from_today(0))["deadline"] == days_from_today(0)


def test_the_client_edits_an_open_job(company):
    job = post_job(company)

    response = company.patch(f"/jobs/{job['id']}", json={"budget": 60_000, "skills": ["ocr"]})

    assert response.status_code == 200
    assert response.json["budget"] == 60_000
    assert response.json["skills"] == ["ocr"]


def test_nobody_else_edits_or_closes_a_job(api, factory, company, freelancer):
    job = post_job(company)
    other = api.as_user(factory.client())

    for caller in (other, freelancer):
        assert_problem(caller.patch(f"/jobs/{job['id']}", json={"budget": 1}), 403)
        assert_problem(caller.post(f"/jobs/{job['id']}/close"), 403)
    assert company.get(f"/jobs/{job['id']}").json["budget"] == job["budget"]


def test_closing_declines_pending_bids_and_ends_editing(company, freelancer):
    job = post_job(company)
    bid = place_bid(freelancer, job["id"])

    closed = company.post(f"/jobs/{job['id']}/close")

    assert closed.status_code == 200
    assert closed.json["status"] == "closed"
    assert freelancer.get(f"/bids/{bid['id']}").json["status"] == "declined"
    assert_problem(company.patch(f"/jobs/{job['id']}", json={"budget": 1}), 409)
    assert_problem(company.post(f"/jobs/{job['id']}/close"), 409)
    assert company.get(f"/jobs/{job['id']}").json["budget"] == job["budget"]


def test_a_missing_job_is_404(company):
    assert_problem(company.get("/jobs/424242"), 404)
    assert_problem(company.patch("/jobs/424242", json={"budget": 5}), 404)


def test_the_currency_cannot_change_under_pending_bids(company, freelancer):
    job = post_job(company)
    place_bid(freelancer, job["id"])

    assert_problem(company.patch(f"/jobs/{job['id']}", json={"currency": "EUR"}), 409)
    assert company.patch(f"/jobs/{job['id']}", json={"currency": "usd"}).status_code == 200


def ids(response):
    assert response.status_code == 200, response.json
    return [job["id"] for job in response.json["data"]]


def test_the_list_shows_open_jobs_newest_first_by_default(company):
    first, second = post_job(company), post_job(company)
    closed = post_job(company)
    company.post(f"/jobs/{closed['id']}/close")

    assert ids(company.get("/jobs")) == [second["id"], first["id"]]
    assert ids(company.get("/jobs", query_string={"status": "closed"})) == [closed["id"]]
    assert_problem(company.get("/jobs", query_string={"status": "bogus"}), 422, "status")


def test_filters_combine(api, factory, company):
    other = api.as_user(factory.client())
    usd_small = post_job(company, budget=10_000, skills=["excel"])
    eur_big = post_job(company, budget=90_000, currency="EUR", skills=["ocr", "pdf"])
    usd_big = post_job(other, budget=70_000, skills=["typing"])

    def find(**query):
        return set(ids(company.get("/jobs", query_string=query)))

    assert find(currency="eur") == {eur_big["id"]}
    assert find(min_budget=60_000) == {eur_big["id"], usd_big["id"]}
    assert find(max_budget=70_000) == {usd_small["id"], usd_big["id"]}
    assert find(min_budget=20_000, max_budget=80_000) == {usd_big["id"]}
    assert find(skill=["pdf", "Typing"]) == {eur_big["id"], usd_big["id"]}
    assert find(client_id=usd_big["client"]["id"]) == {usd_big["id"]}
    assert find(currency="USD", skill="excel", max_budget=10_000) == {usd_small["id"]}
    # A list's statement is made once per set of filters: other values, other answers.
    assert find(currency="usd") == {usd_small["id"], usd_big["id"]}
    assert find(skill="excel") == {usd_small["id"]}
    assert find(client_id=usd_small["client"]["id"]) == {usd_small["id"], eur_big["id"]}


def test_sort_by_budget(company):
    budgets = [30_000, 90_000, 10_000, 90_000]
    jobs = [post_job(company, budget=b) for b in budgets]

    listed = company.get("/jobs", query_string={"sort": "budget_desc"}).json["data"]

    assert [j["budget"] for j in listed] == sorted(budgets, reverse=True)
    # Equal budgets: the newer first.
    assert [j["id"] for j in listed[:2]] == [jobs[3]["id"], jobs[1]["id"]]


def test_full_text_search_stems_and_needs_every_word(company):
    invoices = post_job(
        company,
        title="Transcribe invoices",
        description="Scanned supplier invoices into a spreadsheet.",
    )
    forms = post_job(
        company,
        title="Type up claim forms",
        description="Handwritten insurance forms, typed into our system.",
    )
    post_job(company, title="Clean a customer list", description="Deduplicate 5,000 rows.")

    assert ids(company.get("/jobs", query_string={"q": "invoice"})) == [invoices["id"]]
    assert ids(company.get("/jobs", query_string={"q": "typing form"})) == [forms["id"]]
    assert ids(company.get("/jobs", query_string={"q": "invoices insurance"})) == []
    assert ids(company.get("/jobs", query_string={"q": "INVOICE spreadsheets"})) == [invoices["id"]]


def test_search_ranks_by_relevance_by_default(company):
    passing = post_job(
        company,
        title="Data entry for a warehouse",
        description="Some rows mention an invoice number.",
    )
    focused = post_job(
        company,
        title="Invoice transcription: invoices for invoice audit",
        description="Every invoice, each invoice line, into the invoice sheet.",
    )

    relevant = ids(company.get("/jobs", query_string={"q": "invoice"}))
    newest = ids(company.get("/jobs", query_string={"q": "invoice", "sort": "newest"}))

    assert relevant == [focused["id"], passing["id"]]
    assert newest == [focused["id"], passing["id"]]
    newest_but_weak = post_job(company, title="Warehouse invoice", description="x")
    assert ids(company.get("/jobs", query_string={"q": "invoice"}))[0] == focused["id"]
    assert (
        ids(company.get("/jobs", query_string={"q": "invoice", "sort": "newest"}))[0]
        == (newest_but_weak["id"])
    )


def test_search_treats_operators_as_words(company):
    job = post_job(company, title="Invoices OR receipts", description='NOT a trick; quotes "ok"')

    assert ids(company.get("/jobs", query_string={"q": 'invoices "OR* -receipts'})) == [job["id"]]
    assert_problem(company.get("/jobs", query_string={"q": "***"}), 422, "q")
    assert_problem(company.get("/jobs", query_string={"sort": "relevance"}), 422, "sort")


def test_search_pages_by_relevance_without_gaps(company):
    made = {
        post_job(company, title=f"Invoice batch {n}", description="invoice " * (n + 1))["id"]
        for n in range(7)
    }

    seen, cursor = [], None
    while True:
        query = {"q": "invoice", "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = company.get("/jobs", query_string=query).json
        seen += [j["id"] for j in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made
    assert seen == ids(company.get("/jobs", query_string={"q": "invoice", "limit": 100}))


def test_relevance_ranks_only_the_most_recent_matches(app, company, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_RANK_CANDIDATES", 3)
    strongest = post_job(company, title="Invoice invoices", description="invoice " * 20)
    older = post_job(company, title="Invoice audit", description="x")
    recent = [
        post_job(company, title=f"Invoice batch {n}", description="invoice " * n)["id"]
        for n in range(1, 4)
    ]

    ranked = ids(company.get("/jobs", query_string={"q": "invoice", "limit": 100}))
    newest = ids(company.get("/jobs", query_string={"q": "invoice", "sort": "newest"}))

    # The three newest matches, best first; older ones only in the other orders.
    assert ranked == list(reversed(recent))
    assert newest == [*reversed(recent), older["id"], strongest["id"]]


def test_the_ranking_bound_counts_only_jobs_that_pass_the_filters(app, company, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_RANK_CANDIDATES", 2)
    euro = [post_job(company, title="Invoice typing", currency="EUR")["id"] for _ in range(3)]
    for _ in range(3):
        post_job(company, title="Invoice typing", currency="USD")

    found = ids(company.get("/jobs", query_string={"q": "invoice", "currency": "EUR"}))

    assert sorted(found) == euro[1:]


@pytest.mark.parametrize("common", [1, 2000], ids=["common words", "rare words"])
def test_searches_in_other_orders_find_every_match(company, monkeypatch, common):
    # On SQLite a search for common words walks the list's index and tests each job;
    # for rare ones it collects the matches first. Both find the same jobs.
    monkeypatch.setattr(search, "COMMON", common)
    budgets = [30_000, 90_000, 10_000]
    matching = [post_job(company, title="Key in receipts", budget=b)["id"] for b in budgets]
    post_job(company, title="Type up forms", budget=50_000)

    newest = ids(company.get("/jobs", query_string={"q": "receipt", "sort": "newest"}))
    by_budget = ids(company.get("/jobs", query_string={"q": "receipt", "sort": "budget_desc"}))
    nothing = ids(company.get("/jobs", query_string={"q": "receipt forms", "sort": "newest"}))

    assert newest == list(reversed(matching))
    assert by_budget == [matching[1], matching[0], matching[2]]
    assert nothing == []


def test_pages_through_many_jobs_without_duplicates_or_gaps(company):
    made = [post_job(company, budget=1_000 * (n % 4 + 1))["id"] for n in range(11)]

    for sort in ("newest", "budget_desc"):
        seen, cursor = [], None
        while True:
            query = {"limit": 4, "sort": sort} | ({"cursor": cursor} if cursor else {})
            page = company.get("/jobs", query_string=query).json
            seen += [j["id"] for j in page["data"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(made), sort
        assert seen == ids(company.get("/jobs", query_string={"sort": sort, "limit": 100}))


def test_bid_count_counts_bids_that_are_not_withdrawn(api, factory, company):
    job = post_job(company)
    bidders = [api.as_user(factory.freelancer()) for _ in range(3)]
    bids = [place_bid(b, job["id"]) for b in bidders]
    bidders[0].post(f"/bids/{bids[0]['id']}/withdraw")
    company.post(f"/bids/{bids[1]['id']}/decline")

    assert company.get(f"/jobs/{job['id']}").json["bid_count"] == 2
    assert company.get("/jobs").json["data"][0]["bid_count"] == 2


def test_a_retried_post_with_the_same_key_posts_one_job(company):
    headers = {"Idempotency-Key": "post-job-7f3a"}

    first = company.post("/jobs", json=JOB, headers=headers)
    retry = company.post("/jobs", json=JOB, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(company.get("/jobs").json["data"]) == 1


def test_a_listed_job_is_the_job_as_its_own_page_shows_it(api, factory, company):
    """Lists build their items without the job's schema: they must still agree with it."""
    bare = post_job(company, title="Invoices without extras", skills=[], deadline=None)
    full = post_job(
        company,
        title="Invoices with every extra",
        skills=["zeta", "Ärzte", "excel", "data entry", "ocr"],
        deadline=days_from_today(30),
        budget=123_456,
        currency="EUR",
        schema={
            "fields": [
                {"name": "invoice", "type": "string", "constraints": {"pattern": "INV-[0-9]+"}},
                {"name": "total", "type": "number", "constraints": {"minimum": 0}},
                {"name": "issued", "type": "date", "format": "%d/%m/%Y"},
            ],
            "primaryKey": ["invoice"],
        },
        quality={"min_accuracy": 0.975},
    )
    assert full["schema"]["primaryKey"] == "invoice"
    assert full["quality"] == {"min_accuracy": 0.975}
    assert bare["schema"] is None
    assert bare["quality"] is None
    bidders = [api.as_user(factory.freelancer()) for _ in range(2)]
    withdrawn = place_bid(bidders[0], full["id"], currency="EUR")
    place_bid(bidders[1], full["id"], currency="EUR")
    bidders[0].post(f"/bids/{withdrawn['id']}/withdraw")
    closed = post_job(company, title="Invoices closed early", skills=["typing"])
    closed_answer = company.post(f"/jobs/{closed['id']}/close").json

    for query in (
        {},
        {"sort": "budget_desc"},
        {"q": "invoices"},
        {"q": "invoices", "sort": "newest"},
        {"status": "closed"},
        {"limit": 1},
    ):
        listed = company.get("/jobs", query_string=query).json["data"]
        assert listed, query
        for job in listed:
            assert job == company.get(f"/jobs/{job['id']}").json, query
    # The list and the job's page make their JSON from rows; JobSchema dumping the job
    # (the answers of PATCH and close) must give the same, keys in the same order.
    for job in (full, bare):
        schema_dump = company.patch(f"/jobs/{job['id']}", json={"title": job["title"]}).json
        page = company.get(f"/jobs/{job['id']}").json
        assert page == schema_dump
        assert list(page) == list(schema_dump)
    assert company.get(f"/jobs/{closed['id']}").json == closed_answer
    shown = {job["id"]: job for job in company.get("/jobs").json["data"]}
    # In the database's collation, as the job's page shows them (compared above).
    assert set(shown[full["id"]]["skills"]) == {"zeta", "ärzte", "excel", "data entry", "ocr"}
    assert shown[full["id"]]["bid_count"] == 1
    assert shown[bare["id"]]["skills"] == []
    assert shown[bare["id"]]["deadline"] is None
