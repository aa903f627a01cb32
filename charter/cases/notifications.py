"""What the cases app tells people, and the hook the mail app will implement.

Services never send anything themselves: they describe each notification as a `CaseNotification` and hand it
to `notify_on_commit`, which calls `notify` only once the change has committed. `notify` is a no-op until
the mail issue fills it in (templates, recipients, delivery log).
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
    """Deliver `notification`. Implemented by the mail issue; today it does nothing."""


def notify_on_commit(notification: CaseNotification) -> None:
    """Schedule `notify(notification)` for after the current transaction commits.

    Refuses (InternalContentError) to address internal content to the customer, whatever the caller asks.
    """
    if notification.audience == Audience.CUSTOMER and notification.is_internal:
        raise InternalContentError("internal content is never sent to a customer")
    transaction.on_commit(lambda: notify(notification))
