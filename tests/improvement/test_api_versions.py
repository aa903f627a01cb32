"""Corrective actions' API writes need the version read (body `version` or `If-Match`), else 428."""

import pytest

from charter.accounts.models import Customer, Team, User
from charter.improvement.models import CorrectiveAction
from tests.conftest import api_client_for
from tests.improvement.conftest import START, complaint, open_cluster_action

pytestmark = pytest.mark.django_db

URL = "/api/v1/corrective-actions/"


@pytest.fixture
def action(supervisor: User, member: User, team: Team, customer: Customer) -> CorrectiveAction:
    return open_cluster_action(
        supervisor, member, [complaint(customer, team=team, received_at=START)], team=team
    )


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"title": "新标题"}),
        ("post", "transitions/", {"to": "in_progress"}),
        ("post", "check/", {"verdict": "effective"}),
    ],
)
def test_a_write_without_a_version_answers_428(
    action: CorrectiveAction, supervisor: User, method: str, suffix: str, body: dict[str, str]
) -> None:
    response = getattr(api_client_for(supervisor), method)(f"{URL}{action.pk}/{suffix}", body, format="json")

    assert response.status_code == 428
    assert response.json()["code"] == "improvement_version_required"
    assert CorrectiveAction.objects.get(pk=action.pk).version == action.version


def test_if_match_carries_the_version(action: CorrectiveAction, supervisor: User) -> None:
    response = api_client_for(supervisor).patch(
        f"{URL}{action.pk}/", {"title": "新标题"}, format="json", HTTP_IF_MATCH=f'"{action.version}"'
    )

    assert response.status_code == 200
    assert response.json()["title"] == "新标题"
