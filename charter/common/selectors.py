"""Reads of the common app: the installation's health."""

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from charter.common.models import Heartbeat


def health_status() -> dict[str, Any]:
    """Report the database and the worker; `ok` is false when either is down."""
    report: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = {"ok": True, "vendor": connection.vendor}
    except DatabaseError as error:
        report["database"] = {"ok": False, "error": str(error)}
        report["worker"] = {"ok": False, "last_beat_at": None}
        report["ok"] = False
        return report
    beat = Heartbeat.objects.filter(name="worker").first()
    if beat is None:
        report["worker"] = {"ok": False, "last_beat_at": None}
    else:
        age = (timezone.now() - beat.beat_at).total_seconds()
        report["worker"] = {
            "ok": age <= settings.CHARTER_WORKER_STALE_SECONDS,
            "last_beat_at": beat.beat_at.isoformat(),
            "age_seconds": round(age, 1),
        }
    report["queue"] = {"backend": settings.HUEY["huey_class"]}
    report["ok"] = report["database"]["ok"] and report["worker"]["ok"]
    return report
