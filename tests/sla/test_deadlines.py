"""The deadline arithmetic: worked examples, then properties that must hold for any calendar."""

import dataclasses
import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from charter.sla import deadlines
from charter.sla.deadlines import (
    Calendar,
    add_business_time,
    add_working_days,
    business_time_between,
    deadline_for,
    is_business_time,
    is_working_day,
    next_business_moment,
    split_working_days,
    wall_clock,
    working_day_length,
    working_intervals,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TINY = dt.timedelta(microseconds=1)
H = dt.timedelta(hours=1)
OFFICE = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))


def office(time_zone: str = "Asia/Shanghai", **kwargs: object) -> Calendar:
    return Calendar(time_zone, dict.fromkeys(range(5), OFFICE), **kwargs)  # type: ignore[arg-type]


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)


# Worked examples ----------------------------------------------------------------------------------------


def test_adds_within_a_day_across_the_lunch_break() -> None:
    start = local(SHANGHAI, 2025, 3, 3, 11, 0)  # Monday

    deadline = add_business_time(office(), start, 2 * H)

    assert deadline == local(SHANGHAI, 2025, 3, 3, 14, 30)
    assert deadline.tzinfo == dt.UTC


def test_a_deadline_that_uses_up_a_morning_lands_at_its_end_not_after_lunch() -> None:
    deadline = add_business_time(office(), local(SHANGHAI, 2025, 3, 3, 9, 0), 3 * H)

    assert deadline == local(SHANGHAI, 2025, 3, 3, 12, 0)


def test_start_outside_hours_counts_from_the_next_working_moment() -> None:
    friday_evening = local(SHANGHAI, 2025, 3, 7, 20, 0)

    assert add_business_time(office(), friday_evening, H) == local(SHANGHAI, 2025, 3, 10, 10, 0)


def test_zero_duration_returns_the_start_in_utc() -> None:
    start = local(SHANGHAI, 2025, 3, 8, 20, 0)

    result = add_business_time(office(), start, dt.timedelta(0))

    assert result == start and result.tzinfo == dt.UTC


def test_holidays_are_skipped_and_make_up_days_work() -> None:
    calendar = office(
        holidays=frozenset({dt.date(2025, 5, 1), dt.date(2025, 5, 2)}),
        extra_workdays={dt.date(2025, 4, 27): OFFICE},  # a Sunday
    )
    friday = local(SHANGHAI, 2025, 4, 25, 17, 0)

    assert add_business_time(calendar, friday, H) == local(SHANGHAI, 2025, 4, 27, 9, 30)
    assert add_working_days(calendar, local(SHANGHAI, 2025, 4, 30, 10, 0), 1) == local(
        SHANGHAI, 2025, 5, 5, 17, 30
    )
    assert is_working_day(calendar, dt.date(2025, 4, 27))
    assert not is_working_day(calendar, dt.date(2025, 5, 1))


def test_working_days_do_not_count_the_day_of_receipt() -> None:
    monday = local(SHANGHAI, 2025, 3, 3, 8, 0)

    assert add_working_days(office(), monday, 1) == local(SHANGHAI, 2025, 3, 4, 17, 30)
    assert add_working_days(office(), monday, 5) == local(SHANGHAI, 2025, 3, 10, 17, 30)
    assert add_working_days(office(), local(SHANGHAI, 2025, 3, 8, 10, 0), 1) == local(
        SHANGHAI, 2025, 3, 10, 17, 30
    )


def test_zero_working_days_is_the_end_of_today_or_the_next_working_day() -> None:
    assert add_working_days(office(), local(SHANGHAI, 2025, 3, 3, 10, 0), 0) == local(
        SHANGHAI, 2025, 3, 3, 17, 30
    )
    assert add_working_days(office(), local(SHANGHAI, 2025, 3, 3, 18, 0), 0) == local(
        SHANGHAI, 2025, 3, 4, 17, 30
    )


