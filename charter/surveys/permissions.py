"""Who may see survey results, configure surveys and follow up unhappy customers: one predicate per rule,
each answering a `Decision` (charter.common.policy) that pages ask and services `require`.

Results have their own permission: seeing a case does not mean seeing its rating. Whose results a reader
sees is `result_team_ids_for` (every team with surveys.view_all_results, else his scope in the tree).
"""

import datetime as dt

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by, team_supervisor_list
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, first_refusal, holds, refuse
from charter.sla.deadlines import add_working_days
from charter.sla.selectors import calendar_for_team
from charter.surveys.conf import surveys_setting
from charter.surveys.errors import ErrorCode
from charter.surveys.models import RecoveryTask, Response, ReviewAppeal, ReviewStatus, Verification

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
    (surveys.manage_surveys), its owner, the supervisors over its team, and, once a 好差评 appeal was filed
    against it, those who decide appeals (surveys.decide_review_appeal); anyone else gets a hidden refusal
    (404)."""
    if not isinstance(user, User) or not user.is_active:
        return _HIDDEN
    if can_manage_surveys(user) or task.owner_id == user.pk or _is_over_team(user, task):
        return ALLOWED
    if holds(user, "surveys.decide_review_appeal") and ReviewAppeal.objects.filter(task=task).exists():
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


# 好差评 (国办发〔2019〕51号): verifying, rectifying and revisiting a bad review, and the appeal against it.


def response_attributed_ids(response: Response) -> frozenset[int]:
    """Return the ids of the staff `response` is attributed to: its handler and every agent."""
    ids = set(response.agents.values_list("pk", flat=True))
    if response.handler_id is not None:
        ids.add(response.handler_id)
    return frozenset(ids)


def _not_about_own_work(user: AnyUser, task: RecoveryTask, message: str | Promise) -> Decision:
    """Refuse the staff a review is attributed to: nobody verifies, rectifies or revisits his own review."""
    return allow_if(user.pk not in response_attributed_ids(task.response), ErrorCode.REVIEW_DENIED, message)


def can_verify_review(user: AnyUser, task: RecoveryTask) -> Decision:
    """Allow those who work on `task` (`can_work_recovery`: the unit that handled the case) to verify its bad
    review, unless the review is attributed to them."""
    return first_refusal(
        lambda: can_work_recovery(user, task),
        lambda: _not_about_own_work(user, task, _("You may not verify a review about your own work.")),
    )


def can_rectify_review(user: AnyUser, task: RecoveryTask) -> Decision:
    """Allow those who work on `task` (`can_work_recovery`) to record the rectification of its review, unless
    the review is attributed to them."""
    return first_refusal(
        lambda: can_work_recovery(user, task),
        lambda: _not_about_own_work(
            user, task, _("You may not record the rectification of your own review.")
        ),
    )


def can_revisit_review(user: AnyUser, task: RecoveryTask) -> Decision:
    """Allow those who work on `task` (`can_work_recovery`) to record the revisit of its reviewer, unless the
    review is attributed to them."""
    return first_refusal(
        lambda: can_work_recovery(user, task),
        lambda: _not_about_own_work(user, task, _("You may not record the revisit of your own review.")),
    )


def review_appeal_due_at(task: RecoveryTask) -> dt.datetime | None:
    """Return the end of the window for an appeal against `task`'s review: CHARTER_SURVEYS_APPEAL_WORKING_DAYS
    working days after its verification in the team's calendar (None before it is verified)."""
    if task.verified_at is None:
        return None
    days = int(surveys_setting("CHARTER_SURVEYS_APPEAL_WORKING_DAYS"))
    return add_working_days(calendar_for_team(team=task.team), task.verified_at, days)


def can_file_review_appeal(user: AnyUser, task: RecoveryTask, now: dt.datetime) -> Decision:
    """Allow a member of staff the review of `task` is attributed to (handler or agent; anyone else gets a
    hidden refusal, 404) to appeal it, once per review, while it stands ruled valid or partly valid and
    until `review_appeal_due_at`."""
    if not isinstance(user, User) or not user.is_active:
        return _HIDDEN
    if task.review_status == ReviewStatus.NONE or user.pk not in response_attributed_ids(task.response):
        return _HIDDEN
    if ReviewAppeal.objects.filter(task=task).exists():
        return refuse(ErrorCode.APPEAL_ALREADY_FILED, _("This review has already been appealed."))
    if task.verification not in (Verification.VALID, Verification.PARTLY_VALID):
        return refuse(
            ErrorCode.APPEAL_NOT_ALLOWED,
            _("Only a review verified as valid or partly valid can be appealed."),
        )
    due = review_appeal_due_at(task)
    return allow_if(
        due is not None and now <= due,
        ErrorCode.APPEAL_TOO_LATE,
        _("The time to appeal this review has passed."),
    )


def _supervisor_ids_of(user: User, task: RecoveryTask) -> set[int]:
    """The ids of the supervisors and leads over any team `user` belongs to, and over the team the review
    was about (`team_supervisor_list`)."""
    teams = Team.objects.filter(Q(memberships__user=user) | Q(pk=task.team_id)).select_related("unit")
    return {supervisor.pk for team in teams.distinct() for supervisor in team_supervisor_list(team=team)}


def can_decide_review_appeal(user: AnyUser, appeal: ReviewAppeal) -> Decision:
    """Allow a holder of surveys.decide_review_appeal to decide `appeal`, provided he is independent of it:
    neither the appellant, nor a supervisor or lead over a team of the appellant or over the team the
    review is about, nor the one who verified the review. Someone who may not even see the follow-up gets a
    hidden refusal (404)."""
    if not isinstance(user, User) or not user.is_active:
        return _HIDDEN
    task = appeal.task
    if not holds(user, "surveys.decide_review_appeal"):
        if can_view_recovery(user, task):
            return refuse(ErrorCode.APPEAL_DECIDE_DENIED, _("You may not decide appeals."))
        return _HIDDEN
    if user.pk == appeal.appellant_id:
        return refuse(ErrorCode.APPEAL_DECIDE_DENIED, _("You may not decide your own appeal."))
    if user.pk == task.verified_by_id:
        return refuse(
            ErrorCode.APPEAL_DECIDE_DENIED, _("You verified this review: someone else decides the appeal.")
        )
    if user.pk in _supervisor_ids_of(appeal.appellant, task):
        return refuse(
            ErrorCode.APPEAL_DECIDE_DENIED,
            _("You supervise the appellant: someone independent decides the appeal."),
        )
    return ALLOWED
