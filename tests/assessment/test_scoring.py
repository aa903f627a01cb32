import random
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.assessment.errors import ErrorCode
from charter.assessment.scoring import (
    Band,
    BandCurve,
    Grade,
    GradeBands,
    LinearCurve,
    Member,
    adjustments_total,
    forced_distribution,
    quota_places,
    score_adjust,
    weighted_score,
    weights_check,
)
from charter.common.errors import DomainError

D = Decimal

# Values and points as hypothesis draws them: two places, a sensible range.
values = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
points = st.decimals(min_value=0, max_value=150, places=2, allow_nan=False, allow_infinity=False)


# --- LinearCurve ----------------------------------------------------------------------------------------


def test_linear_curve_interpolates_between_floor_target_and_cap():
    curve = LinearCurve(floor=D(60), target=D(90), cap=D(100), target_points=D(80), cap_points=D(100))

    assert curve.points(D(50)) == D(0)
    assert curve.points(D(60)) == D(0)
    assert curve.points(D(75)) == D("40.00")
    assert curve.points(D(90)) == D(80)
    assert curve.points(D(95)) == D("90.00")
    assert curve.points(D(120)) == D(100)


def test_linear_curve_rounds_half_up_to_two_places():
    curve = LinearCurve(floor=D(0), target=D(3), cap=D(3), target_points=D(100))

    assert curve.points(D(1)) == D("33.33")
    assert curve.points(D(2)) == D("66.67")
    # 0.5 of a cent exactly: 1/8 of 0.20 is 0.025 → 0.03 (half up, not to even).
    tiny = LinearCurve(floor=D(0), target=D(8), cap=D(8), target_points=D("0.20"), cap_points=D("0.20"))
    assert tiny.points(D(1)) == D("0.03")


def test_lower_is_better_curve_mirrors():
    # Upheld complaints per 100 cases: 5 or more scores 0, 1 scores the target 100, none is the cap 120.
    curve = LinearCurve(
        floor=D(5), target=D(1), cap=D(0), higher_is_better=False, target_points=D(100), cap_points=D(120)
    )

    assert curve.points(D(7)) == D(0)
    assert curve.points(D(3)) == D("50.00")
    assert curve.points(D(1)) == D(100)
    assert curve.points(D("0.5")) == D("110.00")
    assert curve.points(D(0)) == D(120)


def test_missing_value_scores_none_not_zero():
    assert LinearCurve(floor=D(0), target=D(1), cap=D(1)).points(None) is None
    assert BandCurve(bands=(Band(lower=D(0), upper=D(1), points=D(50)),)).points(None) is None


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"floor": D(90), "target": D(60), "cap": D(100)}, ErrorCode.CURVE_ORDER),
        ({"floor": D(60), "target": D(60), "cap": D(100)}, ErrorCode.CURVE_ORDER),
        ({"floor": D(60), "target": D(90), "cap": D(80)}, ErrorCode.CURVE_ORDER),
        ({"floor": D(1), "target": D(3), "cap": D(5), "higher_is_better": False}, ErrorCode.CURVE_ORDER),
        ({"floor": D(0), "target": D(5), "cap": D(9), "target_points": D(101)}, ErrorCode.CURVE_POINTS),
        ({"floor": D(0), "target": D(5), "cap": D(9), "floor_points": D(100)}, ErrorCode.CURVE_POINTS),
        ({"floor": D(0), "target": D(5), "cap": D(5), "target_points": D(80)}, ErrorCode.CURVE_POINTS),
        ({"floor": D(0), "target": D(5), "cap": D(9), "cap_points": D("100.001")}, ErrorCode.NUMBER_INVALID),
        ({"floor": D("NaN"), "target": D(5), "cap": D(9)}, ErrorCode.NUMBER_INVALID),
        ({"floor": 0.5, "target": D(5), "cap": D(9)}, ErrorCode.NUMBER_INVALID),
    ],
)
def test_linear_curve_refuses_a_wrong_shape(arguments, code):
    with pytest.raises(DomainError) as error:
        LinearCurve(**arguments)

    assert error.value.code == code


