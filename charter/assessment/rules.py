"""A scheme version's rules, compiled from what is stored and checked as one: the one place that reads the
JSON of curves and grades and the one computation of a scorecard's score from its lines.

`rules_compile(...)` takes the stored shape (dataclasses below, built from a version's rows by
`rules_of(version)` or from a draft being edited) and returns `SchemeRules`, or raises the first
`DomainError` (an `assessment_…` code, with `field` naming the part) — so the scheme editor refuses exactly
what a cycle could not compute. `SchemeRules.score(...)` turns a scorecard's points into its weighted score,
bonus, deductions, total and grade, pure and deterministic.

Names a final formula may use: `weighted` (the weighted score of every item), `indicators`, `qualitative` and
`self` (the weighted score of the items of that kind, their own weights re-normalised), `bonus`, `deduction`
(after their caps), and each item's code (its points; 0 while it has none).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from charter.assessment.errors import ErrorCode
from charter.assessment.formula import Formula, formula_parse
from charter.assessment.indicators import INDICATORS
from charter.assessment.scoring import (
    Band,
    BandCurve,
    Grade,
    GradeBands,
    LinearCurve,
    quantize_points,
    score_adjust,
    weighted_score,
    weights_check,
)
from charter.common.errors import DomainError
from charter.common.models import localized

ZERO = Decimal(0)
CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
PART_NAMES = ("weighted", "indicators", "qualitative", "self", "bonus", "deduction")
INDICATOR, QUALITATIVE, SELF = "indicator", "qualitative", "self"
BONUS, DEDUCTION = "bonus", "deduction"

Curve = LinearCurve | BandCurve


@dataclass(frozen=True)
class ItemRule:
    kind: str
    code: str
    weight: Decimal
    curve: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AdjustmentRule:
    kind: str
    code: str
    points_each: Decimal
    cap: Decimal
    indicator: str = ""


@dataclass(frozen=True)
class SchemeRules:
    """A version's rules, valid and ready to score."""

    items: tuple[ItemRule, ...]
    curves: dict[str, Curve]
    adjustments: tuple[AdjustmentRule, ...]
    bands: GradeBands
    bonus_cap: Decimal
    deduction_cap: Decimal
    quota: dict[str, Decimal]
    formula: Formula | None

    @property
    def weights(self) -> dict[str, Decimal]:
        return {item.code: item.weight for item in self.items}

    def item_points(self, code: str, value: Decimal | None) -> Decimal | None:
        """An indicator item's points for `value` (None: no sample, no points)."""
        return self.curves[code].points(value)

    def adjustment_points(self, rule: AdjustmentRule, count: Decimal) -> Decimal:
        """Points of an adjustment item occurring `count` times, capped per item."""
        return min(quantize_points(rule.points_each * count), rule.cap)

    def score(self, points: Mapping[str, Decimal | None], adjustments: Mapping[str, Decimal]) -> "Score":
        """Score a scorecard: `points` per item code (None = no value), `adjustments` = points per bonus or
        deduction code (already capped per item). The per-kind caps and the formula apply here."""
        weighted = weighted_score({code: points.get(code) for code in self.weights}, self.weights).score
        bonus = {
            rule.code: adjustments.get(rule.code, ZERO) for rule in self.adjustments if rule.kind == BONUS
        }
        deductions = {
            rule.code: adjustments.get(rule.code, ZERO) for rule in self.adjustments if rule.kind == DEDUCTION
        }
        adjusted = score_adjust(
            base=weighted or ZERO,
            bonus=bonus,
            bonus_cap=self.bonus_cap,
            deductions=deductions,
            deduction_cap=self.deduction_cap,
        )
        if weighted is None:
            return Score(None, adjusted.bonus.total, adjusted.deductions.total, None, "")
        total = adjusted.score
        if self.formula is not None:
            values = {
                "weighted": weighted,
                "bonus": adjusted.bonus.total,
                "deduction": adjusted.deductions.total,
            }
            for kind in (INDICATOR, QUALITATIVE, SELF):
                of_kind = {item.code: item.weight for item in self.items if item.kind == kind}
                part = _part_score(points, of_kind)
                values["indicators" if kind == INDICATOR else kind] = part if part is not None else ZERO
            # An item without points (no sample, not rated yet) counts 0 in a formula that names it; the
            # parts (`weighted`, `indicators`...) leave it out and re-normalise instead.
            values.update({code: points.get(code) or ZERO for code in self.weights})
            total = quantize_points(self.formula.evaluate(values))
        return Score(
            weighted, adjusted.bonus.total, adjusted.deductions.total, total, self.bands.grade_for(total).code
        )


