"""The one limit on how many cases customers raise in an hour: CHARTER_INTAKE_MAX_PER_HOUR per client
address, counted alike by the public web form and the API (so switching from one to the other does not
double it), and per signed-in user on the API (a customer behind many addresses)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from charter.cases.errors import ErrorCode
from charter.common.errors import DomainError
from charter.common.http import client_ip
from charter.common.throttle import throttle_hit

HOUR = 3600


class IntakeThrottledError(DomainError):
    """Too many cases raised from this address or by this user in the last hour (HTTP 429)."""

    status = 429
    default_code = ErrorCode.INTAKE_THROTTLED


def intake_address_key(request: HttpRequest) -> str:
    """The counter of cases raised from the request's client address (`client_ip`)."""
    return f"intake:{client_ip(request)}"


def intake_hit(*, request: HttpRequest, user_id: int | None = None) -> bool:
    """Count one case about to be raised against the client's address and, when given, the user; False once
    either has passed CHARTER_INTAKE_MAX_PER_HOUR in the hour (the case must then not be made)."""
    limit = settings.CHARTER_INTAKE_MAX_PER_HOUR
    keys = [intake_address_key(request)] + ([f"intake:user:{user_id}"] if user_id is not None else [])
    counts = [throttle_hit(key, window_seconds=HOUR) for key in keys]
    return all(count <= limit for count in counts)


def intake_require(*, request: HttpRequest, user_id: int) -> None:
    """Raise IntakeThrottledError (429 `case_intake_throttled`) when `intake_hit` refuses."""
    if not intake_hit(request=request, user_id=user_id):
        raise IntakeThrottledError(
            _("You have raised too many cases in the last hour. Please wait a while, or call us.")
        )
