"""The steps of an assessment cycle and of each scorecard in it, as data (charter/common/workflow.py).

A cycle goes self-assessment → supervisor scoring → calibration → head approval → published (acknowledgement
and the appeal window) → final; the head may send it back from approval to calibration. Scorecards follow:
self → awaiting the supervisor → scored → approved → published → acknowledged → (appealed →) final. The
cycle's steps move all its scorecards together; scoring, acknowledging and appealing move one. The services in
charter/assessment/cycles.py take every step through these maps.
"""

from django.utils.translation import gettext_lazy as _

from charter.assessment.models import Cycle, Scorecard
from charter.common.workflow import Message, Move, Workflow

C = Cycle.Status
S = Scorecard.Status


def _all_scored(cycle: Cycle) -> Message | None:
    waiting = cycle.scorecards.exclude(status=S.SCORED).count()
    if waiting:
        return _("%(count)s scorecards are not scored yet.") % {"count": waiting}
    return None


def _appeals_settled(cycle: Cycle) -> Message | None:
    if cycle.scorecards.filter(status=S.APPEALED).exists():
        return _("An appeal is waiting for a decision.")
    return None


CYCLE_TRANSITIONS: dict[str, dict[str, Move[Cycle]]] = {
    C.SELF: {C.SUPERVISOR: Move("advance")},
    C.SUPERVISOR: {C.CALIBRATION: Move("advance", condition=_all_scored)},
    C.CALIBRATION: {C.APPROVAL: Move("advance")},
    C.APPROVAL: {C.PUBLISHED: Move("approve"), C.CALIBRATION: Move("return")},
    C.PUBLISHED: {C.FINAL: Move("close", condition=_appeals_settled)},
    C.FINAL: {},
}
CYCLE_WORKFLOW: Workflow[Cycle, Move[Cycle]] = Workflow(C, CYCLE_TRANSITIONS)

SCORECARD_TRANSITIONS: dict[str, dict[str, Move[Scorecard]]] = {
    S.SELF: {S.SUPERVISOR: Move("submit")},
    S.SUPERVISOR: {S.SCORED: Move("score")},
    S.SCORED: {S.SCORED: Move("score"), S.APPROVED: Move("approve")},
    S.APPROVED: {S.PUBLISHED: Move("publish"), S.SCORED: Move("return")},
    S.PUBLISHED: {S.ACKNOWLEDGED: Move("acknowledge"), S.APPEALED: Move("appeal"), S.FINAL: Move("close")},
    S.ACKNOWLEDGED: {S.APPEALED: Move("appeal"), S.FINAL: Move("close")},
    S.APPEALED: {S.FINAL: Move("decide")},
    S.FINAL: {},
}
SCORECARD_WORKFLOW: Workflow[Scorecard, Move[Scorecard]] = Workflow(S, SCORECARD_TRANSITIONS)
