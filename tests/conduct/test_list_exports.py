"""The violations list and the own record as files: the page's rows for the same filters, in the user's
scope, audited."""

import pytest
from django.utils import timezone

from charter.accounts.models import User
from tests.common.list_export_helpers import csv_rows, export_events, xlsx_rows
from tests.conduct.conftest import Recorder
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
LIST = "/desk/conduct/violations/"


def test_export_has_the_supervisors_violations_for_the_filters_and_no_other_teams(
    record: Recorder, supervisor: User, member: User, outsider: User, administrator: User
) -> None:
    record(severity="minor")
    record(severity="serious")
    record(actor=administrator, staff=outsider)

    rows = csv_rows(client_for(supervisor).get(LIST, {"status": "", "format": "csv"}))
    everything = csv_rows(client_for(administrator).get(LIST, {"format": "csv"}))

    assert len(rows) == 1 + 2
    assert {row[1] for row in rows[1:]} == {str(member)}
    assert len(everything) == 1 + 3
    [event, _] = export_events("conduct.violations")
    assert event.actor == supervisor and event.data["rows"] == 2 and event.data["format"] == "csv"


def test_own_record_export_has_only_his_violations(record: Recorder, member: User, teammate: User) -> None:
    own = record()
    record(staff=teammate)

    rows = xlsx_rows(client_for(member).get("/desk/conduct/my-record/", {"format": "xlsx"}))

    assert len(rows) == 2
    assert rows[0][0] == "行为发生日期" or rows[0][0]
    assert rows[1][0].date() == timezone.localdate(own.occurred_at)
    assert client_for(member).get(LIST, {"format": "csv"}).status_code == 403
