"""Reviews: the reviewer scores each criterion and submits; the agent acknowledges or disputes once; a
dispute goes to someone other than the reviewer and the agent, who upholds or amends the scores.

Two people saving the same review at once: each save names the version it read, and the second save of the
same version is refused (optimistic locking), so nobody overwrites scores he has not seen.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from charter.accounts.models import User
from charter.accounts.selectors import team_supervisor_list, user_list_with_permission
from charter.audit.services import audit_record
from charter.cases.models import CaseMessage
from charter.common.errors import ConflictError, DomainError
from charter.common.models import localized
from charter.common.policy import require
from charter.quality import scoring
from charter.quality.errors import ErrorCode
from charter.quality.mailing import dispute_decided_mail, review_submitted_mail
from charter.quality.models import Criterion, Review, ReviewScore
from charter.quality.permissions import (
    can_acknowledge,
    can_decide_dispute,
    can_decide_disputes,
    can_dispute,
    can_score,
)
from charter.quality.selectors import criterion_list
from charter.quality.services._text import text_clean
from charter.quality.services.scorecards import criterion_specs
from charter.quality.workflow import REVIEW_WORKFLOW

# Higher apps (training: remedial courses) hear of each submitted review once its submission commits; quality
# never imports them. A listener gets the review's id (it reads what it needs in its own transaction).
ReviewSubmittedListener = Callable[[int], None]
_review_submitted_listeners: list[ReviewSubmittedListener] = []


def review_submitted_listener_register(fn: ReviewSubmittedListener) -> None:
    """Call `fn(review_id)` once a review's submission commits (robustly: a failing listener is logged and
    stops neither the others nor the submission); nothing for a submission that rolled back. Registering
    twice keeps one."""
    if fn not in _review_submitted_listeners:
        _review_submitted_listeners.append(fn)


@dataclass(frozen=True)
class ScoreInput:
    """A reviewer's answer on one criterion: `value` None means not applicable."""

    criterion_id: int
    value: int | None
    comment: str = ""
    message_id: int | None = None


def _lock(review: Review, version: int) -> None:
    """Take the review's next version, or refuse when someone saved it since `version` was read."""
    updated = Review.objects.filter(pk=review.pk, version=version).update(version=F("version") + 1)
    if not updated:
        raise ConflictError(
            _("Someone else saved this review meanwhile. Reload it to see the latest scores."),
            code=ErrorCode.REVIEW_CHANGED,
        )
    review.version = version + 1


def _lock_fresh(review: Review) -> None:
    """Reload `review` in place with its row locked until the commit, so the status a step is checked
    against still holds when it is saved (two clicks of the same button take the step once)."""
    review.refresh_from_db(from_queryset=Review.objects.select_for_update())


def _scores_check(
    review: Review, criteria: list[Criterion], scores: Sequence[ScoreInput], *, complete: bool
) -> dict[int, ScoreInput]:
    by_id = {criterion.pk: criterion for criterion in criteria}
    given: dict[int, ScoreInput] = {}
    message_ids = {score.message_id for score in scores if score.message_id is not None}
    if message_ids:
        found = set(
            CaseMessage.objects.filter(case=review.case_id, pk__in=message_ids).values_list("pk", flat=True)
        )
        if message_ids - found:
            raise DomainError(
                _("A comment is pinned to a message of another case."), code=ErrorCode.INVALID_SCORE
            )
    for score in scores:
        criterion = by_id.get(score.criterion_id)
        if criterion is None:
            raise DomainError(
                _("A score names a criterion of another scorecard."), code=ErrorCode.INVALID_SCORE
            )
        if score.value is None:
            if not criterion.allows_not_applicable and complete:
                raise DomainError(
                    _("“%(title)s” needs a score; it may not be marked not applicable.")
                    % {"title": localized(criterion, "title")},
                    code=ErrorCode.INVALID_SCORE,
                )
        elif score.value not in scoring.SCALE_VALUES[criterion.scale]:
            raise DomainError(
                _("%(value)s is not on the scale of “%(title)s”.")
                % {"value": score.value, "title": localized(criterion, "title")},
                code=ErrorCode.INVALID_SCORE,
            )
        given[criterion.pk] = replace(score, comment=text_clean(score.comment, ReviewScore, "comment"))
    if complete:
        missing = [localized(c, "title") for c in criteria if c.pk not in given]
        if missing:
            raise DomainError(
                _("Score every criterion before submitting; missing: %(missing)s.")
                % {"missing": str(pgettext("list separator", ", ")).join(missing)},
                code=ErrorCode.INVALID_SCORE,
            )
    return given


