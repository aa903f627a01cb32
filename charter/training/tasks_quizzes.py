"""Background entry points of quizzes: every minute, submit the attempts whose time is up."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.training.quizzes import attempts_expire


@db_periodic_task(crontab(minute="*"))
def attempts_expire_task() -> None:
    """Submit, with what was answered, the attempts in progress past their deadline (a closed browser does
    not stop the clock). Safe on several workers: each attempt is claimed once."""
    attempts_expire()
