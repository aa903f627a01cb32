"""Sign-in throttling: after N failures for one username or one address, refuse attempts for a while."""

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


def login_failure_record(*, username: str, address: str) -> None:
    """Count one failed attempt against the username and the address."""
    for key in _keys(username, address):
        throttle_hit(key, window_seconds=settings.CHARTER_LOGIN_LOCKOUT_SECONDS)


def login_failures_clear(*, username: str, address: str) -> None:
    """Forget the username's failures after a successful sign-in."""
    cache.delete(_keys(username, address)[0])
