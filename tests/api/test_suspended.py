"""A suspended user may read their own account and money, and end their own sessions."""

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
    assert client.get("/me").json["bio"] == "before"


def test_a_suspended_user_lists_and_revokes_their_own_tokens(api, factory):
    user = factory.freelancer()
    spare = api.post(
        "/auth/tokens", json={"email": user.email, "password": user.password, "name": "spare"}
    ).json
    other = factory.freelancer()
    others_token = api.as_user(other).get("/auth/tokens").json["data"][0]["id"]
    client = api.as_user(user)

    factory.suspend(user)

    listed = client.get("/auth/tokens")
    assert listed.status_code == 200
    assert spare["id"] in {token["id"] for token in listed.json["data"]}
    assert client.delete(f"/auth/tokens/{spare['id']}").status_code == 204
    assert_problem(api.get("/me", headers={"Authorization": f"Bearer {spare['token']}"}), 401)
    assert_problem(client.delete(f"/auth/tokens/{others_token}"), 404)
    assert api.as_user(other).get("/me").status_code == 200
    own = [t["id"] for t in client.get("/auth/tokens").json["data"]]
    assert client.delete(f"/auth/tokens/{own[0]}").status_code == 204
    assert_problem(client.get("/me"), 401)


def test_a_suspended_user_signs_out_of_a_browser(api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    factory.suspend(user)

    assert api.post("/auth/logout").status_code == 204

    assert_problem(api.get("/me"), 401)


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
