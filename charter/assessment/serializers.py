"""Input and output serializers of the assessment API. They check shape only; the services decide.

Outputs read what the view hands them in `context`: the reader's right to see a scorecard's result
(`can_see_result`, asked per scorecard by the view), the names of the lines, the ranks, the counts of a
cycle's scorecards, the evidence links. Choice fields are plain strings listing their values, so that names
shared with other apps (kind, status) never collide as enum components of the schema.
"""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.assessment.models import (
    Appeal,
    Cycle,
    LedgerEntry,
    OutcomeRule,
    PeriodKind,
    Scheme,
    SchemeAdjustment,
    SchemeItem,
    SchemeVersion,
    Scorecard,
    ScorecardLine,
)
from charter.common.models import localized


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


class _ChoiceField(serializers.ChoiceField):
    """A ChoiceField over the class's `choices_of`."""

    choices_of: Any = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.choices_of, **kwargs)


def _choice_field(choices: Any) -> type[_ChoiceField]:
    """A ChoiceField class over `choices`, documented as a string listing them (see the module)."""

    @extend_schema_field({"type": "string", "description": f"One of {_values(choices)}."})
    class Field(_ChoiceField):
        choices_of = choices

    return Field


PeriodKindField = _choice_field(PeriodKind.choices)
ItemKindField = _choice_field(SchemeItem.Kind.choices)
AdjustmentKindField = _choice_field(SchemeAdjustment.Kind.choices)
CycleStatusField = _choice_field(Cycle.Status.choices)
ScorecardStatusField = _choice_field(Scorecard.Status.choices)
LineKindField = _choice_field(ScorecardLine.Kind.choices)
AppealStatusField = _choice_field(Appeal.Status.choices)
LedgerKindField = _choice_field(LedgerEntry.Kind.choices)
AppealDecisionField = _choice_field(
    [(value, label) for value, label in Appeal.Status.choices if value != Appeal.Status.PENDING]
)
EVIDENCE_KINDS = "`case`, `clock`, `response`, `review`, `violation`, `reply` or `finding`"
UNITS = "`percent`, `count`, `per_100`, `minutes` or `points`"

# Schemes ------------------------------------------------------------------------------------------------


class AssessmentGradeOutputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField(required=False, allow_blank=True)
    minimum = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        help_text="The lowest total that reaches the grade; null for the lowest grade, which takes the rest.",
    )


class AssessmentSchemeItemOutputSerializer(serializers.ModelSerializer[SchemeItem]):
    kind = ItemKindField(read_only=True)
    name = serializers.SerializerMethodField()
    curve = serializers.JSONField(
        read_only=True,
        help_text='For an indicator: `{"type": "linear", "floor", "target", "cap"}` or '
        '`{"type": "bands", "bands": [{"lower", "upper", "points"}]}`; empty otherwise.',
    )

    class Meta:
        model = SchemeItem
        fields = ["kind", "code", "name", "name_zh", "name_en", "weight", "curve", "clause"]
        read_only_fields = fields

    def get_name(self, item: SchemeItem) -> str:
        return localized(item, "name") or item.code


