"""Reads of surveys that other pages share: whose results each reader sees, and the follow-ups of unhappy
customers each person may see."""

from django.db.models import Q, QuerySet

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import scope_team_ids, team_list_led_by
from charter.surveys.models import RecoveryTask
from charter.surveys.permissions import can_manage_surveys, can_view_all_results, can_view_results

RECOVERY_OPEN_STATUSES = (RecoveryTask.Status.OPEN, RecoveryTask.Status.CONTACTED)


def result_team_ids_for(*, user: AnyUser) -> frozenset[int] | None:
    """Return the ids of the teams whose survey results `user` sees, or None for every team (and the
    answers to campaigns, which have no team).

    Every team for those who see all results (`can_view_all_results`); for any other reader the teams in
    his scope, as on every other page (`scope_team_ids`: his teams, and every team under a unit whose team
    he leads); none for those who may not see results at all.
    """
    if not isinstance(user, User) or not can_view_results(user):
        return frozenset()
    if can_view_all_results(user):
        return None
    return scope_team_ids(user)


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
