"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def charter(request: HttpRequest) -> dict[str, Any]:
    """Expose the organisation name and the languages for the switcher."""
    return {"CHARTER_LANGUAGES": settings.LANGUAGES, "CHARTER_PRODUCTION": settings.PRODUCTION}
