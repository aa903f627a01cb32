"""Deadline arithmetic in business time. Pure: no Django, no database, only the standard library.

A `Calendar` says when an organisation works: intervals of local wall-clock time per weekday, holidays, and
make-up working days (调休) with their own intervals. Every datetime given to these functions must be
timezone-aware; every datetime they return is in UTC.

Working intervals are half-open, [start, end): a deadline computed by `add_business_time` lands inside a
working interval or exactly at its end, never in the time between. An interval may end at 00:00, which means
the end of its day (24:00).

Local times become instants monotonically, so working time never overlaps itself across a change of clocks:
a wall time that happens twice (clocks go back) means its first occurrence; a wall time that never happens
(clocks go forward) means the instant of the change. An interval from 09:00 to 17:30 therefore lasts 8.5
hours on every ordinary day, and whatever the clock change really leaves of it on the day of a change.

Long durations are cheap: runs of ordinary days (no holiday, no make-up day, no change of clocks) are skipped
a week at a time, so a year of working time costs a few dozen steps, not one per minute.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "BASES",
    "UNITS",
    "Calendar",
    "add_business_time",
    "add_working_days",
    "business_time_between",
    "deadline_for",
    "is_business_time",
    "is_working_day",
    "next_business_moment",
    "split_working_days",
    "wall_clock",
    "working_day_length",
    "working_intervals",
]

Interval = tuple[dt.time, dt.time]
Intervals = tuple[Interval, ...]
DayIntervals = tuple[tuple[dt.datetime, dt.datetime], ...]

UNITS = ("minutes", "hours", "working_days", "calendar_days")
BASES = ("working_time", "calendar_time")

MIDNIGHT = dt.time(0)
ZERO = dt.timedelta(0)
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
TINY = dt.timedelta(microseconds=1)
# How far ahead one step looks for the next irregular day; any value of a year or so works.
_LOOKAHEAD = dt.timedelta(days=400)

_K = TypeVar("_K")
_V = TypeVar("_V")


class _FrozenMapping(Mapping[_K, _V]):
    """A read-only, hashable mapping, so that a Calendar can be a cache key."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Iterable[tuple[_K, _V]]) -> None:
        self._data: dict[_K, _V] = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return repr(self._data)


def _seconds_of(moment: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=moment.hour, minutes=moment.minute, seconds=moment.second, microseconds=moment.microsecond
    )


def _length(interval: Interval) -> dt.timedelta:
    """The wall-clock length of an interval; an end of 00:00 means 24:00."""
    start, end = interval
    return (DAY if end == MIDNIGHT else _seconds_of(end)) - _seconds_of(start)


def _normalise(intervals: Iterable[Interval], where: str) -> Intervals:
    """Validate intervals of one day and return them sorted. Raises ValueError."""
    items: list[Interval] = []
    for interval in intervals:
        try:
            start, end = interval
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where}: an interval is a pair (start, end)") from error
        if not isinstance(start, dt.time) or not isinstance(end, dt.time):
            raise ValueError(f"{where}: interval bounds must be datetime.time values")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{where}: interval bounds are local wall-clock times without a time zone")
        start, end = start.replace(fold=0), end.replace(fold=0)
        if _length((start, end)) <= ZERO:
            raise ValueError(f"{where}: an interval must start before it ends ({start}-{end})")
        items.append((start, end))
    items.sort()
    for (_start, end), (next_start, _end) in zip(items, items[1:], strict=False):
        if end == MIDNIGHT or end > next_start:
            raise ValueError(f"{where}: working intervals overlap")
    return tuple(items)


