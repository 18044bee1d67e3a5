"""Cookie sessions for browsers: login, CSRF, logout."""

from tests.client import ApiClient, assert_problem


def test_login_returns_the_user_and_a_csrf_token_and_sets_a_cookie(api, factory):
    user = factory.freelancer()

    response = api.post(
        "/auth/login", json={"email": user.email.upper(), "password": user.password}
    )

    assert response.status_code == 200
    assert response.json["user"]["id"] == user.id
    assert response.json["user"]["email"] == user.email
    assert len(response.json["csrf_token"]) >= 32
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert api.get("/me").json["id"] == user.id


def test_unknown_email_and_wrong_password_get_the_same_401(api, factory):
    user = factory.client()

    wrong_password = api.post(
        "/auth/login", json={"email": user.email, "password": "nope nope nope"}
    )
    unknown_email = api.post(
        "/auth/login", json={"email": "nobody@example.test", "password": user.password}
    )

    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.json == unknown_email.json
    assert "Set-Cookie" not in wrong_password.headers


def test_cookie_writes_need_the_csrf_header(api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    csrf = api.csrf_token
    api.csrf_token = None

    without = api.patch("/me", json={"bio": "hacked"})
    wrong = api.patch("/me", json={"bio": "hacked"}, headers={"X-CSRF-Token": "x" * 43})
    right = api.patch("/me", json={"bio": "We post invoices."}, headers={"X-CSRF-Token": csrf})

    assert_problem(without, 403)
    assert_problem(wrong, 403)
    assert right.status_code == 200
    assert api.get("/me").json["bio"] == "We post invoices."


def test_a_missing_and_a_wrong_csrf_token_are_told_apart(api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    api.csrf_token = None

    missing = assert_problem(api.patch("/me", json={"bio": "x"}), 403)
    wrong = assert_problem(api.patch("/me", json={"bio": "x"}, headers={"X-CSRF-Token": "x"}), 403)

    assert "must send the X-CSRF-Token header" in missing["detail"]
    assert "does not match" in wrong["detail"]
    assert "GET /auth/csrf" in wrong["detail"]


def test_a_reloaded_page_gets_its_csrf_token_again(app, api, factory):
    user = factory.client()
    login = api.login(user.email, user.password)
    reloaded = ApiClient(app)  # the same cookie, but the page forgot the token
    for cookie in api.http._cookies.values():
        reloaded.http.set_cookie(cookie.key, cookie.value)

    again = reloaded.get("/auth/csrf")

    assert again.status_code == 200
    assert again.json == {"csrf_token": login.json["csrf_token"]}
    assert again.headers["Cache-Control"] == "no-store"
    reloaded.csrf_token = again.json["csrf_token"]
    assert reloaded.patch("/me", json={"bio": "Back again."}).status_code == 200


def test_only_a_cookie_session_has_a_csrf_token(api, factory):
    bearer = api.as_user(factory.freelancer())

    assert_problem(api.get("/auth/csrf"), 401)
    assert "cookie session" in assert_problem(bearer.get("/auth/csrf"), 401)["detail"]


def test_a_suspended_user_gets_the_token_to_sign_out_with(api, factory):
    user = factory.client()
    login = api.login(user.email, user.password)
    factory.suspend(user)
    api.csrf_token = None

    assert api.get("/auth/csrf").json["csrf_token"] == login.json["csrf_token"]


def test_cookie_reads_need_no_csrf_header(api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    api.csrf_token = None

    assert api.get("/me").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(app, api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    copied = ApiClient(app)
    for cookie in api.http._cookies.values():
        copied.http.set_cookie(cookie.key, cookie.value)
    assert copied.get("/me").status_code == 200

    assert api.post("/auth/logout").status_code == 204

    assert_problem(api.get("/me"), 401)
    assert_problem(copied.get("/me"), 401)


def test_logout_by_cookie_needs_the_csrf_header(api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    csrf, api.csrf_token = api.csrf_token, None

    assert_problem(api.post("/auth/logout"), 403)
    assert api.get("/me").status_code == 200
    assert api.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204


def test_logout_with_only_a_bearer_token_leaves_the_token_working(api, factory):
    user = factory.client()
    client = api.as_user(user)

    assert client.post("/auth/logout").status_code == 204
    assert client.get("/me").status_code == 200


def test_a_bearer_token_wins_over_the_cookie(api, factory):
    cookie_user, bearer_user = factory.client(), factory.freelancer()
    api.login(cookie_user.email, cookie_user.password)
    api.csrf_token = None

    as_bearer = api.get("/me", headers={"Authorization": f"Bearer {bearer_user.token}"})
    bad_bearer = api.get("/me", headers={"Authorization": "Bearer not-a-token"})
    write_without_csrf = api.patch(
        "/me", json={"bio": "bearer"}, headers={"Authorization": f"Bearer {bearer_user.token}"}
    )

    assert as_bearer.json["id"] == bearer_user.id
    assert_problem(bad_bearer, 401)
    assert write_without_csrf.status_code == 200
    assert write_without_csrf.json["id"] == bearer_user.id


def test_a_new_login_replaces_the_old_session(api, factory):
    first, second = factory.client(), factory.freelancer()
    api.login(first.email, first.password)

    api.login(second.email, second.password)

    assert api.get("/me").json["id"] == second.id


def test_a_new_login_ends_the_previous_session_of_that_browser(app, api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    copied = ApiClient(app)
    for cookie in api.http._cookies.values():
        copied.http.set_cookie(cookie.key, cookie.value)

    api.login(user.email, user.password)

    assert api.get("/me").status_code == 200
    assert_problem(copied.get("/me"), 401)


def test_a_suspended_user_may_still_sign_out(api, factory):
    """As API.md has it: ending one's own sessions is always allowed."""
    user = factory.client()
    api.login(user.email, user.password)
    factory.suspend(user)
    csrf, api.csrf_token = api.csrf_token, None

    assert_problem(api.post("/auth/logout"), 403)  # still only with the CSRF token
    assert api.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_problem(api.get("/me"), 401)


def test_a_suspended_users_token_is_refused_even_on_public_endpoints(api, factory):
    user = factory.client()
    factory.suspend(user)
    body = {
        "email": "someone.new@example.test",
        "password": "long enough pw",
        "role": "client",
        "name": "N",
        "country": "US",
    }

    assert_problem(api.as_user(user).post("/auth/register", json=body), 403)
    assert api.post("/auth/register", json=body).status_code == 201


def test_a_request_without_cookies_is_given_none_and_its_answer_varies_by_cookie(api, factory):
    user = factory.freelancer()
    bearer = api.as_user(user)

    me = bearer.get("/me")
    health = api.get("/healthz")

    assert me.status_code == 200
    assert "Set-Cookie" not in me.headers
    assert "Cookie" in me.headers.get("Vary", "")  # the user could have come from a cookie
    assert health.status_code == 200
    assert "Set-Cookie" not in health.headers


def test_a_bearer_token_with_an_unrelated_cookie_still_authenticates(api, factory):
    user = factory.freelancer()
    bearer = api.as_user(user)
    bearer.http.set_cookie("theme", "dark")

    me = bearer.get("/me")

    assert me.status_code == 200
    assert me.json["id"] == user.id
    assert "Set-Cookie" not in me.headers


def test_a_cookie_session_survives_a_request_that_sends_no_cookie(api, factory):
    user = factory.client()
    api.login(user.email, user.password)
    cookies = api.http._cookies.copy()
    api.http._cookies.clear()

    anonymous = api.get("/me")
    api.http._cookies.update(cookies)

    assert_problem(anonymous, 401)
    assert "Set-Cookie" not in anonymous.headers
    assert api.get("/me").json["id"] == user.id
