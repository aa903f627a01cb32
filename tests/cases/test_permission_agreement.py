"""One rule, four answers that agree: for each rule about a case and each persona, the predicate in
charter/cases/permissions.py, the desk page (does it offer the action, does the post succeed), the API
(status and `code`) and the service (raises with the same code, or succeeds) all say the same.

A refusal the predicate hides (the case is outside the persona's scope) is 404 `not_found` everywhere, like
a missing case; any other refusal is 403 with the predicate's code. Each channel acts on a fresh case, so a
success through one cannot change what the next is asked.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases import permissions as p
from charter.cases.errors import ErrorCode
from charter.cases.models import Case
from charter.cases.selectors import case_get_visible
from charter.cases.services import (
    attachment_add,
    case_appeal,
    case_assign,
    case_create,
    case_link,
    case_reply,
    case_resolve,
    case_transition,
)
from charter.common.policy import Decision, Refusal
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.cases.conftest import new_case
from tests.conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

PERSONAS = ("member", "teammate", "outsider", "named", "supervisor", "administrator", "customer")
IN_SCOPE_STAFF = frozenset({"member", "teammate", "supervisor", "administrator"})
HIDDEN = "not_found"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
REPLY = "您好，我们正在核实您反映的情况，今天内给您答复。"
REASONS = "经核实，收费符合公示的标准，已向您说明依据。"


@dataclass
class World:
    """The personas, the customer's two records and the team, with a fresh complaint on demand."""

    people: dict[str, User]
    customer: Customer
    other_customer: Customer
    team: Team
    reconsidering: bool = False
    made: list[Case] = field(default_factory=list)

    def case(self) -> Case:
        """A complaint of the customer naming `named`, handled by `member` (after a reopening and a second
        resolution by `teammate`, and the customer's appeal, when `reconsidering`)."""
        people = self.people
        case = new_case(None, self.customer, kind="complaint", named_staff=[people["named"]])
        case = case_assign(actor=people["supervisor"], case=case, assignee=people["member"])
        if self.reconsidering:
            case = case_resolve(actor=people["member"], case=case, outcome="not_upheld", reasons=REASONS)
            case = case_transition(
                actor=people["supervisor"], case=case, to_status="in_progress", reason="复查"
            )
            case = case_resolve(actor=people["teammate"], case=case, outcome="not_upheld", reasons=REASONS)
            case = case_appeal(case=case, reason="收费标准没有公示")
            assert case.status == "reconsideration" and case.assignee == people["supervisor"]
        self.made.append(case)
        return Case.objects.get(pk=case.pk)

    def other(self) -> Case:
        """Another case of the same customer in the same team (to link to)."""
        return Case.objects.get(pk=new_case(None, self.customer).pk)


@dataclass(frozen=True)
class Rule:
    """A rule, and how each channel asks it about `case` for `user`."""

    name: str
    predicate: Callable[[User, Case], Decision]
    service: Callable[[World, User, Case], object]
    api: Callable[[World, Any, Case], Any] | None
    page_action: str | None = None  # the desk form's `action` value, when the desk offers the action
    page_post: Callable[[World, Case], dict[str, Any]] | None = None
    allowed: frozenset[str] = IN_SCOPE_STAFF
    codes: dict[str, str] = field(default_factory=dict)  # a refusal's code other than the rule's own
    customer_api: bool = True  # False: the endpoint serves the customer by his own rule
    reconsidering: bool = False


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf")


