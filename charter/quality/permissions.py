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
