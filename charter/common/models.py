"""Base models and the worker heartbeat. No business rules live here."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def localized(obj: object, field: str) -> str:
    """Return `field_zh` or `field_en` of `obj` for the active language, falling back to the other."""
    english = (get_language() or "zh-hans").startswith("en")
    first, second = ("en", "zh") if english else ("zh", "en")
    value = getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "")
    return str(value or "")


class YearCounter(models.Model):
    """The last number handed out in a year, for readable numbers such as TS-2026-000123; the row is
    incremented under its lock (`charter.common.services.year_counter_next`) so numbers never repeat."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Heartbeat(models.Model):
    """One row per background process kind; the worker's periodic task touches it."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("last beat at"), default=timezone.now)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at.isoformat()}"


class EventCursor(models.Model):
    """How far a consumer of an outbox table (e.g. case events published as webhooks) has read.

    Ids are handed out when rows are inserted but become visible when their transaction commits, so a
    consumer reads only up to the highest id it saw `horizon` seconds earlier (`horizon_id`): by then the
    transactions that were in flight have finished and no lower id can still appear.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveBigIntegerField(_("read up to"), default=0)
    horizon_id = models.PositiveBigIntegerField(_("highest id seen"), default=0)
    horizon_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class IdempotencyKey(models.Model):
    """An API client's `Idempotency-Key` and the answer its first request got (charter.common.idempotency):
    the status and the created object's identifiers only (never its text or a person's data).

    The same key with the same request replays the stored answer instead of creating a second time; the
    claim (status null) and the creation commit together, so a worker killed after the commit leaves an
    answer to replay. Rows older than a day are purged.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="common_idempotency_user_key")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class ChangeStamp(models.Model):
    """A random value that changes whenever one configuration does (`charter.common.stamps`).

    Database triggers replace the value in the transaction of every insert, update or delete of the tables
    the configuration is read from, whatever makes it (services, admin, bulk updates, fixtures), so a
    process that caches the configuration reads it again when the value it cached under is no longer the
    current one. Random, not a counter: a rolled-back change can never make an old value stand for new
    content. Internal: not shown anywhere.
    """

    name = models.CharField(max_length=50, primary_key=True)
    value = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
