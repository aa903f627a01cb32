"""Background entry points of quality; each is safe to run twice and on several workers."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.quality.services import findings_from_replies, sampling_run_due


@db_periodic_task(crontab(minute="*"))
def findings_from_replies_task() -> None:
    """Check the staff replies sent since the last run and record their findings for QA."""
    findings_from_replies()


@db_periodic_task(crontab(minute="7"))
def sampling_run_due_task() -> None:
    """Draw the cases due under each sampling rule into the reviewers' queues (each rule at most hourly)."""
    sampling_run_due()
