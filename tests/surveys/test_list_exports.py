"""The follow-ups list as a file (the page's tasks for the same choice, in the user's scope) and the results'
exports, all audited."""

import datetime as dt

import pytest
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.surveys.models import RecoveryTask
from tests.common.list_export_helpers import csv_rows, export_events
from tests.conftest import client_for
from tests.surveys.factories import ResponseFactory

pytestmark = pytest.mark.django_db
LIST = "/desk/surveys/recovery/"


def _task(team: Team | None, status: str = RecoveryTask.Status.OPEN, reason: str = "低分") -> RecoveryTask:
    return RecoveryTask.objects.create(
        response=ResponseFactory.create(),
        team=team,
        reason=reason,
        status=status,
        due_at=timezone.now() + dt.timedelta(days=1),
    )


def test_follow_up_export_has_the_open_tasks_of_his_teams_only(
    supervisor: User, team: Team, other_team: Team
) -> None:
    _task(team, reason="+1 差评")
    _task(team, status=RecoveryTask.Status.RESOLVED)
    _task(other_team)
    client = client_for(supervisor)

    open_rows = csv_rows(client.get(LIST, {"format": "csv"}))
    all_rows = csv_rows(client.get(LIST, {"show": "all", "format": "csv"}))

    assert len(open_rows) == 1 + 1 and open_rows[1][3] == "'+1 差评"
    assert len(all_rows) == 1 + 2
    assert [event.data["filters"] for event in export_events("surveys.recovery_tasks")] == [
        {"show": "open"},
        {"show": "all"},
    ]


def test_the_results_exports_are_audited(supervisor: User) -> None:
    client = client_for(supervisor)

    assert client.get("/desk/surveys/results/summary.xlsx").status_code == 200
    csv_rows(client.get("/desk/surveys/results/responses.csv", {"channel": "web"}))

    assert [event.data["format"] for event in export_events("surveys.results")] == ["xlsx"]
    [responses] = export_events("surveys.responses")
    assert responses.data["rows"] == 0 and responses.data["filters"].get("channel") == "web"
