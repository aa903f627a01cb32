from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from charter.accounts.views import admin_login
from charter.common.metrics import metrics_view
from charter.common.views import healthz

# The admin site signs in through the app's own sign-in: one lockout, and the second factor (which the
# accounts middleware requires of every admin-site user) before any admin page.
admin.site.login = admin_login  # type: ignore[method-assign,assignment]


def favicon(request: HttpRequest) -> HttpResponse:
    """Send a browser's automatic request for /favicon.ico to the icon (pages also link it from base.html)."""
    return HttpResponseRedirect(static("charter/favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("charter.config.api_urls")),
    path("", include("charter.accounts.urls")),
    path("", include("charter.audit.urls")),
    path("", include("charter.privacy.urls_consent")),
    path("", include("charter.privacy.urls")),
    path("", include("charter.standards.urls")),
    path("", include("charter.catalog.urls")),
    path("", include("charter.cases.urls")),
    path("", include("charter.surveys.urls")),
    path("", include("charter.quality.urls")),
    path("", include("charter.conduct.urls")),
    path("", include("charter.improvement.urls")),
    path("", include("charter.training.urls")),
    path("", include("charter.assessment.urls")),
    path("desk/surveys/results/", include("charter.surveys.urls_results")),
    path("", include("charter.sla.urls")),
    path("", include("charter.mail.urls")),
    path("", include("charter.reports.urls")),
]


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"code": "permission_denied", "detail": _("You do not have permission to do this.")}, status=403
        )
    return render(request, "403.html", status=403)


def handler500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"code": "server_error", "detail": _("Something went wrong on our side.")}, status=500
        )
    return render(request, "500.html", status=500)
