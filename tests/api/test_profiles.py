"""GET/PATCH /me, and public profiles."""

import pytest

from tests.client import assert_problem


def test_me_shows_the_callers_own_account(api, factory):
    user = factory.freelancer(country="PH")

    me = api.as_user(user).get("/me").json

    assert me["id"] == user.id
    assert me["email"] == user.email
    assert me["country"] == "PH"
    assert set(me) >= {
        "id",
        "email",
        "role",
        "name",
        "country",
        "skills",
        "bio",
        "payouts_enabled",
        "payout_eligible",
        "email_notifications",
        "two_factor",
        "created_at",
    }


@pytest.mark.parametrize(
    ("role", "eligible"), [("freelancer", True), ("client", None), ("admin", None)]
)
def test_me_says_whether_payouts_can_reach_the_user(api, factory, role, eligible):
    user = factory.user(role, country="NG")

    me = api.as_user(user).get("/me").json

    assert me["payout_eligible"] is eligible
    assert me["email_notifications"] is True
    assert me["two_factor"] is False


def test_a_user_turns_email_notifications_off_and_on(api, factory):
    client = api.as_user(factory.client())

    off = client.patch("/me", json={"email_notifications": False})

    assert off.status_code == 200
    assert off.json["email_notifications"] is False
    assert client.get("/me").json["email_notifications"] is False
    assert client.patch("/me", json={"email_notifications": True}).json["email_notifications"]


def test_registration_and_public_profiles_show_payout_eligibility(api, factory):
    registered = api.post(
        "/auth/register",
        json={
            "email": "ana@example.test",
            "password": "long enough password",
            "role": "freelancer",
            "name": "Ana",
            "country": "PH",
        },
    ).json
    viewer = api.as_user(factory.client())
    client_id = factory.client().id

    assert registered["payout_eligible"] is True
    assert viewer.get(f"/users/{registered['id']}").json["payout_eligible"] is True
    assert viewer.get(f"/users/{client_id}").json["payout_eligible"] is None


def test_patch_me_changes_the_profile(api, factory):
    client = api.as_user(factory.freelancer())

    response = client.patch(
        "/me",
        json={
            "name": " Rahul V ",
            "country": "in",
            "skills": [" excel ", "data entry"],
            "bio": "Spreadsheets.",
        },
    )

    assert response.status_code == 200
    assert response.json["name"] == "Rahul V"
    assert response.json["country"] == "IN"
    assert response.json["skills"] == ["excel", "data entry"]
    assert client.get("/me").json["bio"] == "Spreadsheets."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"email": "new@example.test"}, "email"),
        ({"payouts_enabled": True}, "payouts_enabled"),
        ({"country": "ZZ"}, "country"),
        ({"name": ""}, "name"),
        ({"skills": "excel"}, "skills"),
        ({"skills": ["x" * 51]}, "skills"),
        ({"skills": ["s"] * 31}, "skills"),
        ({"bio": "b" * 5001}, "bio"),
        ({"email_notifications": "no"}, "email_notifications"),
        ({"email_notifications": 0}, "email_notifications"),
        ({"email_notifications": None}, "email_notifications"),
        ({"two_factor": True}, "two_factor"),
        ({"payout_eligible": True}, "payout_eligible"),
    ],
)
def test_patch_me_refuses_bad_or_privileged_fields(api, factory, body, field):
    user = factory.freelancer()
    client = api.as_user(user)
    before = client.get("/me").json

    assert_problem(client.patch("/me", json=body), 422, field)
    assert client.get("/me").json == before


def test_a_public_profile_has_no_email(api, factory):
    viewer, subject = factory.client(), factory.freelancer(name="Maria Santos")

    profile = api.as_user(viewer).get(f"/users/{subject.id}").json

    assert profile["id"] == subject.id
    assert profile["name"] == "Maria Santos"
    assert "email" not in profile
    assert profile["rating"] == {"average": None, "count": 0}
    assert profile["completed_contracts"] == 0


def test_profiles_need_a_signed_in_caller_and_an_existing_user(api, factory):
    viewer = api.as_user(factory.client())

    assert_problem(api.get(f"/users/{factory.freelancer().id}"), 401)
    assert_problem(viewer.get("/users/987654"), 404)


def test_get_me_is_the_json_the_user_schema_gives(api, factory):
    freelancer = factory.freelancer()
    client = factory.client()

    for actor in (freelancer, client):
        caller = api.as_user(actor)
        caller.patch("/me", json={"skills": ["excel", "typing"], "bio": "Fast & careful."})
        # PATCH /me answers with UserSchema's dump of the account.
        dumped = caller.patch("/me", json={"email_notifications": False})
        assert dumped.status_code == 200
        me = caller.get("/me")
        assert me.status_code == 200
        assert me.json == dumped.json
        assert list(me.json) == list(dumped.json)  # the same keys, in the same order
