"""Input and output shapes of the quality API (QA reviews and scorecards)."""

from typing import Any

from rest_framework import serializers

from charter.cases.serializers import PersonOutputSerializer
from charter.quality.models import Criterion, Review, ReviewScore, Scale, Scorecard, ScorecardVersion, Section


class QaClauseOutputSerializer(serializers.Serializer[Any]):
    document = serializers.CharField()
    version = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "document": instance.version.document.code,
            "version": instance.version.number,
            "number": instance.number,
            "title": str(instance),
        }


class CriterionOutputSerializer(serializers.ModelSerializer[Criterion]):
    clause = QaClauseOutputSerializer()

    class Meta:
        model = Criterion
        fields = [
            "id",
            "section",
            "ordering",
            "title_zh",
            "title_en",
            "guidance",
            "clause",
            "weight",
            "scale",
            "is_auto_fail",
            "is_compliance",
            "allows_not_applicable",
        ]
        read_only_fields = fields


class ScorecardVersionOutputSerializer(serializers.ModelSerializer[ScorecardVersion]):
    criteria = CriterionOutputSerializer(many=True)
    status = serializers.CharField(help_text="draft, published or superseded")

    class Meta:
        model = ScorecardVersion
        fields = ["id", "number", "status", "published_at", "criteria"]
        read_only_fields = fields


class ScorecardOutputSerializer(serializers.ModelSerializer[Scorecard]):
    versions = ScorecardVersionOutputSerializer(many=True)

    class Meta:
        model = Scorecard
        fields = ["id", "code", "name_zh", "name_en", "versions"]
        read_only_fields = fields


class ScorecardInputSerializer(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=50)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class CriterionInputSerializer(serializers.Serializer[Any]):
    section = serializers.ChoiceField(choices=Section.choices)
    ordering = serializers.IntegerField(min_value=0, default=0)
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    guidance = serializers.CharField(required=False, default="", allow_blank=True)
    clause = serializers.IntegerField(help_text="The id of a clause of a published code of conduct.")
    weight = serializers.IntegerField(min_value=0, max_value=100, default=0)
    scale = serializers.ChoiceField(choices=Scale.choices, default=Scale.YES_NO)
    is_auto_fail = serializers.BooleanField(default=False)
    is_compliance = serializers.BooleanField(default=False)
    allows_not_applicable = serializers.BooleanField(default=False)


class ReviewScoreOutputSerializer(serializers.ModelSerializer[ReviewScore]):
    class Meta:
        model = ReviewScore
        fields = ["criterion", "value", "comment", "message"]
        read_only_fields = fields


class ReviewListOutputSerializer(serializers.ModelSerializer[Review]):
    case = serializers.CharField(source="case.number")
    agent = PersonOutputSerializer()
    reviewer = PersonOutputSerializer()
    scorecard = serializers.CharField(source="scorecard_version.scorecard.code")
    scorecard_version = serializers.IntegerField(source="scorecard_version.number")
    status = serializers.CharField(help_text="assigned, submitted, acknowledged, disputed or decided")

    class Meta:
        model = Review
        fields = [
            "id",
            "case",
            "agent",
            "team",
            "reviewer",
            "scorecard",
            "scorecard_version",
            "reason",
            "status",
            "overall_score",
            "compliance_score",
            "is_auto_failed",
            "sampled_at",
            "submitted_at",
            "version",
        ]
        read_only_fields = fields


class ReviewDetailOutputSerializer(ReviewListOutputSerializer):
    scores = ReviewScoreOutputSerializer(many=True)
    dispute_handler = PersonOutputSerializer(allow_null=True)

    class Meta(ReviewListOutputSerializer.Meta):
        fields = [
            *ReviewListOutputSerializer.Meta.fields,
            "summary",
            "scores",
            "acknowledged_at",
            "disputed_at",
            "dispute_reason",
            "dispute_handler",
            "decision",
            "decision_reason",
            "decided_at",
            "score_before_dispute",
        ]
        read_only_fields = fields


class ReviewCreateInputSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(help_text="The id of the case to review.")
    agent = serializers.IntegerField(
        required=False, help_text="Default: who resolved the case, else its assignee."
    )
    reviewer = serializers.IntegerField(
        required=False, help_text="Default: the fairest reviewer of the team."
    )


class ScoreInputSerializer(serializers.Serializer[Any]):
    criterion = serializers.IntegerField()
    value = serializers.IntegerField(allow_null=True, help_text="null: not applicable.")
    comment = serializers.CharField(required=False, default="", allow_blank=True)
    message = serializers.IntegerField(required=False, allow_null=True, default=None)


class ReviewScoresInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The review's version as read; a stale one answers 409.")
    scores = ScoreInputSerializer(many=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    submit = serializers.BooleanField(default=False)


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class DecisionInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    reason = serializers.CharField()
    scores = ScoreInputSerializer(many=True, required=False, default=list)