def test_an_always_open_calendar_counts_elapsed_time_and_days_end_at_midnight() -> None:
    calendar = Calendar("Europe/Berlin", {}, always_open=True)
    start = local(BERLIN, 2025, 3, 29, 22, 0).astimezone(dt.UTC)  # Python adds wall time to zoned datetimes

    assert add_business_time(calendar, start, 5 * H) == start + 5 * H
    assert add_business_time(calendar, start, 5 * H).astimezone(BERLIN).hour == 4
    assert business_time_between(calendar, start, start + 3 * H) == 3 * H
    assert add_working_days(calendar, start, 1) == local(BERLIN, 2025, 3, 31, 0, 0)
    assert is_business_time(calendar, start)


def test_a_whole_day_deadline_reads_as_the_closing_time_of_its_day_not_the_next_midnight() -> None:
    around_the_clock = Calendar("Asia/Shanghai", {}, always_open=True)
    sunday = local(SHANGHAI, 2026, 12, 6, 10, 0)
    friday = local(SHANGHAI, 2026, 12, 4, 10, 0)

    repairs = add_working_days(around_the_clock, sunday, 1)
    hotline = add_working_days(office(), friday, 1)

    assert repairs == local(SHANGHAI, 2026, 12, 8, 0, 0)  # the instant is right: the end of 7 December
    assert wall_clock(repairs, SHANGHAI) == (dt.date(2026, 12, 7), 24, 0)
    assert wall_clock(hotline, SHANGHAI) == (dt.date(2026, 12, 7), 17, 30)
    assert wall_clock(repairs, dt.UTC) == (dt.date(2026, 12, 7), 16, 0)  # the reader's own zone
    assert wall_clock(local(SHANGHAI, 2026, 12, 8, 0, 0, 1), SHANGHAI) == (dt.date(2026, 12, 8), 0, 0)


def test_a_working_day_is_the_calendars_usual_day() -> None:
    saturday_mornings = Calendar(
        "Asia/Shanghai",
        {**dict.fromkeys(range(5), ((dt.time(9), dt.time(17)),)), 5: ((dt.time(9), dt.time(12)),)},
    )
    only_make_up_days = Calendar(
        "Asia/Shanghai", {}, extra_workdays={dt.date(2026, 2, 14): ((dt.time(9), dt.time(17)),)}
    )

    assert working_day_length(office()) == 7 * H
    assert working_day_length(Calendar("UTC", {}, always_open=True)) == 24 * H
    assert working_day_length(saturday_mornings) == 8 * H
    assert working_day_length(only_make_up_days) == dt.timedelta(0)
    assert split_working_days(office(), 9 * H + dt.timedelta(minutes=20)) == (
        1,
        2 * H + dt.timedelta(minutes=20),
    )
    assert split_working_days(office(), 6 * H) == (0, 6 * H)
    assert split_working_days(only_make_up_days, 30 * H) == (0, 30 * H)
    with pytest.raises(ValueError, match="negative"):
        split_working_days(office(), -H)


def test_daylight_saving_keeps_local_office_hours_in_new_york() -> None:
    calendar = office("America/New_York")
    friday = local(NEW_YORK, 2025, 3, 7, 16, 30)  # clocks go forward on Sunday 9 March

    deadline = add_business_time(calendar, friday, 7 * H)

    assert deadline.astimezone(NEW_YORK) == local(NEW_YORK, 2025, 3, 10, 16, 30)
    assert business_time_between(calendar, friday, deadline) == 7 * H
    assert add_working_days(calendar, friday, 1).astimezone(NEW_YORK).hour == 17


def test_a_whole_day_interval_lasts_23_and_25_hours_on_berlin_change_days() -> None:
    calendar = Calendar("Europe/Berlin", {day: ((dt.time(0), dt.time(0)),) for day in range(7)})

    spring = working_intervals(calendar, dt.date(2025, 3, 30))
    autumn = working_intervals(calendar, dt.date(2025, 10, 26))

    assert [end - start for start, end in spring] == [23 * H]
    assert [end - start for start, end in autumn] == [25 * H]
    assert business_time_between(calendar, local(BERLIN, 2025, 3, 29), local(BERLIN, 2025, 4, 1)) == 71 * H


