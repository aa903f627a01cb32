"""Background entry points of surveys; each is safe to run twice and on several workers."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.surveys.invitations import (
    campaigns_run_due,
    invitations_expire,
    invitations_from_resolved_cases,
    invitations_remind_due,
    invitations_send_due,
)


@db_periodic_task(crontab(minute="*"))
def surveys_schedule_task() -> None:
    """Schedule surveys for newly resolved cases, then send, remind and expire what is due."""
    invitations_from_resolved_cases()
    invitations_send_due()
    invitations_remind_due()
    invitations_expire()


@db_periodic_task(crontab(minute="15"))
def campaigns_run_task() -> None:
    """Run the survey campaigns whose time has come (each run claimed once)."""
    campaigns_run_due()
