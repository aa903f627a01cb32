"""The satisfaction formulas: exact values, intervals, edge cases and the small-sample flag."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.surveys import metrics


def test_csat_is_the_share_of_four_and_five() -> None:
    # given 10 answers on 1-5, of which 7 are 4 or 5
    result = metrics.csat(satisfied=7, answered=10)

    assert result.value == Fraction(7, 10)
    assert result.n == 10
    assert result.is_small_sample


def test_csat_wilson_interval_matches_the_textbook_value() -> None:
    # 8 of 10: Wilson 95% interval 0.4902 to 0.9433 (Newcombe 1998, table I method 3)
    result = metrics.csat(satisfied=8, answered=10)

    assert result.low == pytest.approx(0.4902, abs=1e-4)
    assert result.high == pytest.approx(0.9433, abs=1e-4)


def test_csat_without_answers_has_no_value_and_no_interval() -> None:
    result = metrics.csat(satisfied=0, answered=0)

    assert result.value is None
    assert result.n == 0
    assert (result.low, result.high) == (None, None)
    assert not result.has_value and not result.has_interval


def test_csat_of_one_answer_is_a_small_sample_with_a_wide_interval() -> None:
    result = metrics.csat(satisfied=1, answered=1)

    assert result.value == 1
    assert result.is_small_sample
    assert result.high == 1.0
    assert result.low is not None and 0.0 < result.low < 0.3


def test_csat_all_satisfied_or_none_keeps_the_interval_inside_zero_and_one() -> None:
    everyone = metrics.csat(satisfied=50, answered=50)
    nobody = metrics.csat(satisfied=0, answered=50)

    assert everyone.value == 1 and everyone.high == 1.0 and everyone.low is not None and everyone.low < 1
    assert nobody.value == 0 and nobody.low == 0.0 and nobody.high is not None and nobody.high > 0


def test_small_sample_means_fewer_than_thirty() -> None:
    assert metrics.csat(satisfied=20, answered=29).is_small_sample
    assert not metrics.csat(satisfied=20, answered=30).is_small_sample


def test_nps_is_promoters_minus_detractors_in_percent() -> None:
    # 5 promoters, 2 passives, 3 detractors of 10: 50% − 30%
    result = metrics.nps(promoters=5, detractors=3, answered=10)

    assert result.value == 20
    # Var = (0.5 + 0.3 − 0.2²) / 10 = 0.076; 1.96 × √0.076 = 0.5403
    assert result.low == pytest.approx(20 - 54.03, abs=0.01)
    assert result.high == pytest.approx(20 + 54.03, abs=0.01)


def test_nps_is_exact_for_thirds() -> None:
    assert metrics.nps(promoters=2, detractors=1, answered=3).value == Fraction(100, 3)


def test_nps_all_passives_is_zero() -> None:
    result = metrics.nps(promoters=0, detractors=0, answered=12)

    assert result.value == 0
    assert (result.low, result.high) == (0.0, 0.0)


def test_nps_all_promoters_is_one_hundred_and_all_detractors_minus_one_hundred() -> None:
    promoters = metrics.nps(promoters=40, detractors=0, answered=40)
    detractors = metrics.nps(promoters=0, detractors=40, answered=40)

    assert (promoters.value, promoters.low, promoters.high) == (Fraction(100), 100.0, 100.0)
    assert (detractors.value, detractors.low, detractors.high) == (Fraction(-100), -100.0, -100.0)
    assert not promoters.is_small_sample


def test_nps_interval_is_clamped_to_its_scale() -> None:
    # 9 promoters, 1 detractor: 80 ± 37.2 would reach 117
    result = metrics.nps(promoters=9, detractors=1, answered=10)

    assert result.value == 80
    assert result.high == 100.0
    assert result.low == pytest.approx(80 - 37.19, abs=0.01)


def test_nps_of_one_answer() -> None:
    result = metrics.nps(promoters=0, detractors=1, answered=1)

    assert result.value == -100 and result.n == 1 and result.is_small_sample


def test_nps_without_answers() -> None:
    result = metrics.nps(promoters=0, detractors=0, answered=0)

    assert result.value is None and result.n == 0 and not result.has_interval


def test_ces_is_the_mean_on_one_to_seven() -> None:
    # answers 7, 6, 5, 2: mean 5, s² = (49 + 36 + 25 + 4 − 20²/4) / 3 = 14/3
    result = metrics.ces(total=20, total_of_squares=114, answered=4)

    assert result.value == 5
    half = 1.959963984540054 * (14 / 3 / 4) ** 0.5
    assert result.low == pytest.approx(5 - half)
    assert result.high == pytest.approx(min(7, 5 + half))


def test_ces_of_one_answer_has_no_interval() -> None:
    result = metrics.ces(total=6, total_of_squares=36, answered=1)

    assert result.value == 6 and not result.has_interval


def test_ces_without_answers_and_with_impossible_totals() -> None:
    assert metrics.ces(total=0, total_of_squares=0, answered=0).value is None
    with pytest.raises(ValueError, match="outside the scale"):
        metrics.ces(total=8, total_of_squares=64, answered=1)


def test_response_rate_is_answered_over_sent() -> None:
    result = metrics.response_rate(answered=3, sent=12)

    assert result.value == Fraction(1, 4)
    assert result.n == 12
    assert result.low is not None and result.high is not None and 0 <= result.low < 0.25 < result.high <= 1


def test_response_rate_without_invitations() -> None:
    assert metrics.response_rate(answered=0, sent=0).value is None


def test_inconsistent_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        metrics.csat(satisfied=3, answered=2)
    with pytest.raises(ValueError):
        metrics.nps(promoters=3, detractors=3, answered=5)
    with pytest.raises(ValueError):
        metrics.response_rate(answered=1, sent=-1)


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_lies_in_zero_one_and_holds_the_share(counts: tuple[int, int]) -> None:
    successes, n = counts
    result = metrics.csat(satisfied=successes, answered=n)

    assert result.low is not None and result.high is not None
    assert 0.0 <= result.low <= float(Fraction(successes, n)) + 1e-12
    assert float(Fraction(successes, n)) - 1e-12 <= result.high <= 1.0


@given(
    st.integers(min_value=1, max_value=5000).flatmap(
        lambda n: st.integers(0, n).flatmap(
            lambda p: st.tuples(st.just(p), st.integers(0, n - p), st.just(n))
        )
    )
)
def test_nps_interval_lies_in_its_scale_and_holds_the_value(counts: tuple[int, int, int]) -> None:
    promoters, detractors, n = counts
    result = metrics.nps(promoters=promoters, detractors=detractors, answered=n)

    assert result.value is not None and -100 <= result.value <= 100
    assert result.low is not None and result.high is not None
    assert -100.0 <= result.low <= float(result.value) + 1e-9 <= result.high + 2e-9 <= 100.0 + 2e-9