def test_an_interval_in_the_skipped_hour_is_empty_and_one_across_it_is_shorter() -> None:
    calendar = Calendar(
        "Europe/Berlin", {6: ((dt.time(1), dt.time(4)),), 5: ((dt.time(2, 15), dt.time(2, 45)),)}
    )
    calendar_gap = Calendar("Europe/Berlin", {6: ((dt.time(2, 15), dt.time(2, 45)),)})

    assert [e - s for s, e in working_intervals(calendar, dt.date(2025, 3, 30))] == [2 * H]
    assert working_intervals(calendar_gap, dt.date(2025, 3, 30)) == []
    assert not is_working_day(calendar_gap, dt.date(2025, 3, 30))


def test_remembered_days_never_leak_into_a_calendar_rebuilt_with_a_holiday() -> None:
    monday = dt.date(2025, 6, 2)
    calendar = office()
    assert working_intervals(calendar, monday) != []  # now remembered on `calendar`

    with_holiday = dataclasses.replace(calendar, holidays=frozenset({monday}))

    assert working_intervals(with_holiday, monday) == []
    start, end = local(SHANGHAI, 2025, 6, 2), local(SHANGHAI, 2025, 6, 3)
    assert business_time_between(with_holiday, start, end) == 0 * H
    assert business_time_between(calendar, start, end) == 7 * H


def test_working_intervals_hands_out_a_copy_of_what_it_remembers() -> None:
    calendar = office()
    monday = dt.date(2025, 6, 2)

    working_intervals(calendar, monday).clear()

    assert len(working_intervals(calendar, monday)) == 2
    assert business_time_between(calendar, local(SHANGHAI, 2025, 6, 2), local(SHANGHAI, 2025, 6, 3)) == 7 * H


def test_a_calendar_remembers_a_bounded_number_of_days() -> None:
    calendar = office()
    first = dt.date(2000, 1, 1)

    for offset in range(deadlines._DAYS_CACHED + 10):
        is_working_day(calendar, first + dt.timedelta(days=offset))

    assert 0 < len(calendar._days) <= deadlines._DAYS_CACHED
    monday = dt.date(2025, 6, 2)
    assert working_intervals(calendar, monday) == working_intervals(office(), monday)


def test_next_business_moment() -> None:
    calendar = office()
    inside = local(SHANGHAI, 2025, 3, 3, 10, 0)

    assert next_business_moment(calendar, inside) == inside
    assert next_business_moment(calendar, local(SHANGHAI, 2025, 3, 3, 12, 0)) == local(
        SHANGHAI, 2025, 3, 3, 13, 30
    )
    assert next_business_moment(calendar, local(SHANGHAI, 2025, 3, 8, 9, 0)) == local(
        SHANGHAI, 2025, 3, 10, 9, 0
    )


def test_deadline_for_each_unit_and_basis() -> None:
    calendar = office()
    start = local(SHANGHAI, 2025, 3, 7, 16, 0)  # Friday

    def deadline(amount: int, unit: str, basis: str = "working_time") -> dt.datetime:
        return deadline_for(calendar, start, amount=amount, unit=unit, basis=basis)

    assert deadline(90, "minutes") == local(SHANGHAI, 2025, 3, 7, 17, 30)
    assert deadline(2, "hours") == local(SHANGHAI, 2025, 3, 10, 9, 30)
    assert deadline(2, "hours", "calendar_time") == local(SHANGHAI, 2025, 3, 7, 18, 0)
    assert deadline(30, "minutes", "calendar_time") == local(SHANGHAI, 2025, 3, 7, 16, 30)
    assert deadline(3, "working_days") == local(SHANGHAI, 2025, 3, 12, 17, 30)
    assert deadline(3, "calendar_days", "calendar_time") == local(SHANGHAI, 2025, 3, 10, 16, 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: add_business_time(c, dt.datetime(2025, 1, 1), H), "timezone-aware"),  # noqa: DTZ001
        (lambda c: business_time_between(c, dt.datetime(2025, 1, 1), dt.datetime.now(dt.UTC)), "aware"),  # noqa: DTZ001
        (lambda c: is_business_time(c, dt.datetime(2025, 1, 1)), "aware"),  # noqa: DTZ001
        (lambda c: add_business_time(c, dt.datetime.now(dt.UTC), -H), "negative"),
        (lambda c: add_working_days(c, dt.datetime.now(dt.UTC), -1), "zero or more"),
        (
            lambda c: deadline_for(c, dt.datetime.now(dt.UTC), amount=1, unit="weeks", basis="working_time"),
            "unit",
        ),
        (lambda c: deadline_for(c, dt.datetime.now(dt.UTC), amount=1, unit="hours", basis="moon"), "basis"),
    ],
)
def test_bad_input_raises_value_error(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(office())  # type: ignore[operator]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"time_zone": "Mars/Olympus", "weekly": {}},
        {"time_zone": "UTC", "weekly": {7: OFFICE}},
        {"time_zone": "UTC", "weekly": {0: ((dt.time(12), dt.time(9)),)}},
        {"time_zone": "UTC", "weekly": {0: ((dt.time(9), dt.time(12)), (dt.time(11), dt.time(13)))}},
        {
            "time_zone": "UTC",
            "weekly": {},
            "holidays": frozenset({dt.date(2025, 1, 1)}),
            "extra_workdays": {dt.date(2025, 1, 1): OFFICE},
        },
    ],
)
def test_invalid_calendars_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Calendar(**kwargs)  # type: ignore[arg-type]


