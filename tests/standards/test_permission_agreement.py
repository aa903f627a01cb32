"""One rule, four answers that agree: for each rule of the standards and each persona, the predicate in
charter/standards/permissions.py, the desk page (does it offer the action, does the post succeed), the API
(status and `code`) and the service (raises with the same code, or succeeds) all say the same.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.common.policy import Decision, Refusal
from charter.standards import permissions as p
from charter.standards.errors import ErrorCode
from charter.standards.models import StandardDocument, StandardVersion
from charter.standards.services import standard_document_create, standard_version_acknowledge
from tests.accounts.factories import UserFactory
from tests.conftest import api_client_for, client_for
from tests.standards.conftest import PAST, Publisher, conduct_content

pytestmark = pytest.mark.django_db

PERSONAS = ("agent", "supervisor", "qa reviewer", "trainer", "administrator", "customer")
STAFF = frozenset({"agent", "supervisor", "qa reviewer", "trainer", "administrator"})


@dataclass
class World:
    people: dict[str, User]
    conduct: StandardDocument
    publish: Publisher
    published: int = 0

    def version(self) -> StandardVersion:
        """A new version of the code of conduct, in force from a day after the one before it."""
        self.published += 1
        contents = [conduct_content("1.1")] if self.published == 1 else None
        return self.publish(self.conduct, contents, effective_at=PAST + dt.timedelta(days=self.published))


@pytest.fixture
def world(
    member: User,
    supervisor: User,
    administrator: User,
    customer_user: User,
    conduct: StandardDocument,
    publish: Publisher,
) -> World:
    people = {
        "agent": member,
        "supervisor": supervisor,
        "qa reviewer": UserFactory.create(username="sun", roles=[Role.QA_REVIEWER]),
        "trainer": UserFactory.create(username="zhou", roles=[Role.TRAINER]),
        "administrator": administrator,
        "customer": customer_user,
    }
    return World(people=people, conduct=conduct, publish=publish)


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # permission caches are per instance, as per request


@dataclass(frozen=True)
class Rule:
    name: str
    predicate: Callable[[User], Decision]
    allowed: frozenset[str]
    code: str
    service: Callable[[World, User, int], object] | None
    api: Callable[[World, Any, int], Any]
    page: Callable[[World], str]  # a desk page that offers the action
    offer: Callable[[World], str]  # what the page shows only when the action is allowed
    post: Callable[[World, int], tuple[str, dict[str, Any]]] | None  # the desk form taking the action


def _document(n: int) -> dict[str, Any]:
    return {"code": f"rules-{n}", "kind": "customer_promises", "title_zh": "规范"}


def _latest(world: World) -> StandardVersion:
    return StandardVersion.objects.filter(document=world.conduct).order_by("-number").first()  # type: ignore[return-value]


def _version_url(world: World, name: str) -> str:
    return reverse(name, args=[world.conduct.pk, _latest(world).number])


RULES = [
    Rule(
        "edit the standards",
        p.can_edit_standards,
        frozenset({"administrator"}),
        ErrorCode.EDIT_DENIED,
        lambda world, user, n: standard_document_create(actor=user, **_document(n)),
        lambda world, client, n: client.post("/api/v1/standards/", _document(n), format="json"),
        lambda world: reverse("standards:desk_list"),
        lambda world: f'href="{reverse("standards:document_create")}"',
        lambda world, n: (reverse("standards:document_create"), _document(n)),
    ),
    Rule(
        "acknowledge the code of conduct",
        p.can_acknowledge_standards,
        STAFF,
        ErrorCode.ACKNOWLEDGE_DENIED,
        lambda world, user, n: standard_version_acknowledge(user=user, version=world.version()),
        lambda world, client, n: client.post(
            f"/api/v1/standards/{world.conduct.pk}/versions/{world.version().number}/acknowledge/"
        ),
        lambda world: _version_url(world, "standards:version_detail"),
        lambda world: f'action="{_version_url(world, "standards:version_acknowledge")}"',
        lambda world, n: (_version_url(world, "standards:version_acknowledge"), {}),
    ),
    Rule(
        "see who acknowledged",
        p.can_view_acknowledgement_report,
        frozenset({"supervisor", "administrator"}),
        ErrorCode.REPORT_DENIED,
        None,  # a read: no service
        lambda world, client, n: client.get(
            f"/api/v1/standards/{world.conduct.pk}/versions/{_latest(world).number}/acknowledgements/"
        ),
        lambda world: reverse("standards:document_detail", args=[world.conduct.pk]),
        lambda world: f'href="{reverse("standards:acknowledgement_report", args=[world.conduct.pk])}"',
        None,
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_page_the_api_and_the_service_agree_with_the_predicate(
    world: World, rule: Rule, persona: str
) -> None:
    user = world.people[persona]
    world.version()
    allowed = persona in rule.allowed
    code = rule.code

    decision = rule.predicate(_fresh(user))
    assert bool(decision) is allowed
    if isinstance(decision, Refusal):
        assert decision.code == code and not decision.hidden

    if rule.service is not None:
        if isinstance(decision, Refusal):
            with pytest.raises(type(decision.error())) as refused:
                rule.service(world, _fresh(user), 1)
            assert refused.value.code == code
        else:
            rule.service(world, _fresh(user), 1)

    response = rule.api(world, api_client_for(_fresh(user)), 2)
    if allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert (response.status_code, response.json()["code"]) == (403, code)

    world.version()
    client = client_for(_fresh(user))
    page = client.get(rule.page(world))
    if persona in STAFF:
        assert page.status_code == 200 and (rule.offer(world) in page.content.decode()) is allowed
    else:
        assert page.status_code == 403  # the desk is for staff
    if rule.post is not None:
        url, data = rule.post(world, 3)
        assert client.post(url, data).status_code == (302 if allowed else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_staff_pages_agrees_everywhere(world: World, persona: str) -> None:
    user = world.people[persona]
    allowed = persona in STAFF

    decision = p.can_view_standards(_fresh(user))
    assert bool(decision) is allowed
    assert allowed or (isinstance(decision, Refusal) and decision.code == ErrorCode.VIEW_DENIED)
    page = client_for(_fresh(user)).get(reverse("standards:desk_list"))
    assert page.status_code == (200 if allowed else 403)
