"""The score of a QA review: a pure function of the criteria and the values given, with no database.

- Each criterion's value is turned into a fraction: yes/no as 1 or 0, the 1-5 scale as (value - 1) / 4.
- The overall score is the weighted mean of the scored (non-compliance) criteria, on 0..100. A criterion
  marked not applicable (value None) is left out and the weights of the others are scaled up to fill its
  place; when none applies the review has nothing to fault and scores 100.
- The compliance score is the weighted mean of the compliance criteria (equal weights when all are 0), on
  0..100, or None when the scorecard has none that applies.
- An auto-fail criterion answered "no" (or 1 on the 1-5 scale) zeroes both scores.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

YES_NO = "yes_no"
ONE_TO_FIVE = "one_to_five"
SCALE_VALUES: dict[str, tuple[int, ...]] = {YES_NO: (0, 1), ONE_TO_FIVE: (1, 2, 3, 4, 5)}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSpec:
    """What scoring needs to know of a criterion."""

    key: int
    weight: int
    scale: str
    is_auto_fail: bool = False
    is_compliance: bool = False


@dataclass(frozen=True)
class ScoreResult:
    overall: Decimal
    compliance: Decimal | None
    is_auto_failed: bool


def value_fraction(scale: str, value: int) -> Fraction:
    """Return `value` on `scale` as a fraction of the best answer (0..1); raise ValueError when off scale."""
    if value not in SCALE_VALUES[scale]:
        raise ValueError(f"{value} is not on the scale {scale}")
    if scale == YES_NO:
        return Fraction(value)
    return Fraction(value - 1, 4)


def is_failing(scale: str, value: int | None) -> bool:
    """True when `value` is the worst answer on its scale (a failed criterion)."""
    return value is not None and value_fraction(scale, value) == 0


def _percent(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) * HUNDRED / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def _weighted(pairs: Sequence[tuple[int, Fraction]]) -> Fraction | None:
    if not pairs:
        return None
    total = sum(weight for weight, _ in pairs)
    if total == 0:
        return sum((fraction for _, fraction in pairs), Fraction(0)) / len(pairs)
    return sum((weight * fraction for weight, fraction in pairs), Fraction(0)) / total


def review_score(criteria: Sequence[CriterionSpec], values: Mapping[int, int | None]) -> ScoreResult:
    """Return the overall and compliance scores of `values` (criterion key -> value, None for not
    applicable) against `criteria`. A criterion missing from `values` counts as not applicable."""
    scored: list[tuple[int, Fraction]] = []
    compliance: list[tuple[int, Fraction]] = []
    auto_failed = False
    for criterion in criteria:
        value = values.get(criterion.key)
        if value is None:
            continue
        fraction = value_fraction(criterion.scale, value)
        if criterion.is_auto_fail and fraction == 0:
            auto_failed = True
        (compliance if criterion.is_compliance else scored).append((criterion.weight, fraction))
    if auto_failed:
        return ScoreResult(
            overall=Decimal("0.00"), compliance=Decimal("0.00") if compliance else None, is_auto_failed=True
        )
    overall = _weighted(scored)
    compliance_fraction = _weighted(compliance)
    return ScoreResult(
        overall=_percent(overall) if overall is not None else HUNDRED.quantize(CENT),
        compliance=_percent(compliance_fraction) if compliance_fraction is not None else None,
        is_auto_failed=False,
    )


def weights_total(criteria: Sequence[CriterionSpec]) -> int:
    """Return the sum of the weights of the scored (non-compliance) criteria; publishing wants 100."""
    return sum(criterion.weight for criterion in criteria if not criterion.is_compliance)
