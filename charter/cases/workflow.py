"""The case workflow as data: which status may follow which, and by which verb.

`CASE_WORKFLOW` holds the map; `_move` in charter/cases/services/lifecycle.py is the one function that applies
it (through the shared mechanism in charter/common/workflow.py). Moves marked `dedicated` carry more than a
status (a resolution needs its outcome and reasons, an appeal its reason) and are made only through their
own service, which uses the same map.
"""

import dataclasses

from django.utils.translation import gettext_lazy as _

from charter.cases.models import Case
from charter.cases.models import CaseStatus as S
from charter.common import workflow


@dataclasses.dataclass(frozen=True)
class Move(workflow.Move[Case]):
    """One allowed step: its verb (`name`), whether it needs a reason, and whether only its own service
    makes it."""

    needs_reason: bool = False
    dedicated: str = ""
    is_reopen: bool = False


ACKNOWLEDGE = Move("acknowledge")
START = Move("start")
WAIT = Move("wait_for_customer")
RESUME = Move("resume")
ESCALATE = Move("escalate", needs_reason=True)
DE_ESCALATE = Move("de_escalate")
RESOLVE = Move("resolve", dedicated="case_resolve")
CLOSE = Move("close")
REOPEN = Move("reopen", needs_reason=True, is_reopen=True)
APPEAL = Move("appeal", dedicated="case_appeal")
MERGE = Move("merge", dedicated="case_merge")
CANCEL = Move("cancel", needs_reason=True)

TRANSITIONS: dict[str, dict[str, Move]] = {
    S.NEW: {S.ACKNOWLEDGED: ACKNOWLEDGE, S.IN_PROGRESS: START, S.CANCELLED: CANCEL, S.CLOSED: MERGE},
    S.ACKNOWLEDGED: {
        S.IN_PROGRESS: START,
        S.WAITING_CUSTOMER: WAIT,
        S.ESCALATED: ESCALATE,
        S.RESOLVED: RESOLVE,
        S.CANCELLED: CANCEL,
        S.CLOSED: MERGE,
    },
    S.IN_PROGRESS: {
        S.WAITING_CUSTOMER: WAIT,
        S.ESCALATED: ESCALATE,
        S.RESOLVED: RESOLVE,
        S.CANCELLED: CANCEL,
        S.CLOSED: MERGE,
    },
    S.WAITING_CUSTOMER: {
        S.IN_PROGRESS: RESUME,
        S.ESCALATED: ESCALATE,
        S.RESOLVED: RESOLVE,
        S.CANCELLED: CANCEL,
        S.CLOSED: MERGE,
    },
    S.ESCALATED: {
        S.IN_PROGRESS: DE_ESCALATE,
        S.WAITING_CUSTOMER: WAIT,
        S.RESOLVED: RESOLVE,
        S.CANCELLED: CANCEL,
        S.CLOSED: MERGE,
    },
    S.RESOLVED: {
        S.CLOSED: CLOSE,
        S.IN_PROGRESS: REOPEN,
        S.RECONSIDERATION: APPEAL,
    },
    S.RECONSIDERATION: {
        S.WAITING_CUSTOMER: WAIT,
        S.ESCALATED: ESCALATE,
        S.RESOLVED: RESOLVE,
    },
    S.CLOSED: {S.IN_PROGRESS: REOPEN, S.RECONSIDERATION: APPEAL},
    S.CANCELLED: {},
}

CASE_WORKFLOW: workflow.Workflow[Case, Move] = workflow.Workflow(
    S, TRANSITIONS, refusal=_("A case that is %(from)s cannot become %(to)s.")
)

# Statuses in which the clocks are paused (the customer has the ball).
PAUSED_STATUSES = frozenset({S.WAITING_CUSTOMER})
# Statuses that end the work: the clocks stop, met or breached.
FINISHED_STATUSES = frozenset({S.RESOLVED, S.CLOSED, S.CANCELLED})
