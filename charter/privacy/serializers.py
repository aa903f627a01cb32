"""Input and output serializers of the data-request API. They check shape only; the services decide.

Choice fields are plain strings listing their values, so that names shared with other apps (kind, status,
channel) never collide as enum components of the schema.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.privacy.models import DataSubjectRequest

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
Channel = DataSubjectRequest.Channel


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


@extend_schema_field({"type": "string", "description": f"One of {_values(Kind.choices)}."})
class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Kind.choices, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "description": f"One of {_values(Channel.choices)}; staff record anything but `portal`.",
    }
)
class ChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Channel.choices, **kwargs)


class DataRequestCreateInputSerializer(serializers.Serializer[Any]):
    """A request. A customer's token makes his own (`customer`, `channel` and `identity_verification` are
    ignored); privacy staff name the customer, the channel and how they verified his identity."""

    kind = KindField()
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)
    channel = ChannelField(required=False, default=Channel.PHONE)
    identity_verification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )


class DataRequestCompleteInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class DataRequestRefuseInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=5000)


class DataRequestOutputSerializer(serializers.Serializer[Any]):
    """A data request; `export_url` is the download of an access request's ZIP (only its customer and privacy
    staff may follow it)."""

    number = serializers.CharField()
    customer = serializers.IntegerField(source="customer_id")
    kind = serializers.CharField(help_text=f"One of {_values(Kind.choices)}.")
    status = serializers.CharField(help_text=f"One of {_values(Status.choices)}.")
    channel = serializers.CharField(help_text=f"One of {_values(Channel.choices)}.")
    details = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    handler = serializers.IntegerField(source="handler_id", allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    export_url = serializers.SerializerMethodField()

    def get_is_overdue(self, request: DataSubjectRequest) -> bool:
        now = self.context.get("now")
        return bool(request.is_open and now is not None and request.due_at <= now)

    def get_export_url(self, request: DataSubjectRequest) -> str | None:
        if not request.export_file:
            return None
        http_request = self.context.get("request")
        path = f"/api/v1/privacy-requests/{request.number}/export/"
        return http_request.build_absolute_uri(path) if http_request is not None else path
