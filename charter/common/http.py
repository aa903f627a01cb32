"""Request helpers shared by every app."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
