"""Input and output serializers of the corrective actions API. They check shape only; the services decide."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.accounts.models import Team, User
from charter.accounts.selectors import staff_list
from charter.cases.models import RootCause
from charter.catalog.models import Service
from charter.improvement.models import (
    ActionEvent,
    ActionItem,
    ActionKind,
    ActionStatus,
    CorrectiveAction,
    EffectivenessCheck,
    SourceKind,
)
from charter.improvement.selectors import Measure


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


# Choice fields appear in the schema as strings listing their values, so that names shared with other apps
# (kind, status) do not collide as enum components.
@extend_schema_field({"type": "string", "description": f"One of {_values(ActionKind.choices)}."})
class ActionKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ActionKind.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(SourceKind.choices)}."})
class SourceKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=SourceKind.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(ActionStatus.choices)}."})
class ActionStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ActionStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"Blank or one of {_values(RootCause.choices)}."})
class RootCauseField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RootCause.choices, **kwargs)


@extend_schema_field({"type": "string", "description": "`effective` or `ineffective` (blank: not checked)."})
class VerdictField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "description": "`effective` or `ineffective`."})
class VerdictInputField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("effective", "effective"), ("ineffective", "ineffective")], **kwargs)


# Output -------------------------------------------------------------------------------------------------


class CorrectiveActionListOutputSerializer(serializers.ModelSerializer[CorrectiveAction]):
    kind = ActionKindField(read_only=True)
    source_kind = SourceKindField(read_only=True)
    root_cause = RootCauseField(read_only=True)
    status = ActionStatusField(read_only=True)
    verdict = VerdictField(read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "number",
            "kind",
            "title",
            "source_kind",
            "root_cause",
            "service",
            "owner",
            "team",
            "status",
            "verdict",
            "opened_at",
            "check_due_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class ActionItemOutputSerializer(serializers.ModelSerializer[ActionItem]):
    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner", "due_on", "done_at", "done_by", "done_note", "escalated_at"]
        read_only_fields = fields


class EffectivenessCheckOutputSerializer(serializers.ModelSerializer[EffectivenessCheck]):
    verdict = VerdictField(read_only=True)
    change = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = EffectivenessCheck
        fields = [
            "id",
            "verdict",
            "note",
            "checked_by",
            "checked_at",
            "window_days",
            "complaints_before",
            "complaints_after",
            "rate_before",
            "rate_after",
            "change",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "string", "description": f"One of {_values(ActionEvent.Kind.choices)}."})
class EventKindField(serializers.CharField):
    pass


class ActionEventOutputSerializer(serializers.ModelSerializer[ActionEvent]):
    kind = EventKindField(read_only=True)
    from_status = ActionStatusField(read_only=True)
    to_status = ActionStatusField(read_only=True)

    class Meta:
        model = ActionEvent
        fields = ["kind", "actor", "from_status", "to_status", "note", "data", "occurred_at"]
        read_only_fields = fields


class MeasureOutputSerializer(serializers.Serializer[Any]):
    window_days = serializers.IntegerField()
    before_since = serializers.DateTimeField()
    before_until = serializers.DateTimeField()
    before_count = serializers.IntegerField()
    rate_before = serializers.DecimalField(max_digits=10, decimal_places=1)
    after_since = serializers.DateTimeField(allow_null=True)
    after_until = serializers.DateTimeField(allow_null=True)
    after_count = serializers.IntegerField(allow_null=True)
    rate_after = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    change = serializers.DecimalField(
        max_digits=10, decimal_places=1, allow_null=True, help_text="Percent; negative: fewer complaints."
    )
    is_complete = serializers.BooleanField()


class CorrectiveActionDetailOutputSerializer(CorrectiveActionListOutputSerializer):
    cases: Any = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    items = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    measure = serializers.SerializerMethodField()

    class Meta(CorrectiveActionListOutputSerializer.Meta):
        fields = [
            *CorrectiveActionListOutputSerializer.Meta.fields,
            "violation",
            "source_reference",
            "problem",
            "correction",
            "cause_analysis",
            "opened_by",
            "check_after_days",
            "items_done_at",
            "closed_by",
            "cases",
            "items",
            "checks",
            "timeline",
            "measure",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionItemOutputSerializer(many=True))
    def get_items(self, action: CorrectiveAction) -> list[dict[str, Any]]:
        return list(ActionItemOutputSerializer(self.context.get("items", []), many=True).data)

    @extend_schema_field(EffectivenessCheckOutputSerializer(many=True))
    def get_checks(self, action: CorrectiveAction) -> list[dict[str, Any]]:
        return list(EffectivenessCheckOutputSerializer(self.context.get("checks", []), many=True).data)

    @extend_schema_field(ActionEventOutputSerializer(many=True))
    def get_timeline(self, action: CorrectiveAction) -> list[dict[str, Any]]:
        return list(ActionEventOutputSerializer(self.context.get("timeline", []), many=True).data)

    @extend_schema_field(MeasureOutputSerializer(allow_null=True))
    def get_measure(self, action: CorrectiveAction) -> dict[str, Any] | None:
        measure: Measure | None = self.context.get("measure")
        return dict(MeasureOutputSerializer(measure).data) if measure is not None else None


# Input --------------------------------------------------------------------------------------------------


def _staff_users() -> QuerySet[User]:
    """The people an action or item may be given to: the active members of staff (`staff_list`), as the
    desk's forms offer them."""
    return staff_list()


class CorrectiveActionCreateInputSerializer(serializers.Serializer[Any]):
    kind = ActionKindField(default=ActionKind.CORRECTIVE)
    title = serializers.CharField(max_length=200)
    source_kind = SourceKindField()
    root_cause = RootCauseField(required=False, allow_blank=True, default="")
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=500,
        help_text="Ids of the linked cases (for a complaint cluster: complaints of its root cause).",
    )
    violation = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the violation that revealed the problem (source kind `violation`).",
    )
    source_reference = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    problem = serializers.CharField(max_length=10000)
    correction = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    cause_analysis = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(queryset=_staff_users())
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    check_after_days = serializers.IntegerField(min_value=1, max_value=730, default=90)


class CorrectiveActionUpdateInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )
    kind = ActionKindField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    problem = serializers.CharField(max_length=10000, required=False)
    correction = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    cause_analysis = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_staff_users(), required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    source_reference = serializers.CharField(max_length=300, required=False, allow_blank=True)
    check_after_days = serializers.IntegerField(min_value=1, max_value=730, required=False)


class ActionTransitionInputSerializer(serializers.Serializer[Any]):
    to = ActionStatusField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )


class ActionItemInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=5000)
    owner = serializers.PrimaryKeyRelatedField(queryset=_staff_users())
    due_on = serializers.DateField()


class ActionItemCompleteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class EffectivenessCheckInputSerializer(serializers.Serializer[Any]):
    verdict = VerdictInputField()
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text="Required when ineffective."
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )
