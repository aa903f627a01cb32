"""Who may see personal data unmasked. The rule answers a `Decision` (charter/common/policy.py)."""

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.privacy.errors import ErrorCode

if TYPE_CHECKING:
    from charter.privacy.models import DataSubjectRequest


def can_reveal_personal_data(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may show a field of personal data unmasked, with a reason: holders of
    privacy.reveal_personal_data (else `privacy_reveal_denied`)."""
    if holds(user, "privacy.reveal_personal_data"):
        return ALLOWED
    return refuse(ErrorCode.REVEAL_DENIED, _("You may not see this personal data unmasked."))


def can_manage_retention(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may change retention schedules, run them and place or release legal holds:
    holders of privacy.manage_retention (else `privacy_retention_denied`)."""
    if holds(user, "privacy.manage_retention"):
        return ALLOWED
    return refuse(ErrorCode.RETENTION_DENIED, _("You may not manage retention or legal holds."))


def can_manage_data_requests(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may see, record and answer customers' data-subject requests: holders of
    privacy.manage_data_requests (the data protection officer, administrators; else
    `privacy_request_denied`). Agents may not: a request is recorded by those who answer it."""
    if holds(user, "privacy.manage_data_requests"):
        return ALLOWED
    return refuse(ErrorCode.REQUEST_DENIED, _("You may not handle customers' data requests."))


def can_view_personal_data_log(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may read the log of personal-data views and exports: holders of
    privacy.view_personal_data_log (else `privacy_log_denied`)."""
    if holds(user, "privacy.view_personal_data_log"):
        return ALLOWED
    return refuse(ErrorCode.LOG_DENIED, _("You may not see the log of personal-data views."))


def is_portal_customer(user: AbstractUser | AnonymousUser) -> bool:
    """Answer whether `user` is a signed-in, active customer account (one with a customer record)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    customer = getattr(user, "customer", None)
    return customer is not None and customer.anonymised_at is None


def can_make_data_request(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may make his own data-subject requests in the portal: a signed-in customer
    (else `privacy_request_not_customer`); his identity is verified by his sign-in."""
    if is_portal_customer(user):
        return ALLOWED
    return refuse(ErrorCode.REQUEST_NOT_CUSTOMER, _("Only a signed-in customer may make a data request."))


def can_view_data_request(user: AbstractUser | AnonymousUser, request: "DataSubjectRequest") -> Decision:
    """Decide whether `user` may see `request` and download its export: the customer it is about, or a
    holder of privacy.manage_data_requests. Anyone else is refused as if it did not exist (hidden)."""
    if holds(user, "privacy.manage_data_requests"):
        return ALLOWED
    customer = getattr(user, "customer", None) if getattr(user, "is_authenticated", False) else None
    if customer is not None and getattr(user, "is_active", False) and customer.pk == request.customer_id:
        return ALLOWED
    return refuse(ErrorCode.REQUEST_DENIED, _("There is no such request."), hidden=True)
