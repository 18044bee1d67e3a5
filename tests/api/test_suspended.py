"""A suspended user may read their own account and money, and nothing else."""

from tests.client import assert_problem


def test_a_live_token_of_a_suspended_user_reads_only_its_own_account(api, factory):
    user = factory.freelancer()
    client = api.as_user(user)
    assert client.patch("/me", json={"bio": "before"}).status_code == 200

    factory.suspend(user)

    me = client.get("/me")
    assert me.status_code == 200
    assert me.json["status"] == "suspended"
    assert_problem(client.patch("/me", json={"bio": "after"}), 403)
    assert_problem(client.get(f"/users/{user.id}"), 403)
    assert_problem(client.get("/auth/tokens"), 403)
    assert client.get("/me").json["bio"] == "before"


def test_a_suspended_user_cannot_sign_in_or_get_a_token(api, factory):
    user = factory.client(suspended=True)
    credentials = {"email": user.email, "password": user.password}

    assert_problem(api.post("/auth/login", json=credentials), 403)
    assert_problem(api.post("/auth/tokens", json={**credentials, "name": "x"}), 403)
    # A wrong password is still the plain 401: suspension shows only after the password.
    assert_problem(api.post("/auth/login", json={**credentials, "password": "wrong pass"}), 401)


def test_a_suspended_cookie_session_is_refused_too(api, factory):
    user = factory.client()
    api.login(user.email, user.password)

    factory.suspend(user)

    assert api.get("/me").status_code == 200
    assert_problem(api.patch("/me", json={"bio": "x"}), 403)
