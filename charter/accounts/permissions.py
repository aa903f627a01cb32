"""Who may do what in accounts. Views, the API and services call these same predicates.

A rule about an action answers a `Decision` (charter/common/policy.py); `is_staff_member` and
`is_administrator` are plain questions about a person.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.accounts.errors import ErrorCode
from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.common.policy import ALLOWED, Decision, holds, refuse

AnyUser = User | AnonymousUser


def is_staff_member(user: AnyUser) -> bool:
    """True for a signed-in member of staff (any staff role, or a superuser)."""
    return isinstance(user, User) and user.is_staff_member


def is_administrator(user: AnyUser) -> bool:
    """True for an administrator or a superuser."""
    return isinstance(user, User) and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def can_record_customer(user: AnyUser) -> Decision:
    """Decide whether `user` may record a customer: staff holding accounts.add_customer (agents, supervisors,
    administrators; else `account_customer_denied`). The public intake and the mailboxes record their
    senders without a signed-in actor."""
    if is_staff_member(user) and holds(user, "accounts.add_customer"):
        return ALLOWED
    return refuse(ErrorCode.CUSTOMER_DENIED, _("You may not record customers."))
