"""Middleware every request passes before any app sees it."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

NUL = "\x00"


class NulRefusalMiddleware:
    """Refuse a request with a NUL character in its path or query string (400).

    No address or filter of Charter ever holds one, and PostgreSQL refuses NUL in text, so a probe such as
    `/desk/cases/TS%00/` or `/api/v1/cases/?status=a%00b` would reach the database and end in a 500. The API
    answers in its JSON error shape, pages with the plain 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = str(request.META.get("QUERY_STRING", ""))
        if NUL in request.path or NUL in unquote(query):
            detail = _("The address contains a character no address may hold (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid", "detail": detail}, status=400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# Pages with personal data or discipline records, for whoever is signed in; and the tracking pages, which a
# secret link opens without signing in.
NO_STORE_SIGNED_IN = ("/desk/", "/portal/", "/accounts/", "/api/", "/admin/")
NO_STORE_ALWAYS = ("/track/",)


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and `Pragma: no-cache`) on every answer to a signed-in user under the desk,
    the portal, the account pages, the API and the admin site, and on every tracking page.

    Such pages hold personal data: neither a shared proxy nor the browser's cache (a kiosk in a service hall,
    the back button after signing out) may keep a copy. Runs after the authentication middleware; an API
    request signed with a token counts as signed in (DRF sets the user on the request it wraps).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(NO_STORE_ALWAYS) or (path.startswith(NO_STORE_SIGNED_IN) and _signed_in(request)):
            add_never_cache_headers(response)
            response["Cache-Control"] = "private, no-store, no-cache, max-age=0, must-revalidate"
            response["Pragma"] = "no-cache"
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
