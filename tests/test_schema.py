"""The OpenAPI schema is served to authenticated users and describes every API route."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_api(admin_client):
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/cameras/", "/api/cameras/{id}/", "/api/elderships/", "/api/segments/", "/api/gaps/"):
        assert path in paths


def test_api_docs_page_loads_no_external_assets(admin_client):
    page = admin_client.get("/api/docs/").content.decode()
    assert "cdn." not in page and "unpkg" not in page
