"""Who may do what with violations. Views, the API and services call these same predicates.

Every member of staff sees his own record. Supervisors record violations and decide steps for the staff of
the teams they lead (conduct.record_violation, conduct.decide_violation); administrators do so for every
team (conduct.view_all_violations), configure the ladder (conduct.manage_ladder) and approve steps that need
a second approver (conduct.approve_discipline; there is no HR role, so the permission is given to
administrators and can be given to any group). Nobody decides about himself.
"""

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.conduct.models import Violation


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def can_view_own_record(user: AnyUser) -> bool:
    """True for any member of staff: everyone may see his own violations."""
    member = _active(user)
    return bool(member is not None and member.is_staff_member)


def can_view_all_violations(user: AnyUser) -> bool:
    """True for those who see the violations of every team (administrators, HR)."""
    member = _active(user)
    return bool(member is not None and member.has_perm("conduct.view_all_violations"))


def can_record_violations(user: AnyUser) -> bool:
    """True for those who may record violations at all (supervisors and administrators)."""
    member = _active(user)
    return bool(member is not None and member.has_perm("conduct.record_violation"))


def can_decide_violations(user: AnyUser) -> bool:
    """True for those who decide the steps of violations at all (supervisors and administrators,
    conduct.decide_violation); which ones is `can_decide`."""
    member = _active(user)
    return bool(member is not None and member.has_perm("conduct.decide_violation"))


def can_view_team_violations(user: AnyUser) -> bool:
    """True for those who see other people's violations: supervisors (their teams) and administrators."""
    member = _active(user)
    return bool(
        member is not None
        and (member.has_perm("conduct.record_violation") or member.has_perm("conduct.view_all_violations"))
    )


def can_view_violation_list(user: AnyUser) -> bool:
    """True for those who open the list of other people's violations: supervisors and administrators (their
    scope), and second approvers (what awaits their approval)."""
    return can_view_team_violations(user) or can_approve_discipline(user)


def can_manage_ladder(user: AnyUser) -> bool:
    """True for administrators: they configure the ladder and the due-process deadlines."""
    member = _active(user)
    return bool(member is not None and member.has_perm("conduct.manage_ladder"))


def can_approve_discipline(user: AnyUser) -> bool:
    """True for the second approvers (HR): holders of conduct.approve_discipline."""
    member = _active(user)
    return bool(member is not None and member.has_perm("conduct.approve_discipline"))


def is_in_scope(user: User, staff: User) -> bool:
    """True when `staff` belongs to a team `user` leads (or all staff, for those who see every team)."""
    if user.has_perm("conduct.view_all_violations"):
        return True
    return team_list_led_by(user=user).filter(memberships__user=staff).exists()


def can_record_violation_for(user: AnyUser, staff: User) -> bool:
    """True when `user` may record a violation of `staff`: in his scope, and never about himself."""
    member = _active(user)
    return bool(
        member is not None
        and member.pk != staff.pk
        and member.has_perm("conduct.record_violation")
        and is_in_scope(member, staff)
    )


def can_decide(user: AnyUser, violation: Violation) -> bool:
    """True when `user` may decide the step of `violation`: a decider whose scope covers the staff member.

    Deciding about oneself is refused by the service with its own error code.
    """
    member = _active(user)
    return bool(member is not None and can_decide_violations(member) and is_in_scope(member, violation.staff))


def can_approve(user: AnyUser, violation: Violation) -> bool:
    """True when `user` may be the second approver of the step of `violation`: he holds the HR approval and
    is neither the staff member nor whoever decided. (The service names which rule refused.)"""
    member = _active(user)
    return bool(
        member is not None
        and can_approve_discipline(member)
        and member.pk not in {violation.staff_id, violation.decided_by_id}
    )


def can_decide_appeal(user: AnyUser, violation: Violation) -> bool:
    """True when `user` may decide an appeal of `violation`: a decider over the staff member or a second
    approver, who is not the staff member and neither decided nor approved the step."""
    member = _active(user)
    return bool(
        member is not None
        and (can_decide(member, violation) or can_approve_discipline(member))
        and member.pk not in {violation.staff_id, violation.decided_by_id, violation.approved_by_id}
    )


def can_respond(user: AnyUser, violation: Violation) -> bool:
    """True for the staff member the violation is about (he responds and appeals himself)."""
    member = _active(user)
    return bool(member is not None and member.pk == violation.staff_id)
