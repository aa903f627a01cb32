"""Every list of the API refuses a query parameter it does not document, and accepts every one it does.

One mechanism (charter.common.api.KnownParametersMixin) serves every endpoint: the known parameters are the
ones the OpenAPI schema shows, so this test walks the schema rather than a list kept by hand, and a new
resource is covered from its first endpoint.
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from charter.accounts.models import User
from charter.common.api import KnownParametersMixin
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def _api_views(patterns: list[Any], prefix: str = "") -> list[tuple[str, type]]:
    found: list[tuple[str, type]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _api_views(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class is not None:
                found.append((route, view_class))
    return found


def test_every_api_view_checks_its_query_parameters() -> None:
    views = _api_views(get_resolver().url_patterns)
    # The router's root view lists resources and takes no parameters.
    missing = sorted(
        route
        for route, view_class in views
        if not issubclass(view_class, KnownParametersMixin) and view_class.__name__ != "APIRootView"
    )

    assert len(views) > 50
    assert missing == []


def _schema() -> dict[str, Any]:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return dict(response.json())


def _is_list(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("type") == "array" or "results" in schema.get("properties", {})


def _collection_lists() -> list[tuple[str, list[dict[str, Any]]]]:
    schema = _schema()
    components = schema["components"]["schemas"]
    lists = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path or not _is_list(operation, components):
            continue
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        lists.append((path, query))
    return lists


def _value(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    if schema.get("enum"):
        return str(schema["enum"][0])
    if parameter["name"] in {"limit", "offset"}:
        return "1" if parameter["name"] == "limit" else "0"
    if parameter["name"] == "cursor":
        return ""
    kind, shape = schema.get("type"), schema.get("format")
    if kind == "integer":
        return "1"
    if kind == "boolean":
        return "true"
    if shape == "date":
        return "2026-01-05"
    if shape == "date-time":
        return "2026-01-05T09:00:00+08:00"
    return "1"


@pytest.fixture
def caller(administrator: User) -> Any:
    return api_client_for(administrator, "en")


def test_the_schema_has_the_lists_this_test_walks() -> None:
    paths = [path for path, _query in _collection_lists()]

    assert {"/api/v1/cases/", "/api/v1/services/", "/api/v1/audit-events/", "/api/v1/customers/"} <= set(
        paths
    )
    assert len(paths) >= 15


def test_every_list_refuses_an_unknown_parameter_naming_the_documented_ones(caller: Any) -> None:
    refused = {}
    for path, query in _collection_lists():
        response = caller.get(path, {"zz_typo": "1"})
        body = response.json()
        refused[path] = (response.status_code, body.get("code"), body.get("known"))
        # `format` (json) is accepted everywhere; with one renderer the schema does not list it.
        documented = sorted({parameter["name"] for parameter in query} | {"format"})

        assert refused[path] == (400, "unknown_parameter", documented), path
        assert body["unknown"] == ["zz_typo"] and "zz_typo" in body["detail"]


def test_every_list_accepts_every_parameter_it_documents(caller: Any) -> None:
    for path, query in _collection_lists():
        for parameter in query:
            response = caller.get(path, {parameter["name"]: _value(parameter)})

            assert response.status_code < 500, (path, parameter["name"])
            assert response.json().get("code") != "unknown_parameter", (path, parameter["name"])


def test_the_refusal_comes_before_anything_is_read_but_after_sign_in(db: None) -> None:
    anonymous = Client().get("/api/v1/cases/", {"zz_typo": "1"})

    assert anonymous.status_code in (401, 403)


def test_a_get_to_an_action_that_only_takes_post_is_a_405_not_a_500(caller: Any) -> None:
    # The check runs before DRF answers a method the route does not take; such a request has no action and
    # no handler, so there is no operation to read parameters from (the URL matrix found the 500).
    acknowledge = caller.get("/api/v1/standards/1/versions/1/acknowledge/", {"zz_typo": "1"})
    reveal = caller.get("/api/v1/customers/1/reveal/")

    assert acknowledge.status_code == 405
    assert reveal.status_code == 405
