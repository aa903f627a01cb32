"""Exports: CSV with a BOM for Excel, XLSX, times in the reader's time zone, and no formula injection."""

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from charter.accounts.models import Team, User
from charter.common.exports import BOM, Table, cell_safe, tables_csv, tables_xlsx
from charter.surveys.analysis import ResultFilter, results_dashboard
from charter.surveys.exports import dashboard_tables, responses_csv, responses_xlsx
from tests.surveys.factories import ResponseFactory, published_service

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 11, 18, 16, 30, tzinfo=dt.UTC)  # 19 November, 00:30 in Shanghai

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x","点我")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["水费太贵", "a=b", "", "'quoted", 3, -5, 2.5, None])
def test_other_values_are_left_alone(value: Any) -> None:
    assert cell_safe(value) == value


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_tables_as_csv_start_with_a_bom_and_keep_chinese() -> None:
    tables = [Table("按服务", ["服务", "CSAT (%)"], [["供水", 87.5], ["=cmd|' /C calc'!A0", -3]])]

    rows = _csv_rows(tables_csv(tables))

    assert rows == [["按服务"], ["服务", "CSAT (%)"], ["供水", "87.5"], ["'=cmd|' /C calc'!A0", "-3"], []]


def test_tables_as_xlsx_have_one_sheet_each_with_text_not_formulas() -> None:
    tables = [
        Table("By service", ["Service", "CSAT (%)"], [["=1+1", 50.0]]),
        Table("By service", ["Team", "n"], [["@team", 3]]),
    ]

    workbook = load_workbook(io.BytesIO(tables_xlsx(tables)))

    assert workbook.sheetnames == ["By service", "By service 2"]
    cell = workbook["By service"]["A2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")
    assert workbook["By service"]["B2"].value == 50.0
    assert workbook["By service 2"]["A2"].value == "'@team"


@pytest.fixture
def answered(db: None, member: User, team: Team) -> None:
    water = published_service("water", "供水", "Water supply")
    ResponseFactory.create(
        submitted_at=AT,
        service=water,
        team=team,
        handler=member,
        channel="phone",
        kind="complaint",
        csat=2,
        nps=3,
        ces=4,
        comment='=HYPERLINK("http://evil.example","点我")',
    )
    ResponseFactory.create(submitted_at=AT - dt.timedelta(days=1), csat=5, comment="-态度很好")


def test_raw_responses_as_csv_in_the_readers_time_zone(answered: None, member: User, team: Team) -> None:
    rows = _csv_rows(b"".join(responses_csv(ResultFilter(tz=SHANGHAI))))

    assert rows[0][0] == gettext("Answered at")
    assert len(rows) == 3
    assert rows[1] == [
        "2026-11-19 00:30:00",
        "供水",
        str(team),
        str(member),
        "电话",
        "投诉",
        "2",
        "3",
        "4",
        '\'=HYPERLINK("http://evil.example","点我")',
    ]
    assert rows[2][-1] == "'-态度很好"
    assert rows[2][1:6] == ["", "", "", "", ""]


def test_raw_responses_as_csv_follow_the_filters(answered: None) -> None:
    day = dt.date(2026, 11, 19)

    rows = _csv_rows(b"".join(responses_csv(ResultFilter(tz=SHANGHAI, date_from=day, date_to=day))))
    in_utc = _csv_rows(b"".join(responses_csv(ResultFilter(tz=dt.UTC, date_from=day, date_to=day))))

    assert len(rows) == 2 and rows[1][0] == "2026-11-19 00:30:00"
    assert len(in_utc) == 1  # 16:30 on the 18th in UTC


def test_raw_responses_as_xlsx(answered: None) -> None:
    workbook = load_workbook(io.BytesIO(responses_xlsx(ResultFilter(tz=SHANGHAI))))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[1][0] == dt.datetime(2026, 11, 19, 0, 30, tzinfo=SHANGHAI).replace(tzinfo=None)
    assert rows[1][6:9] == (2, 3, 4)
    assert rows[1][9] == '\'=HYPERLINK("http://evil.example","点我")'
    assert sheet["J2"].data_type == "s"
    assert rows[2][9] == "'-态度很好"


def test_dashboard_tables_hold_the_page_figures(answered: None) -> None:
    with translation.override("en"):
        tables = dashboard_tables(results_dashboard(ResultFilter(tz=SHANGHAI)))

    titles = [table.title for table in tables]
    assert titles[:3] == ["Headline figures", "By week", "By month"]
    assert titles[-2:] == ["Lowest-rated services", "Themes in comments"]
    headline = tables[0].rows
    # CSAT 1 of 2 = 50%, Wilson 9.5% to 90.5%, two answers, a small sample
    assert headline[0] == ["CSAT (%)", 50.0, 9.5, 90.5, 2, "yes"]
    assert headline[1][1:5] == [-100.0, -100.0, -100.0, 1]  # NPS: one detractor (3), one without an answer
    assert headline[3][1:5] == [100.0, 34.2, 100.0, 2]  # response rate: both invitations answered
    assert tables[-2].rows == []  # no service has ten CSAT answers yet


def test_no_cell_of_any_export_starts_a_formula(answered: None) -> None:
    filters = ResultFilter(tz=SHANGHAI)
    tables = dashboard_tables(results_dashboard(filters))
    tables.append(Table("=title", ["@heading"], [["+cell"]]))

    cells = [cell for row in _csv_rows(tables_csv(tables)) for cell in row]
    cells += [cell for row in _csv_rows(b"".join(responses_csv(filters))) for cell in row]

    assert "'=title" in cells and "'@heading" in cells and "'+cell" in cells
    assert not [
        cell
        for cell in cells
        if cell[:1] in ("=", "+", "@", "\t", "\r") or cell.startswith("-") and not _number(cell)
    ]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
