"""Case events published as webhooks: the timeline is the outbox, read with a cursor by a periodic task.

Payloads carry what an integration needs to act (the case's number, kind, status, priority, channel, team
and service, the event's kind and time) and never personal data or the text of messages: an internal note
cannot leak through a webhook, and a receiver that needs more asks the API with its own credentials.
"""

import datetime as dt
from typing import Any

from charter.cases.models import CaseEvent
from charter.common.outbox import outbox_batch
from charter.mail.conf import mail_setting
from charter.mail.webhooks import webhook_emit, webhook_events_register

K = CaseEvent.Kind
PUBLISHED = (
    K.CREATED,
    K.STATUS_CHANGED,
    K.REPLIED,
    K.CUSTOMER_REPLIED,
    K.ASSIGNED,
    K.PRIORITY_CHANGED,
    K.ESCALATED,
    K.RESOLVED,
    K.ACCEPTED,
    K.APPEALED,
    K.REOPENED,
    K.CLOSED,
    K.CANCELLED,
    K.MERGED,
    K.CLOCK_WARNED,
    K.CLOCK_BREACHED,
)
CURSOR = "cases.webhooks"


def events_register() -> None:
    webhook_events_register({f"case.{kind.value}": kind.label for kind in PUBLISHED})


def _payload(event: CaseEvent) -> dict[str, Any]:
    case = event.case
    data: dict[str, Any] = {
        "case": {
            "id": case.pk,
            "number": case.number,
            "kind": case.kind,
            "status": case.status,
            "priority": case.priority,
            "channel": case.channel,
            "team": case.team.code if case.team else None,
            "service": case.service.slug if case.service else None,
            "next_deadline_at": case.next_deadline_at.isoformat() if case.next_deadline_at else None,
        },
        "event": {"id": event.pk, "kind": event.kind, "occurred_at": event.occurred_at.isoformat()},
    }
    if event.kind in (K.CLOCK_WARNED, K.CLOCK_BREACHED):
        data["event"]["metric"] = event.data.get("metric")
    if event.kind == K.STATUS_CHANGED:
        data["event"]["to"] = event.data.get("to")
    return data


def case_events_publish(*, limit: int = 500) -> int:
    """Publish the case events committed since the last run as webhooks; return how many were read.

    Reads through the outbox cursor (see charter.common.outbox), waiting CHARTER_WEBHOOK_LAG_SECONDS so an
    event whose transaction committed late is not skipped. Safe on several workers.
    """
    lag = dt.timedelta(seconds=int(mail_setting("CHARTER_WEBHOOK_LAG_SECONDS")))
    events = CaseEvent.objects.select_related("case", "case__team", "case__service")
    with outbox_batch(CURSOR, events, lag=lag, limit=limit) as batch:
        for event in batch:
            if event.kind in PUBLISHED:
                webhook_emit(event=f"case.{event.kind}", key=f"case-event:{event.pk}", data=_payload(event))
    return len(batch)
