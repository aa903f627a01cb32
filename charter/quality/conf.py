"""The quality app's settings, each with a default; read when used, never at import time."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # See charter.common.outbox: reply events are read once no earlier transaction can still commit.
    "CHARTER_QUALITY_EVENT_LAG_SECONDS": 30,
}


def quality_setting(name: str) -> Any:
    """Return the setting `name`, or its default from DEFAULTS."""
    return getattr(settings, name, DEFAULTS[name])
