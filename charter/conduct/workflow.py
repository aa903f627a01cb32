"""The workflow of a violation as data: from each status, the statuses it may move to, and by which step.

The services in charter/conduct/services.py take each step through `VIOLATION_WORKFLOW.move(...)` with the
step's name, so a service takes only its own step even where two steps lead to the same status (HR's
approval and the end of the response window both put a decision into effect). The mechanism and its refusal
(409, `invalid_transition`) are shared: charter/common/workflow.py.
"""

from charter.common.workflow import Move, Workflow
from charter.conduct.models import Violation

S = Violation.Status

DECIDE = Move[Violation]("decide")
# The staff member's response, or the end of the response window without one.
END_RESPONSE = Move[Violation]("end_response")
APPROVE = Move[Violation]("approve")
REJECT = Move[Violation]("reject")
APPEAL = Move[Violation]("appeal")
# The appeal window ends without an appeal (the periodic sweep).
EXPIRE = Move[Violation]("expire")
DECIDE_APPEAL = Move[Violation]("decide_appeal")

TRANSITIONS: dict[str, dict[str, Move[Violation]]] = {
    S.RECORDED: {S.AWAITING_RESPONSE: DECIDE},
    S.AWAITING_RESPONSE: {S.AWAITING_APPROVAL: END_RESPONSE, S.IN_EFFECT: END_RESPONSE},
    S.AWAITING_APPROVAL: {S.IN_EFFECT: APPROVE, S.RECORDED: REJECT},
    S.IN_EFFECT: {S.APPEALED: APPEAL, S.CLOSED: EXPIRE},
    S.APPEALED: {S.CLOSED: DECIDE_APPEAL},
    S.CLOSED: {},
}

VIOLATION_WORKFLOW: Workflow[Violation, Move[Violation]] = Workflow(S, TRANSITIONS)
