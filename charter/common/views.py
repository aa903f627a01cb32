"""Installation-wide views: health."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from charter.common.selectors import health_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database and worker status while the database answers, 503 when it does not."""
    report = health_status()
    return JsonResponse(report, status=200 if report["database"]["ok"] else 503)
