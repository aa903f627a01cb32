"""The arithmetic of the effectiveness measure: complaint rates per 30 days and their relative change."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from charter.improvement.measure import rate_per_30_days
from charter.improvement.selectors import Measure

START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _measure(before: int, after: int, days: int) -> Measure:
    window = dt.timedelta(days=days)
    return Measure(
        window_days=days,
        before_since=START - window,
        before_until=START,
        before_count=before,
        after_since=START,
        after_until=START + window,
        after_count=after,
        is_complete=True,
    )


def test_a_rate_is_per_30_days() -> None:
    assert rate_per_30_days(6, 90) == Decimal("2.0")
    assert rate_per_30_days(1, 7) == Decimal("4.3")
    assert rate_per_30_days(5, 0) == Decimal("0.0")


@given(st.integers(0, 10_000), st.integers(1, 730))
def test_a_rate_scales_back_to_the_count(count: int, days: int) -> None:
    rate = rate_per_30_days(count, days)
    assert rate >= 0
    assert abs(rate * days / 30 - count) <= Decimal("0.05") * days / 30 + Decimal("0.001")


@given(st.integers(1, 100_000), st.integers(0, 100_000), st.integers(1, 730))
def test_fewer_complaints_after_is_a_fall(before: int, after: int, days: int) -> None:
    change = _measure(before, after, days).change
    assert change is not None
    if after < before:
        assert change < 0
    elif after > before:
        assert change > 0
    else:
        assert change == 0
    assert change >= -100


def test_no_complaints_before_has_no_relative_change() -> None:
    assert _measure(0, 3, 90).change is None


def test_the_change_comes_from_exact_rates_not_rounded_ones() -> None:
    # 1000 and 999 complaints in two years both round to 41.1 per 30 days; one fewer is still a fall.
    measure = _measure(1000, 999, 730)
    assert measure.rate_before == measure.rate_after == Decimal("41.1")
    assert measure.change == Decimal("-0.1")


def test_a_change_too_small_to_show_keeps_its_sign() -> None:
    # 1 in 2000 is 0.05 %: rounding to one place must not turn a fall (or a rise) into "no change".
    assert _measure(2000, 1999, 90).change == Decimal("-0.1")
    assert _measure(2000, 2001, 90).change == Decimal("0.1")
    assert _measure(2000, 2000, 90).change == Decimal("0.0")
