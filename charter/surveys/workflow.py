"""The workflow of a low-score follow-up (recovery task) as data: from each status, the statuses it may move
to.

An open follow-up is contacted, resolved or closed without contact; a contacted one may be recorded again
(another call) until it is resolved or closed. A resolved one may only be amended (the customer's new score
or the outcome arrives later; its closing time stands); closed without contact is final. `recovery_update`
(charter/surveys/responses.py) takes each step through `RECOVERY_WORKFLOW.move(...)`; the mechanism and its
refusal (409, `invalid_transition`) are shared: charter/common/workflow.py.
"""

from charter.common.workflow import Move, Workflow
from charter.surveys.models import RecoveryTask

S = RecoveryTask.Status

CONTACT = Move[RecoveryTask]("contact")
RESOLVE = Move[RecoveryTask]("resolve")
CLOSE = Move[RecoveryTask]("close")
AMEND = Move[RecoveryTask]("amend")

TRANSITIONS: dict[str, dict[str, Move[RecoveryTask]]] = {
    S.OPEN: {S.CONTACTED: CONTACT, S.RESOLVED: RESOLVE, S.CLOSED: CLOSE},
    S.CONTACTED: {S.CONTACTED: CONTACT, S.RESOLVED: RESOLVE, S.CLOSED: CLOSE},
    S.RESOLVED: {S.RESOLVED: AMEND},
    S.CLOSED: {},
}

RECOVERY_WORKFLOW: Workflow[RecoveryTask, Move[RecoveryTask]] = Workflow(S, TRANSITIONS)
