"""The arithmetic of the effectiveness measure: complaints per 30 days and their relative change.

Pure functions of counts and window lengths, so the figures shown and the figures stored agree, and the
change is computed from the exact rates, never from rounded ones.
"""

from decimal import Decimal

RATE_DAYS = 30


def rate_per_30_days(count: int, days: int) -> Decimal:
    """`count` events over `days` days as a rate per 30 days, to one decimal place (0 for no days)."""
    if days <= 0:
        return Decimal("0.0")
    return (Decimal(count) * RATE_DAYS / Decimal(days)).quantize(Decimal("0.1"))


def rate_change(*, before: int, before_days: int, after: int, after_days: int) -> Decimal | None:
    """The relative change in percent from the rate before to the rate after (negative: a fall), to one
    decimal place; None when there was nothing before to compare with.

    A change too small to show keeps its sign (±0.1), so 0.0 means the rates are exactly equal: a verdict
    checked against the sign never reads a small rise or fall as no change.
    """
    if before <= 0 or before_days <= 0 or after_days <= 0:
        return None
    rate_before = Decimal(before) / Decimal(before_days)
    rate_after = Decimal(after) / Decimal(after_days)
    exact = (rate_after - rate_before) * 100 / rate_before
    step = Decimal("0.1")
    change = exact.quantize(step)
    if change == 0 and exact != 0:
        return step if exact > 0 else -step
    return change
