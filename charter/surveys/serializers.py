"""Input and output serializers of the surveys API. They check shape only; selectors read and services decide.

Nothing here carries an invitation's link (its token or the token's hash) or the customer it was sent to:
the link answers the survey as the customer, and results are read by staff without naming customers.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.common.versioning import VersionStatus
from charter.common.vocabulary import CaseKind
from charter.surveys.analysis import Group, Scores, TrendPoint
from charter.surveys.metrics import Metric
from charter.surveys.models import (
    Answer,
    Invitation,
    Question,
    RecoveryTask,
    Response,
    ReviewAppeal,
    ReviewStatus,
    RevisitResult,
    Survey,
    SurveyVersion,
    Verification,
)


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


class _ChoiceField(serializers.ChoiceField):
    """A choice field whose choices its class names (`values_of`)."""

    values_of: Any = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.values_of, **kwargs)


# Choice fields appear in the schema as strings listing their values, so that names shared with other apps
# (status, kind, type) do not collide as enum components.
def _choice_field(choices: Any, *, blank: bool = False) -> type[_ChoiceField]:
    prefix = "Blank or one of" if blank else "One of"

    @extend_schema_field({"type": "string", "description": f"{prefix} {_values(choices)}."})
    class Field(_ChoiceField):
        values_of = choices

    return Field


QuestionTypeField = _choice_field(Question.Type.choices)
VersionStatusField = _choice_field(VersionStatus.choices)
InvitationStatusField = _choice_field(Invitation.Status.choices)
RecoveryStatusField = _choice_field(RecoveryTask.Status.choices)
ReviewStatusField = _choice_field(ReviewStatus.choices)
VerificationField = _choice_field(Verification.choices, blank=True)
RevisitResultField = _choice_field(RevisitResult.choices, blank=True)
CaseKindField = _choice_field(CaseKind.choices, blank=True)
AppealStatusField = _choice_field(ReviewAppeal.Status.choices)


# Questionnaires ------------------------------------------------------------------------------------------


class QuestionOutputSerializer(serializers.ModelSerializer[Question]):
    type = QuestionTypeField(read_only=True)
    choices = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text='For one and several choices: [{"value", "zh", "en"}].',
    )

    class Meta:
        model = Question
        fields = ["id", "ordering", "type", "text_zh", "text_en", "choices", "is_required"]
        read_only_fields = fields


class SurveyVersionOutputSerializer(serializers.ModelSerializer[SurveyVersion]):
    status = VersionStatusField(read_only=True)
    questions = QuestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyVersion
        fields = ["id", "number", "status", "published_at", "intro_zh", "intro_en", "questions"]
        read_only_fields = fields


class SurveyOutputSerializer(serializers.ModelSerializer[Survey]):
    versions = SurveyVersionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "code", "name_zh", "name_en", "is_active", "versions"]
        read_only_fields = fields


# Invitations ---------------------------------------------------------------------------------------------


class InvitationOutputSerializer(serializers.ModelSerializer[Invitation]):
    status = InvitationStatusField(read_only=True)
    survey = serializers.CharField(
        source="version.survey.code", read_only=True, help_text="The survey's code."
    )
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    case_number = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "survey",
            "version",
            "version_number",
            "case",
            "case_number",
            "campaign",
            "status",
            "skip_reason",
            "send_at",
            "sent_at",
            "remind_at",
            "reminded_at",
            "expires_at",
            "answered_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_case_number(self, invitation: Invitation) -> str | None:
        return invitation.case.number if invitation.case is not None else None


# Responses -----------------------------------------------------------------------------------------------


class AnswerOutputSerializer(serializers.ModelSerializer[Answer]):
    type = QuestionTypeField(source="question.type", read_only=True)
    choices = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Answer
        fields = ["question", "type", "score", "choices", "text"]
        read_only_fields = fields


class ResponseOutputSerializer(serializers.ModelSerializer[Response]):
    survey = serializers.CharField(
        source="version.survey.code", read_only=True, help_text="The survey's code."
    )
    kind = CaseKindField(read_only=True)
    agents = serializers.SerializerMethodField(help_text="The ids of the staff it is attributed to.")
    is_excluded = serializers.BooleanField(
        read_only=True,
        help_text="True when it counts in no staff indicator (好差评 ruling or upheld appeal).",
    )
    answers = AnswerOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "invitation",
            "survey",
            "version",
            "case",
            "service",
            "team",
            "handler",
            "agents",
            "channel",
            "kind",
            "csat",
            "nps",
            "ces",
            "comment",
            "submitted_at",
            "is_excluded",
            "assessment_exclusion",
            "answers",
        ]
        read_only_fields = fields

    def get_agents(self, response: Response) -> list[int]:
        return [agent.pk for agent in response.agents.all()]


# Results -------------------------------------------------------------------------------------------------


class MetricOutputSerializer(serializers.Serializer[Metric]):
    value = serializers.SerializerMethodField(method_name="value_of", help_text="Null without an answer.")
    n = serializers.IntegerField(help_text="The number of answers it is computed from.")
    low = serializers.FloatField(allow_null=True, help_text="The 95% interval's low end.")
    high = serializers.FloatField(allow_null=True, help_text="The 95% interval's high end.")
    is_small_sample = serializers.BooleanField(help_text="Fewer than 30 answers: it may move a lot.")

    def value_of(self, metric: Metric) -> float | None:
        return None if metric.value is None else round(float(metric.value), 4)


class ScoresOutputSerializer(serializers.Serializer[Scores]):
    responses = serializers.IntegerField()
    csat = MetricOutputSerializer(help_text="The share (0 to 1) of the 1-5 answers that are 4 or 5.")
    nps = MetricOutputSerializer(help_text="% of 9-10 minus % of 0-6 answers, from -100 to 100.")
    ces = MetricOutputSerializer(help_text="The mean of the 1-7 answers (7: very easy).")


class TrendPointOutputSerializer(serializers.Serializer[TrendPoint]):
    start = serializers.DateField(help_text="The first day of the week (Monday) or month.")
    label = serializers.CharField()  # type: ignore[assignment]
    scores = ScoresOutputSerializer()


class GroupOutputSerializer(serializers.Serializer[Group]):
    key = serializers.CharField(allow_null=True, help_text="The id or code grouped by (null: not recorded).")
    label = serializers.CharField()  # type: ignore[assignment]
    scores = ScoresOutputSerializer()


class BreakdownsOutputSerializer(serializers.Serializer[dict[str, list[Group]]]):
    service = GroupOutputSerializer(many=True)
    team = GroupOutputSerializer(many=True)
    agent = GroupOutputSerializer(many=True)
    channel = GroupOutputSerializer(many=True)
    kind = GroupOutputSerializer(many=True)


class ResultsOutputSerializer(serializers.Serializer[Any]):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    scores = ScoresOutputSerializer()
    response_rate = MetricOutputSerializer(help_text="The share of the invitations sent that were answered.")
    trend = TrendPointOutputSerializer(many=True, help_text="By `period` (week or month).")
    breakdowns = BreakdownsOutputSerializer()


# Recovery tasks ------------------------------------------------------------------------------------------


class RecoveryTaskListOutputSerializer(serializers.ModelSerializer[RecoveryTask]):
    status = RecoveryStatusField(read_only=True)
    review_status = ReviewStatusField(read_only=True)
    case = serializers.IntegerField(source="response.case_id", read_only=True, allow_null=True)
    case_number = serializers.SerializerMethodField()

    class Meta:
        model = RecoveryTask
        fields = [
            "id",
            "response",
            "case",
            "case_number",
            "team",
            "owner",
            "reason",
            "status",
            "due_at",
            "contacted_at",
            "closed_at",
            "review_status",
            "rectify_due_at",
            "version",
        ]
        read_only_fields = fields

    def get_case_number(self, task: RecoveryTask) -> str | None:
        case = task.response.case
        return case.number if case is not None else None


class ReviewAppealOutputSerializer(serializers.ModelSerializer[ReviewAppeal]):
    status = AppealStatusField(read_only=True)

    class Meta:
        model = ReviewAppeal
        fields = [
            "id",
            "appellant",
            "reason",
            "status",
            "decided_by",
            "decision_reason",
            "decided_at",
            "version",
        ]
        read_only_fields = fields


class RecoveryTaskDetailOutputSerializer(RecoveryTaskListOutputSerializer):
    verification = VerificationField(read_only=True)
    revisit_result = RevisitResultField(read_only=True)
    answers = AnswerOutputSerializer(source="response.answers", many=True, read_only=True)
    allowed_statuses = serializers.SerializerMethodField(
        help_text="The statuses `updates` may record now (empty for those who may not work on it)."
    )
    review_steps = serializers.SerializerMethodField(
        help_text="The 好差评 steps the caller may take now: `verify`, `rectify`, `revisit`, `decide` (the "
        "appeal)."
    )
    appeal = serializers.SerializerMethodField(
        help_text="The appeal against the bad review, if one was filed."
    )

    class Meta(RecoveryTaskListOutputSerializer.Meta):
        fields = [
            *RecoveryTaskListOutputSerializer.Meta.fields,
            "outcome",
            "new_score",
            "verification",
            "verification_note",
            "verified_by",
            "verified_at",
            "rectification_note",
            "rectified_at",
            "revisit_result",
            "revisit_note",
            "revisited_at",
            "answers",
            "allowed_statuses",
            "review_steps",
            "appeal",
        ]
        read_only_fields = fields

    def get_allowed_statuses(self, task: RecoveryTask) -> list[str]:
        return list(self.context.get("allowed_statuses", []))

    def get_review_steps(self, task: RecoveryTask) -> list[str]:
        return list(self.context.get("review_steps", []))

    @extend_schema_field(ReviewAppealOutputSerializer(allow_null=True))
    def get_appeal(self, task: RecoveryTask) -> dict[str, Any] | None:
        appeal = self.context.get("appeal")
        return None if appeal is None else dict(ReviewAppealOutputSerializer(appeal).data)


class RecoveryUpdateInputSerializer(serializers.Serializer[Any]):
    status = RecoveryStatusField()
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    new_score = serializers.IntegerField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, min_value=1)


class ReviewVerifyInputSerializer(serializers.Serializer[Any]):
    outcome = _choice_field(Verification.choices)()
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class ReviewRectifyInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField()
    version = serializers.IntegerField(required=False, min_value=1)


class AppealDecideInputSerializer(serializers.Serializer[Any]):
    decision = _choice_field(
        [(ReviewAppeal.Status.UPHELD, "upheld"), (ReviewAppeal.Status.REJECTED, "rejected")]
    )()
    reason = serializers.CharField()
    version = serializers.IntegerField(required=False, min_value=1, help_text="The appeal's version.")


class ReviewRevisitInputSerializer(serializers.Serializer[Any]):
    result = _choice_field(RevisitResult.choices)()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)
