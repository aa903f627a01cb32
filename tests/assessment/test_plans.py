"""Improvement plans: opening (by the supervisor, for repeated violations), goals, check-ins, outcome; who may
see and who may manage; optimistic locking; the plan pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment.errors import ErrorCode
from charter.assessment.models import ImprovementPlan, PlanCheckIn, PlanGoal
from charter.assessment.plans import (
    GoalSpec,
    plan_check_in,
    plan_close,
    plan_goal_add,
    plan_list_visible_to,
    plan_open,
    plan_open_for_violations,
)
from charter.audit.models import AuditEvent
from charter.common.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from charter.conduct.models import Severity, Violation
from tests.accounts.factories import UserFactory
from tests.assessment.factories import conduct_clause
from tests.assessment.test_indicators import violation
from tests.conftest import browser_post, client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 10, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def plan(supervisor: User, member: User) -> ImprovementPlan:
    return plan_open(
        actor=supervisor,
        person=member,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=90),
        summary="  提升首次解决率  ",
        goals=[GoalSpec(description="首次解决率达到 80%", indicator="fcr", target=Decimal("80"))],
    )


# Opening ------------------------------------------------------------------------------------------------


def test_a_supervisor_opens_a_plan_for_a_member_of_his_team(
    plan: ImprovementPlan, supervisor: User, member: User
) -> None:
    assert plan.person == member
    assert plan.owner == supervisor
    assert plan.trigger == ImprovementPlan.Trigger.MANUAL
    assert plan.status == ImprovementPlan.Status.ACTIVE
    assert plan.summary == "提升首次解决率"
    assert [(goal.indicator, goal.target) for goal in plan.goals.all()] == [("fcr", Decimal("80.00"))]
    assert AuditEvent.objects.filter(action="assessment.plan_open", target_id=str(plan.pk)).exists()


def test_nobody_opens_a_plan_for_someone_outside_his_teams(supervisor: User, outsider: User) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        plan_open(actor=supervisor, person=outsider, starts_on=TODAY, ends_on=TODAY, summary="x")
    assert refused.value.code == ErrorCode.PLAN_OPEN_DENIED
    assert not ImprovementPlan.objects.exists()


def test_an_agent_opens_no_plan_for_his_teammate(member: User, teammate: User) -> None:
    with pytest.raises(PermissionDeniedError):
        plan_open(actor=member, person=teammate, starts_on=TODAY, ends_on=TODAY, summary="x")


def test_nobody_opens_a_plan_for_himself(supervisor: User) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        plan_open(actor=supervisor, person=supervisor, starts_on=TODAY, ends_on=TODAY, summary="x")
    assert refused.value.code == ErrorCode.SELF_ASSESSMENT


def test_a_plan_ends_after_it_starts(supervisor: User, member: User) -> None:
    with pytest.raises(DomainError) as refused:
        plan_open(
            actor=supervisor,
            person=member,
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
            summary="x",
        )
    assert refused.value.code == ErrorCode.PLAN_DATES


def test_a_summary_is_required(supervisor: User, member: User) -> None:
    with pytest.raises(DomainError) as refused:
        plan_open(actor=supervisor, person=member, starts_on=TODAY, ends_on=TODAY, summary="  ")
    assert refused.value.code == ErrorCode.PLAN_TEXT_REQUIRED
    assert refused.value.field == "summary"


def test_one_plan_under_way_at_a_time(plan: ImprovementPlan, supervisor: User, member: User) -> None:
    with pytest.raises(DomainError) as refused:
        plan_open(actor=supervisor, person=member, starts_on=TODAY, ends_on=TODAY, summary="again")
    assert refused.value.code == ErrorCode.PLAN_ALREADY_ACTIVE


def _violations(person: User, severities: list[str], *, overturned: int = 0) -> None:
    """Decided violations of `person` in the last 90 days, the first `overturned` of them overturned on
    appeal (which leaves them out of the count)."""
    clause = conduct_clause(UserFactory.create(username="code.admin", roles=[Role.ADMINISTRATOR]))
    at = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)
    for index, severity in enumerate(severities):
        extra = {"appeal_outcome": Violation.AppealOutcome.OVERTURNED} if index < overturned else {}
        violation(clause, staff=person, severity=severity, at=at + dt.timedelta(days=index), **extra)


def test_repeated_violations_open_a_plan(supervisor: User, member: User) -> None:
    _violations(member, [Severity.MINOR, Severity.MINOR, Severity.GENERAL])

    plan = plan_open_for_violations(actor=supervisor, person=member)

    assert plan.trigger == ImprovementPlan.Trigger.VIOLATIONS
    assert plan.owner == supervisor
    assert plan.starts_on == TODAY
    assert plan.ends_on == TODAY + dt.timedelta(days=90)


def test_too_few_violations_open_no_plan(supervisor: User, member: User) -> None:
    # An overturned violation does not count: 2 standing of the 3 decided.
    _violations(member, [Severity.MINOR, Severity.MINOR, Severity.MINOR], overturned=1)

    with pytest.raises(DomainError) as refused:
        plan_open_for_violations(actor=supervisor, person=member)
    assert refused.value.code == ErrorCode.PLAN_VIOLATIONS_TOO_FEW
    assert not ImprovementPlan.objects.exists()


def test_violations_older_than_90_days_do_not_count(supervisor: User, member: User) -> None:
    clause = conduct_clause(UserFactory.create(username="code.admin", roles=[Role.ADMINISTRATOR]))
    for days in (91, 100, 120):
        violation(
            clause,
            staff=member,
            severity=Severity.MINOR,
            at=dt.datetime(2026, 11, 10, 4, tzinfo=dt.UTC) - dt.timedelta(days=days),
        )
    with pytest.raises(DomainError) as refused:
        plan_open_for_violations(actor=supervisor, person=member)
    assert refused.value.code == ErrorCode.PLAN_VIOLATIONS_TOO_FEW


def test_the_number_of_violations_is_a_setting(settings: Any, supervisor: User, member: User) -> None:
    settings.CHARTER_ASSESSMENT_PLAN_VIOLATIONS = 2
    _violations(member, [Severity.MINOR, Severity.MINOR])

    assert plan_open_for_violations(actor=supervisor, person=member).person == member


def test_violations_open_no_plan_for_someone_outside_his_teams(supervisor: User, outsider: User) -> None:
    _violations(outsider, [Severity.MINOR] * 5)
    with pytest.raises(PermissionDeniedError):
        plan_open_for_violations(actor=supervisor, person=outsider)


# Working on the plan -------------------------------------------------------------------------------------


def test_goal_check_in_and_outcome_move_the_version_on(plan: ImprovementPlan, supervisor: User) -> None:
    goal = plan_goal_add(
        actor=supervisor,
        plan=plan,
        description="满意度达到 90%",
        indicator="csat",
        target=Decimal("90"),
        expected_version=1,
    )
    check_in = plan_check_in(actor=supervisor, plan=plan, on=TODAY, note="第一次面谈", expected_version=2)
    closed = plan_close(actor=supervisor, plan=plan, outcome="met", note="目标达成", expected_version=3)

    assert goal.plan == plan and goal.target == Decimal("90.00")
    assert check_in.by == supervisor and check_in.on == TODAY
    assert closed.status == ImprovementPlan.Status.MET
    assert closed.outcome_note == "目标达成"
    assert closed.lock_version == 4
    actions = set(AuditEvent.objects.filter(target_id=str(plan.pk)).values_list("action", flat=True))
    assert {"assessment.plan_goal_add", "assessment.plan_check_in", "assessment.plan_close"} <= actions


def test_a_stale_version_is_a_conflict(plan: ImprovementPlan, supervisor: User) -> None:
    plan_check_in(actor=supervisor, plan=plan, on=TODAY, note="first", expected_version=1)

    with pytest.raises(ConflictError) as conflict:
        plan_goal_add(actor=supervisor, plan=plan, description="late", expected_version=1)
    assert conflict.value.status == 409
    assert PlanGoal.objects.filter(plan=plan).count() == 1


def test_an_extension_needs_a_later_end_and_keeps_the_plan_open(
    plan: ImprovementPlan, supervisor: User
) -> None:
    with pytest.raises(DomainError) as refused:
        plan_close(actor=supervisor, plan=plan, outcome="extended", note="more time", expected_version=1)
    assert refused.value.code == ErrorCode.PLAN_DATES

    new_end = plan.ends_on + dt.timedelta(days=30)
    extended = plan_close(
        actor=supervisor, plan=plan, outcome="extended", note="more time", ends_on=new_end, expected_version=1
    )

    assert extended.status == ImprovementPlan.Status.EXTENDED
    assert extended.ends_on == new_end
    plan_check_in(actor=supervisor, plan=extended, on=TODAY, note="still open", expected_version=2)


def test_a_closed_plan_takes_no_more_check_ins(plan: ImprovementPlan, supervisor: User) -> None:
    closed = plan_close(actor=supervisor, plan=plan, outcome="not_met", note="未达成", expected_version=1)

    with pytest.raises(PermissionDeniedError) as refused:
        plan_check_in(actor=supervisor, plan=closed, on=TODAY, note="late", expected_version=2)
    assert refused.value.code == ErrorCode.STEP_CLOSED


def test_an_unknown_outcome_is_refused(plan: ImprovementPlan, supervisor: User) -> None:
    with pytest.raises(DomainError) as refused:
        plan_close(actor=supervisor, plan=plan, outcome="active", note="x", expected_version=1)
    assert refused.value.code == ErrorCode.PLAN_OUTCOME_INVALID


def test_a_check_in_is_not_dated_in_the_future(plan: ImprovementPlan, supervisor: User) -> None:
    with pytest.raises(DomainError) as refused:
        plan_check_in(
            actor=supervisor, plan=plan, on=TODAY + dt.timedelta(days=1), note="x", expected_version=1
        )
    assert refused.value.code == ErrorCode.PLAN_DATES


def test_the_person_reads_his_plan_but_does_not_manage_it(plan: ImprovementPlan, member: User) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        plan_check_in(actor=member, plan=plan, on=TODAY, note="I did well", expected_version=1)
    assert refused.value.code == ErrorCode.SELF_ASSESSMENT
    assert list(plan_list_visible_to(user=member)) == [plan]


def test_someone_outside_gets_not_found(plan: ImprovementPlan, outsider: User, teammate: User) -> None:
    for stranger in (outsider, teammate):
        with pytest.raises(NotFoundError):
            plan_goal_add(actor=stranger, plan=plan, description="x", expected_version=1)
        assert list(plan_list_visible_to(user=stranger)) == []
    assert not PlanCheckIn.objects.exists()


# Pages ---------------------------------------------------------------------------------------------------


def test_the_list_shows_my_plan_and_my_teams_plans(
    plan: ImprovementPlan, member: User, supervisor: User, outsider: User
) -> None:
    mine = client_for(member).get(reverse("assessment:plan_list"))
    team = client_for(supervisor).get(reverse("assessment:plan_list"))
    stranger = client_for(outsider).get(reverse("assessment:plan_list"))

    assert mine.context["mine"] == [plan] and mine.context["others"] == []
    assert not mine.context["may_open"]
    assert team.context["others"] == [plan] and team.context["may_open"]
    assert stranger.context["mine"] == [] and stranger.context["others"] == []


def test_the_person_sees_the_page_without_forms(plan: ImprovementPlan, member: User) -> None:
    response = client_for(member).get(reverse("assessment:plan_detail", args=[plan.pk]))

    assert response.status_code == 200
    assert not response.context["may_manage"]
    assert 'name="do"' not in response.content.decode()
    assert "首次解决率达到 80%" in response.content.decode()


def test_a_stranger_gets_404_for_the_page(plan: ImprovementPlan, outsider: User) -> None:
    assert client_for(outsider).get(reverse("assessment:plan_detail", args=[plan.pk])).status_code == 404


def test_the_person_posting_a_check_in_is_refused(plan: ImprovementPlan, member: User) -> None:
    url = reverse("assessment:plan_detail", args=[plan.pk])
    response = browser_post(
        client_for(member), url, {"do": "check_in", "version": 1, "on": TODAY.isoformat(), "note": "me"}
    )

    assert response.status_code == 403
    assert not PlanCheckIn.objects.exists()


def test_the_supervisor_records_a_check_in_on_the_page(plan: ImprovementPlan, supervisor: User) -> None:
    url = reverse("assessment:plan_detail", args=[plan.pk])
    response = browser_post(
        client_for(supervisor), url, {"do": "check_in", "version": 1, "on": TODAY.isoformat(), "note": "面谈"}
    )

    assert response.status_code == 302
    assert PlanCheckIn.objects.get(plan=plan).note == "面谈"


def test_a_stale_page_answers_409(plan: ImprovementPlan, supervisor: User) -> None:
    plan_check_in(actor=supervisor, plan=plan, on=TODAY, note="first", expected_version=1)
    url = reverse("assessment:plan_detail", args=[plan.pk])

    response = browser_post(client_for(supervisor), url, {"do": "goal", "version": 1, "description": "late"})

    assert response.status_code == 409
    assert not PlanGoal.objects.filter(description="late").exists()


def test_the_supervisor_opens_a_plan_on_the_list_page(supervisor: User, member: User, team: Team) -> None:
    response = browser_post(
        client_for(supervisor),
        reverse("assessment:plan_list"),
        {
            "do": "open",
            "person": member.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=60)).isoformat(),
            "summary": "改进沟通",
        },
    )

    plan = ImprovementPlan.objects.get(person=member)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:plan_detail", args=[plan.pk])


def test_the_open_form_offers_only_his_people(supervisor: User, member: User, outsider: User) -> None:
    response = browser_post(
        client_for(supervisor),
        reverse("assessment:plan_list"),
        {
            "do": "open",
            "person": outsider.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
            "summary": "x",
        },
    )

    assert response.status_code == 200
    assert response.context["open_form"].errors["person"]
    assert not ImprovementPlan.objects.exists()
