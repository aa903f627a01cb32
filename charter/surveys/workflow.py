"""The workflow of a low-score follow-up (recovery task) as data: from each status, the statuses it may move
to.

An open follow-up is contacted, resolved or closed without contact; a contacted one may be recorded again
(another call) until it is resolved or closed. A resolved one may only be amended (the customer's new score
or the outcome arrives later; its closing time stands); closed without contact is final. `recovery_update`
(charter/surveys/responses.py) takes each step through `RECOVERY_WORKFLOW.move(...)`; the mechanism and its
refusal (409, `invalid_transition`) are shared: charter/common/workflow.py.

A bad review (CSAT 1-2, 好差评) has a second map on the same task, REVIEW_WORKFLOW on `review_status`: it is
verified (valid or partly valid: to be rectified; not valid: straight to the revisit), rectified, and the
reviewer revisited, which closes the loop. The appeal against a valid review has its own small map,
APPEAL_WORKFLOW: filed, then upheld or rejected, both final. The services are in charter/surveys/reviews.py.
"""

from charter.common.workflow import Move, Workflow
from charter.surveys.models import RecoveryTask, ReviewAppeal, ReviewStatus

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

R = ReviewStatus

VERIFY = Move[RecoveryTask]("verify")
RECTIFY = Move[RecoveryTask]("rectify")
REVISIT = Move[RecoveryTask]("revisit")

REVIEW_TRANSITIONS: dict[str, dict[str, Move[RecoveryTask]]] = {
    R.NONE: {},
    R.TO_VERIFY: {R.RECTIFYING: VERIFY, R.REVISITING: VERIFY},
    R.RECTIFYING: {R.REVISITING: RECTIFY},
    R.REVISITING: {R.DONE: REVISIT},
    R.DONE: {},
}

REVIEW_WORKFLOW: Workflow[RecoveryTask, Move[RecoveryTask]] = Workflow(
    R, REVIEW_TRANSITIONS, field="review_status"
)

A = ReviewAppeal.Status

UPHOLD = Move[ReviewAppeal]("uphold")
REJECT = Move[ReviewAppeal]("reject")

APPEAL_WORKFLOW: Workflow[ReviewAppeal, Move[ReviewAppeal]] = Workflow(
    A, {A.FILED: {A.UPHELD: UPHOLD, A.REJECTED: REJECT}, A.UPHELD: {}, A.REJECTED: {}}
)
