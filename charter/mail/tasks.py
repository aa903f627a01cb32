"""Background entry points of mail: sending, the retry sweep, polling mailboxes, webhook deliveries."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task, db_task
from charter.mail.fetch import mailboxes_poll
from charter.mail.outbound import outbound_due_send, outbound_send
from charter.mail.webhooks import webhook_due_send, webhook_send


@db_task()
def outbound_send_task(pk: int) -> None:
    """Send one queued message right after the transaction that queued it committed; safe to run twice."""
    outbound_send(pk=pk)


@db_periodic_task(crontab(minute="*"))
def outbound_due_send_task() -> None:
    """Send what is due: retries, and messages whose first attempt never ran (worker down at the time)."""
    outbound_due_send()


@db_periodic_task(crontab(minute="*"))
def mailboxes_poll_task() -> None:
    """Fetch new mail from every active mailbox; safe on several workers at once (each message once)."""
    mailboxes_poll()


@db_task()
def webhook_send_task(pk: int) -> None:
    """Post one webhook delivery right after the transaction that queued it; safe to run twice."""
    webhook_send(pk=pk)


@db_periodic_task(crontab(minute="*"))
def webhook_due_send_task() -> None:
    """Post what is due: retries, and deliveries whose first attempt never ran."""
    webhook_due_send()
