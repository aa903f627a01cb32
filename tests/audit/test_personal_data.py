"""The audit trail names customers by id only: erasure cannot rewrite the chain, so no customer's name or
username may reach an event's actor_label or target_repr (staff stay named, for accountability)."""

import pytest
from django.test import Client

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.accounts.tokens import api_token_create
from charter.audit.models import AuditEvent
from charter.audit.services import audit_names_by_id, audit_record, audit_user_label
from tests.accounts.factories import UserFactory
from tests.cases.conftest import customer, routed_team  # noqa: F401 (fixtures)
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

NAME = "MARKER-欧阳娜娜"
USERNAME = "nana.marker@example.com"


@pytest.fixture
def portal_user(db: None) -> User:
    return UserFactory.create(username=USERNAME, display_name=NAME, roles=[Role.CUSTOMER])


def _trail() -> str:
    return " ".join(
        f"{event.actor_label} {event.target_repr} {event.data}" for event in AuditEvent.objects.all()
    )


def test_a_customer_is_labelled_by_id_as_actor_and_as_target(portal_user: User) -> None:
    event = audit_record(actor=portal_user, action="accounts.signin", target=portal_user)

    assert event.actor_label == event.target_repr == f"User #{portal_user.pk}"
    assert event.actor_id == portal_user.pk and event.target_id == str(portal_user.pk)


def test_a_member_of_staff_stays_named(member: User) -> None:
    event = audit_record(actor=member, action="accounts.signin", target=member)

    assert event.actor_label == "alice"
    assert event.target_repr == str(member)
    assert not audit_names_by_id(member) and audit_user_label(member) == "alice"


def test_a_user_without_any_role_counts_as_a_customer(db: None) -> None:
    nobody = UserFactory.create(username="no-role", roles=[])

    assert audit_names_by_id(nobody) and audit_user_label(nobody) == f"User #{nobody.pk}"


def test_a_customers_token_leaves_no_name_in_the_trail(portal_user: User) -> None:
    api_token_create(user=portal_user, name="我的手机")

    assert AuditEvent.objects.filter(action="accounts.api_token_create").exists()
    assert NAME not in _trail() and USERNAME not in _trail()


def test_a_customers_portal_sign_in_leaves_no_name_in_the_trail(portal_user: User) -> None:
    portal_user.set_password("Passw0rd!pass")
    portal_user.save()
    client = Client()
    client.post("/accounts/login/", {"username": USERNAME, "password": "wrong"})
    client.post("/accounts/login/", {"username": USERNAME, "password": "Passw0rd!pass"})

    assert AuditEvent.objects.filter(action="accounts.signin_failed").exists()
    assert AuditEvent.objects.filter(action="accounts.signin").exists()
    assert NAME not in _trail() and USERNAME not in _trail()


def test_a_customers_case_made_through_the_api_leaves_no_name_in_the_trail(
    customer_user: User,
    customer: Customer,  # noqa: F811
    routed_team: Team,  # noqa: F811
) -> None:
    customer_user.display_name = NAME
    customer_user.save()
    body = {"kind": "inquiry", "title": "水费账单疑问", "description": "本月水费比上月高出很多。"}

    response = api_client_for(customer_user).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 201, response.json()
    assert AuditEvent.objects.filter(actor=customer_user).exists()
    assert NAME not in _trail() and "carol" not in _trail()
