import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.sla.deadlines import add_business_time, add_working_days, is_working_day
from charter.sla.models import BusinessCalendar, CalendarDay
from charter.sla.selectors import calendar_as_pure
from charter.sla.services import DayContent, HolidayFileError, calendar_day_add, calendar_days_import
from tests.sla.conftest import DATA, holiday_file

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _span(first: str, last: str) -> set[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return {start + dt.timedelta(days=n) for n in range((end - start).days + 1)}


def _days(calendar: BusinessCalendar, kind: str) -> set[dt.date]:
    return set(calendar.days.filter(kind=kind).values_list("date", flat=True))


def test_the_shipped_2025_file_holds_the_state_councils_arrangement(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    result = calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2025))

    holidays = _days(standard_calendar, CalendarDay.Kind.HOLIDAY)
    workdays = _days(standard_calendar, CalendarDay.Kind.WORKDAY)
    assert holidays == (
        {dt.date(2025, 1, 1)}
        | _span("2025-01-28", "2025-02-04")
        | _span("2025-04-04", "2025-04-06")
        | _span("2025-05-01", "2025-05-05")
        | _span("2025-05-31", "2025-06-02")
        | _span("2025-10-01", "2025-10-08")
    )
    assert workdays == {
        dt.date(2025, 1, 26),
        dt.date(2025, 2, 8),
        dt.date(2025, 4, 27),
        dt.date(2025, 9, 28),
        dt.date(2025, 10, 11),
    }
    assert (result.year, result.created, result.updated, result.unchanged) == (2025, 33, 0, 0)
    spring = standard_calendar.days.get(date=dt.date(2025, 1, 28))
    assert (spring.name_zh, spring.name_en) == ("春节", "Spring Festival")
    assert "国办发明电〔2024〕12号" in spring.source


def test_the_shipped_2026_file(administrator: User, standard_calendar: BusinessCalendar) -> None:
    calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2026))

    assert _days(standard_calendar, CalendarDay.Kind.HOLIDAY) >= (
        _span("2026-01-01", "2026-01-03")
        | _span("2026-02-15", "2026-02-23")
        | _span("2026-10-01", "2026-10-07")
    )
    assert _days(standard_calendar, CalendarDay.Kind.WORKDAY) == {
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    }
    # Every make-up working day falls on a weekend; every holiday listed is in 2026.
    assert all(day.weekday() >= 5 for day in _days(standard_calendar, CalendarDay.Kind.WORKDAY))


def test_deadlines_follow_the_2025_arrangement(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2025))
    calendar = calendar_as_pure(standard_calendar)

    assert is_working_day(calendar, dt.date(2025, 1, 26))  # a Sunday, worked
    assert not is_working_day(calendar, dt.date(2025, 2, 3))  # a Monday, off
    # Received on Monday 27 January: the next working day is Wednesday 5 February.
    assert add_working_days(calendar, dt.datetime(2025, 1, 27, 10, tzinfo=SHANGHAI), 1) == dt.datetime(
        2025, 2, 5, 17, 30, tzinfo=SHANGHAI
    )
    # Received on Friday 24 January: Sunday 26 January is the first working day after it.
    assert add_working_days(calendar, dt.datetime(2025, 1, 24, 10, tzinfo=SHANGHAI), 1) == dt.datetime(
        2025, 1, 26, 17, 30, tzinfo=SHANGHAI
    )
    # Two working hours from Wednesday 30 April 17:00 run past the Labour Day break into Tuesday 6 May.
    assert add_business_time(
        calendar, dt.datetime(2025, 4, 30, 17, tzinfo=SHANGHAI), dt.timedelta(hours=2)
    ) == dt.datetime(2025, 5, 6, 10, 30, tzinfo=SHANGHAI)
    assert add_working_days(calendar, dt.datetime(2025, 9, 30, 9, tzinfo=SHANGHAI), 2) == dt.datetime(
        2025, 10, 10, 17, 30, tzinfo=SHANGHAI
    )
    assert add_working_days(calendar, dt.datetime(2025, 10, 10, 9, tzinfo=SHANGHAI), 1) == dt.datetime(
        2025, 10, 11, 17, 30, tzinfo=SHANGHAI
    )


