"""Background entry points of privacy's data-subject requests (Huey discovers this module). Each task is
safe to run twice and on several workers."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task, db_task
from charter.privacy import mailing, requests


@db_task()
def data_request_mail_task(request_id: int, kind: str) -> None:
    """Queue the mail `kind` about request `request_id` (enqueued once the step it tells commits)."""
    mailing.request_mail_send(request_id=request_id, kind=kind)


# Hourly at minute 35: a deadline is a moment of the working day, so an hourly sweep tells in time.
@db_periodic_task(crontab(minute="35"))
def data_request_reminders_task() -> None:
    """Remind the handlers of requests whose deadline is near and tell them of overdue ones, each once."""
    requests.data_request_reminders_send()


# The daily retention run lives in its own module.
from charter.privacy.tasks_retention import *  # noqa: E402, F403
