"""What improvement shows on other apps' pages: on a violation's page, the corrective actions opened from it
(those the reader may see) and a link to open one."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from charter.conduct.models import Violation
from charter.improvement.permissions import can_open
from charter.improvement.selectors import corrective_action_list_visible_to


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
