"""The data requests list and the personal data log as files: the page's rows for the same filters, for
privacy staff only, audited (and the export itself then shows in the personal data log)."""

import datetime as dt

from django.utils import timezone

from charter.accounts.models import Customer, User
from tests.common.list_export_helpers import csv_rows, export_events, xlsx_rows
from tests.conftest import client_for
from tests.privacy.requests_fixtures import portal_request

LIST = "/desk/privacy/requests/"


def test_request_export_has_the_filtered_requests_and_is_refused_to_others(
    customer: Customer, officer: User, member: User
) -> None:
    late = portal_request(customer, received_at=timezone.now() - dt.timedelta(days=60))
    portal_request(customer, "erasure")

    rows = csv_rows(client_for(officer).get(LIST, {"overdue": "on", "format": "csv"}))

    assert [row[0] for row in rows[1:]] == [late.number]
    assert rows[1][-1] == "是"
    assert client_for(member).get(LIST, {"format": "csv"}).status_code == 403
    [event] = export_events("privacy.requests")
    assert event.data["filters"] == {"overdue": True} and event.data["rows"] == 1


def test_the_log_export_lists_the_export_just_made(customer: Customer, officer: User) -> None:
    portal_request(customer)
    client = client_for(officer)
    client.get(LIST, {"format": "csv"})

    rows = xlsx_rows(client.get("/desk/privacy/log/", {"format": "xlsx"}))

    assert any(row[2] == "列表已导出" for row in rows[1:])
    assert len(export_events("privacy.log")) == 1
