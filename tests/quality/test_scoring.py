"""The scoring of a QA review, a pure function: properties over any scorecard and any answers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.quality.scoring import (
    ONE_TO_FIVE,
    SCALE_VALUES,
    YES_NO,
    CriterionSpec,
    review_score,
    value_fraction,
    weights_total,
)


@st.composite
def scorecards(draw: st.DrawFn) -> tuple[list[CriterionSpec], dict[int, int | None]]:
    """A scorecard whose scored weights add up to 100, and an answer (or N/A) for each criterion."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    criteria = []
    for key, weight in enumerate(weights):
        scale = draw(st.sampled_from([YES_NO, ONE_TO_FIVE]))
        criteria.append(
            CriterionSpec(
                key=key, weight=weight, scale=scale, is_auto_fail=scale == YES_NO and draw(st.booleans())
            )
        )
    for key in range(count, count + draw(st.integers(0, 3))):
        criteria.append(
            CriterionSpec(key=key, weight=draw(st.integers(0, 10)), scale=YES_NO, is_compliance=True)
        )
    values = {c.key: draw(st.one_of(st.none(), st.sampled_from(SCALE_VALUES[c.scale]))) for c in criteria}
    return criteria, values


@given(scorecards())
def test_the_scores_are_always_between_0_and_100(
    card: tuple[list[CriterionSpec], dict[int, int | None]],
) -> None:
    criteria, values = card

    result = review_score(criteria, values)

    assert Decimal(0) <= result.overall <= Decimal(100)
    assert result.compliance is None or Decimal(0) <= result.compliance <= Decimal(100)
    assert weights_total(criteria) == 100


@given(scorecards())
def test_a_failed_auto_fail_criterion_zeroes_the_review(
    card: tuple[list[CriterionSpec], dict[int, int | None]],
) -> None:
    criteria, values = card
    fatal = [c for c in criteria if c.is_auto_fail]
    if not fatal:
        criteria = [*criteria, CriterionSpec(key=99, weight=0, scale=YES_NO, is_auto_fail=True)]
        fatal = criteria[-1:]

    result = review_score(criteria, {**values, fatal[0].key: 0})

    assert result.is_auto_failed
    assert result.overall == Decimal("0.00")
    assert result.compliance in (None, Decimal("0.00"))


@given(scorecards())
def test_every_best_answer_scores_100(card: tuple[list[CriterionSpec], dict[int, int | None]]) -> None:
    criteria, _values = card
    best = {c.key: max(SCALE_VALUES[c.scale]) for c in criteria}

    result = review_score(criteria, best)

    assert result.overall == Decimal("100.00") and not result.is_auto_failed


@given(st.integers(1, 99), st.sampled_from(SCALE_VALUES[ONE_TO_FIVE]))
def test_weights_are_respected(weight: int, value: int) -> None:
    criteria = [
        CriterionSpec(key=1, weight=weight, scale=YES_NO),
        CriterionSpec(key=2, weight=100 - weight, scale=ONE_TO_FIVE),
    ]

    result = review_score(criteria, {1: 1, 2: value})

    expected = Decimal(weight) + Decimal(100 - weight) * Decimal(value - 1) / 4
    assert abs(result.overall - expected) <= Decimal("0.005")


@given(scorecards())
def test_not_applicable_criteria_leave_the_others_weights_in_proportion(
    card: tuple[list[CriterionSpec], dict[int, int | None]],
) -> None:
    criteria, values = card
    answered = [c for c in criteria if values[c.key] is not None and not c.is_compliance and c.weight]
    fails = any(c.is_auto_fail and values[c.key] == 0 for c in criteria)
    if fails or not answered:
        return

    result = review_score(criteria, values)

    total = sum(c.weight for c in answered)
    expected = sum(
        (
            Decimal(c.weight) * Decimal(str(float(value_fraction(c.scale, values[c.key] or 0))))
            for c in answered
        ),
        Decimal(0),
    )
    assert abs(result.overall - expected * 100 / total) <= Decimal("0.01")


def test_nothing_applicable_scores_100_and_no_compliance() -> None:
    criteria = [CriterionSpec(key=1, weight=100, scale=YES_NO)]

    result = review_score(criteria, {1: None})

    assert result.overall == Decimal("100.00") and result.compliance is None


def test_compliance_criteria_are_scored_apart_from_the_overall_score() -> None:
    criteria = [
        CriterionSpec(key=1, weight=100, scale=ONE_TO_FIVE),
        CriterionSpec(key=2, weight=0, scale=YES_NO, is_compliance=True),
        CriterionSpec(key=3, weight=0, scale=YES_NO, is_compliance=True),
    ]

    result = review_score(criteria, {1: 4, 2: 1, 3: 0})

    assert result.overall == Decimal("75.00")
    assert result.compliance == Decimal("50.00")


def test_a_value_off_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        review_score([CriterionSpec(key=1, weight=100, scale=ONE_TO_FIVE)], {1: 0})
