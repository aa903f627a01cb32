"""Shared fixtures: the personas every access test uses, and a worker that runs tasks at once."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from huey.contrib.djhuey import HUEY
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.roles import Role
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.redis_server import redis_server

if TYPE_CHECKING:
    # What the test client returns: the response with the request, templates and context attached.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

T = TypeVar("T")

# Properties are about results, not speed: a busy machine (two suites side by side on two cores) makes
# hypothesis' default 200 ms deadline fail tests whose answers are right. Speed is measured in bench/.
hypothesis_settings.register_profile("charter", deadline=None)
hypothesis_settings.load_profile("charter")

# The browser suite commits the demo organisation to its database, so it runs on its own: only when named
# (`pytest tests/browser`), never inside a run of the rest.
collect_ignore = [] if any("tests/browser" in argument for argument in sys.argv) else ["browser"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse transactional tests without serialized_rollback.

    A transactional test empties the database when it ends. With serialized_rollback the next one starts
    from the migrated state again (roles, permissions, the audit chain head); without it, every later
    transactional test would run against a database missing what the migrations made.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """Give each test run a database of its own, so two suites run on one checkout never share one.

    Without it every run on SQLite creates, fills and deletes the same var/test-charter.sqlite3 (and every
    run on PostgreSQL the same test_charter), and a second run started meanwhile breaks the first.
    """
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        name = Path(test["NAME"])
        test["NAME"] = str(name.with_name(f"{name.stem}-{os.getpid()}{name.suffix}"))
    else:
        test["NAME"] = f"test_{database['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _fast_and_immediate(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.LANGUAGE_CODE = "zh-hans"  # type: ignore[attr-defined]
    # Tests sign people in with force_login; tests/accounts/test_twofactor.py turns the requirement back on.
    settings.CHARTER_SECOND_FACTOR_REQUIRED = False  # type: ignore[attr-defined]
    HUEY.immediate = True


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the tests that need it: CHARTER_TEST_REDIS_URL, or a server of their own on a free port."""
    with redis_server() as url:
        yield url


@pytest.fixture(autouse=True)
def _sessions_apart(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions kept in files (SQLite) go to a folder of the test's own, as its rows are rolled back."""
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.file":
        from django.contrib.sessions.backends.file import SessionStore

        folder = tmp_path / "sessions"
        folder.mkdir()
        settings.SESSION_FILE_PATH = str(folder)
        # Django's file store keeps the folder it first read on the class.
        monkeypatch.setattr(SessionStore, "_storage_path", str(folder), raising=False)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def organisation(db: None) -> OrgUnit:
    return OrgUnitFactory.create(
        code="org", name_zh="示范公用事业公司", name_en="Demo Utilities", kind=OrgUnit.Kind.ORGANISATION
    )


@pytest.fixture
def team(organisation: OrgUnit) -> Team:
    return TeamFactory.create(unit=OrgUnitFactory.create(parent=organisation), code="team-a")


@pytest.fixture
def other_team(organisation: OrgUnit) -> Team:
    return TeamFactory.create(unit=OrgUnitFactory.create(parent=organisation), code="team-b")


@pytest.fixture
def member(team: Team) -> User:
    """An agent in `team`."""
    user = UserFactory.create(username="alice", roles=[Role.AGENT])
    TeamMembershipFactory.create(team=team, user=user)
    return user


@pytest.fixture
def teammate(team: Team) -> User:
    """Another agent in the same team."""
    user = UserFactory.create(username="bob", roles=[Role.AGENT])
    TeamMembershipFactory.create(team=team, user=user)
    return user


@pytest.fixture
def outsider(other_team: Team) -> User:
    """An agent in another team."""
    user = UserFactory.create(username="charlie", roles=[Role.AGENT])
    TeamMembershipFactory.create(team=other_team, user=user)
    return user


@pytest.fixture
def supervisor(team: Team) -> User:
    user = UserFactory.create(username="sam", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=team, user=user, is_lead=True)
    return user


@pytest.fixture
def administrator(db: None) -> User:
    return UserFactory.create(username="admin", roles=[Role.ADMINISTRATOR], is_staff=True)


@pytest.fixture
def customer_user(db: None) -> User:
    return UserFactory.create(username="carol", roles=[Role.CUSTOMER])


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user: User) -> Client:
    """A browser client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def api_client_for(user: User, language: str = "zh-hans") -> APIClient:
    """An API client authenticated as `user`, asking for answers in `language`."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def browser_post(client: Client, page_url: str, data: dict[str, object], action: str = "") -> "TestResponse":
    """POST a form of `page_url` (to `action`, by default the page itself) as a browser would.

    The post carries the CSRF token and the Origin and Referer headers a browser sends.

    Django's test client sends neither header, so a test-client post passes the CSRF check where a real
    browser is refused. Chromium sends `Origin: null` and no Referer on a form POST from a page served with
    `Referrer-Policy: no-referrer`; under any other policy a same-origin POST carries the page's origin and
    (for `same-origin` and the default) its full address. The page's policy is read from its response.
    """
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    policy = page.get("Referrer-Policy", "strict-origin-when-cross-origin").split(",")[-1].strip()
    origin = "http://testserver"
    headers: dict[str, str] = {}
    if policy == "no-referrer":
        headers["HTTP_ORIGIN"] = "null"
    else:
        headers["HTTP_ORIGIN"] = origin
        if policy != "origin":
            headers["HTTP_REFERER"] = origin + page_url
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client.post(action or page_url, {"csrfmiddlewaretoken": token, **data}, **headers)  # type: ignore[arg-type]


def not_none(value: T | None) -> T:
    """Return `value`, failing the test if it is None: what the test expects of an optional column or result
    (a routed case's assignee, a running clock's due time), said so that mypy knows it too."""
    assert value is not None
    return value