def test_curve_error_names_the_problem_in_chinese():
    with translation.override("zh-hans"), pytest.raises(DomainError) as error:
        LinearCurve(floor=D(90), target=D(60), cap=D(100))

    assert "下限" in str(error.value.message)
    assert "90" in str(error.value.message)


@st.composite
def linear_curves(draw):
    a, b, c = sorted(draw(st.lists(values, min_size=3, max_size=3, unique=True)))
    target = draw(st.sampled_from([b, c]))
    higher = draw(st.booleans())
    p1, p2, p3 = sorted(draw(st.lists(points, min_size=3, max_size=3, unique=True)))
    target_points = p3 if target == c else p2
    if higher:
        return LinearCurve(
            floor=a, target=target, cap=c, floor_points=p1, target_points=target_points, cap_points=p3
        )
    return LinearCurve(
        floor=c,
        target=a if target == c else b,
        cap=a,
        higher_is_better=False,
        floor_points=p1,
        target_points=target_points,
        cap_points=p3,
    )


@given(curve=linear_curves(), x=values, y=values)
def test_linear_curve_is_monotone_and_bounded(curve, x, y):
    low, high = sorted((x, y))
    low_points, high_points = curve.points(low), curve.points(high)

    if curve.higher_is_better:
        assert low_points <= high_points
    else:
        assert low_points >= high_points
    for result in (low_points, high_points):
        assert curve.floor_points <= result <= curve.cap_points
        assert result == result.quantize(D("0.01"))


# --- BandCurve ------------------------------------------------------------------------------------------


def test_band_curve_maps_half_open_ranges_and_clamps_outside():
    curve = BandCurve(
        bands=(
            Band(lower=D(90), upper=D(100), points=D(100)),
            Band(lower=D(0), upper=D(80), points=D(0)),
            Band(lower=D(80), upper=D(90), points=D(60)),
        )
    )

    assert curve.points(D(-5)) == D(0)
    assert curve.points(D("79.99")) == D(0)
    assert curve.points(D(80)) == D(60)
    assert curve.points(D(90)) == D(100)
    assert curve.points(D(100)) == D(100)
    assert curve.points(D(500)) == D(100)


@pytest.mark.parametrize(
    ("bands", "higher", "code"),
    [
        ((), True, ErrorCode.BANDS_EMPTY),
        ((Band(lower=D(5), upper=D(5), points=D(1)),), True, ErrorCode.BAND_EMPTY_RANGE),
        (
            (Band(lower=D(0), upper=D(5), points=D(1)), Band(lower=D(6), upper=D(9), points=D(2))),
            True,
            ErrorCode.BANDS_GAP,
        ),
        (
            (Band(lower=D(0), upper=D(7), points=D(1)), Band(lower=D(6), upper=D(9), points=D(2))),
            True,
            ErrorCode.BANDS_OVERLAP,
        ),
        (
            (Band(lower=D(0), upper=D(5), points=D(3)), Band(lower=D(5), upper=D(9), points=D(2))),
            True,
            ErrorCode.BANDS_NOT_MONOTONE,
        ),
        (
            (Band(lower=D(0), upper=D(5), points=D(1)), Band(lower=D(5), upper=D(9), points=D(2))),
            False,
            ErrorCode.BANDS_NOT_MONOTONE,
        ),
    ],
)
def test_band_curve_refuses_a_wrong_shape(bands, higher, code):
    with pytest.raises(DomainError) as error:
        BandCurve(bands=bands, higher_is_better=higher)

    assert error.value.code == code


@st.composite
def band_curves(draw):
    edges = sorted(draw(st.lists(values, min_size=2, max_size=6, unique=True)))
    higher = draw(st.booleans())
    band_points = sorted(draw(st.lists(points, min_size=len(edges) - 1, max_size=len(edges) - 1)))
    if not higher:
        band_points.reverse()
    bands = [
        Band(lower=lower, upper=upper, points=p)
        for lower, upper, p in zip(edges[:-1], edges[1:], band_points, strict=True)
    ]
    random.Random(draw(st.integers())).shuffle(bands)
    return BandCurve(bands=tuple(bands), higher_is_better=higher)


