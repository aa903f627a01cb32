"""Sign-in throttling: after N failures for one username or one address, refuse attempts for a while.

The one lockout of every sign-in path (the desk form, the admin site, the API token endpoint and the second
factor's code), keyed on the username (hashed, so the cache never holds an e-mail address in clear) and on
the client's address as `charter.common.http.client_ip` reads it (never the raw X-Forwarded-For).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from charter.common.throttle import throttle_count, throttle_hit


def _keys(username: str, address: str) -> list[str]:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{digest}", f"login-fail:addr:{address}"]


def login_is_locked(*, username: str, address: str) -> bool:
    """True when this username or this address has failed too often recently."""
    limit = settings.CHARTER_LOGIN_MAX_FAILURES
    return any(throttle_count(key) >= limit for key in _keys(username, address))


def login_failure_record(*, username: str, address: str) -> bool:
    """Count one failed attempt against the username and the address; True when this failure reached the
    limit (the username or the address is locked from now on)."""
    counts = [
        throttle_hit(key, window_seconds=settings.CHARTER_LOGIN_LOCKOUT_SECONDS)
        for key in _keys(username, address)
    ]
    return settings.CHARTER_LOGIN_MAX_FAILURES in counts


def login_failures_clear(*, username: str, address: str) -> None:
    """Forget the username's failures after a successful sign-in."""
    cache.delete(_keys(username, address)[0])
