"""REST endpoints of mail: mailboxes, notification templates, webhooks and their deliveries.

Administrators only, as the mail pages (`can_manage_mail`, mail.manage_mail); anyone else gets 403
`mail_manage_denied`. Writes go through the services of the pages, which check and audit them: a mailbox's
IMAP host and a webhook's URL are refused on a loopback or private address unless allowed (SSRF, 400 with
`mail_host_refused` / `mail_webhook_url_refused`). No answer carries a mailbox's credentials or a webhook's
secret, except the answer to a webhook's creation, which shows its secret once.
"""

from typing import Any

from django.conf import settings
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.requests import request_user
from charter.common.api import KnownParametersMixin, list_response
from charter.common.errors import DomainError
from charter.common.http import id_or_404
from charter.common.idempotency import idempotent
from charter.common.policy import require
from charter.common.unset import UNSET
from charter.mail.models import Mailbox, MailTemplate, WebhookDelivery, WebhookEndpoint
from charter.mail.permissions import can_manage_mail
from charter.mail.rendering import TemplateSpec, template_default, template_spec, template_specs
from charter.mail.serializers import (
    LANGUAGES_TEXT,
    DeliveryDetailOutputSerializer,
    DeliveryOutputSerializer,
    MailboxInputSerializer,
    MailboxOutputSerializer,
    MailboxUpdateInputSerializer,
    TemplateInputSerializer,
    TemplateOutputSerializer,
    WebhookCreatedOutputSerializer,
    WebhookEventOutputSerializer,
    WebhookInputSerializer,
    WebhookOutputSerializer,
    WebhookUpdateInputSerializer,
)
from charter.mail.services import (
    mail_template_reset,
    mail_template_save,
    mailbox_save,
    webhook_delete,
    webhook_save,
)
from charter.mail.webhooks import WEBHOOK_EVENTS, secret_new, webhook_delivery_retry

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
DENIED = OpenApiResponse(description="`mail_manage_denied`: only administrators configure e-mail.")
URL_REFUSED = OpenApiResponse(
    description="`invalid`, `mail_invalid_field`, or `mail_webhook_url_refused` / `mail_host_refused` (a "
    "loopback or private address not allowed)."
)


def _manager(request: Request) -> Any:
    user = request_user(request)
    require(can_manage_mail(user))
    return user


# Mailboxes -----------------------------------------------------------------------------------------------