@given(curve=band_curves(), x=values, y=values)
def test_band_curve_is_monotone_and_bounded(curve, x, y):
    low, high = sorted((x, y))
    low_points, high_points = curve.points(low), curve.points(high)

    if curve.higher_is_better:
        assert low_points <= high_points
    else:
        assert low_points >= high_points
    for result in (low_points, high_points):
        assert curve.min_points <= result <= curve.max_points


# --- Weights --------------------------------------------------------------------------------------------


def test_weights_adding_up_to_100_pass():
    weights_check({"csat": D(40), "sla": D("35.5"), "qa": D("24.5")})


def test_weights_error_names_the_sum():
    with pytest.raises(DomainError) as error:
        weights_check({"csat": D(40), "sla": D("35.5"), "qa": D(20)})

    assert error.value.code == ErrorCode.WEIGHTS_NOT_100
    assert "95.5" in str(error.value.message)
    with translation.override("zh-hans"), pytest.raises(DomainError) as chinese:
        weights_check({"csat": D(40), "sla": D("35.5"), "qa": D(20)})
    assert str(chinese.value.message) == "权重合计为 95.5，应为 100。"


def test_a_weight_of_zero_or_less_is_refused():
    with pytest.raises(DomainError) as error:
        weights_check({"csat": D(100), "sla": D(0)})

    assert error.value.code == ErrorCode.WEIGHT_NOT_POSITIVE
    assert error.value.field == "sla"


def test_weighted_score_renormalises_over_indicators_with_a_value():
    weights = {"csat": D(50), "sla": D(25), "qa": D(25)}

    result = weighted_score({"csat": D(90), "sla": None, "qa": D(60)}, weights)

    # (50 × 90 + 25 × 60) / 75 = 80
    assert result.score == D("80.00")
    assert result.excluded == ("sla",)
    assert result.weights_used == {"csat": D("66.67"), "qa": D("33.33")}


def test_weighted_score_without_any_value_is_none():
    result = weighted_score({"csat": None}, {"csat": D(100)})

    assert result.score is None
    assert result.excluded == ("csat",)


def test_weighted_score_refuses_mismatched_indicators():
    with pytest.raises(ValueError, match="different indicators"):
        weighted_score({"csat": D(1)}, {"sla": D(100)})


