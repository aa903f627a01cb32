"""Request helpers shared by every app."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client: REMOTE_ADDR, or the header the deployment's proxy sets.

    Behind a load balancer REMOTE_ADDR is the balancer's; CHARTER_CLIENT_IP_HEADER (for example X-Real-IP)
    names the header it writes the client's address into. Only set it when every request passes that proxy,
    since a client can send the header itself otherwise.
    """
    header = settings.CHARTER_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # X-Forwarded-For lists the client first, then the proxies; the balancer appends the last hop.
        candidate = value.split(",")[-1].strip() if value else ""
        if candidate:
            return candidate
    return str(request.META.get("REMOTE_ADDR", ""))


def private_page(response: HttpResponse) -> HttpResponse:
    """Mark a page reached by a secret link (tracking, survey) as private to whoever holds the link.

    The page is neither cached nor indexed, and its address is sent as a Referer only to this site
    (`same-origin`), so the token never reaches another host. `no-referrer` would be stricter but breaks
    every form on the page: under it a browser posts with `Origin: null`, which Django's CSRF check refuses.
    """
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# The largest primary key or counter a request may name: PostgreSQL's bigint. Larger numbers are refused
# here rather than overflowing in the database driver (SQLite raises OverflowError, PostgreSQL DataError).
INT_PARAM_MAX = 2**63 - 1


def int_param(value: object, *, maximum: int = INT_PARAM_MAX) -> int | None:
    """Read a whole number from request data (a query-string or form value, a path part): the number when
    `value` is a string of ASCII digits 0-9 between 0 and `maximum`, None for anything else.

    `str.isdigit()` is not enough: it accepts superscripts and other Unicode digits ("²", "١") on which
    `int()` raises or which no user typed, and says nothing of size; views that trusted it answered 500.
    Callers turn None into a 404, a 400 or a form error, never a guess.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= maximum else None
    if not isinstance(value, str) or not value or len(value) > len(str(maximum)):
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= maximum else None


def id_or_404(value: object) -> int:
    """A path id as a number (`int_param`); anything else names no row: 404, like a row outside the scope."""
    number = int_param(value)
    if number is None:
        raise Http404
    return number
