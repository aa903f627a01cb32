"""Background entry points of assessment; each is safe to run twice and on several workers."""

from huey import crontab

from charter.assessment.mailing import assessment_mail_send, cycle_reminders_send
from charter.common.taskqueue import db_periodic_task, db_task


@db_task()
def assessment_mail_send_task(kind: str, pk: int) -> None:
    """Send the assessment mail `kind` about row `pk` (enqueued by the services once their change commits).
    Each mail function checks the row is still at the step it announces, so a late run sends nothing stale."""
    assessment_mail_send(kind=kind, pk=pk)


# Daily at 01:10 UTC (09:10 in China), so the reminder arrives at the start of the working day; steps end
# at the end of a working day (`add_working_days`), so it comes on the last working day or the one before.
@db_periodic_task(crontab(minute="10", hour="1"))
def cycle_reminders_send_task() -> None:
    """Remind those whose self-assessment or scoring is due within a working day (once per cycle step)."""
    cycle_reminders_send()
