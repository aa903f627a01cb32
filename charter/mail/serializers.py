"""Input and output serializers of the mail API. They check shape only; the services decide.

No output carries a mailbox's user name or password or a webhook's signing secret, except the secret of a
webhook just created, once, in the answer to its creation (`WebhookCreatedOutputSerializer`).
"""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.accounts.models import Team
from charter.catalog.models import Service
from charter.common.vocabulary import CaseKind
from charter.mail.models import Mailbox, WebhookDelivery, WebhookEndpoint


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


@extend_schema_field({"type": "string", "description": f"One of {_values(Mailbox.Security.choices)}."})
class SecurityField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Mailbox.Security.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(CaseKind.choices)}."})
class MailboxKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CaseKind.choices, **kwargs)


@extend_schema_field({"type": "string", "description": f"One of {_values(WebhookDelivery.Status.choices)}."})
class DeliveryStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=WebhookDelivery.Status.choices, **kwargs)


# Mailboxes -----------------------------------------------------------------------------------------------


class MailboxOutputSerializer(serializers.ModelSerializer[Mailbox]):
    security = SecurityField(read_only=True)
    kind = MailboxKindField(read_only=True)

    class Meta:
        model = Mailbox
        fields = [
            "id",
            "name",
            "address",
            "host",
            "port",
            "security",
            "folder",
            "done_folder",
            "team",
            "service",
            "kind",
            "is_active",
            "polled_at",
            "poll_error",
        ]
        read_only_fields = fields


class MailboxInputSerializer(serializers.Serializer[Any]):
    """A new mailbox (name, address, host, username and password required) or the fields to change; an
    empty or absent password keeps the one it has."""

    name = serializers.CharField(max_length=100)
    address = serializers.EmailField()
    host = serializers.CharField(max_length=255)
    port = serializers.IntegerField(min_value=1, max_value=65535, required=False)
    security = SecurityField(required=False)
    username = serializers.CharField(write_only=True)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    folder = serializers.CharField(max_length=200, required=False)
    done_folder = serializers.CharField(max_length=200, required=False, allow_blank=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    kind = MailboxKindField(required=False)
    is_active = serializers.BooleanField(required=False)


class MailboxUpdateInputSerializer(MailboxInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    address = serializers.EmailField(required=False)
    host = serializers.CharField(max_length=255, required=False)
    username = serializers.CharField(write_only=True, required=False)
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
    )


# Templates -----------------------------------------------------------------------------------------------


class TemplateLanguageOutputSerializer(serializers.Serializer[Any]):
    language = serializers.CharField(help_text="`zh-hans` or `en`.")
    subject = serializers.CharField()
    body = serializers.CharField()
    is_custom = serializers.BooleanField(help_text="False: the shipped default is used.")
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.IntegerField(allow_null=True)


class TemplateOutputSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    description = serializers.CharField()
    variables = serializers.DictField(child=serializers.CharField(), help_text="Variable name -> meaning.")
    languages = TemplateLanguageOutputSerializer(many=True)


class TemplateInputSerializer(serializers.Serializer[Any]):
    subject = serializers.CharField(max_length=300)
    body = serializers.CharField(trim_whitespace=False)


LANGUAGES_TEXT = ", ".join(f"`{code}`" for code, _name in settings.LANGUAGES)


# Webhooks ------------------------------------------------------------------------------------------------


class WebhookOutputSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    events = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Empty: every event."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "events", "allow_private", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookCreatedOutputSerializer(WebhookOutputSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret, shown in this answer only: keep it to verify X-Charter-Signature.",
    )

    class Meta(WebhookOutputSerializer.Meta):
        fields = [*WebhookOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(
        max_length=500, help_text="http(s); private addresses only with allow_private."
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Empty or absent: one is made up and answered once.",
    )
    events = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Event names (`webhook-events`); empty: all."
    )
    allow_private = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class WebhookUpdateInputSerializer(WebhookInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="Empty or absent: the secret is kept."
    )


class WebhookEventOutputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class DeliveryOutputSerializer(serializers.ModelSerializer[WebhookDelivery]):
    status = DeliveryStatusField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "delivery_id",
            "status",
            "attempts",
            "next_attempt_at",
            "response_status",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class DeliveryDetailOutputSerializer(DeliveryOutputSerializer):
    payload = serializers.JSONField(read_only=True, help_text="The JSON body posted (signed as sent).")

    class Meta(DeliveryOutputSerializer.Meta):
        fields = [*DeliveryOutputSerializer.Meta.fields, "payload"]
        read_only_fields = fields
