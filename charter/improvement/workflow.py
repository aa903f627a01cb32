"""The workflow of a corrective action as data: from each status, the statuses it may move to, and the
conditions on the action that each move needs.

`_move` in charter/improvement/services.py applies it (through the shared mechanism in
charter/common/workflow.py, which refuses with 409 `invalid_transition`) and adds each move's effects. What
depends on the person (only someone who never owned the action closes it) is asked by the services; what
depends on the input (a cancellation needs a note) too.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.common.workflow import Move, Workflow
from charter.improvement.errors import ErrorCode
from charter.improvement.models import ActionStatus, CorrectiveAction, Verdict

S = ActionStatus


def _items_done(action: CorrectiveAction) -> Promise | None:
    """Refuse the wait for the check until the action has items and every one is done."""
    if not action.items.exists() or action.items.filter(done_at__isnull=True).exists():
        return _("Every action item must be done before the effectiveness check.")
    return None


def _found_ineffective(action: CorrectiveAction) -> Promise | None:
    """Refuse reopening but by a check that found the action not effective."""
    if action.verdict != Verdict.INEFFECTIVE:
        return _("A corrective action is reopened only by a check that finds it not effective.")
    return None


def _found_effective(action: CorrectiveAction) -> Promise | None:
    """Refuse closing until a check found the action effective."""
    if action.verdict != Verdict.EFFECTIVE:
        return _("A corrective action is closed only after an effectiveness check found it effective.")
    return None


START = Move[CorrectiveAction]("start")
AWAIT_CHECK = Move[CorrectiveAction]("await_check", condition=_items_done, code=ErrorCode.ITEMS_NOT_DONE)
REOPEN = Move[CorrectiveAction]("reopen", condition=_found_ineffective)
CLOSE = Move[CorrectiveAction]("close", condition=_found_effective, code=ErrorCode.NOT_EFFECTIVE)
CANCEL = Move[CorrectiveAction]("cancel")

TRANSITIONS: dict[str, dict[str, Move[CorrectiveAction]]] = {
    S.OPEN: {S.IN_PROGRESS: START, S.AWAITING_CHECK: AWAIT_CHECK, S.CANCELLED: CANCEL},
    S.IN_PROGRESS: {S.AWAITING_CHECK: AWAIT_CHECK, S.CANCELLED: CANCEL},
    S.AWAITING_CHECK: {S.IN_PROGRESS: START, S.REOPENED: REOPEN, S.CLOSED: CLOSE, S.CANCELLED: CANCEL},
    S.REOPENED: {S.IN_PROGRESS: START, S.AWAITING_CHECK: AWAIT_CHECK, S.CANCELLED: CANCEL},
    S.CLOSED: {},
    S.CANCELLED: {},
}

ACTION_WORKFLOW: Workflow[CorrectiveAction, Move[CorrectiveAction]] = Workflow(
    S, TRANSITIONS, refusal=_("A corrective action cannot go from “%(from)s” to “%(to)s”.")
)
