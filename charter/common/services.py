"""Writes of the common app: the heartbeat only."""

from django.utils import timezone

from charter.common.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    """Set the named heartbeat to now, creating it on first use. Safe to run twice."""
    beat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
    return beat