def test_a_calendar_without_working_time_raises_instead_of_looping() -> None:
    empty = Calendar("UTC", {})
    once = Calendar("UTC", {}, extra_workdays={dt.date(2025, 1, 4): OFFICE})
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    for call in (
        lambda: add_business_time(empty, start, H),
        lambda: add_working_days(empty, start, 1),
        lambda: next_business_moment(empty, start),
        lambda: add_business_time(once, start, 8 * H),
        lambda: add_working_days(once, start, 2),
    ):
        with pytest.raises(ValueError, match="no working time"):
            call()
    assert add_business_time(once, start, 7 * H) == dt.datetime(2025, 1, 4, 17, 30, tzinfo=dt.UTC)
    assert business_time_between(empty, start, start + 1000 * H) == dt.timedelta(0)


def test_a_year_of_working_time_is_computed_fast() -> None:
    holidays = frozenset(dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(0, 365, 11))
    calendar = office("Europe/Berlin", holidays=holidays)
    start = local(BERLIN, 2025, 1, 2, 10, 0)
    year = 7 * H * 250

    began = time.perf_counter()
    for _ in range(20):
        deadline = add_business_time(calendar, start, year)
        assert business_time_between(calendar, start, deadline) == year
    elapsed = (time.perf_counter() - began) / 20

    assert elapsed < 0.02  # a few hundred microseconds in practice; generous for slow machines
    thirty_years = add_business_time(calendar, start, 35 * H * 52 * 30)  # 35 hours a week
    assert thirty_years.astimezone(BERLIN).year == 2054


def test_calendars_are_hashable_and_compare_by_value() -> None:
    assert office() == office()
    assert hash(office()) == hash(office())
    assert {office(): 1}[office()] == 1


# Properties ---------------------------------------------------------------------------------------------

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]
QUARTERS = [dt.time(h, m) for h in range(24) for m in (0, 15, 30, 45)]


@st.composite
def day_intervals(
    draw: st.DrawFn, *, earliest: int = 0, latest: int = 24
) -> tuple[tuple[dt.time, dt.time], ...]:
    points = [t for t in QUARTERS if earliest <= t.hour < latest] + ([dt.time(0)] if latest == 24 else [])
    count = draw(st.integers(0, 3))
    chosen = sorted(
        draw(st.sets(st.sampled_from(range(len(points))), min_size=2 * count, max_size=2 * count))
    )
    pairs = []
    for index in range(count):
        start, end = points[chosen[2 * index]], points[chosen[2 * index + 1]]
        if end == dt.time(0) and index < count - 1:
            break
        pairs.append((start, end))
    return tuple(pairs)


@st.composite
def calendars(draw: st.DrawFn, *, zones: list[str] = ZONES, earliest: int = 0, latest: int = 24) -> Calendar:
    zone = draw(st.sampled_from(zones))
    weekly = {day: draw(day_intervals(earliest=earliest, latest=latest)) for day in range(7)}
    assume(any(weekly.values()))
    base = dt.date(2025, 1, 1)
    special = draw(st.sets(st.integers(0, 400), max_size=40))
    holidays = {base + dt.timedelta(days=n) for n in special if n % 3}
    extra = {}
    for n in special:
        if not n % 3:
            intervals = draw(day_intervals(earliest=earliest, latest=latest))
            if intervals:
                extra[base + dt.timedelta(days=n)] = intervals
    always_open = draw(st.integers(0, 9)) == 0
    return Calendar(zone, weekly, frozenset(holidays), extra, always_open)


