"""Request helpers shared by every app."""

from django.conf import settings
from django.http import HttpRequest


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