@dataclass(frozen=True)
class Calendar:
    """When an organisation works: weekly hours in a time zone, holidays and make-up working days.

    `weekly` maps a weekday (0 = Monday) to its working intervals of local time. A date in `holidays` has no
    working time; a date in `extra_workdays` (调休) works the intervals given for it, whatever its weekday
    (a date cannot be both). `always_open` means 24x7: every moment is working time and the other fields are
    ignored. Raises ValueError for an unknown time zone or invalid intervals.
    """

    time_zone: str
    weekly: Mapping[int, Intervals]
    holidays: frozenset[dt.date] = frozenset()
    extra_workdays: Mapping[dt.date, Intervals] = field(default_factory=dict)
    always_open: bool = False

    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _nominal: tuple[dt.timedelta, ...] = field(init=False, repr=False, compare=False, hash=False)
    _week_total: dt.timedelta = field(init=False, repr=False, compare=False, hash=False)
    _working_weekdays: int = field(init=False, repr=False, compare=False, hash=False)
    _special: tuple[dt.date, ...] = field(init=False, repr=False, compare=False, hash=False)
    _last_extra: dt.date | None = field(init=False, repr=False, compare=False, hash=False)
    # The UTC working intervals of the local dates asked for so far (see `_day_intervals`).
    _days: dict[dt.date, DayIntervals] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        weekly: dict[int, Intervals] = {}
        for weekday, intervals in self.weekly.items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
            normal = _normalise(intervals, f"weekday {weekday}")
            if normal:
                weekly[weekday] = normal
        holidays = frozenset(self.holidays)
        for day in holidays:
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise ValueError(f"holiday {day!r} is not a date")
        extra: dict[dt.date, Intervals] = {}
        for day, intervals in self.extra_workdays.items():
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise ValueError(f"make-up working day {day!r} is not a date")
            if day in holidays:
                raise ValueError(f"{day} cannot be both a holiday and a make-up working day")
            normal = _normalise(intervals, f"make-up working day {day}")
            if not normal:
                raise ValueError(f"make-up working day {day} needs working hours")
            extra[day] = normal
        setattr_ = object.__setattr__
        setattr_(self, "weekly", _FrozenMapping(sorted(weekly.items())))
        setattr_(self, "holidays", holidays)
        setattr_(self, "extra_workdays", _FrozenMapping(sorted(extra.items())))
        setattr_(self, "_zone", zone)
        nominal: tuple[dt.timedelta, ...]
        if self.always_open:
            nominal = (DAY,) * 7
            special: tuple[dt.date, ...] = ()
        else:
            nominal = tuple(sum((_length(i) for i in weekly.get(d, ())), ZERO) for d in range(7))
            special = tuple(sorted(holidays | extra.keys()))
        setattr_(self, "_nominal", nominal)
        setattr_(self, "_week_total", sum(nominal, ZERO))
        setattr_(self, "_working_weekdays", sum(1 for length in nominal if length > ZERO))
        setattr_(self, "_special", special)
        setattr_(self, "_last_extra", max(extra) if extra and not self.always_open else None)
        setattr_(self, "_days", {})


# Time zones ---------------------------------------------------------------------------------------------


