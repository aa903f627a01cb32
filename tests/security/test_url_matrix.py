"""Role × URL: every route of Charter asked for by every role, against the committed policy table.

A route without a row fails (add a row to tests/security/url_policy.py), and so does any status that differs
from its row. Some rules hold whatever the table says: no route answers 500, nobody signed out reads a
desk, portal, account or API page that shows data, and no customer reads a desk page.
"""

import json
import os
from typing import Any

import pytest
from django.test import Client

from tests.security.conftest import ROLES, Route, World, route_url, routes
from tests.security.url_policy import POLICY, expected

pytestmark = pytest.mark.django_db

# Pages anyone may open without signing in (the public site, sign-in and its helpers, the public API).
PUBLIC_PREFIXES = (
    "",
    "healthz",
    "favicon.ico",
    "services/",
    "standards/",
    "verify/",
    "s/",
    "track/",
    "cases/new/",
    "privacy-notice/",
    "privacy/opt-out/",
    "i18n/",
    "accounts/login/",
    "accounts/password",
    "accounts/reset",
    "api/schema/",
    "api/docs/",
    "api/v1/",  # the API's root: the list of its routes
    "api/v1/^services/",  # the published charter, as on the public pages
    "api/v1/^service-categories/",
    "api/v1/^standards/",
    "admin/login/",
)
# Stop on the first request that logged the client out (a sign-out link answering a GET would).
SIGNED_OUT = "_auth_user_id"


def _status(client: Client, url: str) -> int:
    response = client.get(url)
    return int(response.status_code)


def _ask(role: str, clients: dict[str, Client], world: World, every: list[Route]) -> dict[str, int]:
    client = clients[role]
    seen: dict[str, int] = {}
    for route in every:
        seen[route.pattern] = _status(client, route_url(route, world))
        if role != "anonymous" and SIGNED_OUT not in client.session:
            client.force_login(world.users[role])
    return seen


def test_every_route_has_a_row_in_the_policy_table() -> None:
    missing = [route.pattern for route in routes() if route.pattern not in POLICY]

    assert missing == [], "add a row to tests/security/url_policy.py for: " + ", ".join(missing)


def test_the_policy_table_holds_no_row_of_a_route_that_is_gone() -> None:
    known = {route.pattern for route in routes()}

    assert [pattern for pattern in POLICY if pattern not in known] == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_policy_table_says(
    role: str, clients: dict[str, Client], world: World
) -> None:
    every = routes()
    if os.environ.get("CHARTER_URL_POLICY_NEW"):  # record only the routes without a row yet
        every = [route for route in every if route.pattern not in POLICY]
    seen = _ask(role, clients, world, every)
    record = os.environ.get("CHARTER_URL_POLICY_RECORD")
    if record:  # writes what was seen, to set rows from: read each view before taking a status
        with open(f"{record}.{role}.json", "w", encoding="utf-8") as out:
            json.dump(seen, out, ensure_ascii=False, indent=0)

    errors = [pattern for pattern, status in seen.items() if status >= 500]
    assert errors == [], f"{role}: server errors on {errors}"
    wrong: list[str] = []
    for pattern, status in seen.items():
        row = expected(pattern)
        if row is not None and row[role] != status:
            wrong.append(f"{pattern}: expected {row[role]}, got {status}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


def _public(pattern: str) -> bool:
    exact = ("", "api/v1/")
    return any(
        pattern == prefix or (prefix not in exact and pattern.startswith(prefix))
        for prefix in PUBLIC_PREFIXES
    )


@pytest.mark.parametrize(("pattern", "row"), sorted(POLICY.items()), ids=[p or "/" for p in sorted(POLICY)])
def test_the_table_never_lets_a_stranger_into_a_private_page(pattern: str, row: str) -> None:
    statuses: dict[str, Any] = expected(pattern) or {}
    if not _public(pattern):
        assert statuses["anonymous"] != 200, f"{pattern}: signed-out visitors read it"
    if (pattern.startswith("desk/") or pattern.startswith("admin/")) and not _public(pattern):
        assert statuses["customer"] != 200, f"{pattern}: a customer reads a staff page"
