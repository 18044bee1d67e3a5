"""POST /auth/register, and what a new account looks like."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.client import assert_problem

VALID = {
    "email": "Amara.Okafor@Example.COM",
    "password": "long enough pw",
    "role": "freelancer",
    "name": "  Amara Okafor ",
    "country": "ng",
}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_register_creates_an_account_without_exposing_the_password(api):
    response = api.post("/auth/register", json=VALID)

    assert response.status_code == 201
    user = response.json
    assert user["email"] == "amara.okafor@example.com"
    assert user["role"] == "freelancer"
    assert user["name"] == "Amara Okafor"
    assert user["country"] == "NG"
    assert user["skills"] == []
    assert user["bio"] == ""
    assert user["payouts_enabled"] is False
    assert user["created_at"].endswith("+00:00")
    assert isinstance(user["id"], int)
    assert not {"password", "password_hash"} & set(user)


def test_the_new_account_can_sign_in(api):
    api.post("/auth/register", json=VALID)

    response = api.post(
        "/auth/tokens",
        json={"email": "AMARA.okafor@example.com", "password": VALID["password"], "name": "app"},
    )

    assert response.status_code == 201


def test_a_duplicate_email_in_another_case_is_a_conflict(api, app):
    assert api.post("/auth/register", json=VALID).status_code == 201

    again = api.post("/auth/register", json={**VALID, "email": "AMARA.OKAFOR@example.com"})

    assert_problem(again, 409)
    assert count_users(app) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short9char"[:9]}, "password"),
        ({"role": "admin"}, "role"),
        ({"role": "boss"}, "role"),
        ({"country": "XX"}, "country"),
        ({"country": "USA"}, "country"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"email": None}, "email"),
        ({"password": 1234567890123}, "password"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_invalid_registrations_are_refused_and_create_nothing(api, app, change, field):
    response = api.post("/auth/register", json={**VALID, **change})

    assert_problem(response, 422, field)
    assert count_users(app) == 0


@pytest.mark.parametrize("missing", ["email", "password", "role", "name", "country"])
def test_every_registration_field_is_required(api, app, missing):
    body = {k: v for k, v in VALID.items() if k != missing}

    assert_problem(api.post("/auth/register", json=body), 422, missing)
    assert count_users(app) == 0


def test_a_client_account_can_be_registered(api):
    response = api.post("/auth/register", json={**VALID, "role": "client", "country": "DE"})

    assert response.status_code == 201
    assert response.json["role"] == "client"
