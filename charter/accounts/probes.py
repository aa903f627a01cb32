"""Refused accesses: a signed-in user who collects many 404/403 answers on object pages (desk, portal, API,
tracking) within an hour may be probing for other people's cases; the crossing of the threshold is audited
once (`accounts.probe_suspected`). One cache increment per refused answer, nothing for the others."""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from charter.audit.services import audit_record
from charter.common.throttle import throttle_hit

HOUR = 3600
# Routes naming objects: the desk's and the portal's pages, the API, a case's tracking page.
OBJECT_PREFIXES = ("/desk/", "/portal/", "/api/v1/", "/track/")


def refused_access_count(*, request: HttpRequest, user_id: int) -> None:
    """Count one refused access of the user; audit once when the count reaches the threshold."""
    count = throttle_hit(f"probe:user:{user_id}", window_seconds=HOUR)
    if count == settings.CHARTER_PROBE_THRESHOLD:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="accounts.probe_suspected",
                data={"refused": count, "window_seconds": HOUR, "last_path": request.path[:200]},
                request=request,
            )


class RefusedAccessMiddleware:
    """Count 404 and 403 answers to signed-in users on object routes (see `refused_access_count`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (403, 404) and request.path.startswith(OBJECT_PREFIXES):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                refused_access_count(request=request, user_id=user.pk)
        return response
