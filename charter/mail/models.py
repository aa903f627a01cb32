"""Mailboxes and what came in through them; templates, what went out and how its delivery went; webhooks.

The mail app knows nothing of cases: an inbound handler registered by a higher app turns each message into
whatever it means (see `charter.mail.inbound`), and every outbound message or webhook delivery carries an
opaque `thread_ref` / event name that the higher app chose.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.common.models import TimeStampedModel
from charter.common.vocabulary import CaseKind
from charter.privacy.fields import EncryptedTextField


def message_key(message_id: str) -> str:
    """The fixed-length key a Message-ID is unique by (ids may be up to 998 characters long)."""
    return hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()


class Mailbox(TimeStampedModel):
    """An IMAP mailbox the worker polls; new messages become cases for its team and service."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (trusted network only)")

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(_("address"), help_text=_("The address customers write to."))
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default=Security.SSL)
    username = EncryptedTextField(_("user name"))
    password = EncryptedTextField(_("password"))
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    done_folder = models.CharField(
        _("move handled messages to"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to leave them in the folder, marked as read."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        _("kind of new cases"), max_length=20, choices=CaseKind.choices, default=CaseKind.INQUIRY
    )
    is_active = models.BooleanField(_("active"), default=True)
    polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    poll_error = models.TextField(_("last polling error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        permissions = [("manage_mail", _("Can configure mailboxes, templates and webhooks"))]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class InboundMessage(models.Model):
    """One message fetched from a mailbox, recorded once by its Message-ID (or a hash of the raw message).

    The row is written in the same transaction as whatever the message caused, so a message fetched twice,
    or by two workers at once, is handled once. A message that could not be handled is quarantined with
    its raw bytes for an administrator to inspect, retry or discard.
    """

    class Status(models.TextChoices):
        HANDLED = "handled", _("Handled")
        IGNORED = "ignored", _("Ignored (automatic message)")
        QUARANTINED = "quarantined", _("Quarantined")
        DISCARDED = "discarded", _("Discarded")

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="messages"
    )
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    message_id = models.TextField(_("Message-ID"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sender = EncryptedTextField(_("sender"), blank=True)
    raw = models.BinaryField(_("raw message"), null=True, blank=True, editable=False)
    thread_ref = models.CharField(_("handled as"), max_length=100, blank=True, db_index=True)
    received_at = models.DateTimeField(_("fetched at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        indexes = [models.Index(fields=["status", "-received_at"], name="mail_inbound_status")]

    def __str__(self) -> str:
        return self.message_id


class MailTemplate(TimeStampedModel):
    """An administrator's version of one notification's subject and body in one language.

    Without a row, the default shipped with the app that registered the template is used.
    """

    key = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["key", "language"]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="mail_template_unique")]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class OutboundMessage(models.Model):
    """One e-mail to one recipient and the log of its delivery: queued, sent, or failed with the answer."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    template = models.CharField(_("template"), max_length=100, blank=True)
    recipient = EncryptedTextField(_("recipient"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=500)
    # Encrypted: a customer's acknowledgement carries his private tracking link.
    body = EncryptedTextField(_("body"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    thread_ref = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("server's answer"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="mail_outbound_due",
                condition=models.Q(status__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return self.message_id


class WebhookEndpoint(TimeStampedModel):
    """A URL that receives signed events; only public addresses unless the administrator allows private."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"))
    events = models.JSONField(_("events"), default=list, blank=True, help_text=_("Empty: every event."))
    allow_private = models.BooleanField(
        _("allow private addresses"),
        default=False,
        help_text=_("Allow loopback and private network addresses (only for receivers on your own network)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, retried with backoff, and what the receiver answered."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=50)
    delivery_id = models.CharField(_("delivery id"), max_length=64, unique=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="mail_webhook_due",
                condition=models.Q(status__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return self.delivery_id
