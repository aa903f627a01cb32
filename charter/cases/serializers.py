"""Input and output serializers of the cases API. They check shape only; the services decide."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.accounts.models import Customer, Team, User
from charter.cases.conf import cases_setting
from charter.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseChannel,
    CaseClock,
    CaseEvent,
    CaseMessage,
    CaseOutcome,
    CaseStatus,
    RootCause,
)
from charter.catalog.models import Service
from charter.common.api import IdOrSlugRelatedField
from charter.common.vocabulary import CaseKind, Priority

# Keys of an event's data a customer may read; everything else (reasons of internal steps, ids) is staff's.
PUBLIC_EVENT_KEYS = frozenset({"number", "from", "to", "outcome", "reasons", "remedy_amount", "into", "name"})


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


# Choice fields appear in the schema as strings listing their values: the same names (kind, status,
# metric, channel) carry other choice sets in other apps, and shared enum components would collide.
@extend_schema_field({"type": "string", "description": f"One of {_values(CaseKind.choices)}."})
class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseKind.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseChannel.choices)}."})
class ChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseChannel.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseStatus.choices)}."})
class StatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(Priority.choices)}."})
class PriorityField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Priority.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseOutcome.choices)}."})
class OutcomeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseOutcome.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"Blank, or one of {_values(RootCause.choices)}."})
class RootCauseField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RootCause.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseEvent.Kind.choices)}."})
class EventKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseEvent.Kind.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseClock.Metric.choices)}."})
class MetricField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseClock.Metric.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseClock.Status.choices)}."})
class ClockStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseClock.Status.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseMessage.AuthorKind.choices)}."})
class AuthorKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseMessage.AuthorKind.choices, **kwargs)


class PersonOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"id": instance.pk, "name": str(instance)}


class CategoryOutputSerializer(serializers.Serializer[Any]):
    """A case category: its id, its code (what `category` accepts besides the id) and its name."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"id": instance.pk, "code": instance.code, "name": str(instance)}


class CaseListOutputSerializer(serializers.ModelSerializer[Case]):
    """A case in a list. Give `context={"is_staff": …}`: without it the reader is taken to be a customer,
    who is not told which member of staff handles his case (the tracking page says "our staff" too)."""

    STAFF_ONLY: tuple[str, ...] = ("assignee",)

    kind = KindField(read_only=True)
    channel = ChannelField(read_only=True)
    status = StatusField(read_only=True)
    priority = PriorityField(read_only=True)
    team = PersonOutputSerializer(allow_null=True, read_only=True)
    assignee = PersonOutputSerializer(allow_null=True, read_only=True)
    category = CategoryOutputSerializer(allow_null=True, read_only=True)
    service: "serializers.SlugRelatedField[Service]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The service's slug."
    )
    service_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The service's id (`/api/v1/services/` shows both)."
    )
    customer: "serializers.PrimaryKeyRelatedField[Customer]" = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "channel",
            "status",
            "priority",
            "title",
            "customer",
            "service",
            "service_id",
            "category",
            "team",
            "assignee",
            "received_at",
            "next_deadline_at",
            "escalation_level",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if not self.context.get("is_staff"):
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        return data


class ClockOutputSerializer(serializers.ModelSerializer[CaseClock]):
    metric = MetricField(read_only=True)
    status = ClockStatusField(read_only=True)

    class Meta:
        model = CaseClock
        fields = [
            "metric",
            "status",
            "target_amount",
            "target_unit",
            "target_basis",
            "started_at",
            "due_at",
            "warn_at",
            "paused_at",
            "paused_seconds",
            "met_at",
            "breached_at",
            "stopped_at",
        ]
        read_only_fields = fields


