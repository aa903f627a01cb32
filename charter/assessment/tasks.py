"""Background entry points of assessment; each is safe to run twice and on several workers."""

from huey import crontab

from charter.assessment.mailing import cycle_reminders_send
from charter.common.taskqueue import db_periodic_task


# Daily at 01:10 UTC (09:10 in China), so the reminder arrives at the start of the working day; steps end
# at the end of a working day (`add_working_days`), so it comes on the last working day or the one before.
@db_periodic_task(crontab(minute="10", hour="1"))
def cycle_reminders_send_task() -> None:
    """Remind those whose self-assessment or scoring is due within a working day (once per cycle step)."""
    cycle_reminders_send()
