"""The scoring rules of an assessment scheme (考核方案). Pure: no models, no database.

Every number is a `Decimal`, never a float; points and scores are given and returned with at most two
decimal places, and every result is quantized to two places with ROUND_HALF_UP (half away from zero), from
exact intermediate arithmetic, so the same input always gives the same cents.

- A scoring curve turns an indicator's value into points: `LinearCurve` (floor, target, cap, linear between,
  clamped outside) or `BandCurve` (value ranges to points). A missing value (no sample) scores None, not 0.
- `weighted_score` combines the points with weights that add up to exactly 100 (`weights_check`); an
  indicator without a value is left out and the weights of the others are re-normalised to fill its place.
- `score_adjust` adds bonus items (加分项) and subtracts deduction items (扣分项), each total capped.
- `GradeBands` maps every score to exactly one grade (优秀/良好/合格/不合格 or the organisation's own).
- `forced_distribution` applies "at most N% of a team in a grade" by demoting the lowest-ranked excess.

Each construction validates its own shape and raises `DomainError` with an `assessment_…` code.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.assessment.errors import ErrorCode
from charter.common.errors import DomainError

__all__ = [
    "HUNDRED",
    "Band",
    "BandCurve",
    "CappedTotal",
    "DistributionResult",
    "Grade",
    "GradeBands",
    "LinearCurve",
    "Member",
    "Move",
    "ScoreAdjustment",
    "WeightedScore",
    "adjustments_total",
    "forced_distribution",
    "quantize_points",
    "quota_places",
    "score_adjust",
    "weighted_score",
    "weights_check",
]

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def _exact(value: Decimal) -> Fraction:
    return Fraction(value)


def _half_up(value: Fraction, places: int) -> Decimal:
    """Round `value` to `places` decimal places, ties away from zero (ROUND_HALF_UP), exactly."""
    scaled = abs(value) * 10**places
    whole = floor(scaled + Fraction(1, 2))
    return Decimal(-whole if value < 0 else whole).scaleb(-places)


def quantize_points(value: Fraction | Decimal) -> Decimal:
    """Return `value` as points with two decimal places, rounded half up (away from zero)."""
    return _half_up(Fraction(value), 2)


def _check_number(value: object, name: str, *, is_points: bool = False) -> Decimal:
    """Refuse anything but a finite Decimal (points: with at most two places)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise DomainError(
            _("Enter a decimal number."),
            code=ErrorCode.NUMBER_INVALID,
            field=name,
        )
    if is_points and value != value.quantize(Decimal("0.01")):
        raise DomainError(
            _("Points have at most two decimal places."),
            code=ErrorCode.NUMBER_INVALID,
            field=name,
        )
    return value


