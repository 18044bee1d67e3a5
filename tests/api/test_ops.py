"""Health check, the OpenAPI spec and the docs page, all without internet."""

import re

from tests.client import assert_problem


def test_healthz_checks_the_database_and_the_rate_limit_store(api):
    response = api.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "rate_limit_store": "ok"}


def test_the_openapi_spec_describes_the_api(api):
    spec = api.get("/api/v1/openapi.json").json

    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/register" in spec["paths"]
    register = spec["paths"]["/api/v1/auth/register"]["post"]
    assert register["summary"]
    assert "201" in register["responses"]
    schemas = spec["components"]["schemas"]
    assert "Register" in schemas
    assert set(schemas["Register"]["required"]) == {"email", "password", "role", "name", "country"}
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_the_docs_page_loads_every_asset_from_the_app_itself(api):
    page = api.get("/api/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for url in assets:
        assert url.startswith("/"), f"{url} would need the internet"
        asset = api.get(url)
        asset.close()
        assert asset.status_code == 200, url
    assert "/api/v1/openapi.json" in html


def test_the_spec_is_public_even_with_a_stale_token(api):
    response = api.get("/api/v1/openapi.json", headers={"Authorization": "Bearer stale"})

    assert response.status_code == 200


def test_an_unknown_docs_asset_is_a_404(api):
    assert_problem(api.get("/api/docs/assets/nope.js"), 404)


def test_the_spec_documents_errors_as_problems(api):
    spec = api.get("/api/v1/openapi.json").json

    assert set(spec["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }
