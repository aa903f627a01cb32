"""Who may do what with violations: one predicate per rule, asked by the desk, the API and the services.

Every member of staff sees his own record. Supervisors record violations and decide steps for the staff of
the teams they lead (conduct.record_violation, conduct.decide_violation); administrators do so for every
team (conduct.view_all_violations), configure the ladder (conduct.manage_ladder) and approve steps that need
a second approver (conduct.approve_discipline; there is no HR role, so the permission is given to
administrators and can be given to any group). Nobody decides about himself.

Each predicate answers a `Decision` (charter.common.policy): allowed, or a refusal with its code and reason.
Pages ask it what to show, services `require` it. A predicate about one violation first asks `can_view`, so
a violation outside the user's scope is refused as hidden (404, like a missing one) everywhere.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, first_refusal, holds, refuse
from charter.conduct.errors import ErrorCode
from charter.conduct.models import Violation

# Outside the user's scope: answered exactly like a violation that does not exist.
_HIDDEN = refuse(NotFoundError.default_code, _("Not found."), hidden=True)


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def can_view_own_record(user: AnyUser) -> Decision:
    """Allow any member of staff: everyone may see his own violations."""
    member = _active(user)
    return allow_if(
        member is not None and member.is_staff_member,
        ErrorCode.VIEW_DENIED,
        _("Only members of staff have a record of violations."),
    )


def can_view_all_violations(user: AnyUser) -> Decision:
    """Allow those who see the violations of every team (administrators, HR)."""
    return allow_if(
        holds(user, "conduct.view_all_violations"),
        ErrorCode.VIEW_DENIED,
        _("You may not see the violations of every team."),
    )


def can_record_violations(user: AnyUser) -> Decision:
    """Allow those who may record violations at all (supervisors and administrators)."""
    return allow_if(
        holds(user, "conduct.record_violation"), ErrorCode.RECORD_DENIED, _("You may not record violations.")
    )


def can_decide_violations(user: AnyUser) -> Decision:
    """Allow those who decide the steps of violations at all (supervisors and administrators,
    conduct.decide_violation); which ones is `can_decide`."""
    return allow_if(
        holds(user, "conduct.decide_violation"),
        ErrorCode.DECIDE_DENIED,
        _("You may not decide disciplinary steps."),
    )


def can_view_team_violations(user: AnyUser) -> Decision:
    """Allow those who see other people's violations: supervisors (their teams) and administrators."""
    return allow_if(
        holds(user, "conduct.record_violation") or holds(user, "conduct.view_all_violations"),
        ErrorCode.VIEW_DENIED,
        _("You may not see other people's violations."),
    )


def can_view_violation_list(user: AnyUser) -> Decision:
    """Allow those who open the list of other people's violations: supervisors and administrators (their
    scope), and second approvers (what awaits their approval)."""
    if can_approve_discipline(user):
        return ALLOWED
    return can_view_team_violations(user)


def can_manage_ladder(user: AnyUser) -> Decision:
    """Allow administrators: they configure the ladder and the due-process deadlines."""
    return allow_if(
        holds(user, "conduct.manage_ladder"), ErrorCode.MANAGE_DENIED, _("You may not configure the ladder.")
    )


def can_approve_discipline(user: AnyUser) -> Decision:
    """Allow the second approvers (HR): holders of conduct.approve_discipline."""
    return allow_if(
        holds(user, "conduct.approve_discipline"),
        ErrorCode.APPROVE_DENIED,
        _("You may not approve disciplinary steps."),
    )


def is_in_scope(user: User, staff: User) -> bool:
    """True when `staff` belongs to a team `user` leads, at any depth of the tree (`team_list_led_by`), or
    for everyone when `user` sees every team. One query unless he sees every team."""
    if can_view_all_violations(user):
        return True
    return team_list_led_by(user=user).filter(memberships__user=staff).exists()


def can_view(user: AnyUser, violation: Violation) -> Decision:
    """Allow those who may see `violation` (the rule `violation_list_visible_to` filters by): the staff
    member, those who see every team, a supervisor over the staff member, and second approvers while it
    awaits approval or is appealed, or once they approved it. Anyone else gets a hidden refusal (404)."""
    member = _active(user)
    if member is None:
        return _HIDDEN
    if (member.pk == violation.staff_id and member.is_staff_member) or can_view_all_violations(member):
        return ALLOWED
    if can_approve_discipline(member) and (
        violation.status in (Violation.Status.AWAITING_APPROVAL, Violation.Status.APPEALED)
        or violation.approved_by_id == member.pk
    ):
        return ALLOWED
    if can_view_team_violations(member) and is_in_scope(member, violation.staff):
        return ALLOWED
    return _HIDDEN