@st.composite
def scored_indicators(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    cents = draw(st.lists(st.integers(min_value=1, max_value=1000), min_size=count, max_size=count))
    # Weights in hundredths that add up to exactly 100.
    scale = 10000 / sum(cents)
    hundredths = [max(1, int(c * scale)) for c in cents]
    hundredths[0] += 10000 - sum(hundredths)
    if hundredths[0] <= 0:
        hundredths = [10000 // count] * count
        hundredths[0] += 10000 - sum(hundredths)
    weights = {f"i{n}": D(h).scaleb(-2) for n, h in enumerate(hundredths)}
    indicator_points = {key: draw(st.one_of(st.none(), points)) for key in weights}
    return indicator_points, weights


@given(data=scored_indicators())
def test_weighted_score_stays_between_the_lowest_and_highest_points(data):
    indicator_points, weights = data
    weights_check(weights)

    result = weighted_score(indicator_points, weights)

    present = [p for p in indicator_points.values() if p is not None]
    if not present:
        assert result.score is None
    else:
        assert min(present) <= result.score <= max(present)
        assert len(result.excluded) == len(indicator_points) - len(present)


# --- Bonus and deductions -------------------------------------------------------------------------------


def test_bonus_and_deductions_are_each_capped():
    result = score_adjust(
        base=D("85.50"),
        bonus={"commendation": D(3), "service_star": D(5)},
        bonus_cap=D(5),
        deductions={"upheld_complaint": D(2)},
        deduction_cap=D(10),
    )

    assert result.bonus.total == D(5)
    assert result.bonus.uncapped == D(8)
    assert result.bonus.is_capped
    assert not result.deductions.is_capped
    assert result.score == D("88.50")


def test_a_negative_item_or_cap_is_refused():
    with pytest.raises(DomainError) as error:
        adjustments_total({"x": D(-1)}, cap=D(5))
    assert error.value.code == ErrorCode.ADJUSTMENT_NEGATIVE

    with pytest.raises(DomainError) as error:
        adjustments_total({}, cap=D(-1))
    assert error.value.code == ErrorCode.ADJUSTMENT_NEGATIVE


@given(
    base=points,
    bonus=st.lists(points, max_size=6),
    deductions=st.lists(points, max_size=6),
    bonus_cap=points,
    deduction_cap=points,
)
def test_caps_are_never_exceeded(base, bonus, deductions, bonus_cap, deduction_cap):
    result = score_adjust(
        base=base,
        bonus={f"b{n}": p for n, p in enumerate(bonus)},
        bonus_cap=bonus_cap,
        deductions={f"d{n}": p for n, p in enumerate(deductions)},
        deduction_cap=deduction_cap,
    )

    assert D(0) <= result.bonus.total <= bonus_cap
    assert D(0) <= result.deductions.total <= deduction_cap
    assert base - deduction_cap <= result.score <= base + bonus_cap
    assert result.score == base + result.bonus.total - result.deductions.total


# --- Grades ---------------------------------------------------------------------------------------------


def test_standard_grades_map_every_score_to_one_grade():
    bands = GradeBands.standard()

    assert bands.grade_for(D(100)).code == "excellent"
    assert bands.grade_for(D(90)).code == "excellent"
    assert bands.grade_for(D("89.99")).code == "good"
    assert bands.grade_for(D(60)).code == "pass"
    assert bands.grade_for(D(-20)).code == "fail"
    with translation.override("zh-hans"):
        assert [str(grade.label) for grade in bands.grades] == ["优秀", "良好", "合格", "不合格"]


@pytest.mark.parametrize(
    ("grades", "code"),
    [
        ((), ErrorCode.GRADES_EMPTY),
        ((Grade("a", "A", D(90)), Grade("a", "A2", None)), ErrorCode.GRADES_DUPLICATE),
        ((Grade("a", "A", D(90)), Grade("b", "B", D(60))), ErrorCode.GRADES_OPEN_END),
        ((Grade("a", "A", D(60)), Grade("b", "B", D(80)), Grade("c", "C", None)), ErrorCode.GRADES_ORDER),
        ((Grade("a", "A", D(60)), Grade("b", "B", D(60)), Grade("c", "C", None)), ErrorCode.GRADES_ORDER),
        ((Grade("a", "A", None), Grade("b", "B", None)), ErrorCode.GRADES_ORDER),
    ],
)
def test_grade_bands_refuse_a_wrong_shape(grades, code):
    with pytest.raises(DomainError) as error:
        GradeBands(grades=grades)

    assert error.value.code == code


@given(score=st.decimals(min_value=-500, max_value=500, places=2))
def test_every_score_has_exactly_one_grade(score):
    bands = GradeBands.standard()
    reached = [g for g in bands.grades if g.minimum is None or score >= g.minimum]

    assert bands.grade_for(score) == reached[0]


# --- Forced distribution --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "places"),
    [(0, 0), (1, 1), (2, 1), (4, 1), (5, 1), (7, 1), (8, 2), (10, 2), (12, 2), (13, 3)],
)
def test_quota_places_round_half_up_with_at_least_one(size, places):
    assert quota_places(D(20), size) == places


def test_quota_places_without_a_minimum_and_for_a_share_of_zero():
    assert quota_places(D(20), 2, minimum=0) == 0
    assert quota_places(D(25), 2, minimum=0) == 1  # 0.5 rounds half up
    assert quota_places(D(0), 10) == 0
    with pytest.raises(DomainError) as error:
        quota_places(D(120), 10)
    assert error.value.code == ErrorCode.QUOTA_SHARE


def test_forced_distribution_demotes_the_lowest_excess_and_says_why():
    bands = GradeBands.standard()
    members = [
        Member(person_id=1, score=D(95), grade="excellent"),
        Member(person_id=2, score=D(92), grade="excellent"),
        Member(person_id=3, score=D(92), grade="excellent"),
        Member(person_id=4, score=D(85), grade="good"),
        Member(person_id=5, score=D(70), grade="pass"),
        Member(person_id=6, score=D(70), grade="pass"),
        Member(person_id=7, score=D(70), grade="pass"),
        Member(person_id=8, score=D(50), grade="fail"),
        Member(person_id=9, score=D(50), grade="fail"),
        Member(person_id=10, score=D(50), grade="fail"),
    ]

    result = forced_distribution(members, bands=bands, shares={"excellent": D(20)})

    # 20% of 10 = 2 places: person 1, then of the tie at 92 the lower id (2); person 3 goes to 良好.
    assert result.places == {"excellent": 2}
    assert result.grades[1] == result.grades[2] == "excellent"
    assert result.grades[3] == "good"
    assert [(m.person_id, m.from_grade, m.to_grade, m.rank) for m in result.moves] == [
        (3, "excellent", "good", 3)
    ]
    with translation.override("zh-hans"):
        reason = result.moves[0].reason(bands)
    assert "优秀" in reason
    assert "良好" in reason
    assert "20%" in reason


def test_forced_distribution_cascades_down_the_grades():
    bands = GradeBands.standard()
    members = [Member(person_id=n, score=D(100 - n), grade="excellent") for n in range(1, 6)]

    result = forced_distribution(members, bands=bands, shares={"excellent": D(20), "good": D(20)})

    assert result.grades == {1: "excellent", 2: "good", 3: "pass", 4: "pass", 5: "pass"}
    assert [m.person_id for m in result.moves] == [2, 3, 4, 5, 3, 4, 5]


def test_forced_distribution_refuses_a_share_on_the_lowest_grade_or_an_unknown_grade():
    bands = GradeBands.standard()
    with pytest.raises(DomainError) as error:
        forced_distribution([], bands=bands, shares={"fail": D(10)})
    assert error.value.code == ErrorCode.QUOTA_LOWEST_GRADE

    with pytest.raises(DomainError) as error:
        forced_distribution([Member(1, D(1), "star")], bands=bands, shares={})
    assert error.value.code == ErrorCode.GRADE_UNKNOWN


grade_codes = [grade.code for grade in GradeBands.standard().grades]


@st.composite
def teams(draw):
    ids = draw(st.lists(st.integers(min_value=1, max_value=10_000), max_size=25, unique=True))
    members = [
        Member(
            person_id=person,
            score=draw(st.decimals(min_value=0, max_value=100, places=0)),
            grade=draw(st.sampled_from(grade_codes)),
        )
        for person in ids
    ]
    shares = draw(
        st.dictionaries(
            st.sampled_from(grade_codes[:-1]), st.decimals(min_value=0, max_value=100, places=1), max_size=3
        )
    )
    return members, shares


@settings(max_examples=200)
@given(team=teams(), seed=st.integers())
def test_forced_distribution_respects_quotas_is_deterministic_and_never_promotes(team, seed):
    members, shares = team
    bands = GradeBands.standard()

    result = forced_distribution(members, bands=bands, shares=shares)
    shuffled = list(members)
    random.Random(seed).shuffle(shuffled)
    again = forced_distribution(shuffled, bands=bands, shares=shares)

    assert again == result
    for code, share in shares.items():
        held = sum(1 for grade in result.grades.values() if grade == code)
        assert held <= quota_places(share, len(members)) == result.places[code]
    for member in members:
        assert bands.rank(result.grades[member.person_id]) >= bands.rank(member.grade)
    for move in result.moves:
        assert bands.rank(move.to_grade) == bands.rank(move.from_grade) + 1
