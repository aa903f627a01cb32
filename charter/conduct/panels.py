"""Panels other apps add to a violation's page, e.g. the corrective actions opened from it; and the tiles
conduct adds to the desk home.

A higher app registers a function taking (request, violation) and returning safe HTML, or "" for nothing, in
its AppConfig.ready(); conduct renders them in registration order without importing that app (DESIGN.md,
dependencies).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.common.pages import may_open
from charter.common.panels import Panel, Panels
from charter.conduct.models import Violation
from charter.conduct.permissions import can_approve_discipline, can_decide_violations
from charter.conduct.selectors import violation_work_counts

violation_panels: Panels[Violation] = Panels()


def violation_panel_register(panel: Panel[Violation]) -> None:
    """Show `panel` on the violation page, after the panels registered before it (once, however often
    called)."""
    violation_panels.register(panel)


def desk_violation_tiles(user: User) -> list[DeskTile]:
    """The violations waiting for the reader (to decide, to approve, appeals to decide, his own awaiting his
    response), each shown to those who may act on it and open its list; one query."""
    lists = may_open(user, "conduct:violation_list")
    own = may_open(user, "conduct:my_record")
    decider, approver = can_decide_violations(user), can_approve_discipline(user)
    if not (own or (lists and (decider or approver))):
        return []
    counts = violation_work_counts(user=user)
    listed = reverse("conduct:violation_list")
    status = Violation.Status
    tiles = []
    if lists and decider:
        tiles.append(
            DeskTile(
                key="violations-decide",
                label=_("Violations to decide"),
                count=counts["to_decide"],
                url=f"{listed}?status={status.RECORDED}",
                hint=_("Recorded violations of your staff awaiting the step you decide."),
            )
        )
    if lists and approver:
        tiles.append(
            DeskTile(
                key="violations-approve",
                label=_("Discipline to approve"),
                count=counts["to_approve"],
                url=f"{listed}?status={status.AWAITING_APPROVAL}",
                hint=_("Steps that need a second approver."),
            )
        )
    if lists and (decider or approver):
        tiles.append(
            DeskTile(
                key="violations-appeals",
                label=_("Conduct appeals to decide"),
                count=counts["appeals"],
                url=f"{listed}?status={status.APPEALED}",
                hint=_("Staff who appealed a disciplinary step."),
            )
        )
    if own:
        tiles.append(
            DeskTile(
                key="violations-respond",
                label=_("Violations awaiting my response"),
                count=counts["to_respond"],
                url=f"{reverse('conduct:my_record')}?status={status.AWAITING_RESPONSE}",
                hint=_("A decision about you: give your side before it takes effect."),
            )
        )
    return tiles