class AttachmentOutputSerializer(serializers.ModelSerializer[CaseAttachment]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = [
            "id",
            "message",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "is_download_only",
            "is_internal",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: CaseAttachment) -> str:
        return reverse("case-attachment-download", args=[attachment.case_id, attachment.pk])


class MessageOutputSerializer(serializers.ModelSerializer[CaseMessage]):
    author_kind = AuthorKindField(read_only=True)
    author = serializers.SerializerMethodField()
    attachments = AttachmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = CaseMessage
        fields = ["id", "author_kind", "author", "body", "is_internal", "created_at", "attachments"]
        read_only_fields = fields

    def get_author(self, message: CaseMessage) -> str:
        """The author's display name for staff readers (`context={"is_staff": True}`); otherwise, and for
        the customer's own messages, the kind of author ("staff", "customer")."""
        if (
            self.context.get("is_staff")
            and message.author_kind == CaseMessage.AuthorKind.STAFF
            and message.author is not None
        ):
            return str(message.author)
        return str(message.author_kind)


class EventOutputSerializer(serializers.ModelSerializer[CaseEvent]):
    kind = EventKindField(read_only=True)
    actor = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "occurred_at", "actor", "message", "is_internal", "details"]
        read_only_fields = fields

    def get_actor(self, event: CaseEvent) -> str | None:
        """Who did it, for staff readers; customers are not told staff names (None)."""
        return str(event.actor) if event.actor is not None and self.context.get("is_staff") else None

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_details(self, event: CaseEvent) -> dict[str, Any]:
        """The event's data: all of it for staff, the public keys for customers."""
        if self.context.get("is_staff"):
            return dict(event.data)
        return {key: value for key, value in event.data.items() if key in PUBLIC_EVENT_KEYS}


class LinkedCaseOutputSerializer(serializers.ModelSerializer[Case]):
    status = StatusField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "status", "title"]
        read_only_fields = fields


class CustomerContactOutputSerializer(serializers.Serializer[Any]):
    """The customer's name, phone and e-mail: unmasked for the handler of an open case of the customer (the
    view is audited), masked for other staff (`is_masked`)."""

    id = serializers.IntegerField(source="customer_id")
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    is_masked = serializers.BooleanField()


class CaseDetailOutputSerializer(CaseListOutputSerializer):
    """A case with its clocks and timeline. For customers, staff-only fields are left out and the timeline
    holds only public events. Staff get `customer_contact`: the customer's name, phone and e-mail, unmasked
    for the handler of an open case of the customer (each such answer is audited), masked for other staff."""

    STAFF_ONLY = (
        "assignee",
        "customer_contact",
        "named_staff",
        "tags",
        "root_cause",
        "escalation_level",
        "links",
        "first_handler",
    )

    named_staff = PersonOutputSerializer(many=True, read_only=True, required=False)
    first_handler = PersonOutputSerializer(allow_null=True, read_only=True, required=False)
    remedy_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, read_only=True)
    outcome = OutcomeField(read_only=True)
    root_cause = RootCauseField(read_only=True)
    merged_into: "serializers.SlugRelatedField[Case]" = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    clocks = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    customer_contact = serializers.SerializerMethodField()

    class Meta(CaseListOutputSerializer.Meta):
        fields = [
            *CaseListOutputSerializer.Meta.fields,
            "description",
            "remedy_sought",
            "tags",
            "named_staff",
            "outcome",
            "resolution_reasons",
            "root_cause",
            "remedy_amount",
            "acknowledged_at",
            "first_responded_at",
            "resolved_at",
            "first_handler",
            "closed_at",
            "reopen_until",
            "appeal_until",
            "accepted_at",
            "appealed_at",
            "appeal_reason",
            "merged_into",
            "clocks",
            "timeline",
            "links",
            "customer_contact",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockOutputSerializer(many=True))
    def get_clocks(self, case: Case) -> list[dict[str, Any]]:
        return list(ClockOutputSerializer(self.context.get("clocks", []), many=True).data)

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, case: Case) -> list[dict[str, Any]]:
        return list(
            EventOutputSerializer(self.context.get("timeline", []), many=True, context=self.context).data
        )

    @extend_schema_field(LinkedCaseOutputSerializer(many=True))
    def get_links(self, case: Case) -> list[dict[str, Any]]:
        return list(LinkedCaseOutputSerializer(self.context.get("links", []), many=True).data)

    @extend_schema_field(CustomerContactOutputSerializer(allow_null=True))
    def get_customer_contact(self, case: Case) -> dict[str, Any] | None:
        contact = self.context.get("customer_contact")
        return dict(CustomerContactOutputSerializer(contact).data) if contact is not None else None


# Input --------------------------------------------------------------------------------------------------


def _text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length or int(cases_setting("CHARTER_CASES_TEXT_MAX_LENGTH")),
        trim_whitespace=True,
        **kwargs,
    )