@dataclass(frozen=True)
class Score:
    weighted: Decimal | None
    bonus: Decimal
    deduction: Decimal
    total: Decimal | None
    grade: str


def _part_score(points: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Decimal | None:
    present = {code: points[code] for code in weights if points.get(code) is not None}
    total_weight = sum((weights[code] for code in present), ZERO)
    if not present or total_weight == 0:
        return None
    return quantize_points(
        sum((weights[code] * value for code, value in present.items() if value), ZERO) / total_weight
    )


def _decimal(raw: object, *, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("“%(value)s” is not a number.") % {"value": raw}, code=ErrorCode.NUMBER_INVALID, field=field
        ) from None
    if not value.is_finite():
        raise DomainError(
            _("“%(value)s” is not a number.") % {"value": raw}, code=ErrorCode.NUMBER_INVALID, field=field
        )
    return value


def curve_compile(spec: Mapping[str, Any], *, higher_is_better: bool, field: str) -> Curve:
    """Build the curve a stored spec describes: {"type": "linear", "floor", "target", "cap", and optionally
    "floor_points", "target_points", "cap_points"} or {"type": "bands", "bands": [{"lower", "upper",
    "points"}, ...]}; "higher_is_better" defaults to the indicator's direction."""
    direction = bool(spec.get("higher_is_better", higher_is_better))
    kind = spec.get("type", "linear")
    if kind == "bands":
        raw_bands = spec.get("bands") or []
        if not isinstance(raw_bands, list):
            raise DomainError(_("Give the bands as a list."), code=ErrorCode.CURVE_POINTS, field=field)
        bands = tuple(
            Band(
                lower=_decimal(band.get("lower"), field=field),
                upper=_decimal(band.get("upper"), field=field),
                points=_decimal(band.get("points"), field=field),
            )
            for band in raw_bands
            if isinstance(band, Mapping)
        )
        return BandCurve(bands=bands, higher_is_better=direction)
    if kind != "linear":
        raise DomainError(_("A curve is linear or in bands."), code=ErrorCode.CURVE_POINTS, field=field)
    extra = {
        name: _decimal(spec[name], field=field)
        for name in ("floor_points", "target_points", "cap_points")
        if spec.get(name) not in (None, "")
    }
    return LinearCurve(
        floor=_decimal(spec.get("floor"), field=field),
        target=_decimal(spec.get("target"), field=field),
        cap=_decimal(spec.get("cap"), field=field),
        higher_is_better=direction,
        **extra,
    )


def grades_compile(raw: Sequence[Mapping[str, Any]]) -> GradeBands:
    """Build the grade bands from the stored list, best first: code, name_zh, name_en, minimum (None last)."""
    grades = []
    for entry in raw:
        code = str(entry.get("code", ""))
        if not CODE.match(code):
            raise DomainError(
                _("A grade's code is lower-case letters, digits and underscores: “%(code)s”.")
                % {"code": code},
                code=ErrorCode.GRADES_ORDER,
                field="grades",
            )
        minimum = entry.get("minimum")
        grades.append(
            Grade(
                code=code,
                label=localized(_Names(entry), "name") or code,
                minimum=None if minimum in (None, "") else _decimal(minimum, field="grades"),
            )
        )
    try:
        return GradeBands(grades=tuple(grades))
    except DomainError as error:
        error.field = "grades"
        raise


class _Names:
    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.name_zh = str(entry.get("name_zh", ""))
        self.name_en = str(entry.get("name_en", ""))


def rules_compile(
    *,
    items: Sequence[ItemRule],
    adjustments: Sequence[AdjustmentRule],
    grades: Sequence[Mapping[str, Any]],
    bonus_cap: Decimal,
    deduction_cap: Decimal,
    quota_grade: str = "",
    quota_share: Decimal | None = None,
    formula: str = "",
) -> SchemeRules:
    """Check the rules as a whole and compile them; the first fault raises DomainError (see the module)."""
    _codes_check([item.code for item in items] + [rule.code for rule in adjustments])
    weights = {item.code: item.weight for item in items}
    try:
        weights_check(weights)
    except DomainError as error:
        error.field = "items"
        raise
    curves = _curves_compile(items)
    _adjustments_check(adjustments)
    bands = grades_compile(grades)
    compiled = formula_parse(formula, names=[*PART_NAMES, *weights]) if formula.strip() else None
    return SchemeRules(
        items=tuple(items),
        curves=curves,
        adjustments=tuple(adjustments),
        bands=bands,
        bonus_cap=bonus_cap,
        deduction_cap=deduction_cap,
        quota=_quota_compile(bands, quota_grade, quota_share),
        formula=compiled,
    )


def _codes_check(codes: Sequence[str]) -> None:
    for code in codes:
        if not CODE.match(code):
            raise DomainError(
                _("A code is lower-case letters, digits and underscores, starting with a letter: “%(code)s”.")
                % {"code": code},
                code=ErrorCode.CODE_INVALID,
                field="items",
            )
        if codes.count(code) > 1 or code in PART_NAMES:
            raise DomainError(
                _("The code “%(code)s” is used twice or is reserved.") % {"code": code},
                code=ErrorCode.CODE_INVALID,
                field="items",
            )


def _indicator_unknown(code: str, field: str) -> DomainError:
    return DomainError(
        _("There is no indicator “%(code)s” in the library.") % {"code": code},
        code=ErrorCode.INDICATOR_UNKNOWN,
        field=field,
    )


def _curves_compile(items: Sequence[ItemRule]) -> dict[str, Curve]:
    curves: dict[str, Curve] = {}
    for item in items:
        if item.kind == INDICATOR:
            indicator = INDICATORS.get(item.code)
            if indicator is None:
                raise _indicator_unknown(item.code, "items")
            curves[item.code] = curve_compile(
                item.curve, higher_is_better=indicator.higher_is_better, field="items"
            )
    return curves


def _adjustments_check(adjustments: Sequence[AdjustmentRule]) -> None:
    for rule in adjustments:
        if rule.indicator and rule.indicator not in INDICATORS:
            raise _indicator_unknown(rule.indicator, "adjustments")
        if rule.points_each < 0 or rule.cap < 0:
            raise DomainError(
                _("Give bonus and deduction items as points of 0 or more."),
                code=ErrorCode.ADJUSTMENT_NEGATIVE,
                field="adjustments",
            )


def _quota_compile(bands: GradeBands, grade: str, share: Decimal | None) -> dict[str, Decimal]:
    if not grade:
        return {}
    if share is None or not ZERO <= share <= 100:
        raise DomainError(
            _("The share of a grade must be from 0 to 100%."), code=ErrorCode.QUOTA_SHARE, field="quota_share"
        )
    bands.get(grade)
    if bands.grades[-1].code == grade:
        raise DomainError(
            _("The lowest grade cannot have a quota: there is no grade below it."),
            code=ErrorCode.QUOTA_LOWEST_GRADE,
            field="quota_grade",
        )
    return {grade: share}


def rules_of(version: Any) -> SchemeRules:
    """Compile a stored `SchemeVersion` (its items and adjustments prefetched or not: two queries)."""
    return rules_compile(
        items=[
            ItemRule(kind=item.kind, code=item.code, weight=item.weight, curve=item.curve or {})
            for item in version.items.all()
        ],
        adjustments=[
            AdjustmentRule(
                kind=rule.kind,
                code=rule.code,
                points_each=rule.points_each,
                cap=rule.cap,
                indicator=rule.indicator,
            )
            for rule in version.adjustments.all()
        ],
        grades=version.grades,
        bonus_cap=version.bonus_cap,
        deduction_cap=version.deduction_cap,
        quota_grade=version.quota_grade,
        quota_share=version.quota_share,
        formula=version.formula,
    )
