"""Who may do what with the standards. Views, the API and services call these same predicates.

Each rule about an action answers a `Decision` (charter/common/policy.py): the services raise from it,
pages and the API ask it. `can_view_everyone_in_report` is a plain question of scope.
"""

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.standards.errors import ErrorCode

AnyUser = AbstractUser | AnonymousUser


def can_view_standards(user: AnyUser) -> Decision:
    """Decide whether `user` may read the staff pages of the standards: holders of
    standards.view_standarddocument (every staff role; else `standard_view_denied`).

    Published versions are public policy and need no permission; this guards the desk pages.
    """
    if holds(user, "standards.view_standarddocument"):
        return ALLOWED
    return refuse(ErrorCode.VIEW_DENIED, _("You may not see the staff pages of the standards."))


def can_edit_standards(user: AnyUser) -> Decision:
    """Decide whether `user` may create documents, write drafts and publish them: holders of
    standards.manage_standards (administrators; else `standard_edit_denied`)."""
    if holds(user, "standards.manage_standards"):
        return ALLOWED
    return refuse(ErrorCode.EDIT_DENIED, _("You may not edit the standards."))


def can_acknowledge_standards(user: AnyUser) -> Decision:
    """Decide whether `user` may acknowledge published versions of the code of conduct: holders of
    standards.add_standardacknowledgement (staff; else `standard_acknowledge_denied`)."""
    if holds(user, "standards.add_standardacknowledgement"):
        return ALLOWED
    return refuse(ErrorCode.ACKNOWLEDGE_DENIED, _("Only staff acknowledge the code of conduct."))


def can_view_acknowledgement_report(user: AnyUser) -> Decision:
    """Decide whether `user` may see who has acknowledged a version: holders of
    standards.view_acknowledgement_report (supervisors and administrators; else `standard_report_denied`).

    Which people the report covers is scoped by `acknowledgement_report_user_list`.
    """
    if holds(user, "standards.view_acknowledgement_report"):
        return ALLOWED
    return refuse(ErrorCode.REPORT_DENIED, _("You may not see who has acknowledged the standards."))


def can_view_everyone_in_report(user: AnyUser) -> bool:
    """True for a user whose acknowledgement report covers all staff, not only his teams (administrators)."""
    return bool(can_edit_standards(user)) or bool(user.is_authenticated and user.is_superuser)