class ConsentInputSerializer(serializers.Serializer[Any]):
    """The shape of a case's `consent` object (documented here; the API checks it itself)."""

    version = serializers.CharField(help_text="The version of the personal-data notice in force.")
    purposes = serializers.ListField(
        child=serializers.CharField(),
        help_text="The purposes the customer agreed to; must include case_handling. Surveys not listed "
        "are recorded as refused (they are asked for, never assumed); another purpose only when listed.",
    )
    how_informed = serializers.CharField(
        required=False,
        help_text="Staff callers: how the customer was told of the notice (required for them).",
    )


@extend_schema_field(ConsentInputSerializer)
class ConsentField(serializers.JSONField):
    """The customer's consent as an object (see ConsentInputSerializer); checked by the view."""


class CaseCreateInputSerializer(serializers.Serializer[Any]):
    kind = KindField()
    channel = ChannelField(required=False)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, help_text="Staff only; a customer raises his own."
    )
    title = _text(200)
    description = _text()
    service = IdOrSlugRelatedField(
        queryset=Service.objects.filter(is_active=True),
        required=False,
        help_text="The service, by id or slug (both are in `/api/v1/services/`).",
    )
    category = IdOrSlugRelatedField(
        slug_field="code",
        queryset=CaseCategory.objects.filter(is_active=True),
        required=False,
        help_text="The case category, by id or code.",
    )
    priority = PriorityField(default=Priority.NORMAL)
    remedy_sought = _text(required=False, allow_blank=True, default="")
    named_staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    consent = ConsentField(
        required=False,
        help_text="The customer's consent with its evidence: {version, purposes, how_informed}. Anything "
        "else (a bare string, an old version, an unknown purpose, staff without how_informed) answers 400 "
        "case_consent_invalid.",
    )
    consent_version = serializers.JSONField(
        required=False,
        help_text="Deprecated: a customer's own case may still send the current notice version as a string "
        "(consent to case_handling only); any other value answers 400 case_consent_invalid. Use `consent`.",
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)
    received_at = serializers.DateTimeField(
        required=False, help_text="Staff logging a call or visit after the fact: when it happened."
    )


class CaseUpdateInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )
    title = _text(200, required=False)
    description = _text(required=False)
    priority = PriorityField(required=False)
    kind = KindField(required=False)
    channel = ChannelField(required=False)
    service = IdOrSlugRelatedField(
        queryset=Service.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The service, by id or slug; null for none.",
    )
    category = IdOrSlugRelatedField(
        slug_field="code",
        queryset=CaseCategory.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The case category, by id or code; null for none.",
    )
    remedy_sought = _text(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)
    named_staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )


class MessageInputSerializer(serializers.Serializer[Any]):
    body = _text()
    is_internal = serializers.BooleanField(default=False, help_text="An internal note (staff only).")
    version = serializers.IntegerField(min_value=1, required=False)


class TransitionInputSerializer(serializers.Serializer[Any]):
    to = StatusField()
    reason = _text(2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )


class AssignInputSerializer(serializers.Serializer[Any]):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    reason = _text(2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )


class ResolveInputSerializer(serializers.Serializer[Any]):
    outcome = OutcomeField()
    reasons = _text()
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices, required=False, allow_blank=True, default=""
    )
    remedy_amount = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True, help_text='CNY, e.g. "120.00".'
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )


class CaseReferenceInputSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1, help_text="The id of the other case.")


class AppealInputSerializer(serializers.Serializer[Any]):
    reason = _text()


class ArrivalInputSerializer(serializers.Serializer[Any]):
    arrived_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When staff arrived (default now); not before receipt."
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one answers 409, none 428.",
    )


class TrackingLinkInputSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(
        choices=[("rotate", "rotate"), ("revoke", "revoke")],
        help_text="rotate: issue a new link (sent to the customer; the old one stops working); "
        "revoke: no link opens the case until the next rotation.",
    )


class TrackingLinkOutputSerializer(serializers.Serializer[Any]):
    tracking_url = serializers.URLField(
        allow_null=True, help_text="The new private link (after a rotation only; it is not stored in clear)."
    )
    issued_at = serializers.DateTimeField(allow_null=True)


class AttachmentInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=False, max_length=255)
    message = serializers.IntegerField(min_value=1, required=False)
    is_internal = serializers.BooleanField(default=False)
