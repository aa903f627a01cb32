"""The calendar arithmetic of the periods, in the installation's time zone."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from charter.reports.periods import (
    add_months,
    last_full_month,
    last_full_quarter,
    local_date,
    local_midnight,
    month_of,
    periods_to_refresh,
    quarter_of,
)
from tests.reports.conftest import SHANGHAI, local

instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis takes naive bounds)
    max_value=dt.datetime(2099, 12, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


@given(instants)
def test_the_last_full_month_ends_where_the_current_one_begins(at: dt.datetime) -> None:
    month = last_full_month(at)

    assert month.start.day == 1
    assert month.end == add_months(month.start, 1) == month_of(local_date(at)).start
    assert month.starts_at() < month.ends_at() <= at


@given(instants)
def test_the_last_full_quarter_is_three_months_before_the_current_one(at: dt.datetime) -> None:
    quarter = last_full_quarter(at)

    assert quarter.start.month in (1, 4, 7, 10)
    assert len(quarter.months()) == 3
    assert quarter.end == quarter_of(local_date(at)).start
    assert quarter.ends_at() <= at


@given(instants)
def test_the_refreshed_periods_cover_contiguous_months(at: dt.datetime) -> None:
    months = sorted({m for period in periods_to_refresh(at) for m in period.months()})

    assert len(months) == 6
    assert all(add_months(a, 1) == b for a, b in zip(months, months[1:], strict=False))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_local_day_begins_at_local_midnight(day: dt.date) -> None:
    start = local_midnight(day).astimezone(SHANGHAI)

    assert (start.date(), start.time()) == (day, dt.time(0, 0))


def test_half_past_eleven_on_october_31_is_still_october_in_shanghai() -> None:
    at = local(2026, 10, 31, 23, 30)

    assert at.astimezone(dt.UTC).date() == dt.date(2026, 10, 31)
    assert month_of(local_date(at)).start == dt.date(2026, 10, 1)
    assert month_of(local_date(local(2026, 11, 1, 0, 10))).start == dt.date(2026, 11, 1)