def _api_url(case: Case, suffix: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/{suffix}"


RESOLVE_POST: Callable[[World, Case], dict[str, Any]] = lambda world, case: {  # noqa: E731
    "action": "resolve",
    "outcome": "not_upheld",
    "reasons": REASONS,
    "root_cause": "",
    "remedy_amount": "",
    "version": case.version,
}

RULES = [
    Rule(
        "reply",
        p.can_reply,
        lambda world, user, case: case_reply(actor=user, case=case, body=REPLY),
        lambda world, client, case: client.post(_api_url(case, "messages/"), {"body": REPLY}, format="json"),
        "reply",
        lambda world, case: {"action": "reply", "body": REPLY, "version": case.version},
        codes={"customer": ErrorCode.REPLY_DENIED},
        customer_api=False,  # the customer's message to staff: `can_customer_act`
    ),
    Rule(
        "note",
        p.can_add_internal_note,
        lambda world, user, case: case_reply(
            actor=user, case=case, body="已电话联系客户。", is_internal=True
        ),
        lambda world, client, case: client.post(
            _api_url(case, "messages/"), {"body": "已电话联系客户。", "is_internal": True}, format="json"
        ),
        "reply",
        lambda world, case: {
            "action": "reply",
            "body": "已电话联系客户。",
            "is_internal": "on",
            "version": case.version,
        },
        codes={"customer": ErrorCode.NOTE_DENIED},
    ),
    Rule(
        "transition",
        p.can_transition,
        lambda world, user, case: case_transition(actor=user, case=case, to_status="waiting_customer"),
        lambda world, client, case: client.post(
            _api_url(case, "transitions/"), {"to": "waiting_customer", "version": case.version}, format="json"
        ),
        "transition",
        lambda world, case: {
            "action": "transition",
            "to": "waiting_customer",
            "reason": "",
            "version": case.version,
        },
        codes={"customer": ErrorCode.EDIT_DENIED},
    ),
    Rule(
        "assign",
        p.can_assign,
        lambda world, user, case: case_assign(actor=user, case=case, assignee=world.people["teammate"]),
        lambda world, client, case: client.post(
            _api_url(case, "assign/"),
            {"assignee": world.people["teammate"].pk, "version": case.version},
            format="json",
        ),
        "reassign",
        lambda world, case: {
            "action": "reassign",
            "reassign-assignee": world.people["teammate"].pk,
            "reassign-version": case.version,
        },
        codes={"customer": ErrorCode.ASSIGN_DENIED},
    ),
    Rule(
        "resolve",
        p.can_resolve,
        lambda world, user, case: case_resolve(actor=user, case=case, outcome="not_upheld", reasons=REASONS),
        lambda world, client, case: client.post(
            _api_url(case, "resolve/"),
            {"outcome": "not_upheld", "reasons": REASONS, "version": case.version},
            format="json",
        ),
        "resolve",
        RESOLVE_POST,
        codes={"customer": ErrorCode.RESOLVE_DENIED},
    ),
    Rule(
        # The appeal is decided by someone other than the first handler (member) and the one who resolved
        # it last (teammate): the desk must not offer them the Resolve form that the service refuses.
        "resolve an appeal",
        p.can_resolve,
        lambda world, user, case: case_resolve(actor=user, case=case, outcome="not_upheld", reasons=REASONS),
        lambda world, client, case: client.post(
            _api_url(case, "resolve/"),
            {"outcome": "not_upheld", "reasons": REASONS, "version": case.version},
            format="json",
        ),
        "resolve",
        RESOLVE_POST,
        allowed=frozenset({"supervisor", "administrator"}),
        codes={
            "member": ErrorCode.SAME_HANDLER,
            "teammate": ErrorCode.SAME_HANDLER,
            "customer": ErrorCode.RESOLVE_DENIED,
        },
        reconsidering=True,
    ),
    Rule(
        "merge or link",
        p.can_merge,
        lambda world, user, case: case_link(actor=user, case=case, other=world.other()),
        lambda world, client, case: client.post(
            _api_url(case, "link/"), {"case": world.other().pk}, format="json"
        ),
        "related",
        lambda world, case: {"action": "related", "number": world.other().number},
        codes={"customer": ErrorCode.MERGE_DENIED},
    ),
    Rule(
        "attachment",
        p.can_add_attachment,
        lambda world, user, case: attachment_add(actor=user, case=case, file=_upload()),
        lambda world, client, case: client.post(
            _api_url(case, "attachments/"), {"file": _upload()}, format="multipart"
        ),
        allowed=IN_SCOPE_STAFF | {"customer"},
    ),
]


@pytest.fixture
def world(
    routed_team: Team,
    member: User,
    teammate: User,
    outsider: User,
    supervisor: User,
    administrator: User,
    customer_user: User,
    customer: Customer,
    other_customer: Customer,
    settings: Any,
    tmp_path: Any,
) -> World:
    settings.MEDIA_ROOT = tmp_path
    named: User = UserFactory.create(username="dave", roles=[Role.AGENT])
    TeamMembershipFactory.create(team=routed_team, user=named)
    people = {
        "member": member,
        "teammate": teammate,
        "outsider": outsider,
        "named": named,
        "supervisor": supervisor,
        "administrator": administrator,
        "customer": customer_user,
    }
    return World(people=people, customer=customer, other_customer=other_customer, team=routed_team)


def _fresh(user: User) -> User:
    # Each channel asks as a new request would: no scope or permission cached from an earlier one.
    return User.objects.get(pk=user.pk)


def _expected(rule: Rule, persona: str) -> str | None:
    """The code the rule refuses `persona` with, or None when it allows."""
    if persona in rule.allowed:
        return None
    if persona in rule.codes:
        return rule.codes[persona]
    return HIDDEN  # outsider and named: the case is not in their scope


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_page_the_api_and_the_service_agree_with_the_predicate(
    world: World, rule: Rule, persona: str
) -> None:
    world.reconsidering = rule.reconsidering
    user = world.people[persona]
    code = _expected(rule, persona)

    # The predicate. A refusal writes nothing, so the channels after it may ask about the same case; after a
    # success the next channel gets a fresh one.
    case = world.case()
    decision = rule.predicate(_fresh(user), case)
    assert bool(decision) is (code is None), decision
    if isinstance(decision, Refusal):
        assert decision.code == code and decision.hidden is (code == HIDDEN)

    # The service: succeeds, or raises the refusal's error with its code.
    if isinstance(decision, Refusal):
        with pytest.raises(type(decision.error())) as refused:
            rule.service(world, _fresh(user), case)
        assert refused.value.code == code
    else:
        rule.service(world, _fresh(user), case)
        case = world.case()

    # The API: 2xx, or 404 `not_found` when hidden, else 403 with the code.
    if rule.api is not None and (persona != "customer" or rule.customer_api):
        case = Case.objects.get(pk=case.pk)
        response = rule.api(world, api_client_for(_fresh(user)), case)
        if code is None:
            assert response.status_code in (200, 201), response.content
            case = world.case()
        else:
            assert response.status_code == (404 if code == HIDDEN else 403), response.content
            assert response.json()["code"] == code

    # The desk page: offers the action exactly when allowed, and the post succeeds exactly then.
    if rule.page_action is not None and rule.page_post is not None:
        case = Case.objects.get(pk=case.pk)
        page = reverse("cases:desk_case", args=[case.number])
        client = client_for(_fresh(user))
        shown = client.get(page)
        marker = f'name="action" value="{rule.page_action}"'
        if persona == "customer":
            assert shown.status_code == 403  # the desk is for staff; the customer's page is the portal
            return
        if code == HIDDEN:
            assert shown.status_code == 404
            assert client.post(page, rule.page_post(world, case)).status_code == 404
            return
        assert shown.status_code == 200 and (marker in shown.content.decode()) is (code is None)
        posted = client.post(page, rule.page_post(world, case))
        assert posted.status_code == (302 if code is None else 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_case_agrees_everywhere(world: World, persona: str) -> None:
    user = world.people[persona]
    case = world.case()
    allowed = persona in IN_SCOPE_STAFF | {"customer"}

    decision = p.can_view_case(_fresh(user), case)
    assert bool(decision) is allowed
    assert isinstance(decision, Refusal) is not allowed
    assert allowed or (isinstance(decision, Refusal) and decision.code == HIDDEN)
    assert (case_get_visible(user=_fresh(user), pk=case.pk) is not None) is allowed
    response = api_client_for(_fresh(user)).get(_api_url(case))
    assert response.status_code == (200 if allowed else 404)
    name = "cases:portal_case" if persona == "customer" else "cases:desk_case"
    page = client_for(_fresh(user)).get(reverse(name, args=[case.number]))
    assert page.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_records_a_case_agrees_everywhere(world: World, persona: str) -> None:
    user = world.people[persona]
    # Every staff role here works cases and holds cases.add_case; a customer raises only his own case.
    allowed = persona != "customer"

    decision = p.can_create_case(_fresh(user))
    assert bool(decision) is allowed
    page = client_for(_fresh(user)).get(reverse("cases:desk_case_new"))
    assert page.status_code == (200 if allowed else 403)
    values = {"kind": "inquiry", "title": "水费账单疑问", "description": "三月账单金额比平时高很多。"}

    def record() -> Case:
        return case_create(
            actor=_fresh(user),
            customer=world.other_customer,
            channel="phone",
            kind=values["kind"],
            title=values["title"],
            description=values["description"],
        )

    if allowed:
        created = record()
        assert created.customer == world.other_customer
        response = api_client_for(_fresh(user)).post(
            "/api/v1/cases/",
            {"customer": world.other_customer.pk, "channel": "phone", **values},
            format="json",
        )
        assert response.status_code == 201
    else:
        assert isinstance(decision, Refusal) and decision.code == ErrorCode.CREATE_DENIED
        with pytest.raises(type(decision.error())) as refused:
            record()
        assert refused.value.code == ErrorCode.CREATE_DENIED
        # Through the API a customer raises his own case whatever customer he names (`can_raise_case`).
        response = api_client_for(_fresh(user)).post(
            "/api/v1/cases/", {"customer": world.other_customer.pk, **values}, format="json"
        )
        assert response.status_code == 201 and response.json()["number"]
        assert Case.objects.filter(number=response.json()["number"], customer=world.customer).exists()
