"""Improvement plans (绩效改进计划): opening one (by a supervisor, by a grade, by repeated violations), its
goals, check-ins and outcome, and the plans a user may see.

Every write requires `can_manage_plan` (charter/assessment/permissions.py) on the plan, or `can_open_plan`
below to open one, takes the plan's optimistic lock (`expected_version`, ConflictError 409 when stale), cleans
its text and writes an audit event in its transaction. The person a plan concerns sees it, read-only.

Settings (read when used): CHARTER_ASSESSMENT_PLAN_DAYS (90, the length of a plan opened for him),
CHARTER_ASSESSMENT_PLAN_VIOLATIONS (3, decided violations within CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS, 90,
that allow a plan for repeated violations), CHARTER_ASSESSMENT_PLAN_GOAL_BELOW (60, the points under which
an indicator becomes a goal of a plan opened by a grade).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import TeamMembership, User
from charter.accounts.selectors import team_list_led_by
from charter.assessment.errors import ErrorCode
from charter.assessment.models import ImprovementPlan, PlanCheckIn, PlanGoal, Scorecard
from charter.assessment.permissions import can_manage_plan, can_open_plan, can_see_everyone, can_view_plan
from charter.audit.services import audit_record
from charter.common.errors import DomainError, NotFoundError
from charter.common.locking import row_claim
from charter.common.policy import require
from charter.common.text import TextCodes, clean_text
from charter.conduct.selectors import violation_tally_by_staff
from charter.training.assignments import assignment_create
from charter.training.models import Assignment, Course

PLAN_TEXT_CODES = TextCodes(
    required=ErrorCode.PLAN_TEXT_REQUIRED, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.TEXT_INVALID
)
DEFAULTS: dict[str, int] = {
    "CHARTER_ASSESSMENT_PLAN_DAYS": 90,
    "CHARTER_ASSESSMENT_PLAN_VIOLATIONS": 3,
    "CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS": 90,
    "CHARTER_ASSESSMENT_PLAN_GOAL_BELOW": 60,
}
OPEN_STATES = (ImprovementPlan.Status.ACTIVE, ImprovementPlan.Status.EXTENDED)
# How a plan may end when its time is up; "extended" keeps it open with a later end.
CLOSE_OUTCOMES = (
    ImprovementPlan.Status.MET,
    ImprovementPlan.Status.EXTENDED,
    ImprovementPlan.Status.NOT_MET,
)


def plan_setting(name: str) -> int:
    """Return the plan setting `name`, or its default from DEFAULTS."""
    return int(getattr(settings, name, DEFAULTS[name]))


@dataclass(frozen=True)
class GoalSpec:
    """A goal to write with a new plan: the indicator it is tied to (a code, or empty), what is to be
    reached and the target (in the indicator's points when opened by a grade)."""

    description: str
    indicator: str = ""
    target: Decimal | None = None


# Selectors ----------


def plan_list_visible_to(*, user: User) -> QuerySet[ImprovementPlan]:
    """Return the plans `user` may see (as `can_view_plan`): his own, those he owns, those of the members
    of the teams he leads; every plan for whoever sees every scorecard."""
    plans = ImprovementPlan.objects.select_related("person", "owner", "scorecard__cycle")
    if can_see_everyone(user):
        return plans
    led = team_list_led_by(user=user).values("pk")
    members = TeamMembership.objects.filter(team_id__in=led).values("user_id")
    return plans.filter(Q(person=user) | Q(owner=user) | Q(person_id__in=members)).distinct()


def plan_get_visible(*, user: User, pk: int) -> ImprovementPlan:
    """Return plan `pk` when `user` may see it; raise NotFoundError (404) when it is missing or hidden."""
    plan = ImprovementPlan.objects.select_related("person", "owner", "scorecard__cycle").filter(pk=pk).first()
    if plan is None or not can_view_plan(user, plan):
        raise NotFoundError(_("Not found."))
    return plan


# Writes ----------


def _text(value: object, *, field: str, required: bool = True, max_length: int = 4000) -> str:
    return clean_text(value, field=field, codes=PLAN_TEXT_CODES, required=required, max_length=max_length)


def _target(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    try:
        target = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter a number."), code=ErrorCode.PLAN_TARGET_INVALID, field="target") from None
    if not target.is_finite() or abs(target) >= Decimal("1e10"):
        raise DomainError(_("Enter a number."), code=ErrorCode.PLAN_TARGET_INVALID, field="target")
    return target.quantize(Decimal("0.01"))


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise DomainError(
            _("A plan ends on or after the day it starts."), code=ErrorCode.PLAN_DATES, field="ends_on"
        )


def _plan_lock(plan: ImprovementPlan, expected_version: int | None) -> ImprovementPlan:
    """Claim the next version of `plan` (charter.common.locking) and return it fresh; ConflictError (409)
    when `expected_version` is no longer current. Call inside `transaction.atomic`."""
    return row_claim(
        plan,
        expected_version,
        field="lock_version",
        stale=_("Someone else changed this plan in the meantime; reload it and try again."),
        queryset=ImprovementPlan.objects.select_related("person", "owner"),
    )


def _audit(actor: User | None, verb: str, plan: ImprovementPlan, data: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=f"assessment.{verb}", target=plan, data={"person": plan.person_id, **data}
    )


def plan_record(
    *,
    actor: User | None,
    person: User,
    owner: User | None,
    trigger: str,
    scorecard: Scorecard | None,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str,
    goals: list[GoalSpec],
) -> ImprovementPlan:
    """Write a new plan with its goals and its audit event, without asking who may: for the services of this
    app that have checked it (`plan_open`, `plan_open_for_violations`, `outcomes_apply`)."""
    _check_dates(starts_on, ends_on)
    with transaction.atomic():
        plan = ImprovementPlan.objects.create(
            person=person,
            owner=owner,
            scorecard=scorecard,
            trigger=trigger,
            starts_on=starts_on,
            ends_on=ends_on,
            summary=summary,
        )
        PlanGoal.objects.bulk_create(
            PlanGoal(plan=plan, indicator=goal.indicator, description=goal.description, target=goal.target)
            for goal in goals
        )
        _audit(
            actor,
            "plan_open",
            plan,
            {
                "trigger": trigger,
                "scorecard": scorecard.pk if scorecard is not None else None,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "goals": [goal.indicator or goal.description[:60] for goal in goals],
            },
        )
    return plan


def plan_courses_add(
    *, actor: User | None, plan: ImprovementPlan, courses: Sequence[Course]
) -> list[Assignment]:
    """Add `courses` to `plan` and assign each to its person (training's `assignment_create`: reason "plan",
    source the plan, due at the plan's end, or `remedial_days` from today when the plan ends sooner); return
    the assignments made now (a course already added assigns nothing again).

    A signed-in `actor` must manage the plan (`can_manage_plan`) and may assign to the person
    (training's `can_assign_to`, asked by `assignment_create`); refusals as `assignment_create`'s (a course
    without a published version). Audited `assessment.plan_courses_add` and `training.assign` per course.
    """
    if actor is not None:
        require(can_manage_plan(actor, plan))
    today = timezone.localdate()
    made: list[Assignment] = []
    with translation.override(settings.LANGUAGE_CODE):
        why = str(_("Improvement plan #%(number)s") % {"number": plan.pk})
    with transaction.atomic():
        for course in courses:
            due_on = (
                plan.ends_on if plan.ends_on >= today else today + dt.timedelta(days=course.remedial_days)
            )
            assignment, created = assignment_create(
                actor=actor,
                person=plan.person,
                course=course,
                due_on=due_on,
                reason=Assignment.Reason.PLAN,
                source_type="assessment.plan",
                source_id=plan.pk,
                reason_text=why,
            )
            if created:
                made.append(assignment)
        plan.courses.add(*courses)
        if courses:
            _audit(actor, "plan_courses_add", plan, {"courses": [course.code for course in courses]})
    return made


def _refuse_second_plan(person: User) -> None:
    if ImprovementPlan.objects.filter(person=person, status__in=OPEN_STATES).exists():
        raise DomainError(
            _("This person already has an improvement plan under way; work on that one."),
            code=ErrorCode.PLAN_ALREADY_ACTIVE,
        )


def plan_open(
    *,
    actor: User,
    person: User,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str,
    goals: list[GoalSpec] | None = None,
    courses: Sequence[Course] = (),
) -> ImprovementPlan:
    """Open an improvement plan for `person`, owned by `actor` (his supervisor), and return it.

    Preconditions: `can_open_plan(actor, person)`; the person has no plan under way; ends_on ≥ starts_on; a
    summary is given. Side effects: the plan and its goals, audit `assessment.plan_open`; each of `courses`
    assigned to the person (`plan_courses_add`).
    """
    require(can_open_plan(actor, person))
    text = _text(summary, field="summary")
    specs = [
        GoalSpec(
            indicator=_text(goal.indicator, field="indicator", required=False, max_length=60),
            description=_text(goal.description, field="description"),
            target=_target(goal.target),
        )
        for goal in goals or []
    ]
    with transaction.atomic():
        _refuse_second_plan(person)
        plan = plan_record(
            actor=actor,
            person=person,
            owner=actor,
            trigger=ImprovementPlan.Trigger.MANUAL,
            scorecard=None,
            starts_on=starts_on,
            ends_on=ends_on,
            summary=text,
            goals=specs,
        )
        if courses:
            plan_courses_add(actor=actor, plan=plan, courses=courses)
        return plan


def violation_count_recent(*, person: User, at: dt.datetime) -> int:
    """Return how many violations decided against `person` in the CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS
    before `at` still stand (conduct's `violation_tally_by_staff`, every severity)."""
    days = plan_setting("CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS")
    tally = violation_tally_by_staff(start_at=at - dt.timedelta(days=days), end_at=at, people=[person.pk])
    return sum(counts.standing for (_person, _severity), counts in tally.items())


def plan_open_for_violations(*, actor: User, person: User, at: dt.datetime | None = None) -> ImprovementPlan:
    """Open a plan for `person` because of repeated violations, owned by `actor`, and return it.

    Preconditions: `can_open_plan(actor, person)`; at least CHARTER_ASSESSMENT_PLAN_VIOLATIONS (3) decided
    violations still standing in the last CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS (90) days; no plan under
    way. The plan runs CHARTER_ASSESSMENT_PLAN_DAYS from today. Side effects: as `plan_open`.
    """
    require(can_open_plan(actor, person))
    now = at or timezone.now()
    needed = plan_setting("CHARTER_ASSESSMENT_PLAN_VIOLATIONS")
    count = violation_count_recent(person=person, at=now)
    if count < needed:
        raise DomainError(
            _(
                "A plan for repeated violations needs at least %(needed)s decided violations in the last "
                "%(days)s days; this person has %(count)s."
            )
            % {
                "needed": needed,
                "days": plan_setting("CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS"),
                "count": count,
            },
            code=ErrorCode.PLAN_VIOLATIONS_TOO_FEW,
        )
    starts_on = timezone.localdate(now)
    with transaction.atomic():
        _refuse_second_plan(person)
        return plan_record(
            actor=actor,
            person=person,
            owner=actor,
            trigger=ImprovementPlan.Trigger.VIOLATIONS,
            scorecard=None,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=plan_setting("CHARTER_ASSESSMENT_PLAN_DAYS")),
            summary=str(
                _("Opened because of %(count)s decided violations in %(days)s days.")
                % {"count": count, "days": plan_setting("CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS")}
            ),
            goals=[],
        )


def plan_goal_add(
    *,
    actor: User,
    plan: ImprovementPlan,
    description: str,
    indicator: str = "",
    target: Decimal | None = None,
    expected_version: int | None,
) -> PlanGoal:
    """Add a goal to `plan` and return it.

    Preconditions: `can_manage_plan`; `expected_version` current. Side effects: the plan's version moves on,
    audit `assessment.plan_goal_add`.
    """
    require(can_manage_plan(actor, plan))
    text = _text(description, field="description")
    code = _text(indicator, field="indicator", required=False, max_length=60)
    value = _target(target)
    with transaction.atomic():
        plan = _plan_lock(plan, expected_version)
        require(can_manage_plan(actor, plan))
        goal = PlanGoal.objects.create(plan=plan, indicator=code, description=text, target=value)
        _audit(actor, "plan_goal_add", plan, {"goal": goal.pk, "indicator": code, "target": value})
    return goal


def plan_check_in(
    *, actor: User, plan: ImprovementPlan, on: dt.date, note: str, expected_version: int | None
) -> PlanCheckIn:
    """Record a check-in of `plan` held on `on`, and return it.

    Preconditions: `can_manage_plan`; `expected_version` current; `on` not before the plan starts nor in
    the future. Side effects: the plan's version moves on, audit `assessment.plan_check_in`.
    """
    require(can_manage_plan(actor, plan))
    text = _text(note, field="note")
    if on < plan.starts_on or on > timezone.localdate():
        raise DomainError(
            _("A check-in is dated between the start of the plan and today."),
            code=ErrorCode.PLAN_DATES,
            field="on",
        )
    with transaction.atomic():
        plan = _plan_lock(plan, expected_version)
        require(can_manage_plan(actor, plan))
        check_in = PlanCheckIn.objects.create(plan=plan, on=on, note=text, by=actor)
        _audit(actor, "plan_check_in", plan, {"check_in": check_in.pk, "on": on})
    return check_in


def plan_close(
    *,
    actor: User,
    plan: ImprovementPlan,
    outcome: str,
    note: str,
    expected_version: int | None,
    ends_on: dt.date | None = None,
) -> ImprovementPlan:
    """Record the outcome of `plan`: goals met, extended to `ends_on`, or not met; return the plan.

    Preconditions: `can_manage_plan` (the plan is under way or extended); `expected_version` current; a
    note; for "extended", a new end later than the current one. "Met" and "not met" close the plan; an
    extended plan stays open. Side effects: audit `assessment.plan_close`.
    """
    require(can_manage_plan(actor, plan))
    if outcome not in CLOSE_OUTCOMES:
        raise DomainError(
            _("Choose met, extended or not met."), code=ErrorCode.PLAN_OUTCOME_INVALID, field="outcome"
        )
    text = _text(note, field="note")
    if outcome == ImprovementPlan.Status.EXTENDED and (ends_on is None or ends_on <= plan.ends_on):
        raise DomainError(
            _("An extended plan needs a new end date after %(date)s.") % {"date": plan.ends_on},
            code=ErrorCode.PLAN_DATES,
            field="ends_on",
        )
    with transaction.atomic():
        plan = _plan_lock(plan, expected_version)
        require(can_manage_plan(actor, plan))
        previous_end = plan.ends_on
        plan.status = outcome
        plan.outcome_note = text
        if outcome == ImprovementPlan.Status.EXTENDED and ends_on is not None:
            plan.ends_on = ends_on
        plan.save(update_fields=["status", "outcome_note", "ends_on", "updated_at"])
        _audit(
            actor,
            "plan_close",
            plan,
            {"outcome": outcome, "ends_on": plan.ends_on, "previous_end": previous_end},
        )
    return plan
