"""Who may do what with the published figures. Views and services call these predicates; each answers a
`Decision` (charter/common/policy.py)."""

from django.utils.translation import gettext_lazy as _

from charter.accounts.permissions import AnyUser
from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.reports.errors import ErrorCode


def can_manage_disclosure(user: AnyUser) -> Decision:
    """Decide whether `user` may choose which performance figures the public charter shows: holders of
    reports.manage_disclosure (administrators; else `report_disclosure_denied`)."""
    if holds(user, "reports.manage_disclosure"):
        return ALLOWED
    return refuse(ErrorCode.DISCLOSURE_DENIED, _("You may not change which figures are published."))
