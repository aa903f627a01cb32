"""The corrective actions report's charts: open, overdue and closed by source and team, and the effectiveness
checks, drawn from the report's figures above its table."""

import datetime as dt

import pytest
from django.utils import translation

from charter.accounts.models import Customer, Team, User
from charter.improvement.reports import report_charts
from charter.improvement.selectors import CorrectiveActionReport, ReportRow
from charter.improvement.services import corrective_action_open
from tests.conftest import client_for
from tests.improvement.conftest import START, complaint, open_cluster_action

URL = "/desk/improvement/reports/"


def _report(by_source: list[ReportRow], by_team: list[ReportRow]) -> CorrectiveActionReport:
    return CorrectiveActionReport(
        since=START - dt.timedelta(days=90),
        until=START,
        total=ReportRow("all"),
        by_source=by_source,
        by_team=by_team,
    )


def test_each_group_splits_into_overdue_on_time_and_closed() -> None:
    report = _report(
        by_source=[
            ReportRow(
                "Complaint cluster", opened=4, closed=2, active=5, overdue=2, effective=1, ineffective=1
            ),
            ReportRow("QA trend", active=1),
        ],
        by_team=[ReportRow("", closed=3)],
    )

    with translation.override("en"):
        by_source, by_team, checks = (str(chart) for chart in report_charts(report))

    assert 'data-testid="chart-actions-by-source"' in by_source
    assert "Complaint cluster: 7 (Overdue now 2, Open, on time 3, Closed in the period 2)" in by_source
    assert "QA trend: 1 (Open, on time 1)" in by_source
    assert "No team: 3 (Closed in the period 3)" in by_team
    assert "Complaint cluster: 2 (Effective 1, Not effective 1)" in checks
    assert "QA trend" not in checks  # no check in the period: no empty bar


def test_no_actions_draw_sentences() -> None:
    with translation.override("en"):
        charts = [str(chart) for chart in report_charts(_report([], []))]

    assert all('<p class="muted chart-empty">' in chart for chart in charts)
    assert "No effectiveness check in the period." in charts[2]


@pytest.mark.django_db
def test_the_page_shows_the_charts_above_the_table(
    supervisor: User, member: User, team: Team, customer: Customer
) -> None:
    cases = [
        complaint(customer, team=team, received_at=START - n * dt.timedelta(days=1)) for n in range(1, 3)
    ]
    open_cluster_action(supervisor, member, cases, team=team)
    corrective_action_open(
        actor=supervisor,
        title="巡检发现",
        source_kind="other",
        source_reference="巡检",
        problem="p",
        owner=member,
        team=team,
    )

    html = client_for(supervisor).get(URL).content.decode()

    assert html.index('data-testid="action-report-charts"') < html.index('data-testid="action-report-table"')
    for name in ("actions-by-source", "actions-by-team", "actions-effectiveness"):
        assert f'data-testid="chart-{name}"' in html
    assert f"{team}：2（未完成、未逾期 2）" in html  # the team's bar, in the <desc>
    assert ' style="' not in html
    assert client_for(member).get(URL).status_code == 403  # an agent opens no corrective actions
