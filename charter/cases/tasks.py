"""Background entry points of cases."""

import logging

from huey import crontab

from charter.cases.conf import cases_setting
from charter.cases.models import Case
from charter.cases.notifications import notification_deliver, notifications_deliver_due
from charter.cases.services import (
    attachment_orphans_delete,
    case_clocks_sweep,
    case_close_expired,
    case_tracking_token_rotate,
)
from charter.cases.services.intake_once import intake_submissions_prune
from charter.cases.webhooks import case_events_publish
from charter.common.taskqueue import db_periodic_task, db_task
from charter.common.throttle import throttle_hit

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sla_sweep_task() -> None:
    """Warn and breach the clocks that fell due since the last run; safe to run on several workers at once
    and to run again after a restart (each warning and breach is claimed exactly once)."""
    case_clocks_sweep()


@db_periodic_task(crontab(minute="7"))
def case_close_expired_task() -> None:
    """Close the resolved cases whose appeal window has passed; safe to run twice and on several workers."""
    case_close_expired()


@db_periodic_task(crontab(minute="23"))
def attachment_orphans_delete_task() -> None:
    """Remove files left on disk by uploads whose transaction rolled back; safe to run twice."""
    attachment_orphans_delete()


@db_periodic_task(crontab(minute="*"))
def case_events_publish_task() -> None:
    """Publish new case events to the registered webhooks; safe on several workers (the cursor is locked)."""
    case_events_publish()


@db_task()
def notification_deliver_task(pk: int) -> None:
    """Render a change's notification into e-mails right after the change committed; safe to run twice."""
    notification_deliver(pk=pk)


@db_task()
def notifications_deliver_task(pks: list[int]) -> None:
    """Render the notifications one change queued together (e.g. an SLA sweep's); safe to run twice."""
    for pk in pks:
        try:
            notification_deliver(pk=pk)
        except Exception:  # one broken job must not hold back the others; the sweep retries it
            logger.exception("notification job %s failed; left for the periodic delivery", pk)


@db_periodic_task(crontab(minute="*"))
def notifications_deliver_due_task() -> None:
    """Deliver notifications whose immediate delivery did not run (the worker was down)."""
    notifications_deliver_due()


@db_task()
def case_tracking_link_resend_task(case_id: int | None) -> None:
    """Issue a new tracking link for case `case_id` and e-mail it to its customer (the lost-link page).

    None does nothing: the page queues this task whether or not the details it was given matched, so its
    answer takes the same time either way. A customer without an e-mail address keeps his link (nothing
    could carry the new one), and so does one whose link staff revoked. A case is sent at most
    CHARTER_CASES_LINK_REQUESTS_PER_HOUR links an hour; the page cannot tell, so its answer never changes.
    Running it twice mails a second link, which replaces the first.
    """
    if case_id is None:
        return
    case = Case.objects.select_related("customer").filter(pk=case_id).first()
    if case is None or not case.customer.email or not case.tracking_token_hash:
        return
    sent = throttle_hit(f"track-lookup:case:{case.pk}", window_seconds=3600)
    if sent <= cases_setting("CHARTER_CASES_LINK_REQUESTS_PER_HOUR"):
        case_tracking_token_rotate(actor=None, case=case)


@db_periodic_task(crontab(minute="41", hour="3"))
def intake_submissions_prune_task() -> None:
    """Forget the tracking links the intake's one-time tokens kept for a resubmission (after a day)."""
    intake_submissions_prune()