class MailboxViewSet(KnownParametersMixin, viewsets.GenericViewSet[Mailbox]):
    """The IMAP mailboxes whose messages become cases (never their user name or password)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MailboxOutputSerializer
    queryset = Mailbox.objects.none()

    def _mailbox(self, request: Request, pk: Any) -> Mailbox:
        _manager(request)
        found = Mailbox.objects.defer("username", "password").filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(responses={200: MailboxOutputSerializer(many=True), 403: DENIED})
    def list(self, request: Request) -> Response:
        """List the mailboxes."""
        _manager(request)
        rows = Mailbox.objects.defer("username", "password").order_by("name", "pk")
        return list_response(self, rows, MailboxOutputSerializer)

    @extend_schema(responses={200: MailboxOutputSerializer, 403: DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a mailbox's settings and its last polling."""
        return Response(MailboxOutputSerializer(self._mailbox(request, pk)).data)

    @extend_schema(
        request=MailboxInputSerializer,
        responses={201: MailboxOutputSerializer, 400: URL_REFUSED, 403: DENIED},
        examples=[
            OpenApiExample(
                "The service mailbox",
                request_only=True,
                value={
                    "name": "客服邮箱",
                    "address": "service@water.example.cn",
                    "host": "imap.water.example.cn",
                    "port": 993,
                    "security": "ssl",
                    "username": "service@water.example.cn",
                    "password": "app-password",
                    "team": 2,
                    "kind": "inquiry",
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Add a mailbox; the worker polls it from then on."""
        user = _manager(request)
        serializer = MailboxInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mailbox = mailbox_save(actor=user, **_mailbox_fields(serializer.validated_data))
        return Response(MailboxOutputSerializer(mailbox).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MailboxUpdateInputSerializer,
        responses={200: MailboxOutputSerializer, 400: URL_REFUSED, 403: DENIED, 404: ERROR},
        examples=[OpenApiExample("Pause it", request_only=True, value={"is_active": False})],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the settings given; an empty or absent password keeps the one it has."""
        user = _manager(request)
        mailbox = self._mailbox(request, pk)
        serializer = MailboxUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = mailbox_save(actor=user, mailbox=mailbox, **_mailbox_fields(serializer.validated_data))
        return Response(MailboxOutputSerializer(saved).data)


_MAILBOX_FIELDS = (
    "name",
    "address",
    "host",
    "port",
    "security",
    "username",
    "password",
    "folder",
    "done_folder",
    "team",
    "service",
    "kind",
    "is_active",
)


def _mailbox_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments: each field given, UNSET for the others."""
    return {name: data.get(name, UNSET) for name in _MAILBOX_FIELDS}


# Templates -----------------------------------------------------------------------------------------------

TEMPLATE_KEY = r"[A-Za-z0-9_.-]+"
LANGUAGE = OpenApiParameter(
    "language", OpenApiTypes.STR, OpenApiParameter.PATH, enum=[code for code, _name in settings.LANGUAGES]
)


def _template_body(spec: TemplateSpec) -> dict[str, Any]:
    custom = {row.language: row for row in MailTemplate.objects.filter(key=spec.key)}
    languages = []
    for code, _name in settings.LANGUAGES:
        row = custom.get(code)
        if row is not None:
            subject, body = row.subject, row.body
        else:
            try:
                subject, body = template_default(spec.key, code)
            except TemplateDoesNotExist:
                subject, body = "", ""
        languages.append(
            {
                "language": code,
                "subject": subject,
                "body": body,
                "is_custom": row is not None,
                "updated_at": row.updated_at if row is not None else None,
                "updated_by": row.updated_by_id if row is not None else None,
            }
        )
    return {
        "key": spec.key,
        "description": str(spec.description),
        "variables": {name: str(meaning) for name, meaning in spec.variables.items()},
        "languages": languages,
    }


class MailTemplateViewSet(KnownParametersMixin, viewsets.GenericViewSet[MailTemplate]):
    """The notifications' subjects and bodies in each language: the administrators' version or the default."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TemplateOutputSerializer
    queryset = MailTemplate.objects.none()
    lookup_field = "key"
    lookup_value_regex = TEMPLATE_KEY

    def _spec(self, request: Request, key: Any) -> TemplateSpec:
        _manager(request)
        try:
            return template_spec(str(key))
        except DomainError:
            raise Http404 from None

    @extend_schema(responses={200: TemplateOutputSerializer(many=True), 403: DENIED})
    def list(self, request: Request) -> Response:
        """List every notification with its text in force in each language."""
        _manager(request)
        rows = [_template_body(spec) for spec in template_specs()]
        return list_response(self, rows, TemplateOutputSerializer)

    @extend_schema(responses={200: TemplateOutputSerializer, 403: DENIED, 404: ERROR})
    def retrieve(self, request: Request, key: str | None = None) -> Response:
        """Return a notification with its variables and its text in force in each language."""
        return Response(TemplateOutputSerializer(_template_body(self._spec(request, key))).data)

    @extend_schema(
        methods=["PUT"],
        parameters=[LANGUAGE],
        request=TemplateInputSerializer,
        responses={200: TemplateOutputSerializer, 400: ERROR, 403: DENIED, 404: ERROR},
        description=f"Replace the default in one language ({LANGUAGES_TEXT}); refused (400 "
        "`mail_invalid_template`) when it does not render with the template's example.",
        examples=[
            OpenApiExample(
                "A warmer acknowledgement",
                request_only=True,
                value={"subject": "我们已收到您的来信（{{ number }}）", "body": "您好，{{ name }}：\n……"},
            )
        ],
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[LANGUAGE],
        responses={204: None, 403: DENIED, 404: ERROR},
        description="Go back to the shipped default in one language.",
    )
    @action(detail=True, methods=["put", "delete"], url_path=r"(?P<language>[a-z-]+)")
    def language(self, request: Request, key: str | None = None, language: str | None = None) -> Response:
        """Save or reset a notification's text in one language."""
        user = _manager(request)
        spec = self._spec(request, key)
        if language not in dict(settings.LANGUAGES):
            raise Http404
        if request.method == "DELETE":
            mail_template_reset(actor=user, key=spec.key, language=language)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = TemplateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mail_template_save(
            actor=user, key=spec.key, language=language, subject=data["subject"], body=data["body"]
        )
        return Response(TemplateOutputSerializer(_template_body(spec)).data)


# Webhooks ------------------------------------------------------------------------------------------------


class WebhookViewSet(KnownParametersMixin, viewsets.GenericViewSet[WebhookEndpoint]):
    """The URLs that receive signed events (X-Charter-Signature, see the README's integration guide)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = WebhookOutputSerializer
    queryset = WebhookEndpoint.objects.none()

    def _endpoint(self, request: Request, pk: Any) -> WebhookEndpoint:
        _manager(request)
        found = WebhookEndpoint.objects.defer("secret").filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(responses={200: WebhookOutputSerializer(many=True), 403: DENIED})
    def list(self, request: Request) -> Response:
        """List the webhooks (never their secrets)."""
        _manager(request)
        rows = WebhookEndpoint.objects.defer("secret").order_by("name", "pk")
        return list_response(self, rows, WebhookOutputSerializer)

    @extend_schema(
        request=WebhookInputSerializer,
        responses={201: WebhookCreatedOutputSerializer, 400: URL_REFUSED, 403: DENIED},
        examples=[
            OpenApiExample(
                "Follow every case event",
                request_only=True,
                value={"name": "工单系统同步", "url": "https://hooks.example.cn/charter", "events": []},
            ),
            OpenApiExample(
                "Created: the secret, once",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 3,
                    "name": "工单系统同步",
                    "url": "https://hooks.example.cn/charter",
                    "events": [],
                    "allow_private": False,
                    "is_active": True,
                    "created_at": "2026-12-06T08:00:00Z",
                    "updated_at": "2026-12-06T08:00:00Z",
                    "secret": "9s6cQ3…",
                },
            ),
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Register a webhook; without a secret one is made up. The answer shows the secret, once."""
        user = _manager(request)
        serializer = WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        secret = data.get("secret") or secret_new()
        endpoint = webhook_save(
            actor=user,
            name=data["name"],
            url=data["url"],
            secret=secret,
            events=data.get("events", UNSET),
            allow_private=data.get("allow_private", UNSET),
            is_active=data.get("is_active", UNSET),
        )
        body = dict(WebhookOutputSerializer(endpoint).data)
        body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(responses={200: WebhookOutputSerializer, 403: DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a webhook (never its secret)."""
        return Response(WebhookOutputSerializer(self._endpoint(request, pk)).data)

    @extend_schema(
        request=WebhookUpdateInputSerializer,
        responses={200: WebhookOutputSerializer, 400: URL_REFUSED, 403: DENIED, 404: ERROR},
        examples=[
            OpenApiExample("Only resolutions", request_only=True, value={"events": ["case.resolved"]}),
            OpenApiExample("A new secret", request_only=True, value={"secret": "a-new-long-random-secret"}),
        ],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the settings given; an empty or absent secret keeps the one it has."""
        user = _manager(request)
        endpoint = self._endpoint(request, pk)
        serializer = WebhookUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = webhook_save(
            actor=user,
            endpoint=endpoint,
            name=data.get("name", UNSET),
            url=data.get("url", UNSET),
            secret=data.get("secret", UNSET),
            events=data.get("events", UNSET),
            allow_private=data.get("allow_private", UNSET),
            is_active=data.get("is_active", UNSET),
        )
        return Response(
            WebhookOutputSerializer(WebhookEndpoint.objects.defer("secret").get(pk=saved.pk)).data
        )

    @extend_schema(responses={204: None, 403: DENIED, 404: ERROR})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Delete a webhook and its delivery log; nothing more is sent to it."""
        webhook_delete(actor=_manager(request), endpoint=self._endpoint(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEventViewSet(KnownParametersMixin, viewsets.ViewSet):
    """The events a webhook may subscribe to."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: WebhookEventOutputSerializer(many=True)})
    def list(self, request: Request) -> Response:
        """List the event names and what each means."""
        _manager(request)
        rows = [{"name": name, "label": str(label)} for name, label in sorted(WEBHOOK_EVENTS.items())]
        return Response(WebhookEventOutputSerializer(rows, many=True).data)


DELIVERY_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=WebhookDelivery.Status.values),
    OpenApiParameter("endpoint", OpenApiTypes.INT, description="A webhook's id."),
    OpenApiParameter("event", OpenApiTypes.STR, description="An event name, e.g. `case.created`."),
]


class WebhookDeliveryViewSet(KnownParametersMixin, viewsets.GenericViewSet[WebhookDelivery]):
    """Every event sent to a webhook: its attempts, what the receiver answered; a failed one may be resent."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DeliveryOutputSerializer
    queryset = WebhookDelivery.objects.none()

    def _delivery(self, request: Request, pk: Any) -> WebhookDelivery:
        _manager(request)
        found = WebhookDelivery.objects.filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(
        parameters=DELIVERY_FILTERS,
        responses={200: DeliveryOutputSerializer(many=True), 400: ERROR, 403: DENIED},
    )
    def list(self, request: Request) -> Response:
        """List the deliveries, newest first."""
        _manager(request)
        rows = WebhookDelivery.objects.defer("payload")
        params = request.query_params
        if params.get("status"):
            if params["status"] not in WebhookDelivery.Status.values:
                raise ValidationError({"status": [_("Not a status.")]})
            rows = rows.filter(status=params["status"])
        if params.get("endpoint"):
            try:
                rows = rows.filter(endpoint_id=int(params["endpoint"]))
            except ValueError:
                raise ValidationError({"endpoint": [_("A whole number is required.")]}) from None
        if params.get("event"):
            rows = rows.filter(event=params["event"])
        return list_response(self, rows.order_by("-created_at", "-pk"), DeliveryOutputSerializer)

    @extend_schema(responses={200: DeliveryDetailOutputSerializer, 403: DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a delivery with the JSON body it posts."""
        return Response(DeliveryDetailOutputSerializer(self._delivery(request, pk)).data)

    @extend_schema(
        request=None,
        responses={
            200: DeliveryOutputSerializer,
            403: DENIED,
            404: ERROR,
            400: OpenApiResponse(description="`mail_not_failed`: only a failed delivery is sent again."),
        },
    )
    @action(detail=True, methods=["post"], url_path="retry")
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Queue a failed delivery again, for a fresh set of attempts."""
        row = webhook_delivery_retry(actor=_manager(request), delivery=self._delivery(request, pk))
        return Response(DeliveryOutputSerializer(row).data)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("mailboxes", MailboxViewSet, basename="mailbox")
    router.register("mail-templates", MailTemplateViewSet, basename="mail-template")
    router.register("webhook-events", WebhookEventViewSet, basename="webhook-event")
    router.register("webhooks", WebhookViewSet, basename="webhook")
    router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
