"""Calendar days as instants: where a day starts and ends in a time zone, for filters and reports by date."""

import datetime as dt

from django.utils import timezone


def day_start(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Return the first instant of `day` in `tz` (the current time zone when None), aware.

    A midnight that a daylight-saving change skips is read as the instant the gap ends (zoneinfo's fold=0)
    and returned as that real time (01:00), so the day still starts once, in order, and compares equal to
    the same instant in any other zone.
    """
    zone = tz or timezone.get_current_timezone()
    # Through UTC: astimezone to its own zone would return the nonexistent wall time unchanged.
    return (
        timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone).astimezone(dt.UTC).astimezone(zone)
    )


def day_end(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Return the first instant after `day` in `tz` (the current time zone when None): the exclusive end of
    a period that includes `day`, so `start <= at < day_end(until)` keeps the whole last day."""
    return day_start(day + dt.timedelta(days=1), tz)
