"""Who may see survey results, configure surveys and follow up unhappy customers: one predicate per rule,
each answering a `Decision` (charter.common.policy) that pages ask and services `require`.

Results have their own permission: seeing a case does not mean seeing its rating. Whose results a reader
sees is `result_team_ids_for` (every team with surveys.view_all_results, else his scope in the tree).
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, first_refusal, holds, refuse
from charter.surveys.errors import ErrorCode
from charter.surveys.models import RecoveryTask

# Outside the user's scope: answered exactly like a follow-up that does not exist.
_HIDDEN = refuse(NotFoundError.default_code, _("Not found."), hidden=True)


def can_view_results(user: AnyUser) -> Decision:
    """Allow holders of surveys.view_results (supervisors, QA reviewers, administrators) to open the results
    and their exports; which teams they cover is `result_team_ids_for`."""
    return allow_if(
        holds(user, "surveys.view_results"), ErrorCode.RESULTS_DENIED, _("You may not see survey results.")
    )


def can_view_all_results(user: AnyUser) -> Decision:
    """Allow those who see the results of every team, and the answers to campaigns that have no team (QA
    reviewers and administrators, surveys.view_all_results)."""
    return allow_if(
        holds(user, "surveys.view_results") and holds(user, "surveys.view_all_results"),
        ErrorCode.RESULTS_DENIED,
        _("You may not see the survey results of every team."),
    )


def can_manage_surveys(user: AnyUser) -> Decision:
    """Allow administrators (surveys.manage_surveys) to configure surveys, rules and campaigns."""
    return allow_if(
        holds(user, "surveys.manage_surveys"), ErrorCode.MANAGE_DENIED, _("You may not configure surveys.")
    )


def can_view_recovery_tasks(user: AnyUser) -> Decision:
    """Allow those who follow up unhappy customers: supervisors and administrators
    (surveys.view_recoverytask). Which tasks they see is `recovery_task_list_visible_to`."""
    return allow_if(
        holds(user, "surveys.view_recoverytask"),
        ErrorCode.RECOVERY_DENIED,
        _("You may not follow up unhappy customers."),
    )


def _is_over_team(user: User, task: RecoveryTask) -> bool:
    """True when `user` leads the task's team, or a team in a unit above it (`team_list_led_by`)."""
    return task.team_id is not None and team_list_led_by(user=user).filter(pk=task.team_id).exists()


def can_view_recovery(user: AnyUser, task: RecoveryTask) -> Decision:
    """Allow those who see `task` (the rule `recovery_task_list_visible_to` filters by): administrators
    (surveys.manage_surveys), its owner, and the supervisors over its team; anyone else gets a hidden
    refusal (404)."""
    if not isinstance(user, User) or not user.is_active:
        return _HIDDEN
    if can_manage_surveys(user) or task.owner_id == user.pk or _is_over_team(user, task):
        return ALLOWED
    return _HIDDEN


def can_work_recovery(user: AnyUser, task: RecoveryTask) -> Decision:
    """Allow `user` to record the follow-up of `task`: an administrator (surveys.manage_surveys), its owner,
    or a supervisor over its team holding surveys.change_recoverytask."""
    return first_refusal(
        lambda: can_view_recovery(user, task),
        lambda: allow_if(
            bool(can_manage_surveys(user))
            or task.owner_id == user.pk
            or holds(user, "surveys.change_recoverytask"),
            ErrorCode.RECOVERY_DENIED,
            _("You may not work on this follow-up."),
        ),
    )
