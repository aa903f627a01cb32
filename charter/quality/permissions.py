"""Who may see the findings of the automatic reply checks, configure the checks, work QA reviews and run
calibration: one predicate per rule, each answering a `Decision` (charter.common.policy) that pages and the
API ask and the services `require`.

QA reviewers and administrators see every finding (quality.view_all_findings); a supervisor sees those of
the teams he leads (quality.view_findings); an agent sees only the findings about his own replies.

A predicate about one review or session first asks whether the user sees it (`can_view_review`,
`can_view_calibration`), so one outside his scope is refused as hidden (404, like a missing one) everywhere.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.cases.models import Case
from charter.cases.permissions import can_view_case
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, first_refusal, holds, refuse
from charter.quality.errors import ErrorCode
from charter.quality.models import CalibrationSession, Review

# Outside the user's scope: answered exactly like an object that does not exist.
_HIDDEN = refuse(NotFoundError.default_code, _("Not found."), hidden=True)


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def _leads_team_of(user: User, team_id: int | None) -> bool:
    """True when `user` leads the team `team_id`, or a team in a unit above it (`team_list_led_by`)."""
    return team_id is not None and team_list_led_by(user=user).filter(pk=team_id).exists()


def can_view_findings(user: AnyUser) -> Decision:
    """Allow QA reviewers, supervisors and administrators (quality.view_findings)."""
    return allow_if(
        holds(user, "quality.view_findings"),
        ErrorCode.FINDINGS_DENIED,
        _("You may not see the findings of other people's replies."),
    )


def can_view_all_findings(user: AnyUser) -> Decision:
    """Allow those who review every team's findings: QA reviewers and administrators."""
    return allow_if(
        holds(user, "quality.view_all_findings"),
        ErrorCode.FINDINGS_DENIED,
        _("You may not see the findings of every team."),
    )


def can_view_own_findings(user: AnyUser) -> Decision:
    """Allow any member of staff: everyone may see the findings about his own replies."""
    member = _active(user)
    return allow_if(
        member is not None and member.is_staff_member,
        ErrorCode.FINDINGS_DENIED,
        _("Only members of staff have findings about their replies."),
    )


def can_manage_checks(user: AnyUser) -> Decision:
    """Allow administrators: they edit the phrase lists and the clauses the checks cite."""
    return allow_if(
        holds(user, "quality.manage_checks"),
        ErrorCode.MANAGE_DENIED,
        _("You may not configure the automatic checks."),
    )


# Scorecards, reviews and calibration ---------------------------------------------------------------------
#
# Administrators manage scorecards and sampling rules (quality.manage_scorecards). QA reviewers review any
# team's cases and see every review (quality.review_cases, quality.view_all_reviews); supervisors review and
# decide disputes for the teams they lead (quality.review_cases, quality.view_team_reviews,
# quality.decide_disputes). Every agent sees his own reviews without a permission.


def can_manage_scorecards(user: AnyUser) -> Decision:
    """Allow administrators: they edit and publish scorecards and the sampling rules."""
    return allow_if(
        holds(user, "quality.manage_scorecards"),
        ErrorCode.SCORECARD_DENIED,
        _("You may not edit scorecards."),
    )


def can_review(user: AnyUser) -> Decision:
    """Allow QA reviewers and supervisors: they may be given reviews to score."""
    return allow_if(
        holds(user, "quality.review_cases"), ErrorCode.REVIEW_DENIED, _("You may not review cases.")
    )


def can_view_all_reviews(user: AnyUser) -> Decision:
    """Allow QA reviewers and administrators: they see the reviews of every team."""
    return allow_if(
        holds(user, "quality.view_all_reviews"),
        ErrorCode.REVIEW_DENIED,
        _("You may not see the reviews of every team."),
    )


def can_view_team_reviews(user: AnyUser) -> Decision:
    """Allow supervisors (the reviews of the teams they lead) and those who see all."""
    return allow_if(
        holds(user, "quality.view_team_reviews") or holds(user, "quality.view_all_reviews"),
        ErrorCode.REVIEW_DENIED,
        _("You may not see the reviews of a team."),
    )


def can_decide_disputes(user: AnyUser) -> Decision:
    """Allow supervisors and QA reviewers: a dispute may be handed to them."""
    return allow_if(
        holds(user, "quality.decide_disputes"), ErrorCode.REVIEW_DENIED, _("You may not decide disputes.")
    )


def can_draw(user: AnyUser) -> Decision:
    """Allow those who draw cases for review by hand: administrators, QA reviewers and supervisors."""
    return allow_if(
        holds(user, "quality.manage_scorecards") or holds(user, "quality.review_cases"),
        ErrorCode.REVIEW_DENIED,
        _("You may not draw cases for review."),
    )


def can_draw_every_team(user: AnyUser) -> Decision:
    """Allow those who draw the cases of every team, whether or not they work cases: QA reviewers and
    administrators (quality.view_all_reviews or quality.manage_scorecards)."""
    return allow_if(
        holds(user, "quality.view_all_reviews") or holds(user, "quality.manage_scorecards"),
        ErrorCode.REVIEW_DENIED,
        _("You may draw only the cases of the teams you lead."),
    )


