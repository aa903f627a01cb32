"""One rule, four answers that agree: for each rule of the catalogue desk and each persona, the predicate in
charter/catalog/permissions.py, the desk page, the API (status and `code`) and the service (raises with the
same code, or succeeds) all say the same.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.catalog import permissions as p
from charter.catalog import services
from charter.catalog.errors import ErrorCode
from charter.catalog.models import Service, ServiceVersion
from charter.common.policy import Decision, Refusal
from tests.accounts.factories import UserFactory
from tests.conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

PERSONAS = ("agent", "supervisor", "qa reviewer", "editor", "administrator", "customer")
STAFF = frozenset({"agent", "supervisor", "qa reviewer", "editor", "administrator"})
SLUG = "water-connection"


@pytest.fixture
def people(member: User, supervisor: User, administrator: User, customer_user: User) -> dict[str, User]:
    editors = Group.objects.create(name="catalogue editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="catalog").exclude(
            codename="publish_serviceversion"
        )
    )
    editor = UserFactory.create(username="ed", roles=[Role.AGENT])
    editor.groups.add(editors)
    return {
        "agent": member,
        "supervisor": supervisor,
        "qa reviewer": UserFactory.create(username="sun", roles=[Role.QA_REVIEWER]),
        "editor": editor,
        "administrator": administrator,
        "customer": customer_user,
    }


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # permission caches are per instance, as per request


def _draft(administrator: User, service: Service) -> ServiceVersion:
    """The service's draft, opened anew when the last one was published."""
    draft = service.versions.filter(status=ServiceVersion.Status.DRAFT).first()
    return draft or services.service_version_draft_create(actor=administrator, service=service)


@dataclass(frozen=True)
class Rule:
    name: str
    predicate: Callable[[User], Decision]
    allowed: frozenset[str]
    code: str
    service: Callable[[User, int], object]  # the actor and a number unique to the call
    api: Callable[[Any, int], Any]
    page: str  # a desk page that offers the action (GET)
    page_opens_for: frozenset[str]  # the personas that page opens for
    offer: str  # what the page shows only when the action is allowed
    post: tuple[str, Callable[[int], dict[str, Any]]]  # the desk form that takes the action


def _when(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC)


RULES = [
    Rule(
        "edit the catalogue",
        p.can_edit_catalog,
        frozenset({"editor", "administrator"}),
        ErrorCode.EDIT_DENIED,
        lambda user, n: services.service_category_create(
            actor=user, slug=f"cat-{n}", content=services.CategoryContent(name_zh="类别")
        ),
        lambda client, n: client.post(
            "/api/v1/service-categories/", {"slug": f"api-{n}", "name_zh": "类别"}, format="json"
        ),
        "catalog:desk_category_list",
        STAFF,
        'href="/desk/service-categories/new/"',
        ("/desk/service-categories/new/", lambda n: {"slug": f"page-{n}", "name_zh": "类别", "ordering": 1}),
    ),
    Rule(
        "publish a version",
        p.can_publish_service_version,
        frozenset({"administrator"}),
        ErrorCode.PUBLISH_DENIED,
        lambda user, n: services.service_version_publish(
            actor=user, version=ServiceVersion.objects.get(status="draft"), effective_at=_when(2030 + n)
        ),
        lambda client, n: client.post(
            f"/api/v1/services/{SLUG}/publish/", {"effective_at": _when(2030 + n).isoformat()}, format="json"
        ),
        "catalog:desk_draft_edit",
        frozenset({"editor", "administrator"}),
        f'href="/desk/services/{SLUG}/draft/publish/"',
        (f"/desk/services/{SLUG}/draft/publish/", lambda n: {"effective_at": f"{2030 + n}-01-01T09:00"}),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_page_the_api_and_the_service_agree_with_the_predicate(
    published_service: Service, people: dict[str, User], administrator: User, rule: Rule, persona: str
) -> None:
    user = people[persona]
    _draft(administrator, published_service)
    allowed = persona in rule.allowed
    # Staff who may not edit are refused for editing; an editor who may not publish, for publishing.
    code = rule.code if persona == "editor" else ErrorCode.EDIT_DENIED

    decision = rule.predicate(_fresh(user))
    assert bool(decision) is allowed
    if isinstance(decision, Refusal):
        assert decision.code == code and not decision.hidden

    if isinstance(decision, Refusal):
        with pytest.raises(type(decision.error())) as refused:
            rule.service(_fresh(user), 1)
        assert refused.value.code == code
    else:
        rule.service(_fresh(user), 1)

    _draft(administrator, published_service)
    response = rule.api(api_client_for(_fresh(user)), 2)
    if allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert (response.status_code, response.json()["code"]) == (403, code)

    _draft(administrator, published_service)
    client = client_for(_fresh(user))
    args = [SLUG] if rule.page == "catalog:desk_draft_edit" else []
    page = client.get(reverse(rule.page, args=args))
    if persona in rule.page_opens_for:
        assert page.status_code == 200 and (rule.offer in page.content.decode()) is allowed
    else:
        assert page.status_code == 403 and not allowed
    url, data = rule.post
    assert client.post(url, data(3)).status_code == (302 if allowed else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_catalogue_desk_agrees_everywhere(
    published_service: Service, people: dict[str, User], administrator: User, persona: str
) -> None:
    user = people[persona]
    _draft(administrator, published_service)
    allowed = persona in STAFF

    decision = p.can_view_catalog_desk(_fresh(user))
    assert bool(decision) is allowed
    assert allowed or (isinstance(decision, Refusal) and decision.code == ErrorCode.VIEW_DENIED)
    page = client_for(_fresh(user)).get(reverse("catalog:desk_service_list"))
    assert page.status_code == (200 if allowed else 403)
    response = api_client_for(_fresh(user)).get(f"/api/v1/services/{SLUG}/draft/")
    if allowed:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()["code"]) == (403, ErrorCode.VIEW_DENIED)
