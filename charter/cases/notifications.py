"""What the cases app tells people.

Services never send anything themselves: they describe each notification as a `CaseNotification` and hand it
to `notify_on_commit`. It queues the e-mails in the service's own transaction (`charter.cases.mailing`), so a
change and its notifications commit or roll back together, and the mail app sends them only after the
commit.
"""

import dataclasses
from enum import StrEnum

from django.db import transaction


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


def notify(notification: CaseNotification) -> None:
    """Queue the e-mails of `notification` in the current transaction."""
    from charter.cases.mailing import notification_queue

    notification_queue(notification)


def notify_on_commit(notification: CaseNotification) -> None:
    """Queue `notification` with the current transaction: it is delivered once, after the commit, or never.

    Refuses (InternalContentError) to address internal content to the customer, whatever the caller asks.
    """
    if notification.audience == Audience.CUSTOMER and notification.is_internal:
        raise InternalContentError("internal content is never sent to a customer")
    with transaction.atomic():
        notify(notification)
