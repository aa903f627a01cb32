"""Who may see the findings of the automatic reply checks and configure the checks.

QA reviewers and administrators see every finding (quality.view_all_findings); a supervisor sees those of
the teams he leads (quality.view_findings); an agent sees only the findings about his own replies.
"""

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def can_view_findings(user: AnyUser) -> bool:
    """True for QA reviewers, supervisors and administrators (quality.view_findings)."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.view_findings"))


def can_view_all_findings(user: AnyUser) -> bool:
    """True for those who review every team's findings: QA reviewers and administrators."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.view_all_findings"))


def can_view_own_findings(user: AnyUser) -> bool:
    """True for any member of staff: everyone may see the findings about his own replies."""
    member = _active(user)
    return bool(member is not None and member.is_staff_member)


def can_manage_checks(user: AnyUser) -> bool:
    """True for administrators: they edit the phrase lists and the clauses the checks cite."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.manage_checks"))


# Scorecards, reviews and calibration ---------------------------------------------------------------------
#
# Administrators manage scorecards and sampling rules (quality.manage_scorecards). QA reviewers review any
# team's cases and see every review (quality.review_cases, quality.view_all_reviews); supervisors review and
# decide disputes for the teams they lead (quality.review_cases, quality.view_team_reviews,
# quality.decide_disputes). Every agent sees his own reviews without a permission.


def can_manage_scorecards(user: AnyUser) -> bool:
    """True for administrators: they edit and publish scorecards and the sampling rules."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.manage_scorecards"))


def can_review(user: AnyUser) -> bool:
    """True for QA reviewers and supervisors: they may be given reviews to score."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.review_cases"))


def can_view_all_reviews(user: AnyUser) -> bool:
    """True for QA reviewers and administrators: they see the reviews of every team."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.view_all_reviews"))


def can_view_team_reviews(user: AnyUser) -> bool:
    """True for supervisors (the reviews of the teams they lead) and for those who see all."""
    member = _active(user)
    return bool(
        member is not None
        and (member.has_perm("quality.view_team_reviews") or member.has_perm("quality.view_all_reviews"))
    )


def can_decide_disputes(user: AnyUser) -> bool:
    """True for supervisors and QA reviewers: a dispute may be handed to them."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.decide_disputes"))


def can_run_calibration(user: AnyUser) -> bool:
    """True for QA reviewers and administrators: they open calibration sessions."""
    member = _active(user)
    return bool(member is not None and member.has_perm("quality.run_calibration"))


def can_view_calibrations(user: AnyUser) -> bool:
    """True for those who open the calibration sessions: who runs them, and every reviewer who scores in
    them."""
    return can_run_calibration(user) or can_review(user)
