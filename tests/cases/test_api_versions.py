"""The API's writes that could overwrite a change need the version the caller read: in the body's `version`
or an `If-Match` header. Neither answers 428 `case_version_required` and changes nothing; a stale one is
still 409."""

from typing import Any

import pytest

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case, CaseStatus
from tests.cases.conftest import new_case
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases/"


@pytest.fixture
def case(routed_team: Team, member: User, teammate: User, customer: Customer) -> Case:
    return new_case(None, customer)


def _writes(case: Case, teammate: User) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every versioned write of a case: (method, url, body without a version)."""
    return {
        "update": ("patch", f"{BASE}{case.pk}/", {"priority": "urgent"}),
        "transition": ("post", f"{BASE}{case.pk}/transitions/", {"to": "in_progress"}),
        "assign": ("post", f"{BASE}{case.pk}/assign/", {"assignee": teammate.pk}),
        "resolve": ("post", f"{BASE}{case.pk}/resolve/", {"outcome": "answered", "reasons": "已答复"}),
        "arrival": ("post", f"{BASE}{case.pk}/arrival/", {}),
    }


@pytest.mark.parametrize("write", ["update", "transition", "assign", "resolve", "arrival"])
def test_a_write_without_a_version_answers_428_and_changes_nothing(
    case: Case, member: User, teammate: User, write: str
) -> None:
    method, url, body = _writes(case, teammate)[write]
    before = Case.objects.values().get(pk=case.pk)

    response = getattr(api_client_for(member, "en"), method)(url, body, format="json")

    assert response.status_code == 428
    assert response.json()["code"] == "case_version_required"
    assert "If-Match" in response.json()["detail"]
    assert Case.objects.values().get(pk=case.pk) == before


@pytest.mark.parametrize("header", ['"{v}"', 'W/"{v}"', "{v}"])
def test_if_match_carries_the_version(case: Case, member: User, header: str) -> None:
    response = api_client_for(member).post(
        f"{BASE}{case.pk}/transitions/",
        {"to": "in_progress"},
        format="json",
        HTTP_IF_MATCH=header.format(v=case.version),
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CaseStatus.IN_PROGRESS


def test_a_stale_if_match_is_still_409(case: Case, member: User) -> None:
    client = api_client_for(member)
    client.patch(
        f"{BASE}{case.pk}/", {"priority": "urgent"}, format="json", HTTP_IF_MATCH=f'"{case.version}"'
    )

    stale = client.patch(
        f"{BASE}{case.pk}/", {"priority": "low"}, format="json", HTTP_IF_MATCH=f'"{case.version}"'
    )

    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


@pytest.mark.parametrize("header", ["*", '"abc"', '"0"', '"²"'])
def test_an_if_match_without_a_version_number_is_no_version(case: Case, member: User, header: str) -> None:
    response = api_client_for(member).post(
        f"{BASE}{case.pk}/transitions/", {"to": "in_progress"}, format="json", HTTP_IF_MATCH=header
    )

    assert response.status_code == 428


def test_the_body_version_wins_over_the_header(case: Case, member: User) -> None:
    response = api_client_for(member).post(
        f"{BASE}{case.pk}/transitions/",
        {"to": "in_progress", "version": case.version},
        format="json",
        HTTP_IF_MATCH='"999"',
    )

    assert response.status_code == 200


def test_a_reply_keeps_its_version_optional(case: Case, member: User) -> None:
    """A message adds to a case and overwrites nothing: it needs no version."""
    response = api_client_for(member).post(
        f"{BASE}{case.pk}/messages/", {"body": "您好，已收到。"}, format="json"
    )

    assert response.status_code == 201
