"""The largest request Charter reads: settings.CHARTER_MAX_REQUEST_BYTES, files included.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts only the fields of a form, not its files, and each upload path
checks its own file's size only after the whole body has been received and written to disk: a single
request of 50 files of 10 MB each, or of one endless chunked body, was read in full. `RequestSizeMiddleware`
stands before everything that reads a body (the CSRF check reads the form): it refuses a request whose
declared Content-Length is over the limit without reading a byte of it, and a body sent without a length
(chunked) is counted while it is read into a spooled file, refused as soon as it passes the limit. The
refusal is 413, as JSON `{"code": "request_too_large", "detail"}` under /api/ and as a page otherwise, in
the language the request asked for.
"""

import tempfile
from collections.abc import Callable
from typing import IO, Any, cast

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from charter.common.errors import CommonErrorCode

_CHUNK_BYTES = 64 * 1024
# Bodies counted in memory up to this size, then on disk (the same rule as Django's uploads).
_SPOOL_BYTES = 2_621_440


def max_request_bytes() -> int:
    return int(settings.CHARTER_MAX_REQUEST_BYTES)


def _declared_length(request: HttpRequest) -> int | None:
    """The body length the request declares, or None when it declares none (or nonsense)."""
    raw = request.META.get("CONTENT_LENGTH")
    if raw in (None, ""):
        return None
    try:
        length = int(str(raw))
    except ValueError:
        return None
    return length if length >= 0 else None


def _sent_without_length(request: HttpRequest) -> bool:
    """True when the server hands Django a body with no Content-Length (chunked transfer encoding)."""
    chunked = "chunked" in str(request.META.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return chunked or bool(request.META.get("wsgi.input_terminated"))


def _spool_counted(source: IO[bytes], limit: int) -> IO[bytes] | None:
    """Read `source` to its end into a spooled file; None as soon as more than `limit` bytes came."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    received = 0
    while True:
        chunk = source.read(_CHUNK_BYTES)
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            spool.close()
            return None
        spool.write(chunk)
    spool.seek(0)
    return spool


def request_too_large_response(request: HttpRequest) -> HttpResponse:
    """413 in the API's error shape under /api/, else a page; in the language the request asked for."""
    limit_mb = max(1, max_request_bytes() // (1024 * 1024))
    detail = _("The request is too large: at most %(size)d MB may be sent at once.") % {"size": limit_mb}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": CommonErrorCode.REQUEST_TOO_LARGE, "detail": detail}, status=413)
    page = render_to_string("413.html", {"detail": detail}, request=request)
    return HttpResponse(page, status=413)


class RequestSizeMiddleware:
    """Refuse a request body larger than settings.CHARTER_MAX_REQUEST_BYTES before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = max_request_bytes()
        declared = _declared_length(request)
        if declared is not None and declared > limit:
            return request_too_large_response(request)
        if not declared and _sent_without_length(request) and "wsgi.input" in request.META:
            spool = _spool_counted(request.META["wsgi.input"], limit)
            if spool is None:
                return request_too_large_response(request)
            size = spool.seek(0, 2)
            spool.seek(0)
            # Django reads a body through request._stream, bounded by the length it was told (none: empty).
            request.META["CONTENT_LENGTH"] = str(size)
            request._stream = LimitedStream(cast(Any, spool), size)  # type: ignore[assignment]
        return self.get_response(request)
