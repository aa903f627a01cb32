"""Who may see survey results, configure surveys and follow up unhappy customers.

Results have their own permission: seeing a case does not mean seeing its rating.
"""

from django.utils.functional import Promise

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.common.errors import PermissionDeniedError
from charter.surveys.models import RecoveryTask


def can_view_results(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_active and user.has_perm("surveys.view_results")


def can_manage_surveys(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_active and user.has_perm("surveys.manage_surveys")


def can_view_recovery_tasks(user: AnyUser) -> bool:
    """True for those who follow up unhappy customers: supervisors and administrators
    (surveys.view_recoverytask). Which tasks they see is `recovery_task_list_visible_to`."""
    return isinstance(user, User) and user.is_active and user.has_perm("surveys.view_recoverytask")


def can_work_recovery(user: AnyUser, task: RecoveryTask) -> bool:
    """The task's owner, a supervisor over its team (`team_list_led_by`: he leads it, or a team in a unit
    above it), or an administrator (surveys.manage_surveys)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if can_manage_surveys(user) or task.owner_id == user.pk:
        return True
    if not user.has_perm("surveys.change_recoverytask") or task.team_id is None:
        return False
    return team_list_led_by(user=user).filter(pk=task.team_id).exists()


def require(allowed: bool, message: str | Promise, code: str) -> None:
    if not allowed:
        raise PermissionDeniedError(message, code=code)
