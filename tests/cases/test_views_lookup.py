"""The header's case lookup: staff open a case by its number as people type it; a number out of scope answers
exactly like a missing one; other text searches the queue."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.selectors import case_number_parse
from tests.accounts.factories import UserFactory
from tests.cases.conftest import new_case
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("TS-2026-000123", "TS-2026-000123"),
        ("  ts-2026-000123 ", "TS-2026-000123"),
        ("TS-2026-123", "TS-2026-000123"),
        ("ts - 2026 - 123", "TS-2026-000123"),
        ("ＴＳ－２０２６－１２３", "TS-2026-000123"),
        ("TS-2026-1234567", "TS-2026-1234567"),
        ("水费 账单", None),
        ("2026-123", None),
        ("TS-26-123", None),
        ("", None),
    ],
)
def test_a_typed_number_is_read_as_stored(typed: str, number: str | None) -> None:
    assert case_number_parse(typed) == number


def _lookup(client: Client, text: str) -> Any:
    return client.get("/desk/cases/lookup/", {"q": text})


def test_staff_open_a_case_in_scope_by_its_number_however_typed(
    routed_team: Team, member: User, customer: Customer, frozen: Any
) -> None:
    case = new_case(None, customer)
    prefix, year, serial = case.number.split("-")

    response = _lookup(client_for(member), f" {prefix.lower()}-{year}-{int(serial)} ")

    assert response.status_code == 302
    assert response.url == f"/desk/cases/{case.number}/"


def test_a_number_out_of_scope_answers_exactly_like_a_missing_one(
    routed_team: Team, outsider: User, customer: Customer, frozen: Any
) -> None:
    case = new_case(None, customer)
    prefix, year, _serial = case.number.split("-")
    missing = f"{prefix}-{year}-999999"

    hidden = _lookup(client_for(outsider), case.number)
    hidden_message = [str(message) for message in get_messages(hidden.wsgi_request)]
    absent = _lookup(client_for(outsider), missing)
    absent_message = [str(message) for message in get_messages(absent.wsgi_request)]

    assert hidden.status_code == absent.status_code == 302
    assert hidden.url == absent.url == "/desk/cases/"
    assert hidden_message == [f"没有找到您可以查看的工单 {case.number}。"]
    assert absent_message == [f"没有找到您可以查看的工单 {missing}。"]


def test_other_text_searches_every_case_in_scope(member: User) -> None:
    response = _lookup(client_for(member), "水费 账单")

    assert response.status_code == 302
    assert response.url == "/desk/cases/?queue=all&q=%E6%B0%B4%E8%B4%B9+%E8%B4%A6%E5%8D%95"


def test_the_box_is_in_the_header_of_those_who_work_cases_only(member: User, customer_user: User) -> None:
    qa = UserFactory.create(username="qa", roles=[Role.QA_REVIEWER])

    assert 'data-testid="case-lookup"' in client_for(member).get("/desk/").content.decode()
    assert 'data-testid="case-lookup"' not in client_for(qa).get("/desk/").content.decode()
    assert 'data-testid="case-lookup"' not in client_for(customer_user).get("/portal/").content.decode()
    assert 'data-testid="case-lookup"' not in Client().get("/").content.decode()
    assert _lookup(client_for(qa), "TS-2026-1").status_code == 403
    assert _lookup(Client(), "TS-2026-1").status_code == 302
