import pytest
from django.contrib.auth.models import AnonymousUser

from charter.accounts.roles import Role
from charter.standards.permissions import (
    can_acknowledge_standards,
    can_edit_standards,
    can_view_acknowledgement_report,
    can_view_everyone_in_report,
    can_view_standards,
)
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PREDICATES = {
    "view": can_view_standards,
    "edit": can_edit_standards,
    "acknowledge": can_acknowledge_standards,
    "report": can_view_acknowledgement_report,
    "everyone": can_view_everyone_in_report,
}

# What each role may do, as granted by the standards' data migration.
EXPECTED = {
    Role.AGENT: {"view", "acknowledge"},
    Role.QA_REVIEWER: {"view", "acknowledge"},
    Role.TRAINER: {"view", "acknowledge"},
    Role.SUPERVISOR: {"view", "acknowledge", "report"},
    Role.ADMINISTRATOR: {"view", "acknowledge", "report", "edit", "everyone"},
    Role.CUSTOMER: set(),
}


@pytest.mark.parametrize("role", list(EXPECTED), ids=str)
def test_each_role_gets_exactly_its_capabilities(role: Role) -> None:
    user = UserFactory.create(roles=[role])

    granted = {name for name, predicate in PREDICATES.items() if predicate(user)}

    assert granted == EXPECTED[role]


def test_anonymous_visitors_may_do_nothing_on_the_desk() -> None:
    assert not any(predicate(AnonymousUser()) for predicate in PREDICATES.values())


def test_a_superuser_may_do_everything() -> None:
    user = UserFactory.create(is_superuser=True)

    assert all(predicate(user) for predicate in PREDICATES.values())


def test_a_staff_user_without_a_role_may_do_nothing() -> None:
    user = UserFactory.create()

    assert not any(predicate(user) for predicate in PREDICATES.values())
