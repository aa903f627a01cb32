"""Background entry points of improvement; each is safe to run twice and on several workers."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.improvement.services import action_items_escalate_overdue, effectiveness_checks_notify_due


@db_periodic_task(crontab(minute="*/5"))
def corrective_actions_sweep_task() -> None:
    """Escalate overdue action items and announce effectiveness checks that have fallen due, each once."""
    action_items_escalate_overdue()
    effectiveness_checks_notify_due()
