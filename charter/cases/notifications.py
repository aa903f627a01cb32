"""What the cases app tells people.

Services never send anything themselves: they describe each notification as a `CaseNotification` and hand it
to `notify_on_commit`. It records a `NotificationJob` in the service's own transaction, so a change and its
notifications commit or roll back together; after the commit the worker renders the e-mails
(`charter.cases.mailing`) and the mail app sends them. A periodic sweep delivers any job left behind.
"""

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from charter.common.inserts import PreparedInsert

logger = logging.getLogger(__name__)
JOB_ATTEMPTS = 5
ACKNOWLEDGED_KIND = "acknowledged"  # cases.models.CaseEvent.Kind.ACKNOWLEDGED


class Audience(StrEnum):
    CUSTOMER = "customer"
    HANDLER = "handler"
    TEAM = "team"
    SUPERVISOR = "supervisor"


@dataclasses.dataclass(frozen=True)
class CaseNotification:
    """One thing to tell one audience about one case.

    `tracking_token` is set only on acknowledgement and token rotation, so the mail can carry the tracking
    link; it is never stored. `is_internal` marks staff-only content, which never reaches a customer.
    """

    kind: str
    case_id: int
    audience: Audience
    event_id: int | None = None
    message_id: int | None = None
    recipient_id: int | None = None
    is_internal: bool = False
    tracking_token: str = ""


class InternalContentError(ValueError):
    """An internal note was about to be addressed to a customer."""


def _job(notification: CaseNotification, answering: str) -> Any:
    from charter.cases.models import NotificationJob

    if notification.audience == Audience.CUSTOMER and notification.is_internal:
        raise InternalContentError("internal content is never sent to a customer")
    return NotificationJob(
        case_id=notification.case_id,
        kind=notification.kind,
        audience=notification.audience,
        event_id=notification.event_id,
        message_id=notification.message_id,
        recipient_id=notification.recipient_id,
        is_internal=notification.is_internal,
        tracking_token=notification.tracking_token,
        answering=answering,
    )


def _answering() -> str:
    from charter.mail.inbound import inbound_being_handled

    answering = inbound_being_handled()
    return answering.message_id if answering is not None else ""


def _without_refused_acknowledgement(notifications: Sequence[CaseNotification]) -> Sequence[CaseNotification]:
    """Leave out the customer's acknowledgement when the e-mail being handled must not get one (an old
    message of a mailbox's first import, a sender over the hourly cap: mail.inbound decides)."""
    from charter.mail.inbound import inbound_acknowledgement_refusal

    if not inbound_acknowledgement_refusal():
        return notifications
    return [
        each
        for each in notifications
        if not (each.audience == Audience.CUSTOMER and each.kind == ACKNOWLEDGED_KIND)
    ]


def notify_many(notifications: Sequence[CaseNotification]) -> None:
    """Record `notifications` in the current transaction (one insert); after the commit the worker turns
    them into e-mails, one task for them all."""
    notify_prepared_on_commit(notify_many_prepare(notifications))


def notify_many_prepare(
    notifications: Sequence[CaseNotification],
    *,
    case: Any = None,
    late: Mapping[str, Callable[[Any], object]] | None = None,
) -> PreparedInsert[Any] | None:
    """Build the jobs of `notifications` and compile their insert before the transaction that records them
    (`notify_prepared_on_commit`); None when there is nothing to record. `case`, a Case not yet inserted,
    is the case of every job (their `case_id` is then taken from it when they are recorded); `late` gives
    the values known only then (see charter.common.inserts)."""
    notifications = _without_refused_acknowledgement(notifications)
    if not notifications:
        return None
    answering = _answering()
    jobs = [_job(each, answering) for each in notifications]
    if case is not None:
        for job in jobs:
            job.case = case
    return PreparedInsert(jobs, late=late)


def notify_prepared_on_commit(prepared: PreparedInsert[Any] | None) -> None:
    """Record the jobs `notify_many_prepare` compiled in the current transaction; after the commit, one task
    delivers them."""
    if prepared is None:
        return
    pks = [job.pk for job in prepared.run()]
    transaction.on_commit(lambda: _enqueue(pks))


def _enqueue(pks: list[int]) -> None:
    from charter.cases.tasks import notification_deliver_task, notifications_deliver_task

    if len(pks) == 1:
        notification_deliver_task(pks[0])
    else:
        notifications_deliver_task(pks)


def notify_on_commit(notification: CaseNotification) -> None:
    """Queue `notification` with the current transaction: it is delivered once, after the commit, or never.

    Refuses (InternalContentError) to address internal content to the customer, whatever the caller asks.
    """
    notify_many_on_commit([notification])


def notify_many_on_commit(notifications: Sequence[CaseNotification]) -> None:
    """Queue several notifications with the current transaction, as `notify_on_commit` does one: one insert,
    and after the commit one task (a sweep that warns thousands of clocks queues thousands of them). When one
    would address internal content to the customer, none is recorded."""
    # Part of the caller's transaction: no savepoint of its own (two queries saved per notification).
    with transaction.atomic(savepoint=False):
        notify_many(notifications)


def notification_deliver(*, pk: int) -> bool:
    """Turn job `pk` into e-mails and remove it, in one transaction; False when another worker has it or it
    is gone. Safe to run twice and on several workers."""
    from charter.cases.mailing import notification_queue
    from charter.cases.models import NotificationJob

    with transaction.atomic():
        job = NotificationJob.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if job is None:
            return False
        notification = CaseNotification(
            kind=job.kind,
            case_id=job.case_id,
            audience=Audience(job.audience),
            event_id=job.event_id,
            message_id=job.message_id,
            recipient_id=job.recipient_id,
            is_internal=job.is_internal,
            tracking_token=job.tracking_token,
        )
        notification_queue(notification, answering=job.answering)
        job.delete()
    return True


def notifications_deliver_due(*, older_than: dt.timedelta = dt.timedelta(minutes=1), limit: int = 500) -> int:
    """Deliver the jobs whose immediate delivery did not run (worker down at the time); return how many."""
    from charter.cases.models import NotificationJob

    due = NotificationJob.objects.filter(created_at__lte=timezone.now() - older_than).order_by("pk")
    delivered = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        try:
            delivered += notification_deliver(pk=pk)
        except Exception:  # one broken job must not hold back the others
            logger.exception("notification job %s failed", pk)
            NotificationJob.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
            # After several tries it is given up, loudly, rather than retried every minute for ever.
            for job in NotificationJob.objects.filter(pk=pk, attempts__gte=JOB_ATTEMPTS):
                logger.error("notification job %s (%s, case %s) given up", pk, job.kind, job.case_id)
                job.delete()
    return delivered
