"""Middleware every request passes before any app sees it."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
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
