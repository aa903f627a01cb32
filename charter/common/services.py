"""Writes of the common app: the heartbeat, and the yearly counters behind readable numbers."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from charter.common.models import Heartbeat, YearCounter


def heartbeat_record(*, name: str) -> Heartbeat:
    """Set the named heartbeat to now, creating it on first use. Safe to run twice."""
    beat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
    return beat


def year_counter_next(*, counter: type[YearCounter], at: dt.datetime) -> tuple[int, int]:
    """Return (year, number): the next number of the year of `at` in the site's time zone (not the reader's,
    so the year turns at the organisation's midnight whoever is signed in).

    The year's row is incremented with one UPDATE … RETURNING, which locks it until the transaction ends, so
    concurrent callers queue on it and never share a number. Call inside `transaction.atomic`, as late in it
    as possible: the lock is held until the commit.
    """
    year = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE)).year
    table = connection.ops.quote_name(counter._meta.db_table)
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {table} SET "last" = "last" + 1 WHERE "year" = %s RETURNING "last"',  # noqa: S608
                [year],
            )
            row = cursor.fetchone()
        if row is not None:
            return year, int(row[0])
        try:
            with transaction.atomic():
                counter._default_manager.create(year=year, last=1)
            return year, 1
        except IntegrityError:
            continue  # another caller created the year's row first: increment it instead
    return year, counter._default_manager.get(year=year).last
