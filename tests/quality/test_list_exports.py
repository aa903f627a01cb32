"""The findings lists as files: the page's findings for the same filters, in the user's scope, audited."""

import pytest

from charter.accounts.models import Team, User
from charter.cases.models import Case
from tests.common.list_export_helpers import csv_rows, export_events
from tests.conftest import client_for
from tests.quality.test_views import findings  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
FINDINGS = "/desk/quality/findings/"


def test_findings_export_follows_the_filters_and_the_scope(
    findings: Case,  # noqa: F811
    qa_reviewer: User,
    supervisor: User,
    member: User,
    teammate: User,
    other_team: Team,
) -> None:
    by_team = csv_rows(client_for(qa_reviewer).get(FINDINGS, {"team": str(other_team.pk), "format": "csv"}))
    supervised = csv_rows(client_for(supervisor).get(FINDINGS, {"format": "csv"}))
    own = csv_rows(client_for(member).get("/desk/quality/my-findings/", {"format": "csv"}))

    assert [row[2] for row in by_team[1:]] == ["Charlie"]
    assert len(supervised) == 1 + 2 and "Charlie" not in str(supervised)
    assert len(own) == 1 + 1 and len(own[0]) == len(supervised[0]) - 2
    assert client_for(member).get(FINDINGS, {"format": "csv"}).status_code == 403
    [event] = export_events("quality.findings")[:1]
    assert event.data["filters"] == {"team": other_team.pk} and event.data["rows"] == 1
