"""The workflow of a QA review as data: the reviewer submits; the agent acknowledges or disputes, once; the
person the dispute went to decides it.

The services in charter/quality/services/reviews.py take each step through `REVIEW_WORKFLOW.move(...)`;
the mechanism and its refusal (409, `invalid_transition`) are shared: charter/common/workflow.py.
"""

from charter.common.workflow import Move, Workflow
from charter.quality.models import Review

S = Review.Status

SUBMIT = Move[Review]("submit")
ACKNOWLEDGE = Move[Review]("acknowledge")
DISPUTE = Move[Review]("dispute")
DECIDE = Move[Review]("decide")

TRANSITIONS: dict[str, dict[str, Move[Review]]] = {
    S.ASSIGNED: {S.SUBMITTED: SUBMIT},
    S.SUBMITTED: {S.ACKNOWLEDGED: ACKNOWLEDGE, S.DISPUTED: DISPUTE},
    S.ACKNOWLEDGED: {},
    S.DISPUTED: {S.DECIDED: DECIDE},
    S.DECIDED: {},
}

REVIEW_WORKFLOW: Workflow[Review, Move[Review]] = Workflow(S, TRANSITIONS)
