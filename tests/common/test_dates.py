"""Calendar days as instants (charter.common.dates)."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from charter.common.dates import day_end, day_start

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")


def test_a_day_starts_at_its_midnight_in_the_given_or_current_time_zone() -> None:
    assert day_start(dt.date(2025, 12, 1), SHANGHAI) == dt.datetime(2025, 11, 30, 16, 0, tzinfo=dt.UTC)
    with timezone.override(SHANGHAI):
        assert day_start(dt.date(2025, 12, 1)) == dt.datetime(2025, 11, 30, 16, 0, tzinfo=dt.UTC)


def test_a_day_ends_where_the_next_one_starts() -> None:
    assert day_end(dt.date(2025, 12, 31), SHANGHAI) == day_start(dt.date(2026, 1, 1), SHANGHAI)
    assert day_end(dt.date(2025, 12, 31), SHANGHAI) - day_start(
        dt.date(2025, 12, 31), SHANGHAI
    ) == dt.timedelta(hours=24)


def test_a_midnight_skipped_by_daylight_saving_starts_the_day_once_and_in_order() -> None:
    # Sao Paulo's clocks went from 00:00 to 01:00 on 4 November 2018: that midnight never happened.
    start = day_start(dt.date(2018, 11, 4), SAO_PAULO)

    assert day_start(dt.date(2018, 11, 3), SAO_PAULO) < start < day_end(dt.date(2018, 11, 4), SAO_PAULO)
    assert start == dt.datetime(2018, 11, 4, 3, 0, tzinfo=dt.UTC)
    assert (start.hour, start.minute) == (1, 0)
