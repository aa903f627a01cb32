"""The reads of cases: scope, queues and their order, tracking, timelines, figures, and query counts."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, Team, User
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseClock, CaseStatus
from charter.cases.selectors import (
    ClockMinutes,
    canned_response_list_for,
    case_category_list,
    case_clock_elapsed_minutes,
    case_clock_minutes_by_handler,
    case_customer_list,
    case_get_for_tracking,
    case_get_visible,
    case_link_list,
    case_list_visible_to,
    case_message_list,
    case_queue,
    case_stats_for_supervisor,
    case_timeline,
)
from charter.cases.serializers import CaseListOutputSerializer
from charter.cases.services import (
    canned_response_create,
    case_assign,
    case_category_create,
    case_link,
    case_reply,
    case_transition,
)
from charter.sla.models import BusinessCalendar
from charter.sla.services import sla_calendar_assign
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import not_none
from tests.sla.conftest import always_calendar, standard_calendar  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def test_agents_see_their_teams_and_own_cases_only(
    routed_team: Team, other_team: Team, member: User, outsider: User, supervisor: User, customer: Customer
) -> None:
    mine = new_case(None, customer)
    elsewhere = new_case(None, customer)
    case_assign(actor=supervisor, case=elsewhere, team=other_team, reason="转办")

    assert set(case_list_visible_to(user=member)) == {mine}
    assert set(case_list_visible_to(user=outsider)) == {elsewhere}


def test_a_case_assigned_to_someone_outside_its_team_is_visible_to_him(
    routed_team: Team, member: User, outsider: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    Case.objects.filter(pk=case.pk).update(assignee=outsider)

    assert case in case_list_visible_to(user=outsider)


def test_supervisors_see_the_subtree_of_the_units_they_lead(
    organisation: Any, routed_team: Team, supervisor: User, customer: Customer
) -> None:
    from tests.accounts.factories import OrgUnitFactory, TeamFactory

    sub_team = TeamFactory.create(unit=OrgUnitFactory.create(parent=routed_team.unit), code="sub")
    case = new_case(None, customer)
    Case.objects.filter(pk=case.pk).update(team=sub_team, assignee=None)

    assert case in case_list_visible_to(user=supervisor)


def test_administrators_see_everything_and_customers_their_own(
    routed_team: Team,
    administrator: User,
    customer: Customer,
    customer_user: User,
    other_customer: Customer,
) -> None:
    own = new_case(None, customer)
    other = new_case(None, other_customer)

    assert set(case_list_visible_to(user=administrator)) == {own, other}
    assert set(case_list_visible_to(user=customer_user)) == {own}
    assert list(case_customer_list(user=customer_user)) == [own]


def test_anonymous_and_staff_without_case_work_see_nothing(routed_team: Team, customer: Customer) -> None:
    from django.contrib.auth.models import AnonymousUser

    from charter.accounts.roles import Role
    from tests.accounts.factories import UserFactory

    new_case(None, customer)
    trainer = UserFactory.create(username="zhou", roles=[Role.TRAINER])

    assert not case_list_visible_to(user=AnonymousUser()).exists()
    assert not case_list_visible_to(user=trainer).exists()


def test_an_agent_never_sees_a_complaint_naming_him(
    routed_team: Team, member: User, teammate: User, administrator: User, customer: Customer
) -> None:
    naming = new_case(None, customer, kind="complaint", named_staff=[member])
    praise = new_case(None, customer, kind="praise", named_staff=[member])

    visible = set(case_list_visible_to(user=member))
    assert naming not in visible and praise in visible
    assert naming in case_list_visible_to(user=teammate)
    assert case_get_visible(user=member, pk=naming.pk) is None
    assert case_get_visible(user=administrator, pk=naming.pk) == naming


def test_case_get_visible_refuses_junk_ids(routed_team: Team, member: User, customer: Customer) -> None:
    new_case(None, customer)

    assert case_get_visible(user=member, pk="1 OR 1=1") is None
    assert case_get_visible(user=member, pk=None) is None


# Queues -------------------------------------------------------------------------------------------------


def test_queues_select_and_sort_by_the_next_deadline(
    frozen: Any, routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    first = new_case(None, customer)  # alice
    frozen.shift(HOUR)
    second = new_case(None, customer)  # bob
    frozen.shift(HOUR)
    third = new_case(None, customer)  # alice
    Case.objects.filter(pk=third.pk).update(assignee=None)

    assert list(case_queue(user=member, queue="mine")) == [first]
    assert list(case_queue(user=member, queue="my_teams")) == [first, second, third]
    assert list(case_queue(user=member, queue="my_teams", order="-deadline")) == [third, second, first]
    assert list(case_queue(user=member, queue="unassigned")) == [third]
    assert list(case_queue(user=member, queue="all", filters={"assignee": "none"})) == [third]
    assert list(case_queue(user=member, filters={"status": ["acknowledged", "in_progress"]})) == [
        first,
        second,
        third,
    ]


def test_due_soon_and_breached_queues(
    frozen: Any, routed_team: Team, member: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    other = new_case(None, customer)
    case_reply(actor=not_none(other.assignee), case=other, body="已回复")  # its next deadline is days away

    frozen.move_to(not_none(case.next_deadline_at) - 2 * HOUR)
    assert case in case_queue(user=member, queue="due_soon")
    assert other not in case_queue(user=member, queue="due_soon")
    assert not case_queue(user=member, queue="breached").exists()

    frozen.move_to(not_none(case.next_deadline_at) + HOUR)
    assert list(case_queue(user=member, queue="breached")) == [case]


def test_priority_order_puts_urgent_first(routed_team: Team, member: User, customer: Customer) -> None:
    low = new_case(None, customer, priority="low")
    urgent = new_case(None, customer, priority="urgent")

    assert list(case_queue(user=member, order="priority")) == [urgent, low]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"queue": "everything"}, ErrorCode.INVALID_QUEUE),
        ({"order": "random"}, ErrorCode.INVALID_ORDER),
        ({"filters": {"title": "x"}}, ErrorCode.INVALID_FIELD),
    ],
)
def test_unknown_queues_orders_and_filters_are_refused(
    member: User, arguments: dict[str, Any], code: str
) -> None:
    from charter.common.errors import DomainError

    with pytest.raises(DomainError) as refused:
        case_queue(user=member, **arguments)

    assert refused.value.code == code


def test_open_filter(routed_team: Team, supervisor: User, member: User, customer: Customer) -> None:
    open_case = new_case(None, customer)
    done = new_case(None, customer)
    case_transition(actor=supervisor, case=done, to_status="cancelled", reason="重复")

    assert list(case_queue(user=member, filters={"open": "true"})) == [open_case]
    assert list(case_queue(user=member, filters={"open": "false"})) == [done]


def _list_queries(user: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = list(case_queue(user=user, queue="my_teams"))
        CaseListOutputSerializer(rows, many=True).data  # noqa: B018 (renders every row)
    return len(queries)


def test_the_queue_query_count_does_not_grow_with_the_rows(
    routed_team: Team, member: User, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    for _ in range(2):
        new_case(None, customer)
    member_fresh = User.objects.get(pk=member.pk)
    few = _list_queries(member_fresh)
    for _ in range(12):
        new_case(None, customer, kind="complaint")
    member_fresh = User.objects.get(pk=member.pk)

    with django_assert_max_num_queries(few):
        rows = list(case_queue(user=member_fresh, queue="my_teams"))
        CaseListOutputSerializer(rows, many=True).data  # noqa: B018
    assert len(rows) == 14


# Tracking, messages and timelines -----------------------------------------------------------------------


def test_tracking_finds_the_case_by_its_token_only(routed_team: Team, customer: Customer) -> None:
    case = new_case(None, customer)

    assert case_get_for_tracking(token=case.tracking_token) == case
    assert case_get_for_tracking(token=case.tracking_token[:-1] + "x") is None
    assert case_get_for_tracking(token=case.tracking_token_hash or "") is None


def test_notes_and_internal_events_are_left_out_for_customers(routed_team: Team, customer: Customer) -> None:
    case = new_case(None, customer)
    case_reply(actor=not_none(case.assignee), case=case, body="公开回复")
    case_reply(actor=not_none(case.assignee), case=case, body="内部备注", is_internal=True)

    public_messages = [m.body for m in case_message_list(case=case, include_internal=False)]
    all_messages = [m.body for m in case_message_list(case=case, include_internal=True)]
    public_events = list(case_timeline(case=case, include_internal=False))
    assert public_messages == ["公开回复"] and all_messages == ["公开回复", "内部备注"]
    assert public_events and all(not e.is_internal for e in public_events)
    assert {e.kind for e in public_events} >= {"created", "acknowledged", "replied"}
    assert "note_added" not in {e.kind for e in public_events}
    assert "note_added" in {e.kind for e in case_timeline(case=case, include_internal=True)}


def test_links_show_only_cases_in_scope(
    routed_team: Team,
    other_team: Team,
    member: User,
    supervisor: User,
    administrator: User,
    customer: Customer,
) -> None:
    one = new_case(None, customer)
    two = new_case(None, customer)
    case_link(actor=administrator, case=one, other=two)
    assert case_link_list(case=one, user=member) == [two]

    case_assign(actor=administrator, case=two, team=other_team, reason="转办")
    assert case_link_list(case=one, user=member) == []


def test_categories_come_in_tree_order(administrator: User) -> None:
    water = case_category_create(actor=administrator, code="water", name_zh="供水", ordering=1)
    billing = case_category_create(actor=administrator, code="billing", name_zh="账单", ordering=2)
    leak = case_category_create(actor=administrator, code="water-leak", name_zh="漏水", parent=water)

    assert list(case_category_list()) == [water, leak, billing]


def test_canned_responses_for_a_user_are_shared_or_his_teams(
    administrator: User, team: Team, other_team: Team, member: User
) -> None:
    shared = canned_response_create(actor=administrator, code="hello", title_zh="问候", body_zh="您好")
    ours = canned_response_create(
        actor=administrator, code="ours", title_zh="本组", body_zh="本组", team=team
    )
    canned_response_create(
        actor=administrator, code="theirs", title_zh="他组", body_zh="他组", team=other_team
    )

    assert list(canned_response_list_for(user=member)) == [shared, ours]


# Supervisor figures -------------------------------------------------------------------------------------


def test_supervisor_figures_count_load_near_breach_and_escalations(
    frozen: Any,
    routed_team: Team,
    member: User,
    teammate: User,
    supervisor: User,
    customer: Customer,
    django_assert_max_num_queries: Any,
) -> None:
    cases = [new_case(None, customer) for _ in range(3)]
    case_transition(actor=supervisor, case=cases[0], to_status="escalated", reason="投诉升级")
    Case.objects.filter(pk=cases[2].pk).update(assignee=None)
    first_warn = not_none(cases[1].clocks.get(metric="first_response").warn_at)
    supervisor_fresh = User.objects.get(pk=supervisor.pk)

    with django_assert_max_num_queries(10):
        stats = case_stats_for_supervisor(user=supervisor_fresh, now=first_warn + dt.timedelta(minutes=1))

    load = next(t for t in stats.teams if t.team == routed_team)
    assert (load.open_cases, load.unassigned, load.escalated, load.near_breach, load.breached) == (
        3,
        1,
        1,
        3,
        0,
    )
    assert {h.user for h in stats.handlers} == {member, teammate}
    assert [c.status for c in stats.escalated] == [CaseStatus.ESCALATED]
    assert len(stats.near_breach) == 3
    assert case_stats_for_supervisor(user=member).teams == []
    assert MONDAY < first_warn


def _stored_clock(case: Case, *, start: dt.datetime, stop: dt.datetime, **fields: Any) -> CaseClock:
    values: dict[str, Any] = {
        "metric": CaseClock.Metric.RESOLUTION,
        "status": CaseClock.Status.MET,
        "target_amount": 8,
        "target_unit": "hours",
        "target_basis": "working_time",
    }
    values.update(fields)
    return CaseClock.objects.create(case=case, started_at=start, stopped_at=stop, **values)


def test_clock_minutes_by_handler_count_each_clock_in_its_own_calendar_as_one_clock_would(
    team: Team,
    other_team: Team,
    member: User,
    administrator: User,
    customer: Customer,
    standard_calendar: BusinessCalendar,  # noqa: F811
    always_calendar: BusinessCalendar,  # noqa: F811
) -> None:
    # Given the default office calendar, a 24x7 calendar for the other team's unit, and clocks of one handler
    # over a Saturday morning (10:00-12:00 Shanghai) counted in each: the team's, the other team's, a policy
    # calendar, no team at all, calendar time, a pause, and a cancelled clock.
    sla_calendar_assign(actor=administrator, unit=other_team.unit, calendar=always_calendar)
    saturday = dt.datetime(2026, 3, 7, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    start, stop = saturday, saturday + 2 * HOUR
    stopped = {"kind": "inquiry", "customer": customer, "status": CaseStatus.RESOLVED, "assignee": member}
    ours = Case.objects.create(number="TS-901", team=team, **stopped)
    theirs = Case.objects.create(number="TS-902", team=other_team, **stopped)
    loose = Case.objects.create(number="TS-903", team=None, **stopped)
    _stored_clock(ours, start=start, stop=stop)
    _stored_clock(theirs, start=start, stop=stop)
    _stored_clock(theirs, start=start, stop=stop, paused_seconds=1800)
    _stored_clock(ours, start=start, stop=stop, sla_calendar_id=always_calendar.pk)
    _stored_clock(loose, start=start, stop=stop)
    _stored_clock(ours, start=start, stop=stop, target_basis="calendar_time")
    _stored_clock(ours, start=start, stop=stop, status=CaseClock.Status.CANCELLED)
    window = {"start_at": start - 24 * HOUR, "end_at": stop + HOUR}

    # When the minutes are summed per handler, and each clock is read whole
    totals = case_clock_minutes_by_handler(metric=CaseClock.Metric.RESOLUTION, people=[member.pk], **window)
    one_by_one = [
        case_clock_elapsed_minutes(clock)
        for clock in CaseClock.objects.select_related("case__team__unit")
        if clock.status != CaseClock.Status.CANCELLED
    ]

    # Then only the 24x7 clocks and the calendar-time one ran, and both ways agree
    assert sorted(one_by_one) == [Decimal(0)] * 2 + [Decimal(90)] + [Decimal(120)] * 3
    assert totals == {member.pk: ClockMinutes(counted=6, minutes=sum(one_by_one, Decimal(0)), excluded=1)}