def _require_aware(value: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(dt.UTC)


def _offset(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta | None:
    return instant.astimezone(zone).utcoffset()


def _change_between(zone: ZoneInfo, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """Return the first instant in (low, high] whose UTC offset differs from low's (the offsets differ)."""
    before = _offset(zone, low)
    while high - low > TINY:
        middle = low + (high - low) // 2
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


def _to_instant(zone: ZoneInfo, day: dt.date, moment: dt.time) -> dt.datetime:
    """Map a local wall time to an instant: the first occurrence, or the clock change for a skipped time."""
    naive = dt.datetime.combine(day, moment)
    first = naive.replace(tzinfo=zone).astimezone(dt.UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # Skipped by a change of clocks: fold=1 reads it with the offset after the change, an instant before it.
    return _change_between(zone, naive.replace(tzinfo=zone, fold=1).astimezone(dt.UTC), first)


@lru_cache(maxsize=512)
def _change_days(time_zone: str, year: int) -> tuple[dt.date, ...]:
    """Return the local dates touched by a change of the zone's UTC offset in `year` (and at its edges)."""
    zone = ZoneInfo(time_zone)
    days: set[dt.date] = set()
    previous = dt.datetime(year, 1, 1, tzinfo=dt.UTC) - DAY
    previous_offset = _offset(zone, previous)
    for _step in range(368):
        current = previous + DAY
        current_offset = _offset(zone, current)
        if current_offset != previous_offset:
            change = _change_between(zone, previous, current)
            days.add((change - TINY).astimezone(zone).date())
            days.add(change.astimezone(zone).date())
        previous, previous_offset = current, current_offset
    return tuple(sorted(days))


def _local_date(calendar: Calendar, instant: dt.datetime) -> dt.date:
    return instant.astimezone(calendar._zone).date()


# Days ---------------------------------------------------------------------------------------------------


def _local_intervals(calendar: Calendar, day: dt.date) -> Intervals:
    if calendar.always_open:
        return ((MIDNIGHT, MIDNIGHT),)
    extra = calendar.extra_workdays.get(day)
    if extra is not None:
        return extra
    if day in calendar.holidays:
        return ()
    return calendar.weekly.get(day.weekday(), ())


# How many local dates a calendar remembers the intervals of; past it, it forgets them all and starts again.
_DAYS_CACHED = 4096


def _day_intervals(calendar: Calendar, day: dt.date) -> DayIntervals:
    """Return the working intervals of a local date as UTC instants, remembered on the calendar.

    A Calendar never changes once built (frozen, its mappings read-only) and the result depends only on it
    and the date, so the memo cannot go stale: an edited calendar is a new Calendar with an empty memo.
    Bounded by `_DAYS_CACHED`; a lost race between threads only computes a day twice.
    """
    cached = calendar._days.get(day)
    if cached is not None:
        return cached
    zone = calendar._zone
    result = []
    for start, end in _local_intervals(calendar, day):
        low = _to_instant(zone, day, start)
        high = _to_instant(zone, day + DAY, MIDNIGHT) if end == MIDNIGHT else _to_instant(zone, day, end)
        if high > low:
            result.append((low, high))
    intervals = tuple(result)
    if len(calendar._days) >= _DAYS_CACHED:
        calendar._days.clear()
    calendar._days[day] = intervals
    return intervals


def _is_plain(calendar: Calendar, day: dt.date) -> bool:
    """True when the day works its weekday's hours at one UTC offset: its length is the nominal one."""
    if not calendar.always_open and (day in calendar.holidays or day in calendar.extra_workdays):
        return False
    return day not in _change_days(calendar.time_zone, day.year)


def _next_irregular(calendar: Calendar, day: dt.date, limit: dt.date) -> dt.date:
    """Return the first date in [day, limit) that is not plain, or `limit`."""
    found = limit
    index = bisect.bisect_left(calendar._special, day)
    if index < len(calendar._special):
        found = min(found, calendar._special[index])
    for year in range(day.year, found.year + 1):
        later = [change for change in _change_days(calendar.time_zone, year) if change >= day]
        if later:
            found = min(found, later[0])
            break
    return found


def _ensure_time_ahead(calendar: Calendar, day: dt.date) -> None:
    """Raise ValueError when the calendar has no working time on or after `day` (it would never end)."""
    if calendar.always_open or calendar._week_total > ZERO:
        return
    if calendar._last_extra is None or day > calendar._last_extra + DAY:
        raise ValueError("the calendar has no working time from this date on")


def working_intervals(calendar: Calendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the working intervals of a local date as (start, end) UTC instants, in order."""
    return list(_day_intervals(calendar, day))


def is_working_day(calendar: Calendar, day: dt.date) -> bool:
    """True when the local date has any working time."""
    return bool(_day_intervals(calendar, day))


# The arithmetic -----------------------------------------------------------------------------------------


def is_business_time(calendar: Calendar, at: dt.datetime) -> bool:
    """True when `at` falls inside a working interval (its start included, its end not)."""
    at = _require_aware(at, "at")
    if calendar.always_open:
        return True
    day = _local_date(calendar, at)
    for candidate in (day - DAY, day, day + DAY):
        for low, high in _day_intervals(calendar, candidate):
            if low <= at < high:
                return True
    return False


def next_business_moment(calendar: Calendar, at: dt.datetime) -> dt.datetime:
    """Return `at` if it is business time, else the start of the next working interval (UTC).

    Raises ValueError when the calendar has no working time after `at`.
    """
    at = _require_aware(at, "at")
    if calendar.always_open:
        return at
    day = _local_date(calendar, at) - DAY
    try:
        while True:
            _ensure_time_ahead(calendar, day)
            for low, high in _day_intervals(calendar, day):
                if high > at:
                    return max(low, at)
            day += DAY
    except OverflowError as error:
        raise ValueError("no working time before the end of the calendar's range") from error


def _plain_run_spend_time(
    calendar: Calendar, day: dt.date, remaining: dt.timedelta
) -> tuple[dt.date, dt.timedelta, bool]:
    """Spend `remaining` working time over the run of plain days that starts on `day` without walking its
    intervals: whole weeks at once, then whole days while more than the day's working time is left, so
    the deadline never falls on a day skipped.

    Returns the day reached, the time left, and whether the run was used up (the caller goes on from the
    next, irregular day) or not (the deadline falls on the day reached, counted by its intervals).
    """
    run_end = _next_irregular(calendar, day, day + _LOOKAHEAD)
    weeks = (run_end - day).days // 7
    if calendar._week_total > ZERO:
        weeks = min(weeks, (remaining - TINY) // calendar._week_total)
    remaining -= calendar._week_total * weeks
    day += WEEK * weeks
    while day < run_end and remaining > calendar._nominal[day.weekday()]:
        remaining -= calendar._nominal[day.weekday()]
        day += DAY
    return day, remaining, day == run_end


def _plain_run_spend_days(calendar: Calendar, day: dt.date, remaining: int) -> tuple[dt.date, int, bool]:
    """Count `remaining` working days over the run of plain days that starts on `day` without walking their
    intervals: whole weeks at once, then day by day, stopping on the last working day to count.

    Returns the day reached, the days left, and whether the run was used up (the caller goes on from the
    next, irregular day) or not (the day reached is the last one, counted by its intervals).
    """
    run_end = _next_irregular(calendar, day, day + _LOOKAHEAD)
    weeks = (run_end - day).days // 7
    if calendar._working_weekdays:
        weeks = min(weeks, (remaining - 1) // calendar._working_weekdays)
    remaining -= calendar._working_weekdays * weeks
    day += WEEK * weeks
    while day < run_end:
        if calendar._nominal[day.weekday()] > ZERO:
            if remaining == 1:
                break
            remaining -= 1
        day += DAY
    return day, remaining, day == run_end


def add_business_time(calendar: Calendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """Return the instant when `duration` of working time has passed since `start` (UTC).

    A positive duration ends inside a working interval or exactly at its end; a zero duration returns
    `start`. Raises ValueError for a naive `start`, a negative duration, or a calendar without enough working
    time.
    """
    start = _require_aware(start, "start")
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if duration == ZERO:
        return start
    if calendar.always_open:
        return start + duration
    remaining = duration
    first_whole = _local_date(calendar, start) + 2 * DAY
    day = first_whole - 3 * DAY
    try:
        while True:
            _ensure_time_ahead(calendar, day)
            if day >= first_whole and _is_plain(calendar, day):
                day, remaining, is_run_over = _plain_run_spend_time(calendar, day, remaining)
                if is_run_over:
                    continue
            for low, high in _day_intervals(calendar, day):
                if high <= start:
                    continue
                low = max(low, start)
                if remaining <= high - low:
                    return low + remaining
                remaining -= high - low
            day += DAY
    except OverflowError as error:
        raise ValueError("the deadline falls beyond the calendar's range") from error


def business_time_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Return how much working time lies in [start, end); zero when `end` is not after `start`."""
    start = _require_aware(start, "start")
    end = _require_aware(end, "end")
    if end <= start:
        return ZERO
    if calendar.always_open:
        return end - start
    first_whole = _local_date(calendar, start) + 2 * DAY
    last_whole = _local_date(calendar, end) - 2 * DAY
    day, last = first_whole - 3 * DAY, last_whole + 3 * DAY
    total = ZERO
    while day <= last:
        if first_whole <= day <= last_whole and _is_plain(calendar, day):
            run_end = _next_irregular(calendar, day, last_whole + DAY)
            weeks = (run_end - day).days // 7
            total += calendar._week_total * weeks
            day += WEEK * weeks
            while day < run_end:
                total += calendar._nominal[day.weekday()]
                day += DAY
            continue
        for low, high in _day_intervals(calendar, day):
            low, high = max(low, start), min(high, end)
            if high > low:
                total += high - low
        day += DAY
    return total


def add_working_days(calendar: Calendar, start: dt.datetime, days: int) -> dt.datetime:
    """Return the end of the `days`-th working day after the local date of `start` (UTC).

    The day of receipt does not count (受理之日起N个工作日内): received on a Monday, 1 working day ends when
    Tuesday's last working interval ends. A working day is a local date with any working time; a 24x7
    calendar's days end at local midnight. `days=0` means the end of the day of `start` when it is a working
    day not yet over, else the end of the next working day. Raises ValueError for naive input, a negative
    count, or a calendar without enough working days.
    """
    start = _require_aware(start, "start")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError("days must be a whole number, zero or more")
    received = _local_date(calendar, start)
    if days == 0:
        today = _day_intervals(calendar, received)
        if today and today[-1][1] > start:
            return today[-1][1]
        days = 1
    remaining = days
    day = received + DAY
    try:
        while True:
            _ensure_time_ahead(calendar, day)
            if _is_plain(calendar, day):
                day, remaining, is_run_over = _plain_run_spend_days(calendar, day, remaining)
                if is_run_over:
                    continue
            intervals = _day_intervals(calendar, day)
            if intervals:
                remaining -= 1
                if remaining == 0:
                    return intervals[-1][1]
            day += DAY
    except OverflowError as error:
        raise ValueError("the deadline falls beyond the calendar's range") from error


def deadline_for(
    calendar: Calendar, start: dt.datetime, *, amount: int, unit: str, basis: str
) -> dt.datetime:
    """Return the deadline of a target of `amount` `unit`s counted in `basis` from `start` (UTC).

    `unit` is one of minutes, hours, working_days, calendar_days; `basis` working_time or calendar_time (the
    catalogue's ServiceCommitment.Unit and TimeBasis values). Minutes and hours in working time are business
    time; in calendar time, elapsed time. Working days follow `add_working_days` and calendar days add whole
    days of 24 hours, whatever the basis. Raises ValueError for unknown values or a negative amount.
    """
    start = _require_aware(start, "start")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError("amount must be a whole number, zero or more")
    if unit == "working_days":
        return add_working_days(calendar, start, amount)
    if unit == "calendar_days":
        return start + dt.timedelta(days=amount)
    duration = dt.timedelta(minutes=amount) if unit == "minutes" else dt.timedelta(hours=amount)
    if basis == "working_time":
        return add_business_time(calendar, start, duration)
    return start + duration


# Reading deadlines and durations ------------------------------------------------------------------------


def wall_clock(instant: dt.datetime, zone: dt.tzinfo) -> tuple[dt.date, int, int]:
    """Return the local date, hour and minute that show `instant` in `zone`, to the minute (seconds cut).

    An instant at local midnight reads as 24:00 of the day before, since that is the day it ends: a working
    day of a 24x7 calendar, or one whose hours run to 00:00, ends at the next day's midnight, and
    "12-07 24:00" says "by the end of 7 December" where "12-08 00:00" reads as the day after. Any other
    instant reads as its own local date and time. Raises ValueError for a naive instant.
    """
    local = _require_aware(instant, "instant").astimezone(zone)
    if local.time() == MIDNIGHT:
        return local.date() - DAY, 24, 0
    return local.date(), local.hour, local.minute


def working_day_length(calendar: Calendar) -> dt.timedelta:
    """Return how long the calendar's usual working day is: the working time of its most common working
    weekday (the longest of the most common on a tie), a whole day for 24x7, zero without working weekdays.

    This is what "one working day" means when a length of working time is read out in days and hours.
    """
    lengths = [length for length in calendar._nominal if length > ZERO]
    if not lengths:
        return ZERO
    return max(lengths, key=lambda length: (lengths.count(length), length))


def split_working_days(calendar: Calendar, duration: dt.timedelta) -> tuple[int, dt.timedelta]:
    """Return `duration` of working time as whole usual working days and the rest (see working_day_length).

    The rest is shorter than a working day; without a usual working day everything is rest. Raises
    ValueError for a negative duration.
    """
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    length = working_day_length(calendar)
    if length <= ZERO:
        return 0, duration
    days, rest = divmod(duration, length)
    return days, rest