def _scores_write(review: Review, given: dict[int, ScoreInput]) -> None:
    for criterion_id, score in given.items():
        ReviewScore.objects.update_or_create(
            review=review,
            criterion_id=criterion_id,
            defaults={"value": score.value, "comment": score.comment, "message_id": score.message_id},
        )


def _rescore(review: Review, criteria: list[Criterion]) -> None:
    values = dict(ReviewScore.objects.filter(review=review).values_list("criterion_id", "value"))
    result = scoring.review_score(criterion_specs(criteria), values)
    review.overall_score = result.overall
    review.compliance_score = result.compliance
    review.is_auto_failed = result.is_auto_failed


@transaction.atomic
def review_scores_save(
    *,
    actor: User,
    review: Review,
    version: int,
    scores: Sequence[ScoreInput],
    summary: str | None = None,
    submit: bool = False,
) -> Review:
    """Save the reviewer's scores and comments on `review` (read at `version`); with `submit`, require every
    criterion, compute the overall and compliance scores and tell the agent by e-mail.

    Only the assigned reviewer, never the agent himself (`can_score`), while the review waits for
    scores. A stale `version` is refused (quality_review_changed, 409); a comment or summary holding a
    control character or too long for its column is refused (`text_clean`). Audited.
    """
    require(can_score(actor, review))
    if summary is not None:
        summary = text_clean(summary, Review, "summary")
    REVIEW_WORKFLOW.check(review, to=Review.Status.SUBMITTED, refusal=_("This review was already submitted."))
    criteria = list(criterion_list(version=review.scorecard_version))
    given = _scores_check(review, criteria, scores, complete=False)
    if submit:
        stored = {
            row.criterion_id: ScoreInput(row.criterion_id, row.value, row.comment, row.message_id)
            for row in ReviewScore.objects.filter(review=review)
        }
        _scores_check(review, criteria, list({**stored, **given}.values()), complete=True)
    _lock(review, version)
    _scores_write(review, given)
    fields = ["version"]
    if summary is not None:
        review.summary = summary
        fields.append("summary")
    if submit:
        _rescore(review, criteria)
        REVIEW_WORKFLOW.move(review, to=Review.Status.SUBMITTED)
        review.submitted_at = timezone.now()
        fields += ["overall_score", "compliance_score", "is_auto_failed", "status", "submitted_at"]
    review.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="quality.review_submit" if submit else "quality.review_save",
        target=review,
        data={
            "scores": {str(key): score.value for key, score in given.items()},
            "overall": str(review.overall_score) if submit else None,
            "compliance": str(review.compliance_score)
            if submit and review.compliance_score is not None
            else None,
        },
    )
    if submit:
        transaction.on_commit(lambda: review_submitted_mail(review))
        for listener in _review_submitted_listeners:
            transaction.on_commit(partial(listener, review.pk), robust=True)
    return review


@transaction.atomic
def review_acknowledge(*, actor: User, review: Review) -> Review:
    """The agent accepts his submitted review; after that it can no longer be disputed. Audited."""
    require(can_acknowledge(actor, review))
    _lock_fresh(review)
    REVIEW_WORKFLOW.move(
        review, to=Review.Status.ACKNOWLEDGED, refusal=_("Only a submitted review can be acknowledged.")
    )
    review.acknowledged_at = timezone.now()
    review.version += 1
    review.save(update_fields=["status", "acknowledged_at", "version"])
    audit_record(actor=actor, action="quality.review_acknowledge", target=review, data={})
    return review