class AssessmentSchemeAdjustmentOutputSerializer(serializers.ModelSerializer[SchemeAdjustment]):
    kind = AdjustmentKindField(read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = SchemeAdjustment
        fields = ["kind", "code", "name", "name_zh", "name_en", "indicator", "points_each", "cap"]
        read_only_fields = fields

    def get_name(self, adjustment: SchemeAdjustment) -> str:
        return localized(adjustment, "name")


class AssessmentOutcomeRuleOutputSerializer(serializers.ModelSerializer[OutcomeRule]):
    class Meta:
        model = OutcomeRule
        fields = [
            "grade",
            "bonus_coefficient",
            "points",
            "title_zh",
            "title_en",
            "interview",
            "improvement_plan",
            "remedial_training",
        ]
        read_only_fields = fields


class AssessmentSchemeVersionOutputSerializer(serializers.ModelSerializer[SchemeVersion]):
    period_kind = PeriodKindField(read_only=True)
    grades = serializers.SerializerMethodField()
    items = AssessmentSchemeItemOutputSerializer(many=True, read_only=True)
    adjustments = AssessmentSchemeAdjustmentOutputSerializer(many=True, read_only=True)
    outcome_rules = AssessmentOutcomeRuleOutputSerializer(many=True, read_only=True)
    formula = serializers.CharField(
        read_only=True, help_text="Empty: the weighted score plus the bonus minus the deductions."
    )
    quota_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="At most this percent of a team gets `quota_grade` (null: no quota).",
    )

    class Meta:
        model = SchemeVersion
        fields = [
            "number",
            "published_at",
            "period_kind",
            "affects_pay",
            "effective_from",
            "grades",
            "quota_grade",
            "quota_share",
            "bonus_cap",
            "deduction_cap",
            "formula",
            "self_days",
            "supervisor_days",
            "calibration_days",
            "approval_days",
            "appeal_days",
            "change_summary_zh",
            "change_summary_en",
            "items",
            "adjustments",
            "outcome_rules",
        ]
        read_only_fields = fields

    @extend_schema_field(AssessmentGradeOutputSerializer(many=True))
    def get_grades(self, version: SchemeVersion) -> list[dict[str, Any]]:
        """The grade bands from best to worst."""
        return list(AssessmentGradeOutputSerializer(version.grades, many=True).data)


class AssessmentSchemeListOutputSerializer(serializers.ModelSerializer[Scheme]):
    name = serializers.SerializerMethodField()
    version_in_force = serializers.SerializerMethodField(
        help_text="The number of the published version (null: none published yet)."
    )

    class Meta:
        model = Scheme
        fields = ["id", "code", "name", "name_zh", "name_en", "version_in_force"]
        read_only_fields = fields

    def get_name(self, scheme: Scheme) -> str:
        return localized(scheme, "name")

    def get_version_in_force(self, scheme: Scheme) -> int | None:
        version: SchemeVersion | None = self.context.get("versions", {}).get(scheme.pk)
        return version.number if version is not None else None


class AssessmentSchemeDetailOutputSerializer(AssessmentSchemeListOutputSerializer):
    version = serializers.SerializerMethodField()

    class Meta(AssessmentSchemeListOutputSerializer.Meta):
        fields = [
            *AssessmentSchemeListOutputSerializer.Meta.fields,
            "description_zh",
            "description_en",
            "teams",
            "roles",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(AssessmentSchemeVersionOutputSerializer(allow_null=True))
    def get_version(self, scheme: Scheme) -> dict[str, Any] | None:
        """The version in force with its rules (null before the first publication)."""
        version: SchemeVersion | None = self.context.get("versions", {}).get(scheme.pk)
        return dict(AssessmentSchemeVersionOutputSerializer(version).data) if version is not None else None


# Cycles -------------------------------------------------------------------------------------------------


class AssessmentScorecardCountsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=f"Scorecards per status ({_values(Scorecard.Status.choices)}); statuses without any "
        "are left out.",
    )


class AssessmentCycleOutputSerializer(serializers.ModelSerializer[Cycle]):
    status = CycleStatusField(read_only=True)
    scheme_name = serializers.SerializerMethodField()
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "version_number",
            "period_start",
            "period_end",
            "status",
            "step_due_at",
            "opened_at",
            "calculated_at",
            "approved_at",
            "published_at",
            "closed_at",
            "lock_version",
            "counts",
        ]
        read_only_fields = fields

    def get_scheme_name(self, cycle: Cycle) -> str:
        return localized(cycle.scheme, "name")

    @extend_schema_field(AssessmentScorecardCountsSerializer)
    def get_counts(self, cycle: Cycle) -> dict[str, Any]:
        """The scorecards of the cycle the reader may see, by status."""
        by_status: dict[str, int] = self.context.get("counts", {}).get(cycle.pk, {})
        return {"total": sum(by_status.values()), "by_status": by_status}


class AssessmentCycleCreateInputSerializer(serializers.Serializer[Any]):
    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all())
    period_start = serializers.DateField(
        help_text="The first day of the period: the 1st of a month, of a quarter or of January."
    )


class AssessmentLockInputSerializer(serializers.Serializer[Any]):
    lock_version = serializers.IntegerField(
        min_value=1, help_text="The `lock_version` you read; a stale one answers 409 `conflict`."
    )


