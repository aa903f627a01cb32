"""Who may do what with a case: the predicates for each persona, and 404 outside scope in the API."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases import permissions as p
from charter.cases.models import Case
from charter.cases.services import case_resolve
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.cases.conftest import new_case
from tests.conftest import api_client_for, not_none

pytestmark = pytest.mark.django_db

PREDICATES = (
    "can_view_case",
    "can_reply",
    "can_add_internal_note",
    "can_edit_case",
    "can_transition",
    "can_assign",
    "can_resolve",
    "can_merge",
)


@pytest.fixture
def case(routed_team: Team, member: User, teammate: User, customer: Customer) -> Case:
    return new_case(None, customer)


@pytest.fixture
def personas(
    member: User, teammate: User, outsider: User, supervisor: User, administrator: User, customer_user: User
) -> dict[str, Any]:
    stranger = UserFactory.create(username="mallory", roles=[Role.CUSTOMER])
    CustomerFactory.create(user=stranger)
    return {
        "member": member,
        "teammate": teammate,
        "outsider": outsider,
        "supervisor": supervisor,
        "administrator": administrator,
        "customer": customer_user,
        "other customer": stranger,
        "anonymous": AnonymousUser(),
        "trainer": UserFactory.create(username="zhou", roles=[Role.TRAINER]),
    }


STAFF_IN_SCOPE = {"member", "teammate", "supervisor", "administrator"}


@pytest.mark.parametrize("predicate", PREDICATES)
def test_staff_in_scope_may_work_the_case_and_nobody_else(
    case: Case, personas: dict[str, Any], predicate: str
) -> None:
    allowed = {name for name, user in personas.items() if getattr(p, predicate)(user, case)}

    expected = STAFF_IN_SCOPE | ({"customer"} if predicate == "can_view_case" else set())
    assert allowed == expected


def test_only_staff_see_internal_notes(personas: dict[str, Any]) -> None:
    allowed = {name for name, user in personas.items() if p.can_see_internal_notes(user)}

    assert allowed == STAFF_IN_SCOPE | {"outsider"}


def test_only_the_own_customer_acts_as_customer(case: Case, personas: dict[str, Any]) -> None:
    assert {name for name, user in personas.items() if p.can_customer_act(user, case)} == {"customer"}


def test_a_named_person_may_neither_see_nor_resolve_the_complaint(
    routed_team: Team, member: User, teammate: User, supervisor: User, customer: Customer
) -> None:
    complaint = new_case(None, customer, kind="complaint", named_staff=[member])

    assert not p.can_view_case(member, complaint) and not p.can_resolve(member, complaint)
    assert p.can_resolve(teammate, complaint) and p.can_resolve(supervisor, complaint)


def test_the_first_handler_may_not_decide_the_appeal(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    from charter.cases.services import case_appeal

    case = new_case(None, customer)
    first = not_none(case.assignee)
    case = case_resolve(actor=first, case=case, outcome="answered", reasons="已答复")
    case = case_appeal(case=case, reason="不满意")

    assert not p.can_resolve(first, case)
    other = teammate if first == member else member
    assert p.can_resolve(other, case)


def test_configuration_and_figures_are_for_supervisors_and_administrators(personas: dict[str, Any]) -> None:
    stats = {name for name, user in personas.items() if p.can_view_case_stats(user)}
    configure = {name for name, user in personas.items() if p.can_configure_cases(user)}

    assert stats == {"supervisor", "administrator"}
    assert configure == {"administrator"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member", 200),
        ("teammate", 200),
        ("supervisor", 200),
        ("administrator", 200),
        ("customer", 200),
        ("outsider", 404),
        ("other customer", 404),
        ("trainer", 404),
    ],
)
def test_the_api_answers_404_outside_scope(
    case: Case, personas: dict[str, Any], persona: str, status: int
) -> None:
    client = api_client_for(personas[persona])

    for suffix in ("", "messages/", "attachments/"):
        assert client.get(f"/api/v1/cases/{case.pk}/{suffix}").status_code == status
    if status == 404:
        response = client.post(f"/api/v1/cases/{case.pk}/transitions/", {"to": "in_progress"}, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_api_needs_a_signed_in_user(case: Case, api_client: Any) -> None:
    assert api_client.get("/api/v1/cases/").status_code in {401, 403}
    assert api_client.get(f"/api/v1/cases/{case.pk}/").status_code in {401, 403}
