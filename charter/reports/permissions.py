"""Who may do what with the published figures. Views and services call these predicates; each answers a
`Decision` (charter/common/policy.py)."""

from django.utils.translation import gettext_lazy as _

from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import led_team_ids
from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.reports.errors import ErrorCode


def can_manage_disclosure(user: AnyUser) -> Decision:
    """Decide whether `user` may choose which performance figures the public charter shows: holders of
    reports.manage_disclosure (administrators; else `report_disclosure_denied`)."""
    if holds(user, "reports.manage_disclosure"):
        return ALLOWED
    return refuse(ErrorCode.DISCLOSURE_DENIED, _("You may not change which figures are published."))


def can_view_dashboard(user: AnyUser) -> Decision:
    """Decide whether `user` may see the management dashboard: holders of reports.view_dashboard
    (supervisors, administrators; else `report_dashboard_denied`). What he sees is limited by
    `dashboard_team_ids`."""
    if holds(user, "reports.view_dashboard"):
        return ALLOWED
    return refuse(ErrorCode.DASHBOARD_DENIED, _("You may not see the management dashboard."))


def can_read_monthly_report(user: AnyUser) -> Decision:
    """Decide whether `user` may list, download, subscribe to and be mailed the monthly report: it is
    organisation-wide, so only holders of reports.view_dashboard who see the whole organisation on the
    dashboard (`dashboard_team_ids` is None: administrators, superusers); a supervisor confined to his
    subtree is refused (`report_monthly_read_denied`)."""
    if holds(user, "reports.view_dashboard") and dashboard_team_ids(user) is None:
        return ALLOWED
    return refuse(
        ErrorCode.MONTHLY_REPORT_READ_DENIED,
        _("The monthly report covers the whole organisation; only organisation-wide readers may see it."),
    )


def can_generate_monthly_report(user: AnyUser) -> Decision:
    """Decide whether `user` may generate a monthly report again (administrators, holders of
    reports.generate_monthly_report; else `report_monthly_generate_denied`)."""
    if holds(user, "reports.generate_monthly_report"):
        return ALLOWED
    return refuse(ErrorCode.MONTHLY_REPORT_DENIED, _("You may not generate the monthly report."))


def dashboard_team_ids(user: AnyUser) -> frozenset[int] | None:
    """The teams whose figures `user` sees on the dashboard: None for all (an administrator, a superuser or
    anyone holding reports.generate_monthly_report, i.e. management), else the teams he leads and those in
    the units under them (`accounts.selectors.led_team_ids`; empty for someone who leads no team).

    The monthly report is organisation-wide: only for whole-organisation readers
    (`can_read_monthly_report`)."""
    if holds(user, "reports.generate_monthly_report") or getattr(user, "is_superuser", False):
        return None
    if not holds(user, "reports.view_dashboard"):
        return frozenset()
    return led_team_ids(user)  # type: ignore[arg-type]  # holds() was True: a signed-in User