def can_record_violation_for(user: AnyUser, staff: User) -> Decision:
    """Allow `user` to record a violation of `staff`: a recorder whose scope covers him, never about
    himself."""
    member = _active(user)
    refused = can_record_violations(user)
    if member is None or not refused:
        return refused
    return allow_if(
        member.pk != staff.pk and is_in_scope(member, staff),
        ErrorCode.RECORD_DENIED,
        _("You may not record violations of this staff member."),
    )


def can_add_evidence(user: AnyUser, violation: Violation) -> Decision:
    """Allow `user` to attach evidence to `violation`: whoever may record a violation of its staff member
    (and sees it)."""
    return first_refusal(
        lambda: can_view(user, violation),
        lambda: allow_if(
            bool(can_record_violation_for(user, violation.staff)),
            ErrorCode.RECORD_DENIED,
            _("You may not add evidence to this violation."),
        ),
    )


def _not_self(user: AnyUser, violation: Violation) -> Decision:
    return allow_if(
        user.pk != violation.staff_id, ErrorCode.SELF_DECISION, _("Nobody decides about his own violation.")
    )


def can_decide(user: AnyUser, violation: Violation) -> Decision:
    """Allow `user` to decide the step of `violation`: a decider whose scope covers the staff member, never
    the staff member himself (conduct_self_decision)."""
    denied = _("You may not decide about this violation.")
    return first_refusal(
        lambda: can_view(user, violation),
        lambda: allow_if(bool(can_decide_violations(user)), ErrorCode.DECIDE_DENIED, denied),
        lambda: _not_self(user, violation),
        lambda: allow_if(
            isinstance(user, User) and is_in_scope(user, violation.staff), ErrorCode.DECIDE_DENIED, denied
        ),
    )


def can_respond(user: AnyUser, violation: Violation) -> Decision:
    """Allow the staff member the violation is about to respond to its decision."""
    return first_refusal(
        lambda: can_view(user, violation),
        lambda: allow_if(
            user.pk == violation.staff_id, ErrorCode.RESPOND_DENIED, _("Only the staff member may respond.")
        ),
    )


def can_appeal(user: AnyUser, violation: Violation) -> Decision:
    """Allow the staff member the violation is about to appeal its decision."""
    return first_refusal(
        lambda: can_view(user, violation),
        lambda: allow_if(
            user.pk == violation.staff_id, ErrorCode.APPEAL_DENIED, _("Only the staff member may appeal.")
        ),
    )


def can_approve(user: AnyUser, violation: Violation) -> Decision:
    """Allow `user` to be the second approver of the step of `violation`: he holds the HR approval and is
    neither the staff member (conduct_self_decision) nor whoever decided (conduct_same_approver)."""
    return first_refusal(
        lambda: can_view(user, violation),
        lambda: can_approve_discipline(user),
        lambda: _not_self(user, violation),
        lambda: allow_if(
            user.pk != violation.decided_by_id,
            ErrorCode.SAME_APPROVER,
            _("The second approver must be someone other than the one who decided."),
        ),
    )


def can_decide_appeal(user: AnyUser, violation: Violation) -> Decision:
    """Allow `user` to decide an appeal of `violation`: a decider over the staff member or a second
    approver, who is not the staff member (conduct_self_decision) and neither decided
    (conduct_same_decider) nor approved (conduct_same_approver_appeal) the step."""
    return first_refusal(
        lambda: can_view(user, violation),
        lambda: allow_if(
            bool(can_approve_discipline(user))
            or (
                isinstance(user, User)
                and bool(can_decide_violations(user))
                and is_in_scope(user, violation.staff)
            ),
            ErrorCode.DECIDE_DENIED,
            _("You may not decide this appeal."),
        ),
        lambda: _not_self(user, violation),
        lambda: allow_if(
            user.pk != violation.decided_by_id,
            ErrorCode.SAME_DECIDER,
            _("An appeal is decided by someone other than the one who decided the step."),
        ),
        lambda: allow_if(
            user.pk != violation.approved_by_id,
            ErrorCode.SAME_APPROVER_APPEAL,
            _("An appeal is decided by someone other than the one who approved the step."),
        ),
    )