def test_importing_again_changes_nothing(administrator: User, standard_calendar: BusinessCalendar) -> None:
    calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2025))
    version = BusinessCalendar.objects.get(pk=standard_calendar.pk).version

    again = calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2025))

    assert (again.created, again.updated, again.unchanged) == (0, 0, 33)
    assert standard_calendar.days.count() == 33
    assert BusinessCalendar.objects.get(pk=standard_calendar.pk).version == version
    assert AuditEvent.objects.filter(action="sla.days_import").count() == 2


def test_import_corrects_changed_days_and_replace_removes_the_rest(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 1, 1),
        content=DayContent(kind="workday"),
    )
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 3, 8),
        content=DayContent(kind="holiday"),
    )
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2024, 3, 8),
        content=DayContent(kind="holiday"),
    )

    result = calendar_days_import(
        actor=administrator, calendar=standard_calendar, data=holiday_file(2025), replace_year=True
    )

    assert (result.created, result.updated, result.removed) == (32, 1, 1)
    assert standard_calendar.days.get(date=dt.date(2025, 1, 1)).kind == "holiday"
    assert not standard_calendar.days.filter(date=dt.date(2025, 3, 8)).exists()
    assert standard_calendar.days.filter(date=dt.date(2024, 3, 8)).exists()  # other years are untouched


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "one JSON object"),
        ({"year": "2025", "source": "", "days": [{"date": "2025-01-01", "kind": "holiday"}]}, "year"),
        ({"year": 2025, "source": "", "days": []}, "days"),
        ({"year": 2025, "source": "", "days": [{"date": "2024-12-31", "kind": "holiday"}]}, "not in 2025"),
        ({"year": 2025, "source": "", "days": [{"date": "1 May", "kind": "holiday"}]}, "2026-01-01"),
        (
            {"year": 2025, "source": "", "days": [{"date": "2025-05-01", "kind": "party"}]},
            "holiday or workday",
        ),
        (
            {
                "year": 2025,
                "days": [
                    {"date": "2025-05-01", "kind": "holiday"},
                    {"date": "2025-05-01", "kind": "holiday"},
                ],
            },
            "twice",
        ),
        (
            {
                "year": 2025,
                "days": [{"date": "2025-04-27", "kind": "workday", "intervals": [["17:00", "09:00"]]}],
            },
            "working hours",
        ),
        ({"year": 2025, "days": [{"date": "2025-05-01", "kind": "holiday", "name_zh": 5}]}, "name_zh"),
    ],
)
def test_an_invalid_file_is_refused_whole(
    administrator: User, standard_calendar: BusinessCalendar, data: object, fragment: str
) -> None:
    if isinstance(data, dict) and isinstance(data.get("days"), list) and data["days"]:
        data["days"].insert(0, {"date": "2025-01-01", "kind": "holiday", "name_zh": "元旦"})

    with pytest.raises(HolidayFileError) as caught, translation.override("en"):
        calendar_days_import(actor=administrator, calendar=standard_calendar, data=data)

    assert any(fragment in error for error in caught.value.errors), caught.value.errors
    assert caught.value.code == "sla_invalid_import"
    assert not standard_calendar.days.exists()


def test_the_command_imports_a_file(
    standard_calendar: BusinessCalendar, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("sla_import_holidays", str(DATA / "cn-2026.json"), calendar="cn-standard")
    call_command("sla_import_holidays", str(DATA / "cn-2026.json"), calendar="cn-standard")

    output = capsys.readouterr().out
    assert "cn-standard 2026: 39 added" in output
    assert "0 added, 0 updated, 39 unchanged" in output
    assert standard_calendar.days.count() == 39
    assert AuditEvent.objects.filter(action="sla.days_import", actor__isnull=True).count() == 2


def test_the_command_reports_errors_and_writes_nothing(
    standard_calendar: BusinessCalendar, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"year": 2027, "days": [{"date": "2027-02-06", "kind": "holiday"}, {"date": "2027-13-01"}]}
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("sla_import_holidays", str(bad), calendar="cn-standard")

    assert "2026-01-01" in capsys.readouterr().err
    assert not standard_calendar.days.exists()


def test_the_command_refuses_unknown_calendars_and_unreadable_files(
    standard_calendar: BusinessCalendar, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="no calendar"):
        call_command("sla_import_holidays", str(DATA / "cn-2026.json"), calendar="nope")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("sla_import_holidays", str(tmp_path / "missing.json"), calendar="cn-standard")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("sla_import_holidays", str(tmp_path / "broken.json"), calendar="cn-standard")
