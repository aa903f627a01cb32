"""Forms of the scheme pages: a scheme's names and coverage, and a draft version written as plain text.

A version's parts are edited as text, one row a line and its columns separated by "|" (the full-width "｜"
of Chinese input methods too), each part in its own box: a box shows the service's refusal about that part
(`items`, `adjustments`, `grades`, `outcome_rules`) on itself, and what was typed stays as typed. The forms
check only the shape (numbers, the columns of a line, a clause that exists); what the rules mean is checked
by the service (charter/assessment/schemes.py through rules_compile).

    items:          kind | code | weight | curve or clause | Chinese name | English name
                    indicator | csat_satisfied | 30 | 60 90 100
                    indicator | qa_average | 20 | bands 0-60:0 60-80:60 80-101:100
                    qualitative | attitude | 10 | 2.1 | 服务态度 | Service attitude
                    self | self_review | 10 | | 自评 | Self-assessment
    adjustments:    kind | code | points each | cap | indicator (empty: awarded by the supervisor) | names
    grades:         code | minimum score (empty for the lowest) | Chinese name | English name
    outcome_rules:  grade | bonus coefficient | points | Chinese title | English title | actions
                    (actions among interview, plan, training; or 约谈, 改进计划, 培训)
"""

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team
from charter.assessment.models import PeriodKind, SchemeVersion
from charter.assessment.schemes import (
    MAX_STEP_DAYS,
    AdjustmentContent,
    ItemContent,
    OutcomeRuleContent,
    SchemeVersionContent,
)
from charter.common.forms import IsoDateInput
from charter.standards.models import StandardClause, StandardDocument, StandardVersion

T = TypeVar("T")

ITEM_KINDS = {
    "indicator": "indicator",
    "指标": "indicator",
    "qualitative": "qualitative",
    "定性": "qualitative",
    "self": "self",
    "自评": "self",
}
ADJUSTMENT_KINDS = {"bonus": "bonus", "加分": "bonus", "deduction": "deduction", "扣分": "deduction"}
OUTCOME_ACTIONS = {
    "interview": "interview",
    "约谈": "interview",
    "plan": "improvement_plan",
    "改进计划": "improvement_plan",
    "training": "remedial_training",
    "培训": "remedial_training",
}
_BAND = re.compile(r"^(-?[\d.]+)\s*[-~–]\s*(-?[\d.]+)\s*[:：=]\s*(-?[\d.]+)$")


