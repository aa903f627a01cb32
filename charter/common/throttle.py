"""Counting requests per key in a time window (the cache holds the counters): the one mechanism behind the
intake limit, the tracking-link lookup limit and sign-in throttling."""

from django.core.cache import cache


def throttle_hit(key: str, *, window_seconds: int) -> int:
    """Count one hit against `key` and return the hits counted since the window opened.

    The window opens at the first hit and lasts `window_seconds`; a counter that expires between the two
    cache calls starts again at 1.
    """
    cache.add(key, 0, timeout=window_seconds)
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, timeout=window_seconds)
        return 1


def throttle_count(key: str) -> int:
    """Return the hits counted against `key` in its current window (0 when none)."""
    return int(cache.get(key) or 0)
