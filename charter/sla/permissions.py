"""Who may do what with calendars and SLA policies. Views, the API and the services call these predicates.

Each answers a `Decision` (charter/common/policy.py): the services raise from it, pages and the API ask it.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.permissions import AnyUser
from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.sla.errors import ErrorCode


def can_view_sla(user: AnyUser) -> Decision:
    """Decide whether `user` may read calendars and SLA policies: holders of sla.view_businesscalendar
    (every staff role; else `sla_view_denied`)."""
    if holds(user, "sla.view_businesscalendar"):
        return ALLOWED
    return refuse(ErrorCode.VIEW_DENIED, _("You may not see calendars or SLA policies."))


def can_edit_sla(user: AnyUser) -> Decision:
    """Decide whether `user` may change calendars, holidays, assignments and SLA policies: holders of
    sla.manage_sla (administrators; else `sla_edit_denied`)."""
    if holds(user, "sla.manage_sla"):
        return ALLOWED
    return refuse(ErrorCode.EDIT_DENIED, _("You may not change calendars or SLA policies."))
