"""Background entry points shared by the whole installation."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from charter.common.services import heartbeat_record


@db_periodic_task(crontab(minute="*"))
def heartbeat_record_task() -> None:
    """Record that a worker is alive; /healthz reads the time of the last beat."""
    heartbeat_record(name="worker")
