"""Calendar months and quarters in the installation's time zone (settings.TIME_ZONE): pure arithmetic.

A period is [start, end) in local dates; its instants run from local midnight of `start` to local midnight
of `end`, converted to UTC for the queries.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

MONTH = "month"
QUARTER = "quarter"


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # the first day after the period

    def starts_at(self) -> dt.datetime:
        return local_midnight(self.start)

    def ends_at(self) -> dt.datetime:
        return local_midnight(self.end)

    def months(self) -> list[dt.date]:
        """The first days of the calendar months the period is made of."""
        months, day = [], self.start
        while day < self.end:
            months.append(day)
            day = add_months(day, 1)
        return months


def zone() -> ZoneInfo:
    return ZoneInfo(str(settings.TIME_ZONE))


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the instant (aware, UTC) at which `day` begins in the installation's time zone."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone()).astimezone(dt.UTC)


def local_date(at: dt.datetime) -> dt.date:
    """Return the date it is at `at` in the installation's time zone."""
    return at.astimezone(zone()).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period(MONTH, start, add_months(start, 1))


def quarter_of(day: dt.date) -> Period:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(QUARTER, start, add_months(start, 3))


def last_full_month(at: dt.datetime) -> Period:
    """The calendar month before the one `at` falls in (local time)."""
    return month_of(add_months(local_date(at), -1))


def last_full_quarter(at: dt.datetime) -> Period:
    """The calendar quarter before the one `at` falls in (local time)."""
    return quarter_of(add_months(quarter_of(local_date(at)).start, -3))


def periods_to_refresh(at: dt.datetime) -> list[Period]:
    """The last full month and quarter, and the current ones, at `at`."""
    today = local_date(at)
    return [last_full_month(at), month_of(today), last_full_quarter(at), quarter_of(today)]
