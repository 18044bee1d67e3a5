"""Prepare one schemathesis run against a live marketplace: a token and real ids for a role.

Usage: python .ci/schemathesis_setup.py BASE_URL EMAIL CONFIG_PATH

Makes a token for the demo user EMAIL (demo password), collects the ids that user can
see (jobs, bids, contracts, milestones, disputes, users, and spare tokens of its own),
and writes a schemathesis.toml that authenticates with the token and offers those ids
for path parameters half of the time, so operations reach real resources in the states
the demo left them in, as well as missing ones.
"""

import sys
import time
from pathlib import Path

import requests  # comes with schemathesis

DEMO_PASSWORD = "demo-password"
HOOKS = str(Path(__file__).with_name("schemathesis_hooks.py").resolve())

CONFIG = """\
hooks = "{hooks}"

# Nothing kept between runs (no replay of earlier failures): each run is the same.
[cache]
enabled = false

[auth.openapi.bearerAuth]
bearer = "{token}"

# The API refuses text with NUL characters (a 400, as it says); do not send any. ASCII
# text, so a well-formed request line stays within the 8,190 bytes gunicorn reads: past
# that gunicorn answers with its own HTML 414 before the app sees the request, the one
# documented exception to problem+json (README, Deployment). Unicode handling is tested
# in the suite.
[generation]
allow-x00 = false
codec = "ascii"

# How the API refuses a request that breaks the spec.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "409", "413", "414", "415", "422"]

# What it may rightly answer a well-formed request: the caller may not act on that
# resource (403, 404), its state or a business rule forbids it (409; 422: another
# currency, a plan that does not add up), or the test card is declined (402).
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "402", "403", "404", "409", "422"]

# Well-formed credentials that are not anyone's are a 401.
[[operations]]
include-operation-id = ["login", "createToken"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403"]

# The CSRF token belongs to a cookie session: with a bearer token it is a 401.
[[operations]]
include-operation-id = "getCsrfToken"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401"]

# Ids learned from other answers include the run's own token: revoke only the spares.
[[operations]]
include-operation-id = "revokeToken"
phases.examples.extra-data-sources.responses = false
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false

# Any bytes are a well-formed file, but only some kinds are taken (415), never an empty one
# (422).
[[operations]]
include-operation-id = "addFile"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "404", "415", "422"]

# A well-formed event with a signature that is not Stripe's is a 400.
[[operations]]
include-operation-id = "receiveStripeWebhook"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400"]

[parameters]
{parameters}

{dictionaries}
"""


def call(base: str, method: str, path: str, token: str | None = None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(method, base + path, json=body, headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()


def wait_until_up(base: str) -> None:
    for _ in range(150):
        try:
            requests.get(base.removesuffix("/api/v1") + "/healthz", timeout=5).raise_for_status()
            return
        except requests.RequestException:  # not listening, or not answering, yet
            time.sleep(0.2)
    raise SystemExit(f"the marketplace at {base} did not come up")


def ids_seen_by(base: str, token: str, role: str) -> dict[str, set[int]]:
    """Every id this user can reach through the API, by path parameter name."""
    found: dict[str, set[int]] = {
        name: set()
        for name in (
            "job_id",
            "bid_id",
            "contract_id",
            "milestone_id",
            "dispute_id",
            "user_id",
            "token_id",
        )
    }
    me = call(base, "GET", "/me", token)
    found["user_id"].add(me["id"])
    for status in ("open", "in_progress", "closed", "completed"):
        for job in call(base, "GET", f"/jobs?status={status}&limit=100", token)["data"]:
            found["job_id"].add(job["id"])
            found["user_id"].add(job["client"]["id"])
    if role == "freelancer":
        bids = call(base, "GET", "/bids?limit=100", token)["data"]
    else:
        bids = []
        for status in ("open", "in_progress", "closed", "completed"):
            query = f"/jobs?client_id={me['id']}&status={status}&limit=100"
            for job in call(base, "GET", query, token)["data"]:
                bids += call(base, "GET", f"/jobs/{job['id']}/bids?limit=100", token)["data"]
    for bid in bids:
        found["bid_id"].add(bid["id"])
        found["user_id"].add(bid["freelancer"]["id"])
    for contract in call(base, "GET", "/contracts?limit=100", token)["data"]:
        found["contract_id"].add(contract["id"])
        found["milestone_id"] |= {m["id"] for m in contract["milestones"]}
    found["dispute_id"] |= {d["id"] for d in call(base, "GET", "/disputes", token)["data"]}
    return found


def main() -> None:
    base, email, config_path = sys.argv[1:4]
    wait_until_up(base)
    credentials = {"email": email, "password": DEMO_PASSWORD}
    # Tokens the run may revoke, made first, so that the run's own token has an id
    # (4) that no value offered to DELETE /auth/tokens/{id} reaches: the spares, and
    # the boundaries (1, 2**31 - 1) and their neighbours that schemathesis tries.
    spares = [
        call(base, "POST", "/auth/tokens", body={**credentials, "name": f"spare-{n}"})["id"]
        for n in (1, 2, 3)
    ]
    created = call(base, "POST", "/auth/tokens", body={**credentials, "name": "schemathesis"})
    token = created["token"]
    role = call(base, "GET", "/me", token)["role"]
    ids = ids_seen_by(base, token, role)
    ids["token_id"] |= set(spares)
    parameters, dictionaries = [], []
    for name, values in sorted(ids.items()):
        if not values:
            continue
        # Any other token id could be the run's own: revoking it would end the run.
        probability = 1.0 if name == "token_id" else 0.5
        parameters.append(
            f'"path.{name}" = {{ dictionary = "{name}", probability = {probability} }}'
        )
        dictionaries.append(f"[dictionaries.{name}]\nvalues = {sorted(values)}\n")
    with open(config_path, "w") as config:
        config.write(
            CONFIG.format(
                hooks=HOOKS,
                token=token,
                parameters="\n".join(parameters),
                dictionaries="\n".join(dictionaries),
            )
        )
    print(f"{role} {email}: " + ", ".join(f"{len(v)} {k}s" for k, v in sorted(ids.items())))


if __name__ == "__main__":
    main()