# --- Scoring curves -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearCurve:
    """Points linear between floor → target and target → cap, clamped outside.

    Higher is better (a CSAT share): floor < target ≤ cap, and a value at or below the floor scores
    `floor_points`, at or above the cap `cap_points`. Lower is better ("upheld complaints per 100 cases"):
    floor > target ≥ cap, mirrored. Points must rise along the curve: floor_points ≤ target_points ≤
    cap_points, floor_points < cap_points. By default reaching the target earns the full 100 (达标即满分);
    give `cap_points` above 100 to reward exceeding it, or `target_points` below `cap_points` to keep
    climbing.
    When target = cap there is no second segment, so target_points must equal cap_points.
    """

    floor: Decimal
    target: Decimal
    cap: Decimal
    higher_is_better: bool = True
    floor_points: Decimal = ZERO
    target_points: Decimal = HUNDRED
    cap_points: Decimal = HUNDRED

    def __post_init__(self) -> None:
        for name in ("floor", "target", "cap"):
            _check_number(getattr(self, name), name)
        for name in ("floor_points", "target_points", "cap_points"):
            _check_number(getattr(self, name), name, is_points=True)
        if self.higher_is_better and not self.floor < self.target <= self.cap:
            raise DomainError(
                _(
                    "When higher is better, the floor (%(floor)s) must be below the target (%(target)s) "
                    "and the target at most the cap (%(cap)s)."
                )
                % {"floor": self.floor, "target": self.target, "cap": self.cap},
                code=ErrorCode.CURVE_ORDER,
            )
        if not self.higher_is_better and not self.floor > self.target >= self.cap:
            raise DomainError(
                _(
                    "When lower is better, the floor (%(floor)s) must be above the target (%(target)s) "
                    "and the target at least the cap (%(cap)s)."
                )
                % {"floor": self.floor, "target": self.target, "cap": self.cap},
                code=ErrorCode.CURVE_ORDER,
            )
        if not (
            self.floor_points <= self.target_points <= self.cap_points and self.floor_points < self.cap_points
        ):
            raise DomainError(
                _(
                    "The points must rise from floor to cap: floor points (%(floor)s) ≤ target points "
                    "(%(target)s) ≤ cap points (%(cap)s), and the floor points below the cap points."
                )
                % {"floor": self.floor_points, "target": self.target_points, "cap": self.cap_points},
                code=ErrorCode.CURVE_POINTS,
            )
        if self.target == self.cap and self.target_points != self.cap_points:
            raise DomainError(
                _("When the target equals the cap, the target points must equal the cap points."),
                code=ErrorCode.CURVE_POINTS,
            )

    @property
    def min_points(self) -> Decimal:
        return self.floor_points

    @property
    def max_points(self) -> Decimal:
        return self.cap_points

    def points(self, value: Decimal | None) -> Decimal | None:
        """Return the points of `value` (two places, half up), or None when there is no value (no sample)."""
        if value is None:
            return None
        _check_number(value, "value")
        # Lower is better is the same curve on the negated axis: then floor < target ≤ cap holds again.
        sign = 1 if self.higher_is_better else -1
        x, floor_, target, cap = (sign * _exact(v) for v in (value, self.floor, self.target, self.cap))
        if x <= floor_:
            return self.floor_points
        if x >= cap:
            return self.cap_points
        if x <= target:
            low, high, low_points, high_points = floor_, target, self.floor_points, self.target_points
        else:
            low, high, low_points, high_points = target, cap, self.target_points, self.cap_points
        exact = _exact(low_points) + (x - low) * (_exact(high_points) - _exact(low_points)) / (high - low)
        return quantize_points(exact)


@dataclass(frozen=True)
class Band:
    """Values from `lower` (included) up to `upper` (excluded) score `points`."""

    lower: Decimal
    upper: Decimal
    points: Decimal


@dataclass(frozen=True)
class BandCurve:
    """Value ranges → points. The bands are given in any order; sorted by `lower`, each must end where the
    next begins (no gap, no overlap), and their points must not fall (higher is better) or not rise (lower is
    better) along the value axis. Each band is [lower, upper); a value below the first band scores the first
    band's points and a value at or above the last band's upper bound the last band's points (clamped, as a
    `LinearCurve` is).
    """

    bands: tuple[Band, ...]
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        if not self.bands:
            raise DomainError(_("A band curve needs at least one band."), code=ErrorCode.BANDS_EMPTY)
        for band in self.bands:
            _check_number(band.lower, "lower")
            _check_number(band.upper, "upper")
            _check_number(band.points, "points", is_points=True)
            if not band.lower < band.upper:
                raise DomainError(
                    _(
                        "The band from %(lower)s to %(upper)s is empty: "
                        "its lower bound must be below its upper."
                    )
                    % {"lower": band.lower, "upper": band.upper},
                    code=ErrorCode.BAND_EMPTY_RANGE,
                )
        ordered = tuple(sorted(self.bands, key=lambda band: band.lower))
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.upper < after.lower:
                raise DomainError(
                    _("The bands leave a gap between %(upper)s and %(lower)s.")
                    % {"upper": before.upper, "lower": after.lower},
                    code=ErrorCode.BANDS_GAP,
                )
            if before.upper > after.lower:
                raise DomainError(
                    _("The bands overlap between %(lower)s and %(upper)s.")
                    % {"lower": after.lower, "upper": before.upper},
                    code=ErrorCode.BANDS_OVERLAP,
                )
            if (after.points < before.points) if self.higher_is_better else (after.points > before.points):
                raise DomainError(
                    _("The band from %(lower)s scores %(points)s, against the direction of the curve.")
                    % {"lower": after.lower, "points": after.points},
                    code=ErrorCode.BANDS_NOT_MONOTONE,
                )
        object.__setattr__(self, "bands", ordered)

    @property
    def min_points(self) -> Decimal:
        return min(band.points for band in self.bands)

    @property
    def max_points(self) -> Decimal:
        return max(band.points for band in self.bands)

    def points(self, value: Decimal | None) -> Decimal | None:
        """Return the points of the band holding `value` (clamped outside), or None when there is no value."""
        if value is None:
            return None
        _check_number(value, "value")
        for band in self.bands:
            if value < band.upper:
                return band.points
        return self.bands[-1].points


