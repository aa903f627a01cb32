"""Customers raising cases through the API meet the web form's limit: CHARTER_INTAKE_MAX_PER_HOUR per client
address (the same counter as the form) and per customer; staff recording cases are not limited."""

from typing import Any

import pytest
from django.test import RequestFactory

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case
from charter.cases.throttle import intake_hit
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases/"
BODY = {"kind": "inquiry", "title": "水费账单疑问", "description": "本月水费比上月高出很多。"}


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    settings.CHARTER_INTAKE_MAX_PER_HOUR = 2
    settings.CHARTER_CLIENT_IP_HEADER = ""


def _raise(user: User, address: str = "203.0.113.5", **headers: Any) -> Any:
    return api_client_for(user, "en").post(BASE, BODY, format="json", REMOTE_ADDR=address, **headers)


def _customer(username: str) -> User:
    user = UserFactory.create(username=username, roles=[Role.CUSTOMER])
    CustomerFactory.create(user=user)
    return user


def test_a_customer_past_the_hourly_limit_gets_429_and_no_case(routed_team: Team, customer: Customer) -> None:
    user = customer.user
    assert user is not None

    answers = [_raise(user).status_code for _ in range(3)]

    assert answers == [201, 201, 429]
    refused = _raise(user)
    assert refused.json()["code"] == "case_intake_throttled"
    assert "too many cases" in refused.json()["detail"]
    assert Case.objects.count() == 2


def test_changing_address_does_not_lift_the_customers_limit(routed_team: Team, customer: Customer) -> None:
    user = customer.user
    assert user is not None

    answers = [_raise(user, address=f"198.51.100.{n}").status_code for n in range(3)]

    assert answers == [201, 201, 429]


def test_many_customers_behind_one_address_share_its_limit(routed_team: Team) -> None:
    answers = [_raise(_customer(f"customer{n}")).status_code for n in range(3)]

    assert answers == [201, 201, 429]


def test_a_forged_forwarded_for_header_does_not_lift_the_address_limit(routed_team: Team) -> None:
    answers = [
        _raise(_customer(f"customer{n}"), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(3)
    ]

    assert answers == [201, 201, 429]


def test_the_web_form_and_the_api_count_on_one_counter(routed_team: Team, customer: Customer) -> None:
    web = RequestFactory().post("/cases/new/", REMOTE_ADDR="203.0.113.5")
    assert intake_hit(request=web) and intake_hit(request=web)  # two cases raised on the web form
    user = customer.user
    assert user is not None

    assert _raise(user).status_code == 429


def test_staff_recording_cases_are_not_limited(routed_team: Team, member: User, customer: Customer) -> None:
    client = api_client_for(member)

    answers = [
        client.post(
            BASE, {**BODY, "customer": customer.pk}, format="json", REMOTE_ADDR="203.0.113.5"
        ).status_code
        for _ in range(3)
    ]

    assert answers == [201, 201, 201]
