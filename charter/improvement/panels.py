"""What improvement shows on other apps' pages: on a violation's page, the corrective actions opened from it
(those the reader may see) and a link to open one; on the desk home, the reader's action items now due."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.common.pages import may_open
from charter.conduct.models import Violation
from charter.improvement.permissions import can_open
from charter.improvement.selectors import action_item_due_count, corrective_action_list_visible_to


def violation_actions_panel(request: HttpRequest, violation: Violation) -> str:
    """The violation's corrective actions visible to the reader, and "open one" for those who may."""
    user = request.user
    actions = list(
        corrective_action_list_visible_to(user=user).filter(violation=violation).order_by("opened_at")
    )
    may_open = can_open(user)
    if not actions and not may_open:
        return ""
    return render_to_string(
        "improvement/violation_panel.html",
        {"actions": actions, "may_open": may_open, "violation": violation},
        request=request,
    )


def desk_action_item_tiles(user: User) -> list[DeskTile]:
    """The items of corrective actions the reader owns that are due today or overdue; one query. The tile
    links to the actions holding them."""
    if not may_open(user, "improvement:action_list"):
        return []
    return [
        DeskTile(
            key="action-items-due",
            label=_("My corrective action items due"),
            count=action_item_due_count(user=user, today=timezone.localdate()),
            url=f"{reverse('improvement:action_list')}?status=active&my_items_due=on",
            hint=_("Things you took on to remove a cause, due today or overdue."),
        )
    ]