# --- Weights --------------------------------------------------------------------------------------------


def weights_check(weights: Mapping[str, Decimal]) -> None:
    """Refuse weights that are not all above 0 or do not add up to exactly 100 (the error names the sum)."""
    for key, weight in weights.items():
        _check_number(weight, key)
        if weight <= 0:
            raise DomainError(
                _("The weight of %(indicator)s is %(weight)s; each weight must be above 0.")
                % {"indicator": key, "weight": weight},
                code=ErrorCode.WEIGHT_NOT_POSITIVE,
                field=key,
            )
    total = sum(weights.values(), ZERO)
    if total != HUNDRED:
        raise DomainError(
            _("The weights add up to %(sum)s; they must add up to 100.") % {"sum": f"{total.normalize():f}"},
            code=ErrorCode.WEIGHTS_NOT_100,
        )


@dataclass(frozen=True)
class WeightedScore:
    """`score` is None when no indicator has a value. `weights_used` are the re-normalised weights of the
    indicators that counted (two places, half up: for display, so they may add up to 100 ± 0.01 each);
    `excluded` the indicators left out for want of a value, in the order of the weights given."""

    score: Decimal | None
    weights_used: dict[str, Decimal]
    excluded: tuple[str, ...]


def weighted_score(points: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> WeightedScore:
    """Return the weighted mean of `points` (indicator → points, None for no value) under `weights`.

    Preconditions: `weights` pass `weights_check`; `points` has exactly the keys of `weights` (a
    ValueError otherwise: the caller's bug, not the user's). An indicator whose points are None is excluded
    and the others' weights are scaled up to add up to 100 again, so the score stays between the lowest and
    the highest points present. The score is exact until quantized to two places, half up.
    """
    weights_check(weights)
    if set(points) != set(weights):
        raise ValueError(
            f"points and weights name different indicators: {sorted(set(points) ^ set(weights))}"
        )
    present = {key: points[key] for key in weights if points[key] is not None}
    excluded = tuple(key for key in weights if points[key] is None)
    if not present:
        return WeightedScore(score=None, weights_used={}, excluded=excluded)
    total = sum((_exact(weights[key]) for key in present), Fraction(0))
    score = sum((_exact(weights[key]) * _exact(value) for key, value in present.items() if value is not None))
    return WeightedScore(
        score=quantize_points(Fraction(score) / total),
        weights_used={key: quantize_points(_exact(weights[key]) * 100 / total) for key in present},
        excluded=excluded,
    )


# --- Bonus and deduction items --------------------------------------------------------------------------


@dataclass(frozen=True)
class CappedTotal:
    """`total` = min(`uncapped`, cap); `is_capped` says the cap cut it."""

    total: Decimal
    uncapped: Decimal
    is_capped: bool


def adjustments_total(items: Mapping[str, Decimal], *, cap: Decimal) -> CappedTotal:
    """Return the total of `items` (item → points, each ≥ 0), capped at `cap` (≥ 0).

    Bonus and deduction items are both given as non-negative points; `score_adjust` adds the one and
    subtracts the other.
    """
    _check_number(cap, "cap", is_points=True)
    if cap < 0:
        raise DomainError(
            _("The cap is %(cap)s; a cap cannot be negative.") % {"cap": cap},
            code=ErrorCode.ADJUSTMENT_NEGATIVE,
        )
    for key, value in items.items():
        _check_number(value, key, is_points=True)
        if value < 0:
            raise DomainError(
                _(
                    "%(item)s is worth %(points)s points; "
                    "give bonus and deduction items as points of 0 or more."
                )
                % {"item": key, "points": value},
                code=ErrorCode.ADJUSTMENT_NEGATIVE,
                field=key,
            )
    uncapped = sum(items.values(), ZERO)
    return CappedTotal(total=min(uncapped, cap), uncapped=uncapped, is_capped=uncapped > cap)


@dataclass(frozen=True)
class ScoreAdjustment:
    """`score` = `base` + `bonus.total` − `deductions.total`."""

    base: Decimal
    bonus: CappedTotal
    deductions: CappedTotal
    score: Decimal


def score_adjust(
    *,
    base: Decimal,
    bonus: Mapping[str, Decimal],
    bonus_cap: Decimal,
    deductions: Mapping[str, Decimal],
    deduction_cap: Decimal,
) -> ScoreAdjustment:
    """Return `base` plus the capped bonus items (加分项) minus the capped deduction items (扣分项).

    The result is not clamped to 0..100: the caps bound it (base − deduction_cap ≤ score ≤ base + bonus_cap)
    and `GradeBands` gives every score, however low, a grade.
    """
    _check_number(base, "base", is_points=True)
    bonus_total = adjustments_total(bonus, cap=bonus_cap)
    deduction_total = adjustments_total(deductions, cap=deduction_cap)
    return ScoreAdjustment(
        base=base,
        bonus=bonus_total,
        deductions=deduction_total,
        score=quantize_points(base + bonus_total.total - deduction_total.total),
    )


# --- Grades ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """A grade reached by a score ≥ `minimum`; the lowest grade has no minimum (None) and catches the rest."""

    code: str
    label: str | Promise
    minimum: Decimal | None


@dataclass(frozen=True)
class GradeBands:
    """Grades from best to worst, each with a strictly lower minimum than the one before and the last with
    none, so every score maps to exactly one grade: the first whose minimum it reaches (≥)."""

    grades: tuple[Grade, ...]

    def __post_init__(self) -> None:
        if not self.grades:
            raise DomainError(_("Give at least one grade."), code=ErrorCode.GRADES_EMPTY)
        codes = [grade.code for grade in self.grades]
        for code in codes:
            if codes.count(code) > 1:
                raise DomainError(
                    _("The grade %(grade)s is given twice.") % {"grade": code},
                    code=ErrorCode.GRADES_DUPLICATE,
                )
        *upper, lowest = self.grades
        if lowest.minimum is not None:
            raise DomainError(
                _("The lowest grade, %(grade)s, must have no minimum so that every score has a grade.")
                % {"grade": lowest.label},
                code=ErrorCode.GRADES_OPEN_END,
            )
        previous: Decimal | None = None
        for grade in upper:
            if grade.minimum is None:
                raise DomainError(
                    _("Only the lowest grade may have no minimum; %(grade)s needs one.")
                    % {"grade": grade.label},
                    code=ErrorCode.GRADES_ORDER,
                )
            _check_number(grade.minimum, "minimum", is_points=True)
            if previous is not None and grade.minimum >= previous:
                raise DomainError(
                    _(
                        "Give the grades from best to worst: "
                        "the minimum of %(grade)s (%(minimum)s) must be below %(previous)s."
                    )
                    % {"grade": grade.label, "minimum": grade.minimum, "previous": previous},
                    code=ErrorCode.GRADES_ORDER,
                )
            previous = grade.minimum

    @classmethod
    def standard(cls) -> "GradeBands":
        """优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 below."""
        return cls(
            grades=(
                Grade(code="excellent", label=_("Excellent"), minimum=Decimal(90)),
                Grade(code="good", label=_("Good"), minimum=Decimal(80)),
                Grade(code="pass", label=_("Pass"), minimum=Decimal(60)),
                Grade(code="fail", label=_("Fail"), minimum=None),
            )
        )

    def get(self, code: str) -> Grade:
        """Return the grade `code`; raise DomainError (assessment_grade_unknown) when the bands have none."""
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise DomainError(
            _("There is no grade %(grade)s in this scheme.") % {"grade": code}, code=ErrorCode.GRADE_UNKNOWN
        )

    def grade_for(self, score: Decimal) -> Grade:
        """Return the first grade, best first, whose minimum `score` reaches."""
        for grade in self.grades:
            if grade.minimum is None or score >= grade.minimum:
                return grade
        raise AssertionError("unreachable: the lowest grade has no minimum")

    def rank(self, code: str) -> int:
        """Return the position of `code`, 0 for the best grade."""
        return self.grades.index(self.get(code))

    def next_lower(self, code: str) -> Grade | None:
        """Return the grade just below `code`, or None for the lowest."""
        position = self.rank(code)
        return self.grades[position + 1] if position + 1 < len(self.grades) else None


# --- Forced distribution --------------------------------------------------------------------------------


def quota_places(share: Decimal, team_size: int, *, minimum: int = 1) -> int:
    """Return how many members of a team of `team_size` may hold a grade limited to `share` percent.

    The rule: share × team size / 100 rounded half up, but at least `minimum` (1 by default: 不足一人按一人计,
    so a small team is not barred from the grade) when the share is above 0 and the team has members, and
    never more than the team. A share of 0 allows nobody. So 20% gives 1 place in a team of 2, 3, 4, 5, 6 or
    7 (0.4 → 0 → 1, 0.8 → 1, 1.4 → 1), 2 in a team of 8 to 12 (1.6 → 2, 2.4 → 2).
    """
    _check_number(share, "share")
    if not ZERO <= share <= HUNDRED:
        raise DomainError(
            _("The share of a grade is %(share)s%%; it must be from 0 to 100%%.") % {"share": share},
            code=ErrorCode.QUOTA_SHARE,
        )
    if share == 0 or team_size <= 0:
        return 0
    rounded = int(_half_up(_exact(share) * team_size / 100, 0))
    return min(team_size, max(minimum, rounded))


@dataclass(frozen=True)
class Member:
    """One person of a team: his score and his grade before the distribution is applied."""

    person_id: int
    score: Decimal
    grade: str


@dataclass(frozen=True)
class Move:
    """`person_id` went from `from_grade` down to `to_grade`: he ranked `rank` (1 = best) among the
    `candidates` holding `from_grade` in his team of `team_size`, which allows `places` of them (`share`
    percent)."""

    person_id: int
    from_grade: str
    to_grade: str
    rank: int
    candidates: int
    places: int
    share: Decimal
    team_size: int

    def reason(self, bands: GradeBands) -> str:
        """Say in the active language why the person was moved."""
        return str(
            _(
                "%(grade)s is limited to %(share)s%% of a team of %(size)s, that is %(places)s places; "
                "ranked %(rank)s of %(candidates)s by score, so moved to %(to)s."
            )
            % {
                "grade": bands.get(self.from_grade).label,
                "share": f"{self.share.normalize():f}",
                "places": self.places,
                "size": self.team_size,
                "rank": self.rank,
                "candidates": self.candidates,
                "to": bands.get(self.to_grade).label,
            }
        )


@dataclass(frozen=True)
class DistributionResult:
    """`grades` maps each person to his grade after the distribution; `moves` lists who was demoted, in the
    order applied; `places` maps each limited grade to the number of places it had."""

    grades: dict[int, str]
    moves: tuple[Move, ...]
    places: dict[str, int] = field(default_factory=dict)


def forced_distribution(
    members: Sequence[Member], *, bands: GradeBands, shares: Mapping[str, Decimal], minimum_places: int = 1
) -> DistributionResult:
    """Apply "at most `share`% of the team in this grade" to one team, demoting the excess one grade down.

    `shares` maps grade codes to percentages (Decimal, 0..100); the places of each are `quota_places` of the
    team size (all of `members`). Grades are handled best first, so a demotion may overflow the next grade,
    which is then trimmed in turn. Within a grade, members are ranked by score (highest first), then by
    `person_id` (lowest first) to break ties deterministically; those ranked beyond the places move down to
    the next grade. Nobody is ever moved up; the input order of `members` does not matter.

    Refused (DomainError): a grade not in `bands`, a share outside 0..100, a share on the lowest grade
    (there is nowhere to move the excess). A person_id given twice is the caller's bug (ValueError).
    """
    ids = [member.person_id for member in members]
    if len(set(ids)) != len(ids):
        raise ValueError("a person is given twice in the same team")
    lowest = bands.grades[-1]
    for code in shares:
        if bands.get(code) == lowest:
            raise DomainError(
                _("%(grade)s is the lowest grade and cannot be limited: there is no grade below it.")
                % {"grade": lowest.label},
                code=ErrorCode.QUOTA_LOWEST_GRADE,
            )
    for member in members:
        bands.get(member.grade)
        _check_number(member.score, "score")
    grades = {member.person_id: member.grade for member in members}
    scores = {member.person_id: member.score for member in members}
    size = len(members)
    moves: list[Move] = []
    places: dict[str, int] = {}
    for grade in bands.grades:
        if grade.code not in shares:
            continue
        share = shares[grade.code]
        allowed = quota_places(share, size, minimum=minimum_places)
        places[grade.code] = allowed
        holders = sorted(
            (person for person, code in grades.items() if code == grade.code),
            key=lambda person: (-scores[person], person),
        )
        below = bands.next_lower(grade.code)
        if below is None:
            raise AssertionError("unreachable: a share on the lowest grade was refused above")
        for rank, person in enumerate(holders, start=1):
            if rank > allowed:
                grades[person] = below.code
                moves.append(
                    Move(
                        person_id=person,
                        from_grade=grade.code,
                        to_grade=below.code,
                        rank=rank,
                        candidates=len(holders),
                        places=allowed,
                        share=share,
                        team_size=size,
                    )
                )
    return DistributionResult(grades=dict(sorted(grades.items())), moves=tuple(moves), places=places)
