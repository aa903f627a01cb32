"""The audit trail as a file: every event the filters select (not one page), for administrators only; the
export is itself an event."""

import pytest

from charter.accounts.models import User
from charter.audit.services import audit_record
from tests.common.list_export_helpers import csv_rows, export_events
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/desk/audit/"


def test_audit_export_has_every_event_of_the_filters(administrator: User, member: User) -> None:
    replies = [audit_record(actor=member, action="cases.reply", target=member) for _ in range(60)]
    audit_record(actor=member, action="cases.note")

    rows = csv_rows(client_for(administrator).get(URL, {"action": "cases.reply", "format": "csv"}))

    assert len(rows) == 1 + 60  # more than the page's 50
    assert [int(row[0]) for row in rows[1:]] == [event.sequence for event in reversed(replies)]
    assert {row[5] for row in rows[1:]} == {"cases.reply"}
    [event] = export_events("audit.events")
    assert event.data == {
        "list": "audit.events",
        "filters": {"action": "cases.reply"},
        "format": "csv",
        "rows": 60,
    }
    assert client_for(member).get(URL, {"format": "csv"}).status_code == 403
