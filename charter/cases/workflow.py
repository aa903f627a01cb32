"""The case workflow as data: which status may follow which, and by which verb.

`case_transition` (services) is the one function that enforces it. Moves marked `dedicated` carry more than
a status (a resolution needs its outcome and reasons, an appeal its reason) and are made only through their
own service, which uses the same map.
"""

import dataclasses

from charter.cases.models import CaseStatus as S


@dataclasses.dataclass(frozen=True)
class Move:
    """One allowed step: its verb, whether it needs a reason, and whether only its own service makes it."""

    verb: str
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

# Statuses in which the clocks are paused (the customer has the ball).
PAUSED_STATUSES = frozenset({S.WAITING_CUSTOMER})
# Statuses that end the work: the clocks stop, met or breached.
FINISHED_STATUSES = frozenset({S.RESOLVED, S.CLOSED, S.CANCELLED})


def move_for(from_status: str, to_status: str) -> Move | None:
    """Return the move from `from_status` to `to_status`, or None when the workflow does not allow it."""
    return TRANSITIONS.get(from_status, {}).get(to_status)


def allowed_targets(from_status: str, *, include_dedicated: bool = True) -> list[str]:
    """Return the statuses reachable from `from_status`, in the order of the map."""
    return [
        to for to, move in TRANSITIONS.get(from_status, {}).items() if include_dedicated or not move.dedicated
    ]
