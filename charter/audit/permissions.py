"""Who may read the audit trail. The rule answers a `Decision` (charter/common/policy.py)."""

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.audit.errors import ErrorCode
from charter.common.policy import ALLOWED, Decision, holds, refuse


def can_view_audit_trail(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may read the audit trail: holders of audit.view_audit_trail (administrators;
    else `audit_view_denied`)."""
    if holds(user, "audit.view_audit_trail"):
        return ALLOWED
    return refuse(ErrorCode.VIEW_DENIED, _("You may not read the audit trail."))