class AssessmentReasonInputSerializer(AssessmentLockInputSerializer):
    reason = serializers.CharField(max_length=10000, allow_blank=True, trim_whitespace=False)


# Scorecards ---------------------------------------------------------------------------------------------


class AssessmentRankOutputSerializer(serializers.Serializer[Any]):
    team_rank = serializers.IntegerField(allow_null=True)
    team_size = serializers.IntegerField()
    cycle_rank = serializers.IntegerField(allow_null=True)
    cycle_size = serializers.IntegerField()


POINTS = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class AssessmentScorecardListOutputSerializer(serializers.ModelSerializer[Scorecard]):
    """A scorecard; its score fields and grade are null while the reader is the person and the scorecard is
    not published (`can_see_result`)."""

    status = ScorecardStatusField(read_only=True)
    person_name = serializers.CharField(source="person", read_only=True)
    is_result_visible = serializers.SerializerMethodField()
    weighted_score = serializers.SerializerMethodField()
    bonus = serializers.SerializerMethodField()
    deduction = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    computed_grade = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField()

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "cycle",
            "person",
            "person_name",
            "team",
            "assessor",
            "status",
            "is_result_visible",
            "weighted_score",
            "bonus",
            "deduction",
            "total",
            "computed_grade",
            "grade",
            "published_at",
            "acknowledged_at",
            "appeal_due_at",
            "final_at",
            "lock_version",
        ]
        read_only_fields = fields

    def _visible(self, card: Scorecard) -> bool:
        return card.pk in self.context.get("results", set())

    def _result(self, card: Scorecard, field: str) -> Any:
        return getattr(card, field) if self._visible(card) else None

    def _points(self, card: Scorecard, field: str) -> str | None:
        value: Decimal | None = self._result(card, field)
        return None if value is None else f"{value:.2f}"

    def get_is_result_visible(self, card: Scorecard) -> bool:
        """False while the reader is the person and the scorecard is not published yet."""
        return self._visible(card)

    @extend_schema_field(POINTS)
    def get_weighted_score(self, card: Scorecard) -> str | None:
        return self._points(card, "weighted_score")

    @extend_schema_field(POINTS)
    def get_bonus(self, card: Scorecard) -> str | None:
        return self._points(card, "bonus")

    @extend_schema_field(POINTS)
    def get_deduction(self, card: Scorecard) -> str | None:
        return self._points(card, "deduction")

    @extend_schema_field(POINTS)
    def get_total(self, card: Scorecard) -> str | None:
        return self._points(card, "total")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_computed_grade(self, card: Scorecard) -> str | None:
        return self._result(card, "computed_grade")  # type: ignore[no-any-return]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_grade(self, card: Scorecard) -> str | None:
        return self._result(card, "grade")  # type: ignore[no-any-return]


@extend_schema_field({"type": "string", "description": f"One of {UNITS}; blank for a rating."})
class UnitField(serializers.CharField):
    pass


class AssessmentScorecardLineOutputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = LineKindField()
    name = serializers.CharField()
    formula_text = serializers.CharField(help_text="For an indicator: how its value is computed.")
    exclusions_text = serializers.CharField(help_text="For an indicator: what it leaves out.")
    unit = UnitField()
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sample = serializers.IntegerField()
    excluded = serializers.IntegerField()
    points = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Null until scored or while hidden."
    )
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    evidence_url = serializers.URLField(
        allow_null=True, help_text="The rows behind the value (an indicator, or an item counted from one)."
    )


