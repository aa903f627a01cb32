"""The list export mechanism: formula-safe cells, a BOM, times in the reader's zone, the row cap, and
filters kept for the audit chain without free text."""

import datetime as dt
import io
import zoneinfo
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation
from openpyxl import load_workbook

from charter.accounts.models import User
from charter.audit.list_exports import list_export
from charter.common.list_exports import Column, filters_of, list_csv, list_query, list_xlsx
from tests.common.list_export_helpers import csv_rows, export_events

AT = dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai
COLUMNS: list[Column[dict[str, Any]]] = [
    Column("Name", lambda row: row["name"]),
    Column("At", lambda row: row["at"]),
    Column("Amount", lambda row: row["amount"]),
]
ROWS = [
    {"name": "=SUM(A1:A9)", "at": AT, "amount": 3},
    {"name": "@cmd", "at": None, "amount": -1},
    {"name": "张三", "at": AT, "amount": 0},
]


def test_csv_has_a_bom_neutralises_formulas_and_keeps_numbers() -> None:
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        lines = list_csv(ROWS, COLUMNS, cap=10)
    content = b"".join(lines).decode("utf-8")

    assert content.startswith("\ufeffName,At,Amount\r\n")
    assert "'=SUM(A1:A9),2026-03-02 10:30:00,3\r\n" in content
    assert "'@cmd,,-1\r\n" in content


def test_csv_streams_in_the_zone_and_language_of_the_request() -> None:
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")), translation.override("en"):
        lines = list_csv(ROWS[:1], [Column(translation.gettext_lazy("Status"), lambda r: r["at"])], cap=10)
    # Written after the request's zone and language are gone, as a streamed response is.
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")), translation.override("zh-hans"):
        content = b"".join(lines).decode("utf-8-sig")

    assert content == "Status\r\n2026-03-01 21:30:00\r\n"


def test_xlsx_writes_text_as_text_and_local_wall_clock_times() -> None:
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        sheet = load_workbook(io.BytesIO(list_xlsx(ROWS, COLUMNS, title="列表", cap=2))).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert rows == [
        ["Name", "At", "Amount"],
        ["'=SUM(A1:A9)", dt.datetime(2026, 3, 2, 10, 30), 3],  # noqa: DTZ001 (a spreadsheet has no zones)
        ["'@cmd", None, -1],
    ]  # capped at 2 rows
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_filters_keep_ids_and_dates_and_only_say_that_free_text_was_given(member: User) -> None:
    data = {
        "q": "王先生 13812345678",
        "staff": member,
        "since": dt.date(2026, 3, 1),
        "status": "",
        "overdue": False,
    }

    assert filters_of(data) == {"q": True, "since": "2026-03-01", "staff": member.pk}


def test_the_way_back_drops_the_format_and_page() -> None:
    request = RequestFactory().get("/desk/x/", {"status": "open", "page": "3", "format": "csv"})

    assert list_query(request.GET) == "status=open"


def _request(user: User, **query: str) -> Any:
    request = RequestFactory().get("/desk/x/", query)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


@pytest.mark.django_db
def test_an_export_is_audited_without_personal_data(member: User) -> None:
    request = _request(member, q="张三", format="csv")

    response = list_export(
        request,
        name="tests.rows",
        title="Rows",
        rows=ROWS,
        columns=COLUMNS,
        filters=filters_of(request.GET.dict()),
        extension="csv",
    )

    assert len(csv_rows(response)) == 4
    assert response["Content-Disposition"].startswith('attachment; filename="tests-rows-')
    [event] = export_events("tests.rows")
    assert event.actor == member
    assert event.data == {"list": "tests.rows", "filters": {"q": True}, "format": "csv", "rows": 3}


@pytest.mark.django_db
@override_settings(CHARTER_EXPORT_MAX_ROWS=2)
def test_past_the_cap_no_file_no_event_and_a_message_in_the_users_language(member: User) -> None:
    request = _request(member, status="open", format="xlsx")

    with translation.override("en"):
        response = list_export(
            request, name="tests.rows", title="Rows", rows=ROWS, columns=COLUMNS, filters={}, extension="xlsx"
        )

    assert response.status_code == 302 and response["Location"] == "/desk/x/?status=open"
    [message] = [str(message) for message in get_messages(request)]
    assert "more than 2 rows" in message and "Narrow the filters" in message
    assert export_events("tests.rows") == []
