"""The OpenAPI document is valid OpenAPI 3 and generates without a single warning."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path: object) -> None:
    out = tmp_path / "schema.yml"  # type: ignore[operator]

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert out.read_text().startswith("openapi: 3")


def test_schema_is_served_and_names_every_resource() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for resource in (
        "services",
        "standards",
        "cases",
        "calendars",
        "sla-policies",
        "audit-events",
        "customers",
    ):
        assert any(path.startswith(f"/api/v1/{resource}/") for path in paths), resource
    assert "/api/v1/cases/{id}/transitions/" in paths


def test_docs_page_loads_its_assets_from_this_server() -> None:
    html = Client().get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