class SchemeForm(forms.Form):
    """A scheme's code (when created), names, description and the teams and roles it covers."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_("Lower-case letters, digits and hyphens, such as agents. It never changes."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description_zh = forms.CharField(label=_("Description (Chinese)"), widget=forms.Textarea, required=False)
    description_en = forms.CharField(label=_("Description (English)"), widget=forms.Textarea, required=False)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams covered"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The scheme covers the members of these teams."),
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles covered"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("And the staff holding one of these roles."),
    )

    def __init__(self, *args: Any, is_new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = self.fields["teams"]
        roles = self.fields["roles"]
        assert isinstance(teams, forms.ModelMultipleChoiceField)  # noqa: S101 (declared above)
        assert isinstance(roles, forms.ModelMultipleChoiceField)  # noqa: S101 (declared above)
        teams.queryset = Team.objects.filter(is_active=True).order_by("code")
        roles.queryset = Group.objects.order_by("name")
        if not is_new:
            del self.fields["code"]


def _split(line: str) -> list[str]:
    return [column.strip() for column in line.replace("｜", "|").split("|")]


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank lines of `text` with their 1-based numbers, split into columns."""
    return [(number, _split(line)) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def _column(columns: Sequence[str], index: int) -> str:
    return columns[index] if index < len(columns) else ""


def _line_error(number: int, message: object) -> forms.ValidationError:
    return forms.ValidationError(
        _("Line %(number)s: %(error)s"), params={"number": number, "error": message}, code="line"
    )


def _number(raw: str, what: str | Any) -> Decimal:
    try:
        value = Decimal(raw.replace("％", "").replace("%", "").strip())
    except InvalidOperation:
        raise ValueError(
            _("“%(value)s” is not a number (%(what)s).") % {"value": raw, "what": what}
        ) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not a number (%(what)s).") % {"value": raw, "what": what})
    return value


def _rows(text: str, parse: Callable[[list[str]], T]) -> tuple[T, ...]:
    rows = []
    for number, columns in _lines(text):
        try:
            rows.append(parse(columns))
        except ValueError as error:
            raise _line_error(number, error) from None
    return tuple(rows)


def curve_parse(text: str) -> dict[str, Any]:
    """Read a curve: "60 90 100" or "linear 60 90 100" (floor, target, cap) or "bands 0-60:0 60-80:60"."""
    words = text.replace(",", " ").replace(",", " ").split()
    if not words:
        raise ValueError(_("give the curve: floor, target and cap, such as 60 90 100"))
    if words[0] == "bands":
        bands = []
        for word in words[1:]:
            match = _BAND.match(word)
            if match is None:
                raise ValueError(_("write each band as lower-upper:points, such as 60-80:60"))
            bands.append({"lower": match[1], "upper": match[2], "points": match[3]})
        return {"type": "bands", "bands": bands}
    if words[0] == "linear":
        words = words[1:]
    if len(words) != 3:
        raise ValueError(_("give the curve: floor, target and cap, such as 60 90 100"))
    floor, target, cap = (str(_number(word, _("curve"))) for word in words)
    return {"type": "linear", "floor": floor, "target": target, "cap": cap}


def curve_text(curve: dict[str, Any]) -> str:
    """Write a stored curve as `curve_parse` reads it."""
    if curve.get("type") == "bands":
        return "bands " + " ".join(
            f"{band.get('lower')}-{band.get('upper')}:{band.get('points')}" for band in curve.get("bands", [])
        )
    if not curve:
        return ""
    return f"{curve.get('floor')} {curve.get('target')} {curve.get('cap')}"


def conduct_clause_find(number: str) -> StandardClause | None:
    """The clause `number` of the latest published version of the staff code of conduct, or None."""
    return (
        StandardClause.objects.filter(
            number=number,
            version__status=StandardVersion.Status.PUBLISHED,
            version__document__kind=StandardDocument.Kind.CODE_OF_CONDUCT,
        )
        .select_related("version__document")
        .order_by("version__document__code", "-version__number")
        .first()
    )


def _item_parse(columns: list[str]) -> ItemContent:
    kind = ITEM_KINDS.get(_column(columns, 0).lower(), _column(columns, 0))
    code = _column(columns, 1)
    weight = _number(_column(columns, 2), _("weight"))
    rule = _column(columns, 3)
    curve: dict[str, Any] = {}
    clause = None
    if kind == "indicator":
        curve = curve_parse(rule)
    elif kind == "qualitative" and rule:
        clause = conduct_clause_find(rule)
        if clause is None:
            raise ValueError(
                _("there is no clause %(number)s in the published staff code of conduct") % {"number": rule}
            )
    return ItemContent(
        kind=kind,
        code=code,
        weight=weight,
        name_zh=_column(columns, 4),
        name_en=_column(columns, 5),
        curve=curve,
        clause=clause,
    )


def _adjustment_parse(columns: list[str]) -> AdjustmentContent:
    return AdjustmentContent(
        kind=ADJUSTMENT_KINDS.get(_column(columns, 0).lower(), _column(columns, 0)),
        code=_column(columns, 1),
        points_each=_number(_column(columns, 2), _("points each")),
        cap=_number(_column(columns, 3), _("cap")),
        indicator=_column(columns, 4),
        name_zh=_column(columns, 5),
        name_en=_column(columns, 6),
    )


def _grade_parse(columns: list[str]) -> dict[str, Any]:
    minimum = _column(columns, 1)
    return {
        "code": _column(columns, 0),
        "minimum": str(_number(minimum, _("minimum score"))) if minimum else None,
        "name_zh": _column(columns, 2),
        "name_en": _column(columns, 3),
    }


def _outcome_parse(columns: list[str]) -> OutcomeRuleContent:
    coefficient = _column(columns, 1)
    points = _column(columns, 2)
    if points and not re.fullmatch(r"-?\d+", points):
        raise ValueError(_("points are a whole number: “%(value)s”") % {"value": points})
    actions: dict[str, bool] = {}
    for word in re.split(r"[\s,,、]+", _column(columns, 5)):
        if not word:
            continue
        if word.lower() not in OUTCOME_ACTIONS:
            raise ValueError(_("the actions are interview, plan and training: “%(value)s”") % {"value": word})
        actions[OUTCOME_ACTIONS[word.lower()]] = True
    return OutcomeRuleContent(
        grade=_column(columns, 0),
        bonus_coefficient=_number(coefficient, _("bonus coefficient")) if coefficient else None,
        points=int(points) if points else 0,
        title_zh=_column(columns, 3),
        title_en=_column(columns, 4),
        **actions,
    )


def _decimal_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def parts_text(content: SchemeVersionContent) -> dict[str, str]:
    """Write the parts of `content` as the editor's boxes show them (the inverse of the parsing here)."""
    items = [
        " | ".join(
            [
                item.kind,
                item.code,
                _decimal_text(item.weight),
                curve_text(dict(item.curve))
                if item.kind == "indicator"
                else (item.clause.number if item.clause else ""),
                item.name_zh,
                item.name_en,
            ]
        ).rstrip(" |")
        for item in content.items
    ]
    adjustments = [
        " | ".join(
            [
                rule.kind,
                rule.code,
                _decimal_text(rule.points_each),
                _decimal_text(rule.cap),
                rule.indicator,
                rule.name_zh,
                rule.name_en,
            ]
        ).rstrip(" |")
        for rule in content.adjustments
    ]
    grades = [
        " | ".join(
            [
                str(grade.get("code", "")),
                str(grade.get("minimum") or ""),
                grade.get("name_zh", ""),
                grade.get("name_en", ""),
            ]
        ).rstrip(" |")
        for grade in content.grades
    ]
    words = {"interview": "interview", "improvement_plan": "plan", "remedial_training": "training"}
    outcomes = [
        " | ".join(
            [
                rule.grade,
                _decimal_text(rule.bonus_coefficient),
                str(rule.points) if rule.points else "",
                rule.title_zh,
                rule.title_en,
                " ".join(word for name, word in words.items() if getattr(rule, name)),
            ]
        ).rstrip(" |")
        for rule in content.outcome_rules
    ]
    return {
        "items": "\n".join(items),
        "adjustments": "\n".join(adjustments),
        "grades": "\n".join(grades),
        "outcome_rules": "\n".join(outcomes),
    }


def _box(label: Any, help_text: Any, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, "class": "mono", "spellcheck": "false"}),
    )