instants = st.datetimes(
    min_value=dt.datetime(2024, 12, 1),  # noqa: DTZ001
    max_value=dt.datetime(2026, 3, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
durations = st.one_of(
    st.integers(0, 60 * 24 * 40).map(lambda m: dt.timedelta(minutes=m)),
    st.integers(0, 10**12).map(lambda us: dt.timedelta(microseconds=us)),
)
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@SLOW
@given(calendars(), instants, durations)
def test_a_deadline_lands_in_working_time_or_at_the_end_of_an_interval(
    calendar: Calendar, start: dt.datetime, duration: dt.timedelta
) -> None:
    deadline = add_business_time(calendar, start, duration)

    assert deadline >= start
    if duration:
        assert is_business_time(calendar, deadline - TINY)
    else:
        assert deadline == start


@SLOW
@given(calendars(), instants, durations)
def test_business_time_between_undoes_addition(
    calendar: Calendar, start: dt.datetime, duration: dt.timedelta
) -> None:
    assert business_time_between(calendar, start, add_business_time(calendar, start, duration)) == duration


@SLOW
@given(calendars(), instants, durations, durations)
def test_adding_a_then_b_equals_adding_a_plus_b(
    calendar: Calendar, start: dt.datetime, first: dt.timedelta, second: dt.timedelta
) -> None:
    stepwise = add_business_time(calendar, add_business_time(calendar, start, first), second)

    assert stepwise == add_business_time(calendar, start, first + second)


@SLOW
@given(calendars(), instants, durations, durations, st.integers(0, 60 * 24 * 20))
def test_a_pause_adds_exactly_its_working_length(
    calendar: Calendar, start: dt.datetime, before: dt.timedelta, after: dt.timedelta, pause_minutes: int
) -> None:
    assume(after > dt.timedelta(0))
    paused_at = add_business_time(calendar, start, before)
    resumed_at = paused_at + dt.timedelta(minutes=pause_minutes)

    resumed_deadline = add_business_time(calendar, resumed_at, after)

    pause = business_time_between(calendar, paused_at, resumed_at)
    assert resumed_deadline == add_business_time(calendar, start, before + pause + after)


@SLOW
@given(calendars(), instants, instants, instants)
def test_business_time_is_additive_over_adjacent_spans(
    calendar: Calendar, a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    first, middle, last = sorted((a, b, c))

    whole = business_time_between(calendar, first, last)

    assert whole == business_time_between(calendar, first, middle) + business_time_between(
        calendar, middle, last
    )
    assert whole <= last - first


@SLOW
@given(calendars(), instants)
def test_next_business_moment_is_the_first_working_instant(calendar: Calendar, at: dt.datetime) -> None:
    moment = next_business_moment(calendar, at)

    assert moment >= at
    assert is_business_time(calendar, moment)
    assert business_time_between(calendar, at, moment) == dt.timedelta(0)
    assert (moment == at) == is_business_time(calendar, at)


@SLOW
@given(calendars(), instants, st.integers(0, 40))
def test_working_days_end_at_the_end_of_a_working_day(
    calendar: Calendar, start: dt.datetime, days: int
) -> None:
    deadline = add_working_days(calendar, start, days)

    assert deadline > start
    assert is_business_time(calendar, deadline - TINY)
    day = deadline.astimezone(ZoneInfo(calendar.time_zone)).date()
    ends = [end for _s, end in working_intervals(calendar, day)] + [
        end for _s, end in working_intervals(calendar, day - dt.timedelta(days=1))
    ]
    assert deadline in ends
    if days >= 1:
        assert add_working_days(calendar, start, days + 1) > deadline


# A brute-force reference: walk minute by minute through local wall-clock time --------------------------


def _reference_is_working(calendar: Calendar, minute: dt.datetime) -> bool:
    wall = minute.astimezone(ZoneInfo(calendar.time_zone))
    day, moment = wall.date(), wall.time().replace(tzinfo=None)
    if calendar.always_open:
        return True
    if day in calendar.extra_workdays:
        intervals = calendar.extra_workdays[day]
    elif day in calendar.holidays:
        intervals = ()
    else:
        intervals = calendar.weekly.get(day.weekday(), ())
    return any(start <= moment and (end == dt.time(0) or moment < end) for start, end in intervals)


@settings(SLOW, max_examples=40)
@given(
    calendars(zones=["Asia/Shanghai", "UTC"])
    | calendars(zones=["Europe/Berlin", "America/New_York"], earliest=6),
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2025, 12, 20)),  # noqa: DTZ001
    st.integers(1, 6 * 24 * 60),
)
def test_agrees_with_a_minute_by_minute_walk(calendar: Calendar, naive_start: dt.datetime, span: int) -> None:
    start = naive_start.replace(second=0, microsecond=0, tzinfo=dt.UTC)
    minutes = [start + dt.timedelta(minutes=n) for n in range(span)]
    working = [m for m in minutes if _reference_is_working(calendar, m)]

    assert business_time_between(calendar, start, minutes[-1] + dt.timedelta(minutes=1)) == dt.timedelta(
        minutes=len(working)
    )
    for minute in minutes[:: max(1, span // 50)]:
        assert is_business_time(calendar, minute) == _reference_is_working(calendar, minute)
    if working:
        count = len(working)
        assert add_business_time(calendar, start, dt.timedelta(minutes=count)) == working[-1] + dt.timedelta(
            minutes=1
        )


# Reading deadlines and durations ------------------------------------------------------------------------


@SLOW
@given(instants, st.sampled_from(ZONES))
def test_a_deadline_reads_back_as_its_own_minute(instant: dt.datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)

    day, hour, minute = wall_clock(instant, zone)

    shown = dt.datetime.combine(day, dt.time(hour % 24, minute)) + dt.timedelta(days=hour // 24)
    assert shown == instant.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
    assert 0 <= hour <= 24 and (hour < 24 or minute == 0)
    assert (hour == 24) == (instant.astimezone(zone).time() == dt.time(0))


@SLOW
@given(calendars(), instants, st.integers(0, 40))
def test_a_working_day_deadline_reads_as_the_working_day_it_ends(
    calendar: Calendar, start: dt.datetime, days: int
) -> None:
    deadline = add_working_days(calendar, start, days)

    day, _hour, _minute = wall_clock(deadline, ZoneInfo(calendar.time_zone))

    intervals = working_intervals(calendar, day)
    assert intervals and intervals[-1][1] == deadline


@SLOW
@given(calendars(), durations)
def test_working_days_and_rest_add_up_to_the_duration(calendar: Calendar, duration: dt.timedelta) -> None:
    days, rest = split_working_days(calendar, duration)

    length = working_day_length(calendar)
    assert days * length + rest == duration
    assert days >= 0 and dt.timedelta(0) <= rest
    assert rest < length or length == dt.timedelta(0)


@st.composite
def uniform_calendars(draw: st.DrawFn) -> Calendar:
    """Calendars whose working days all last the same: one set of hours, holidays, no clock changes."""
    hours = draw(day_intervals())
    assume(hours)
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
    base = dt.date(2025, 1, 1)
    holidays = {base + dt.timedelta(days=n) for n in draw(st.sets(st.integers(0, 400), max_size=40))}
    zone = draw(st.sampled_from(["Asia/Shanghai", "UTC"]))
    return Calendar(zone, dict.fromkeys(weekdays, hours), frozenset(holidays), {}, draw(st.booleans()))


@SLOW
@given(uniform_calendars(), instants, st.integers(0, 30))
def test_whole_working_days_read_as_that_many_days(calendar: Calendar, at: dt.datetime, count: int) -> None:
    day = at.astimezone(ZoneInfo(calendar.time_zone)).date()
    while not is_working_day(calendar, day):
        day += dt.timedelta(days=1)
    start = working_intervals(calendar, day)[0][0]

    worked = business_time_between(calendar, start, add_working_days(calendar, start, count))

    # The day it starts, from its first moment, and `count` working days after it.
    assert split_working_days(calendar, worked) == (count + 1, dt.timedelta(0))
