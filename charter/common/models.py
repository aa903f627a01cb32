"""Base models and the worker heartbeat. No business rules live here."""

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