def dispute_handler_choose(*, review: Review) -> User | None:
    """Who decides a dispute of `review`: a supervisor leading the team, else a QA reviewer with the right to
    decide disputes (never a superuser by that right alone); never the reviewer nor the agent; the one with
    the fewest disputes waiting."""
    excluded = {review.reviewer_id, review.agent_id}
    leads = (
        [u for u in team_supervisor_list(team=review.team) if can_decide_disputes(u)] if review.team else []
    )
    pool = [user for user in leads if user.pk not in excluded]
    if not pool:
        pool = list(
            user_list_with_permission("quality.decide_disputes")
            .filter(pk__in=user_list_with_permission("quality.view_all_reviews").values("pk"))
            .exclude(pk__in=[pk for pk in excluded if pk is not None])
            # A superuser holds every permission but is a technical account, not a member of the QA pool
            # (as in `reviewer_list`): only people given the role decide disputes.
            .exclude(is_superuser=True)
            .order_by("pk")
        )
    if not pool:
        return None
    waiting = {
        row["dispute_handler_id"]: row["total"]
        for row in Review.objects.filter(
            dispute_handler_id__in=[u.pk for u in pool], status=Review.Status.DISPUTED
        )
        .values("dispute_handler_id")
        .annotate(total=Count("pk"))
    }
    return min(pool, key=lambda user: (waiting.get(user.pk, 0), user.pk))


@transaction.atomic
def review_dispute(*, actor: User, review: Review, reason: str) -> Review:
    """The agent disputes his submitted review, once, with a reason; it goes to a supervisor of the team or
    another reviewer (never the original reviewer, never the agent). The reason is cleaned by
    `text_clean`. Audited."""
    require(can_dispute(actor, review))
    reason = text_clean(reason, Review, "dispute_reason", field="reason")
    if not reason:
        raise DomainError(
            _("Say why you dispute the review."), code=ErrorCode.REASON_REQUIRED, field="reason"
        )
    _lock_fresh(review)
    if review.disputed_at is not None:
        raise ConflictError(_("A review can be disputed only once."), code=ErrorCode.ALREADY_DISPUTED)
    REVIEW_WORKFLOW.check(
        review,
        to=Review.Status.DISPUTED,
        refusal=_("Only a submitted review that you have not acknowledged can be disputed."),
    )
    handler = dispute_handler_choose(review=review)
    if handler is None:
        raise DomainError(_("Nobody else may decide this dispute."), code=ErrorCode.NO_REVIEWER)
    REVIEW_WORKFLOW.move(review, to=Review.Status.DISPUTED)
    review.disputed_at = timezone.now()
    review.dispute_reason = reason
    review.dispute_handler = handler
    review.version += 1
    review.save(update_fields=["status", "disputed_at", "dispute_reason", "dispute_handler", "version"])
    audit_record(actor=actor, action="quality.review_dispute", target=review, data={"handler": handler.pk})
    return review


@transaction.atomic
def review_dispute_decide(
    *,
    actor: User,
    review: Review,
    decision: str,
    reason: str,
    scores: Sequence[ScoreInput] = (),
) -> Review:
    """Decide a dispute: uphold the scores, or amend them (`scores` replace those given), with reasons.

    Only the person the dispute went to (`can_decide_dispute`); the reasons and comments are cleaned by
    `text_clean`. Tells the agent by e-mail. Audited with the scores before and after.
    """
    require(can_decide_dispute(actor, review))
    _lock_fresh(review)  # a double submit of the decision decides once
    REVIEW_WORKFLOW.check(
        review, to=Review.Status.DECIDED, refusal=_("This review is not waiting for a decision.")
    )
    reason = text_clean(reason, Review, "decision_reason", field="reason")
    if not reason:
        raise DomainError(
            _("Give the reasons for the decision."), code=ErrorCode.REASON_REQUIRED, field="reason"
        )
    if decision not in Review.Decision.values:
        raise DomainError(_("Uphold or amend the scores."), code=ErrorCode.INVALID_SCORE, field="decision")
    criteria = list(criterion_list(version=review.scorecard_version))
    before = review.overall_score
    if decision == Review.Decision.AMENDED:
        if not scores:
            raise DomainError(_("Give the amended scores."), code=ErrorCode.INVALID_SCORE)
        given = _scores_check(review, criteria, scores, complete=False)
        _scores_write(review, given)
        _rescore(review, criteria)
    review.score_before_dispute = before
    REVIEW_WORKFLOW.move(review, to=Review.Status.DECIDED)
    review.decision = decision
    review.decision_reason = reason
    review.decided_at = timezone.now()
    review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action="quality.review_dispute_decide",
        target=review,
        data={"decision": decision, "before": str(before), "after": str(review.overall_score)},
    )
    transaction.on_commit(lambda: dispute_decided_mail(review))
    return review
