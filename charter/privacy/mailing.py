"""Mail about data-subject requests: to the customer when his request is received and when it is answered
(in his language), to the privacy staff when a request arrives, before its deadline and once it is overdue.

Privacy sits below the mail app and cannot import it, so the mail app registers the one function that
renders and queues these mails (`charter.mail.data_requests`, from its AppConfig.ready()); privacy decides
what is sent to whom. Every send runs in the worker (privacy.tasks), after the commit of the step it tells.
"""

from collections.abc import Callable
from enum import StrEnum

from charter.accounts.models import User
from charter.accounts.selectors import user_list_with_permission
from charter.privacy.models import DataSubjectRequest


class RequestMail(StrEnum):
    """The mails of a request; the first three go to the customer, the rest to privacy staff."""

    RECEIVED = "received"
    COMPLETED = "completed"
    REFUSED = "refused"
    NEW = "new"
    REMIND = "remind"
    OVERDUE = "overdue"


CUSTOMER_MAILS = frozenset({RequestMail.RECEIVED, RequestMail.COMPLETED, RequestMail.REFUSED})

# (kind, request, staff recipient or None for the customer) -> whether a mail was queued
RequestMailer = Callable[[RequestMail, DataSubjectRequest, User | None], bool]
_mailers: list[RequestMailer] = []


def request_mailer_register(mailer: RequestMailer) -> None:
    """Register the function that renders and queues a request's mail (the mail app's)."""
    _mailers[:] = [mailer]


def request_staff_recipients(request: DataSubjectRequest) -> list[User]:
    """Return who is told about `request`: its handler once taken, else every active holder of
    privacy.manage_data_requests."""
    if request.handler_id is not None and request.handler is not None and request.handler.is_active:
        return [request.handler]
    return list(user_list_with_permission("privacy.manage_data_requests").order_by("pk"))


def request_mail_send(*, request_id: int, kind: str) -> int:
    """Queue the mail `kind` about request `request_id` to its recipients (the customer for the customer's
    mails, else the privacy staff); return how many were queued. Nothing without a registered mailer or
    for a request that no longer exists; a customer's "received" mail is not sent once he is anonymised."""
    if not _mailers:
        return 0
    mail = RequestMail(kind)
    request = DataSubjectRequest.objects.select_related("customer", "handler").filter(pk=request_id).first()
    if request is None:
        return 0
    if mail in CUSTOMER_MAILS:
        if request.customer.anonymised_at is not None or not request.customer.email:
            return 0
        return int(_mailers[0](mail, request, None))
    return sum(int(_mailers[0](mail, request, person)) for person in request_staff_recipients(request))
