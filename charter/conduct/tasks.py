"""Background entry points of conduct; each is safe to run twice and on several workers."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.conduct.services import evidence_orphans_delete, violation_deadlines_run


@db_periodic_task(crontab(minute="*/5"))
def violation_deadlines_run_task() -> None:
    """Close the response and appeal windows that have ended (each violation claimed once)."""
    violation_deadlines_run()


@db_periodic_task(crontab(minute="41"))
def evidence_orphans_delete_task() -> None:
    """Remove evidence files left on disk by uploads whose transaction rolled back (an hour old at least)."""
    evidence_orphans_delete()