class AssessmentScorecardDetailOutputSerializer(AssessmentScorecardListOutputSerializer):
    grade_reason = serializers.SerializerMethodField()
    supervisor_comment = serializers.SerializerMethodField()
    cycle_status = CycleStatusField(source="cycle.status", read_only=True)
    period_start = serializers.DateField(source="cycle.period_start", read_only=True)
    period_end = serializers.DateField(source="cycle.period_end", read_only=True)
    lines = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()
    appeal = serializers.SerializerMethodField()

    class Meta(AssessmentScorecardListOutputSerializer.Meta):
        fields = [
            *AssessmentScorecardListOutputSerializer.Meta.fields,
            "grade_reason",
            "self_comment",
            "supervisor_comment",
            "cycle_status",
            "period_start",
            "period_end",
            "lines",
            "rank",
            "appeal",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_grade_reason(self, card: Scorecard) -> str | None:
        return self._result(card, "grade_reason")  # type: ignore[no-any-return]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_supervisor_comment(self, card: Scorecard) -> str | None:
        return self._result(card, "supervisor_comment")  # type: ignore[no-any-return]

    @extend_schema_field(AssessmentScorecardLineOutputSerializer(many=True))
    def get_lines(self, card: Scorecard) -> list[dict[str, Any]]:
        return list(AssessmentScorecardLineOutputSerializer(self.context.get("lines", []), many=True).data)

    @extend_schema_field(AssessmentRankOutputSerializer(allow_null=True))
    def get_rank(self, card: Scorecard) -> dict[str, Any] | None:
        """The person's rank in his team and the cycle, with the result (for the person, once published)."""
        rank = self.context.get("rank")
        return dict(AssessmentRankOutputSerializer(rank).data) if rank is not None else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_appeal(self, card: Scorecard) -> int | None:
        """The id of the appeal against the scorecard, if one was filed."""
        appeal: Appeal | None = getattr(card, "appeal", None)
        return appeal.pk if appeal is not None else None


class AssessmentEvidenceOutputSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text=f"{EVIDENCE_KINDS}.")
    object_id = serializers.IntegerField()
    # A field named like Serializer.label: DRF's metaclass collects it as a field all the same.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="What the row is (a case number, a review's number)."
    )
    at = serializers.DateTimeField(allow_null=True, help_text="The instant that put the row in the period.")
    counted = serializers.BooleanField(help_text="In the measure; a row left out gives its `reason`.")
    reason = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)
    is_hit = serializers.BooleanField(
        help_text="In the value's numerator (a met target, an upheld complaint)."
    )
    in_sample = serializers.BooleanField()
    link = serializers.URLField(
        allow_null=True, help_text="The object's page on the desk; null when the reader may not see it."
    )


class AssessmentSelfAssessmentInputSerializer(AssessmentLockInputSerializer):
    ratings = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2),
        help_text="Points from 0 to 100 for every self-assessment item, by its code.",
    )
    comments = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        default=dict,
        help_text="A comment per item, by its code.",
    )
    comment = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


class AssessmentScoreInputSerializer(AssessmentSelfAssessmentInputSerializer):
    ratings = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2),
        help_text="Points from 0 to 100 for every item rated by the supervisor, by its code.",
    )
    awards = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        required=False,
        default=dict,
        help_text="How often each bonus or deduction item awarded by hand occurred, by its code.",
    )


class AssessmentCalibrateInputSerializer(AssessmentReasonInputSerializer):
    grade = serializers.CharField(max_length=30, help_text="The code of a grade of the scheme version.")


# Appeals ------------------------------------------------------------------------------------------------


class AssessmentAppealOutputSerializer(serializers.ModelSerializer[Appeal]):
    status = AppealStatusField(read_only=True)
    cycle = serializers.IntegerField(source="scorecard.cycle_id", read_only=True)
    person = serializers.IntegerField(source="scorecard.person_id", read_only=True)
    person_name = serializers.CharField(source="scorecard.person", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "scorecard",
            "cycle",
            "person",
            "person_name",
            "reason",
            "filed_at",
            "status",
            "previous_grade",
            "new_grade",
            "decision",
            "decided_by",
            "decided_at",
            "lock_version",
        ]
        read_only_fields = fields


class AssessmentAppealDecideInputSerializer(AssessmentLockInputSerializer):
    status = AppealDecisionField()
    decision = serializers.CharField(max_length=10000, allow_blank=True, trim_whitespace=False)
    new_grade = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        help_text="For `upheld` and `partly`: the grade after the decision.",
    )


# The ledger ---------------------------------------------------------------------------------------------


class AssessmentLedgerEntryOutputSerializer(serializers.ModelSerializer[LedgerEntry]):
    kind = LedgerKindField(read_only=True)
    person_name = serializers.CharField(source="person", read_only=True)
    team = serializers.IntegerField(source="scorecard.team_id", read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "person",
            "person_name",
            "team",
            "cycle",
            "scorecard",
            "kind",
            "grade",
            "coefficient",
            "points",
            "title",
            "note",
            "created_at",
        ]
        read_only_fields = fields
