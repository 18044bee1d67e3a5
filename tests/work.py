"""Builders for the work side, through the HTTP API as a user would."""

JOB = {
    "title": "Transcribe scanned invoices",
    "description": "Type the totals of 300 scanned invoices into a spreadsheet.",
    "skills": ["data entry", "excel"],
    "budget": 50_000,
    "currency": "USD",
}


def post_job(client, **overrides) -> dict:
    response = client.post("/jobs", json={**JOB, **overrides})
    assert response.status_code == 201, response.json
    return response.json


def place_bid(freelancer, job_id: int, amount: int = 40_000, currency: str = "USD", **extra):
    body = {
        "amount": amount,
        "currency": currency,
        "delivery_days": 7,
        "cover_letter": "Five years of invoice transcription.",
        **extra,
    }
    response = freelancer.post(f"/jobs/{job_id}/bids", json=body)
    assert response.status_code == 201, response.json
    return response.json


def make_contract(client, freelancer, **bid_extra) -> dict:
    """A job by `client`, a bid by `freelancer`, accepted: the new contract."""
    job = post_job(client)
    bid = place_bid(freelancer, job["id"], **bid_extra)
    response = client.post(f"/bids/{bid['id']}/accept")
    assert response.status_code == 201, response.json
    return response.json
