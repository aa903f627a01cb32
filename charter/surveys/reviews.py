"""好差评 on bad reviews (国办发〔2019〕51号): every 不满意/非常不满意 review (CSAT 1-2, which opens a
recovery task) is verified by the unit that handled the case, rectified when valid, and its reviewer
revisited; the staff it is attributed to may appeal it once (申诉复核), decided by someone independent.

The steps of the loop follow REVIEW_WORKFLOW and the appeal APPEAL_WORKFLOW (charter/surveys/workflow.py);
who may take each is a predicate of charter/surveys/permissions.py. Each step is one transaction on the
locked row (optimistic locking on `version`, as `recovery_update`), audited as `surveys.review_<step>`.

A review ruled not valid, or whose appeal is upheld, counts in no staff indicator: the same transaction
marks its Response (`assessment_excluded_at`, `assessment_exclusion`), which the tallies of
charter/surveys/selectors.py filter on. An appeal lies only against a review ruled valid or partly valid and
its decision is final, so a mark, once set, is never cleared by these steps: a rejected appeal leaves the
review counted as it was.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.locking import row_claim
from charter.common.policy import require
from charter.common.text import clean_text
from charter.sla.deadlines import add_working_days
from charter.sla.selectors import calendar_for_team
from charter.surveys.conf import surveys_setting
from charter.surveys.errors import REVIEW_TEXT_CODES, ErrorCode
from charter.surveys.models import (
    AssessmentExclusion,
    RecoveryTask,
    Response,
    ReviewAppeal,
    ReviewStatus,
    RevisitResult,
    Verification,
)
from charter.surveys.permissions import (
    can_decide_review_appeal,
    can_file_review_appeal,
    can_rectify_review,
    can_revisit_review,
    can_verify_review,
)
from charter.surveys.workflow import APPEAL_WORKFLOW, REVIEW_WORKFLOW

NOTE_MAX_LENGTH = 4000


def _note(value: object, *, field: str, required: bool = False) -> str:
    return clean_text(
        value,
        field=field,
        codes=REVIEW_TEXT_CODES,
        required=required,
        max_length=NOTE_MAX_LENGTH,
        required_message=_("This field is required."),
    )


def _choice(value: str, choices: list[str], *, field: str) -> str:
    if value not in choices:
        raise DomainError(_("Choose from the list."), code=ErrorCode.REVIEW_INVALID, field=field)
    return value


def _locked(task: RecoveryTask, expected_version: int | None) -> RecoveryTask:
    """Claim the next version of `task` (the shared optimistic lock, `row_claim`: ConflictError when
    `expected_version` is stale) and return it locked and fresh."""
    return row_claim(
        task,
        expected_version,
        stale=_("Someone else changed this follow-up in the meantime; reload it and try again."),
        queryset=RecoveryTask.objects.select_related("response", "team"),
    )


def _exclude(response: Response, reason: str, at: dt.datetime) -> None:
    """Mark `response` as counting in no staff indicator (kept when it already is)."""
    Response.objects.filter(pk=response.pk, assessment_excluded_at__isnull=True).update(
        assessment_excluded_at=at, assessment_exclusion=reason
    )


def review_verify(
    *, actor: User, task: RecoveryTask, expected_version: int | None, outcome: str, evidence: str = ""
) -> RecoveryTask:
    """Record the verification of `task`'s bad review: valid, partly valid or not valid (evidence required).

    Valid and partly valid reviews are then to be rectified within CHARTER_SURVEYS_RECTIFY_WORKING_DAYS
    working days of the team's calendar; a review not valid goes straight to the revisit and its response is
    excluded from assessment. Refused unless `can_verify_review`; InvalidTransitionError (409) once verified.
    Audited as `surveys.review_verify`.
    """
    require(can_verify_review(actor, task))
    outcome = _choice(outcome, list(Verification.values), field="outcome")
    is_not_valid = outcome == Verification.NOT_VALID
    evidence = _note(evidence, field="evidence")
    if is_not_valid and not evidence:
        raise DomainError(
            _("Give the evidence that the review is not valid."),
            code=ErrorCode.REVIEW_EVIDENCE_REQUIRED,
            field="evidence",
        )
    with transaction.atomic():
        locked = _locked(task, expected_version)
        to = ReviewStatus.REVISITING if is_not_valid else ReviewStatus.RECTIFYING
        REVIEW_WORKFLOW.move(locked, to=to, name="verify")
        at = timezone.now()
        locked.verification, locked.verification_note = outcome, evidence
        locked.verified_by, locked.verified_at = actor, at
        if not is_not_valid:
            days = int(surveys_setting("CHARTER_SURVEYS_RECTIFY_WORKING_DAYS"))
            locked.rectify_due_at = add_working_days(calendar_for_team(team=locked.team), at, days)
        else:
            _exclude(locked.response, AssessmentExclusion.NOT_VALID, at)
        locked.save()
        audit_record(
            actor=actor,
            action="surveys.review_verify",
            target=locked,
            data={"outcome": outcome, "response": locked.response_id, "excluded": is_not_valid},
        )
    return locked


def review_rectify(
    *, actor: User, task: RecoveryTask, expected_version: int | None, note: str
) -> RecoveryTask:
    """Record how a valid (or partly valid) bad review was rectified (a note required); the reviewer is to
    be revisited next. Refused unless `can_rectify_review`; 409 when the review is not awaiting
    rectification. Audited as `surveys.review_rectify`."""
    require(can_rectify_review(actor, task))
    note = _note(note, field="note", required=True)
    with transaction.atomic():
        locked = _locked(task, expected_version)
        REVIEW_WORKFLOW.move(locked, to=ReviewStatus.REVISITING, name="rectify")
        at = timezone.now()
        is_late = locked.rectify_due_at is not None and at > locked.rectify_due_at
        locked.rectification_note, locked.rectified_at = note, at
        locked.save()
        audit_record(actor=actor, action="surveys.review_rectify", target=locked, data={"is_late": is_late})
    return locked


def review_revisit(
    *, actor: User, task: RecoveryTask, expected_version: int | None, result: str, note: str = ""
) -> RecoveryTask:
    """Record the revisit of the reviewer (satisfied, still dissatisfied, unreachable; a note required when
    unreachable), which closes the loop. Refused unless `can_revisit_review`; 409 before verification (and
    rectification, when due) or once revisited. Audited as `surveys.review_revisit`."""
    require(can_revisit_review(actor, task))
    result = _choice(result, list(RevisitResult.values), field="result")
    note = _note(note, field="note", required=result == RevisitResult.UNREACHABLE)
    with transaction.atomic():
        locked = _locked(task, expected_version)
        REVIEW_WORKFLOW.move(locked, to=ReviewStatus.DONE, name="revisit")
        locked.revisit_result, locked.revisit_note, locked.revisited_at = result, note, timezone.now()
        locked.save()
        audit_record(actor=actor, action="surveys.review_revisit", target=locked, data={"result": result})
    return locked


def review_appeal_file(*, actor: User, task: RecoveryTask, reason: str) -> ReviewAppeal:
    """File the one appeal against `task`'s review, by a member of staff it is attributed to (a reason
    required), within the window of `can_file_review_appeal`. Audited as `surveys.review_appeal_file`."""
    reason = _note(reason, field="reason", required=True)
    with transaction.atomic():
        # The task's lock serialises two appeals filed at once; the one-to-one is the last guard.
        locked = _locked(task, None)
        require(can_file_review_appeal(actor, locked, timezone.now()))
        appeal = ReviewAppeal.objects.create(task=locked, appellant=actor, reason=reason)
        audit_record(
            actor=actor,
            action="surveys.review_appeal_file",
            target=appeal,
            data={"task": locked.pk, "response": locked.response_id},
        )
    return appeal


def review_appeal_decide(
    *, actor: User, appeal: ReviewAppeal, expected_version: int | None, decision: str, reason: str
) -> ReviewAppeal:
    """Decide `appeal`: upheld (the review's response is then excluded from assessment) or rejected (it
    stays counted), a reason required. Refused unless `can_decide_review_appeal` (independent of the
    appellant, his supervisors and the verifier); 409 once decided. Audited as
    `surveys.review_appeal_decide`."""
    require(can_decide_review_appeal(actor, appeal))
    decision = _choice(decision, [ReviewAppeal.Status.UPHELD, ReviewAppeal.Status.REJECTED], field="decision")
    reason = _note(reason, field="decision_reason", required=True)
    with transaction.atomic():
        locked = row_claim(
            appeal,
            expected_version,
            stale=_("Someone else changed this appeal in the meantime; reload it and try again."),
            queryset=ReviewAppeal.objects.select_related("task__response"),
        )
        APPEAL_WORKFLOW.move(locked, to=decision, refusal=_("This appeal has already been decided."))
        at = timezone.now()
        locked.decided_by, locked.decision_reason, locked.decided_at = actor, reason, at
        locked.save()
        is_upheld = decision == ReviewAppeal.Status.UPHELD
        if is_upheld:
            _exclude(locked.task.response, AssessmentExclusion.APPEAL_UPHELD, at)
        audit_record(
            actor=actor,
            action="surveys.review_appeal_decide",
            target=locked,
            data={"decision": decision, "response": locked.task.response_id, "excluded": is_upheld},
        )
    return locked
