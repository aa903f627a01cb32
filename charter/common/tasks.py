"""Background entry points shared by the whole installation."""

from django.db import close_old_connections
from huey import crontab

from charter.common.idempotency import idempotency_keys_purge
from charter.common.services import heartbeat_record
from charter.common.sessions import sessions_clear_expired
from charter.common.taskqueue import db_periodic_task, on_startup


@db_periodic_task(crontab(minute="*"))
def heartbeat_record_task() -> None:
    """Record that a worker is alive; /healthz reads the time of the last beat."""
    heartbeat_record(name="worker")


@on_startup()
def heartbeat_on_startup() -> None:
    """Beat as soon as a worker starts, so /healthz need not wait for the first whole minute."""
    close_old_connections()
    heartbeat_record(name="worker")
    close_old_connections()


@db_periodic_task(crontab(minute="40"))
def idempotency_keys_purge_task() -> None:
    """Forget the API's idempotency keys older than a day, every hour: a key outlives its day by an hour
    at most."""
    idempotency_keys_purge()


@db_periodic_task(crontab(minute="50", hour="3"))
def sessions_clear_expired_task() -> None:
    """Forget the sessions that have expired, every night (as Django's `clearsessions`)."""
    sessions_clear_expired()