def _days(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_STEP_DAYS)


class SchemeVersionForm(forms.Form):
    """A draft version whole: its fields, and its parts as text (see the module)."""

    period_kind = forms.ChoiceField(label=_("Assessment period"), choices=PeriodKind.choices)
    affects_pay = forms.BooleanField(
        label=_("Affects pay"),
        required=False,
        help_text=_(
            "A scheme that affects pay is published before its first period starts, and each member of staff "
            "it covers acknowledges it (Labour Contract Law, article 4)."
        ),
    )
    effective_from = forms.DateField(label=_("First period starts"), required=False, widget=IsoDateInput())
    items = _box(
        _("Weighted items"),
        _(
            "One a line: kind | code | weight | curve or clause | Chinese name | English name. Kinds: "
            "indicator (the code of an indicator of the library, then its curve: floor target cap such as "
            "60 90 100, or bands 0-60:0 60-80:60 80-101:100), qualitative (rated by the supervisor, then the "
            "number of the clause of the code of conduct it rates), self (the self-assessment). The weights "
            "add up to 100."
        ),
    )
    adjustments = _box(
        _("Bonus and deduction items"),
        _(
            "One a line: bonus or deduction | code | points each | cap | indicator counted (empty: awarded "
            "by the supervisor) | Chinese name | English name."
        ),
        rows=4,
    )
    bonus_cap = forms.DecimalField(label=_("Bonus cap (points)"), max_digits=7, decimal_places=2, min_value=0)
    deduction_cap = forms.DecimalField(
        label=_("Deduction cap (points)"), max_digits=7, decimal_places=2, min_value=0
    )
    grades = _box(
        _("Grades"),
        _(
            "From best to worst, one a line: code | minimum score (empty for the lowest) | Chinese name | "
            "English name."
        ),
        rows=5,
    )
    quota_grade = forms.CharField(
        label=_("Grade with a quota"),
        max_length=30,
        required=False,
        help_text=_(
            "The code of a grade limited per team (forced distribution), such as excellent; or empty."
        ),
    )
    quota_share = forms.DecimalField(
        label=_("Quota (percent of a team)"), max_digits=5, decimal_places=2, required=False
    )
    formula = forms.CharField(
        label=_("Final formula"),
        max_length=500,
        required=False,
        help_text=_(
            "Optional; empty means weighted score + bonus − deductions. Names: weighted, indicators, "
            "qualitative, self, bonus, deduction and each item's code."
        ),
    )
    outcome_rules = _box(
        _("Outcome rules"),
        _(
            "One a line: grade | bonus coefficient | points | Chinese title | English title | actions "
            "(interview, plan, training)."
        ),
        rows=4,
    )
    self_days = _days(_("Self-assessment (working days)"))
    supervisor_days = _days(_("Supervisor scoring (working days)"))
    calibration_days = _days(_("Calibration (working days)"))
    approval_days = _days(_("Approval (working days)"))
    appeal_days = _days(_("Appeal window (working days)"))
    change_summary_zh = forms.CharField(
        label=_("Summary of changes (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    change_summary_en = forms.CharField(
        label=_("Summary of changes (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @staticmethod
    def initial_from(version: SchemeVersion) -> dict[str, Any]:
        """The form's initial values for `version`."""
        content = SchemeVersionContent.from_version(version)
        initial: dict[str, Any] = {
            name: getattr(content, name) for name in SchemeVersionContent.VERSION_FIELDS
        }
        initial.update(parts_text(content))
        return initial

    def clean_items(self) -> tuple[ItemContent, ...]:
        return _rows(self.cleaned_data["items"], _item_parse)

    def clean_adjustments(self) -> tuple[AdjustmentContent, ...]:
        return _rows(self.cleaned_data["adjustments"], _adjustment_parse)

    def clean_grades(self) -> tuple[dict[str, Any], ...]:
        return _rows(self.cleaned_data["grades"], _grade_parse)

    def clean_outcome_rules(self) -> tuple[OutcomeRuleContent, ...]:
        return _rows(self.cleaned_data["outcome_rules"], _outcome_parse)

    def content(self) -> SchemeVersionContent:
        """The content the valid form states, whole."""
        data = dict(self.cleaned_data)
        data["quota_grade"] = data.get("quota_grade") or ""
        data["formula"] = data.get("formula") or ""
        data["grades"] = list(data.get("grades") or ())
        return SchemeVersionContent.from_data(data)
