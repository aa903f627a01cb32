"""Reads of surveys that other pages share: the follow-ups of unhappy customers each person may see."""

from django.db.models import Q, QuerySet

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.surveys.models import RecoveryTask
from charter.surveys.permissions import can_manage_surveys

RECOVERY_OPEN_STATUSES = (RecoveryTask.Status.OPEN, RecoveryTask.Status.CONTACTED)


def recovery_task_list_visible_to(*, user: AnyUser, is_open_only: bool = False) -> QuerySet[RecoveryTask]:
    """Return the follow-ups `user` may see: all for administrators (surveys.manage_surveys); for anyone else
    those he owns and those of the teams he leads, at any depth of the tree (`team_list_led_by`).

    `is_open_only` keeps those still to be done (open, or the customer contacted). Rows come with their case,
    team and owner joined.
    """
    if not isinstance(user, User) or not user.is_active:
        return RecoveryTask.objects.none()
    tasks = RecoveryTask.objects.select_related("response__case", "team", "owner")
    if is_open_only:
        tasks = tasks.filter(status__in=RECOVERY_OPEN_STATUSES)
    if can_manage_surveys(user):
        return tasks
    return tasks.filter(Q(owner=user) | Q(team__in=team_list_led_by(user=user)))
