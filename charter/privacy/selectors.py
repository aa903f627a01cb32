"""Reads of privacy's rows that other services (erasure, retention, the higher apps' rules) depend on."""

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from charter.common.policy import holds
from charter.privacy.models import DataSubjectRequest, LegalHold

if TYPE_CHECKING:
    from charter.audit.models import AuditEvent

# --- legal holds -------------------------------------------------------------------------------------------
# A hold on a customer keeps everything about him (his profile and every case he raised); a hold on a record
# (target_type "cases.case", target_id its pk) keeps that record. Privacy cannot read cases, so the rule
# "a case is held when it or its customer is" is combined in the cases app's retention rule from the two
# selectors below.


def held_customer_ids() -> set[int]:
    """Return the ids of customers under an active legal hold."""
    return set(
        LegalHold.objects.filter(released_at__isnull=True, customer__isnull=False).values_list(
            "customer_id", flat=True
        )
    )


def is_customer_held(customer_id: int) -> bool:
    """Answer whether an active legal hold covers the customer himself (not only one of his records)."""
    return LegalHold.objects.filter(released_at__isnull=True, customer_id=customer_id).exists()


def held_target_ids(target_type: str) -> set[str]:
    """Return the ids (as strings) of records of `target_type` (e.g. "cases.case") under an active hold."""
    return set(
        LegalHold.objects.filter(released_at__isnull=True, target_type=target_type).values_list(
            "target_id", flat=True
        )
    )


# --- data-subject requests (dsr) --------------------------------------------------------------------------
# A customer sees his own requests; holders of privacy.manage_data_requests see every request; nobody else
# sees any (a request outside the reader's scope is answered as missing).


def data_request_list_visible_to(*, user: AbstractUser | AnonymousUser) -> "QuerySet[DataSubjectRequest]":
    """Return the requests `user` may see, newest first: all for privacy staff, his own for a customer,
    none for anyone else."""
    requests = DataSubjectRequest.objects.select_related("customer", "handler", "recorded_by")
    if holds(user, "privacy.manage_data_requests"):
        return requests.all()
    customer = getattr(user, "customer", None) if getattr(user, "is_authenticated", False) else None
    if customer is not None and getattr(user, "is_active", False):
        return requests.filter(customer=customer)
    return requests.none()


def data_request_get_visible(*, user: AbstractUser | AnonymousUser, number: str) -> DataSubjectRequest | None:
    """Return the request numbered `number` when `user` may see it, else None (missing or not his)."""
    if not number or len(number) > 20:
        return None
    return data_request_list_visible_to(user=user).filter(number=number).first()


def data_request_filter(
    requests: "QuerySet[DataSubjectRequest]",
    *,
    status: str = "",
    kind: str = "",
    is_overdue: bool = False,
    now: dt.datetime | None = None,
) -> "QuerySet[DataSubjectRequest]":
    """Narrow `requests` by status (`open` for received or in progress), kind, and to the open ones past
    their deadline."""
    open_statuses = [DataSubjectRequest.Status.RECEIVED, DataSubjectRequest.Status.IN_PROGRESS]
    if status == "open":
        requests = requests.filter(status__in=open_statuses)
    elif status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    if is_overdue:
        requests = requests.filter(status__in=open_statuses, due_at__lte=now or timezone.now())
    return requests


def data_request_open_counts() -> dict[str, int]:
    """Return how many requests are open and how many of those are overdue."""
    open_statuses = [DataSubjectRequest.Status.RECEIVED, DataSubjectRequest.Status.IN_PROGRESS]
    return DataSubjectRequest.objects.filter(status__in=open_statuses).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=timezone.now()))
    )


# The audit actions of the personal-data log: views and reveals of a customer's full data, and every export.
PERSONAL_DATA_ACTIONS = ("privacy.view", "privacy.reveal", "privacy.export_build", "privacy.export_download")


def personal_data_log_actions() -> list[str]:
    """Return the audit codes the personal-data log shows: privacy's views, reveals and exports, and every
    other app's export (a code ending in `_export` or `.export`)."""
    from charter.audit.actions import ACTION_LABELS

    exports = sorted(code for code in ACTION_LABELS if code.endswith(("_export", ".export")))
    return [*PERSONAL_DATA_ACTIONS, *(code for code in exports if code not in PERSONAL_DATA_ACTIONS)]


def personal_data_log(
    *, actor_id: int | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> "QuerySet[AuditEvent]":
    """Return the audit events of the personal-data log, newest first, narrowed by who and when."""
    from charter.audit.selectors import audit_event_list

    events = audit_event_list(actor_id=actor_id, since=since, until=until)
    return events.filter(action__in=personal_data_log_actions())
