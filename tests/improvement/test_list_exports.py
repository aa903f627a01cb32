"""The corrective actions list as a file: the page's actions for the same filters, in the user's scope,
formula-safe, audited."""

from charter.accounts.models import Customer, Team, User
from tests.common.list_export_helpers import csv_rows, export_events
from tests.conftest import client_for
from tests.improvement.conftest import complaint, open_cluster_action

LIST = "/desk/improvement/actions/"


def test_export_has_the_pages_actions_for_the_filters_and_none_outside_the_scope(
    supervisor: User, member: User, outsider: User, team: Team, customer: Customer
) -> None:
    action = open_cluster_action(
        supervisor, member, [complaint(customer, team=team)], team=team, title="=cmd|' /C calc'!A0"
    )

    rows = csv_rows(client_for(member).get(LIST, {"source_kind": "complaint_cluster", "format": "csv"}))
    other_source = csv_rows(client_for(member).get(LIST, {"source_kind": "qa_trend", "format": "csv"}))
    outside = csv_rows(client_for(outsider).get(LIST, {"format": "csv"}))

    assert [row[0] for row in rows[1:]] == [action.number]
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert other_source[1:] == [] and outside[1:] == []
    events = export_events("improvement.actions")
    assert [event.data["rows"] for event in events] == [1, 0, 0]
    assert events[0].data["filters"] == {"source_kind": "complaint_cluster"}