def can_draw_case(user: AnyUser, case: Case) -> Decision:
    """Allow `user` to draw `case` for review: one who draws every team's cases, or a supervisor over the
    case's team. A case he does not see (`can_view_case`) is refused as hidden."""
    if can_draw_every_team(user):
        return can_draw(user)
    return first_refusal(
        lambda: can_draw(user),
        lambda: can_view_case(user, case),
        lambda: allow_if(
            isinstance(user, User) and _leads_team_of(user, case.team_id),
            ErrorCode.REVIEW_DENIED,
            _("You may draw only the cases of the teams you lead."),
        ),
    )


def can_view_review(user: AnyUser, review: Review) -> Decision:
    """Allow those who see `review` (the rule `review_list_visible_to` filters by): those who see every
    review, its reviewer and the decider of its dispute, its agent once it is submitted, and the supervisors
    over its team (not of their own review while it is scored). Anyone else gets a hidden refusal (404)."""
    member = _active(user)
    if member is None:
        return _HIDDEN
    if can_view_all_reviews(member) or member.pk in (review.reviewer_id, review.dispute_handler_id):
        return ALLOWED
    if member.pk == review.agent_id:
        return ALLOWED if review.status != Review.Status.ASSIGNED else _HIDDEN
    if can_view_team_reviews(member) and _leads_team_of(member, review.team_id):
        return ALLOWED
    return _HIDDEN


def can_score(user: AnyUser, review: Review) -> Decision:
    """Allow the reviewer given `review` to score it, never the agent reviewed (quality_self_review)."""
    return first_refusal(
        lambda: can_view_review(user, review),
        lambda: allow_if(
            user.pk != review.agent_id, ErrorCode.SELF_REVIEW, _("Nobody reviews his own work.")
        ),
        lambda: allow_if(
            user.pk == review.reviewer_id,
            ErrorCode.REVIEW_DENIED,
            _("This review was given to someone else."),
        ),
    )


def can_acknowledge(user: AnyUser, review: Review) -> Decision:
    """Allow the agent reviewed to accept his review."""
    return first_refusal(
        lambda: can_view_review(user, review),
        lambda: allow_if(
            user.pk == review.agent_id,
            ErrorCode.REVIEW_DENIED,
            _("Only the agent reviewed may acknowledge."),
        ),
    )


def can_dispute(user: AnyUser, review: Review) -> Decision:
    """Allow the agent reviewed to dispute his review."""
    return first_refusal(
        lambda: can_view_review(user, review),
        lambda: allow_if(
            user.pk == review.agent_id, ErrorCode.REVIEW_DENIED, _("Only the agent reviewed may dispute.")
        ),
    )


def can_decide_dispute(user: AnyUser, review: Review) -> Decision:
    """Allow the person the dispute of `review` went to, who is neither its reviewer nor its agent."""
    return first_refusal(
        lambda: can_view_review(user, review),
        lambda: allow_if(
            user.pk == review.dispute_handler_id and user.pk not in (review.reviewer_id, review.agent_id),
            ErrorCode.REVIEW_DENIED,
            _("This dispute is for someone else to decide."),
        ),
    )


def can_run_calibration(user: AnyUser) -> Decision:
    """Allow QA reviewers and administrators: they open calibration sessions."""
    return allow_if(
        holds(user, "quality.run_calibration"),
        ErrorCode.CALIBRATION_DENIED,
        _("You may not run calibration sessions."),
    )


def can_view_calibrations(user: AnyUser) -> Decision:
    """Allow those who open the calibration sessions: who runs them, and every reviewer who scores in
    them."""
    if can_run_calibration(user):
        return ALLOWED
    return allow_if(
        bool(can_review(user)), ErrorCode.CALIBRATION_DENIED, _("You may not see calibration sessions.")
    )


def can_view_calibration(user: AnyUser, session: CalibrationSession) -> Decision:
    """Allow those who see `session` (the rule `calibration_list_visible_to` filters by): those who run
    calibration or manage scorecards, its facilitator and its reviewers; anyone else gets a hidden refusal."""
    member = _active(user)
    if member is None:
        return _HIDDEN
    if can_run_calibration(member) or can_manage_scorecards(member) or member.pk == session.facilitator_id:
        return ALLOWED
    return ALLOWED if session.reviewers.filter(pk=member.pk).exists() else _HIDDEN


def can_score_calibration(user: AnyUser, session: CalibrationSession) -> Decision:
    """Allow the reviewers invited to `session` to record their blind scores."""
    return first_refusal(
        lambda: can_view_calibration(user, session),
        lambda: allow_if(
            isinstance(user, User) and session.reviewers.filter(pk=user.pk).exists(),
            ErrorCode.CALIBRATION_DENIED,
            _("You were not invited to score this session."),
        ),
    )


def can_facilitate(user: AnyUser, session: CalibrationSession) -> Decision:
    """Allow the facilitator of `session` to close it and record the agreed scores."""
    return first_refusal(
        lambda: can_view_calibration(user, session),
        lambda: allow_if(
            user.pk == session.facilitator_id,
            ErrorCode.CALIBRATION_DENIED,
            _("Only the facilitator closes the session and records the agreed scores."),
        ),
    )
