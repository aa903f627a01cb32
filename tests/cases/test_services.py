"""The services of cases: intake, numbering, routing, the workflow, clocks, the sweep, resolution, appeal,
merge, link, attachments, optimistic locking, the tracking link and canned responses."""

import datetime as dt
import io
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Count

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from charter.audit.selectors import audit_chain_verify
from charter.cases import notifications
from charter.cases.errors import ErrorCode
from charter.cases.models import (
    Case,
    CaseAttachment,
    CaseClock,
    CaseEvent,
    CaseLink,
    CaseMessage,
    CaseNumberCounter,
    CaseStatus,
    NotificationJob,
    TeamRouting,
)
from charter.cases.notifications import Audience, CaseNotification, InternalContentError
from charter.cases.selectors import case_get_for_tracking
from charter.cases.services import (
    SweepResult,
    attachment_add,
    canned_response_create,
    canned_response_render,
    case_accept,
    case_appeal,
    case_assign,
    case_assign_bulk,
    case_category_create,
    case_clocks_sweep,
    case_close_expired,
    case_customer_reply,
    case_link,
    case_merge,
    case_reply,
    case_resolve,
    case_tracking_token_revoke,
    case_tracking_token_rotate,
    case_transition,
    case_update,
    team_routing_set,
)
from charter.cases.services import clocks as clock_services
from charter.cases.services import intake as intake_services
from charter.cases.services._common import event_build, token_hash
from charter.cases.workflow import CASE_WORKFLOW, TRANSITIONS
from charter.common.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from charter.sla import deadlines
from charter.sla.models import SlaPolicy, SlaPolicyTarget
from charter.sla.selectors import BUILT_IN_CALENDAR
from tests.accounts.factories import CustomerFactory, TeamMembershipFactory, UserFactory
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import not_none

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _clock(case: Case, metric: str, *, open_only: bool = True) -> CaseClock:
    clocks = CaseClock.objects.filter(case=case, metric=metric)
    if open_only:
        clocks = clocks.filter(status__in=("running", "paused"))
    return clocks.order_by("-pk").first()  # type: ignore[return-value]


def _events(case: Case, kind: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind).order_by("pk"))


def _set(case: Case, **fields: Any) -> Case:
    """Put a case into a state directly (test set-up only)."""
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The notification jobs recorded for the mail queue (in the transaction of the change), as recorded and
    not handed to the worker."""
    recorded: list[Any] = []

    def record(prepared: Any) -> None:
        if prepared is not None:
            recorded.extend(prepared.run())

    # Every notification is recorded through this one function; the intake calls it by its own name.
    monkeypatch.setattr(notifications, "notify_prepared_on_commit", record)
    monkeypatch.setattr(intake_services, "notify_prepared_on_commit", record)
    return recorded


@pytest.fixture
def lead(routed_team: Team) -> User:
    """The supervisor leading the routed team."""
    user = UserFactory.create(username="sam", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=routed_team, user=user, is_lead=True)
    return user


# Intake and numbering -----------------------------------------------------------------------------------


def test_a_new_case_is_numbered_acknowledged_at_once_and_gets_a_tracking_link(
    frozen: Any,
    routed_team: Team,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(None, customer)

    assert case.number == "TS-2026-000001"
    assert case.status == CaseStatus.ACKNOWLEDGED
    assert case.acknowledged_at == MONDAY
    assert case.version == 1
    acknowledged = _events(case, CaseEvent.Kind.ACKNOWLEDGED)
    assert len(acknowledged) == 1 and acknowledged[0].data["number"] == case.number
    assert acknowledged[0].is_internal is False
    assert len(case.tracking_token) >= 40
    assert case.tracking_token_hash == token_hash(case.tracking_token) != case.tracking_token
    assert case_get_for_tracking(token=case.tracking_token) == case
    to_customer = [n for n in sent if n.audience == Audience.CUSTOMER]
    assert to_customer[0].kind == CaseEvent.Kind.ACKNOWLEDGED
    assert to_customer[0].tracking_token == case.tracking_token
    assert AuditEvent.objects.filter(action="cases.create", target_id=str(case.pk)).exists()


def test_numbers_run_on_within_a_year_and_restart_with_the_next(
    routed_team: Team, customer: Customer
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC), tick=False):
        # 23:00 in Shanghai: still 2026 there.
        first = new_case(None, customer)
        second = new_case(None, customer)
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        # 00:30 on 1 January in Shanghai: a new year of numbers.
        third = new_case(None, customer)

    assert [first.number, second.number, third.number] == [
        "TS-2026-000001",
        "TS-2026-000002",
        "TS-2027-000001",
    ]
    assert dict(CaseNumberCounter.objects.values_list("year", "last")) == {2026: 2, 2027: 1}


def test_the_number_prefix_is_a_setting(
    settings: Any, routed_team: Team, customer: Customer, frozen: Any
) -> None:
    settings.CHARTER_CASES_NUMBER_PREFIX = "CS"

    assert new_case(None, customer).number == "CS-2026-000001"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "   ", ErrorCode.TITLE_REQUIRED),
        ("title", "x" * 201, ErrorCode.TOO_LONG),
        ("title", "bad\x00title", ErrorCode.INVALID_TEXT),
        ("description", "", ErrorCode.DESCRIPTION_REQUIRED),
        ("kind", "rant", ErrorCode.INVALID_KIND),
        ("priority", "asap", ErrorCode.INVALID_PRIORITY),
        ("channel", "pigeon", ErrorCode.INVALID_CHANNEL),
        ("channel", "phone", ErrorCode.INVALID_CHANNEL),
    ],
)
def test_intake_refuses_bad_input_and_writes_nothing(
    routed_team: Team, customer: Customer, field: str, value: str, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        new_case(None, customer, **{field: value})

    assert refused.value.code == code
    assert not Case.objects.exists() and not CaseNumberCounter.objects.exists()


def test_intake_keeps_emoji_supplementary_cjk_and_right_to_left_text(
    routed_team: Team, customer: Customer
) -> None:
    title = "停水 😡 𠀀𠀁 שלום"

    case = new_case(None, customer, title=title, description="𪚥𪚥 مرحبا 👍")

    case.refresh_from_db()
    assert case.title == title and case.description == "𪚥𪚥 مرحبا 👍"


def test_a_customer_raises_cases_only_for_himself_and_staff_need_the_permission(
    routed_team: Team, customer: Customer, customer_user: User, other_customer: Customer
) -> None:
    assert new_case(customer_user, customer).customer == customer
    with pytest.raises(PermissionDeniedError):
        new_case(customer_user, other_customer)
    trainer = UserFactory.create(username="trainer", roles=[Role.TRAINER])
    with pytest.raises(PermissionDeniedError) as refused:
        new_case(trainer, customer, channel="phone")
    assert refused.value.code == ErrorCode.CREATE_DENIED


def test_staff_record_cases_from_any_channel_and_only_staff_can_be_named(
    routed_team: Team, member: User, customer: Customer, customer_user: User
) -> None:
    case = new_case(member, customer, channel="walk_in", kind="praise", named_staff=[member])

    assert case.channel == "walk_in" and list(case.named_staff.all()) == [member]
    with pytest.raises(DomainError) as refused:
        new_case(member, customer, channel="phone", named_staff=[customer_user])
    assert refused.value.code == ErrorCode.INVALID_NAMED_STAFF


# Routing and assignment modes ---------------------------------------------------------------------------


def test_round_robin_hands_cases_out_in_turn(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    handlers = [new_case(None, customer).assignee for _ in range(4)]

    assert handlers == [member, teammate, member, teammate]


def test_least_open_load_picks_whoever_has_fewest_open_cases(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    TeamRouting.objects.filter(team=routed_team).update(mode=TeamRouting.Mode.LEAST_OPEN)
    busy = [new_case(None, customer) for _ in range(2)]
    assert {c.assignee for c in busy} == {member, teammate}
    _set(busy[0], status=CaseStatus.CLOSED)  # alice's case is done: she has fewer open ones

    assert new_case(None, customer).assignee == busy[0].assignee


def test_manual_mode_leaves_the_case_in_the_team_queue(routed_team: Team, customer: Customer) -> None:
    TeamRouting.objects.filter(team=routed_team).update(mode=TeamRouting.Mode.MANUAL)

    case = new_case(None, customer)

    assert case.team == routed_team and case.assignee is None


def test_a_service_routes_to_its_team_then_to_its_units_team_then_to_the_default(
    administrator: User, routed_team: Team, other_team: Team, customer: Customer
) -> None:
    from charter.catalog.models import Service, ServiceCategory

    category = ServiceCategory.objects.create(slug="billing", name_zh="账单")
    routed = Service.objects.create(slug="bills", category=category)
    by_unit = Service.objects.create(slug="repairs", category=category, org_unit=other_team.unit)
    team_routing_set(actor=administrator, team=other_team, mode="manual", services=[routed])

    assert new_case(None, customer, service=routed).team == other_team
    assert new_case(None, customer, service=by_unit).team == other_team
    assert new_case(None, customer).team == routed_team


def test_a_complaint_is_never_assigned_to_a_person_it_names(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    cases = [new_case(None, customer, kind="complaint", named_staff=[member]) for _ in range(3)]

    assert [c.assignee for c in cases] == [teammate, teammate, teammate]


def test_assign_within_the_team_and_transfer_with_a_reason(
    routed_team: Team,
    member: User,
    teammate: User,
    supervisor: User,
    other_team: Team,
    outsider: User,
    customer: Customer,
) -> None:
    case = new_case(None, customer)
    case = case_assign(actor=supervisor, case=case, assignee=teammate)
    assert case.assignee == teammate

    with pytest.raises(DomainError) as no_reason:
        case_assign(actor=supervisor, case=case, team=other_team)
    assert no_reason.value.code == ErrorCode.REASON_REQUIRED
    with pytest.raises(DomainError) as not_member:
        case_assign(actor=supervisor, case=case, assignee=outsider)
    assert not_member.value.code == ErrorCode.INVALID_ASSIGNEE

    case = case_assign(actor=supervisor, case=case, team=other_team, reason="维修班组负责")
    assert case.team == other_team and case.assignee is None  # the new team assigns by hand
    event = _events(case, CaseEvent.Kind.ASSIGNED)[-1]
    assert event.data["reason"] == "维修班组负责" and event.data["transfer"] is True and event.is_internal


def test_bulk_assignment_is_all_or_nothing(
    routed_team: Team, member: User, teammate: User, supervisor: User, customer: Customer
) -> None:
    plain = new_case(None, customer)
    naming = new_case(None, customer, kind="complaint", named_staff=[teammate])

    with pytest.raises(DomainError):
        case_assign_bulk(actor=supervisor, cases=[plain, naming], assignee=teammate)
    assert Case.objects.get(pk=plain.pk).assignee == plain.assignee

    done = case_assign_bulk(actor=supervisor, cases=[plain, naming], assignee=member)
    assert {c.assignee for c in done} == {member}


# Named staff --------------------------------------------------------------------------------------------


def test_a_person_named_in_a_complaint_may_not_handle_see_or_resolve_it(
    routed_team: Team, member: User, teammate: User, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer, kind="complaint", named_staff=[member])

    with pytest.raises(DomainError) as assigning:
        case_assign(actor=supervisor, case=case, assignee=member)
    assert assigning.value.code == ErrorCode.NAMED_STAFF_EXCLUDED
    # He does not see it: to him it answers like a missing case.
    with pytest.raises(NotFoundError):
        case_resolve(actor=member, case=case, outcome="upheld", reasons="...", root_cause="staff_conduct")
    with pytest.raises(NotFoundError):
        case_reply(actor=member, case=case, body="是我")
    with pytest.raises(DomainError) as naming_handler:
        case_update(
            actor=supervisor, case=case, expected_version=case.version, named_staff=[member, teammate]
        )
    assert naming_handler.value.code == ErrorCode.NAMED_STAFF_EXCLUDED


# The workflow -------------------------------------------------------------------------------------------

ALL_STATUSES = list(CaseStatus.values)


@pytest.mark.parametrize("from_status", ALL_STATUSES)
@pytest.mark.parametrize("to_status", ALL_STATUSES)
def test_every_transition_is_allowed_exactly_as_the_map_says(
    frozen: Any, routed_team: Team, supervisor: User, customer: Customer, from_status: str, to_status: str
) -> None:
    case = new_case(None, customer)
    case = _set(case, status=from_status, reopen_until=MONDAY + DAY, appeal_until=MONDAY + DAY)
    move = CASE_WORKFLOW.move_for(from_status, to_status)

    def attempt() -> Case:
        return case_transition(actor=supervisor, case=case, to_status=to_status, reason="原因")

    if move is None:
        with pytest.raises(InvalidTransitionError) as refused:
            attempt()
        assert refused.value.status == 409 and refused.value.code == "invalid_transition"
        assert Case.objects.get(pk=case.pk).status == from_status
    elif move.dedicated:
        with pytest.raises(DomainError) as refused_dedicated:
            attempt()
        assert refused_dedicated.value.code in {
            ErrorCode.RESOLUTION_REQUIRED,
            ErrorCode.APPEAL_REQUIRED,
            "invalid_transition",
        }
    else:
        assert attempt().status == to_status
        assert _events(case, CaseEvent.Kind.STATUS_CHANGED) or case.events.filter(data__to=to_status).exists()


def test_the_map_names_every_status_and_nothing_leaves_cancelled() -> None:
    assert set(TRANSITIONS) == set(CaseStatus.values)
    assert TRANSITIONS[CaseStatus.CANCELLED] == {}


@pytest.mark.parametrize("to_status", ["escalated", "cancelled"])
def test_escalating_and_cancelling_need_a_reason(
    routed_team: Team, supervisor: User, customer: Customer, to_status: str
) -> None:
    case = new_case(None, customer)

    with pytest.raises(DomainError) as refused:
        case_transition(actor=supervisor, case=case, to_status=to_status)

    assert refused.value.code == ErrorCode.REASON_REQUIRED


def test_escalation_counts_up_and_tells_the_supervisor(
    routed_team: Team,
    supervisor: User,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],
) -> None:
    case = new_case(None, customer)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_transition(actor=supervisor, case=case, to_status="escalated", reason="客户情绪激动")

    assert case.escalation_level == 1
    assert [n.audience for n in sent if n.kind == CaseEvent.Kind.ESCALATED] == [Audience.SUPERVISOR]


def test_reopening_works_only_within_the_window(
    frozen: Any, routed_team: Team, member: User, supervisor: User, customer: Customer, settings: Any
) -> None:
    settings.CHARTER_CASES_REOPEN_DAYS = 3
    case = new_case(None, customer)
    case = case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")
    assert case.reopen_until == MONDAY + 3 * DAY

    frozen.move_to(MONDAY + 2 * DAY)
    reopened = case_transition(
        actor=supervisor, case=case, to_status="in_progress", reason="客户补充了新情况"
    )
    assert reopened.outcome == "" and reopened.resolved_at is None
    assert _clock(reopened, "resolution").started_at == MONDAY + 2 * DAY

    reopened = case_resolve(actor=member, case=reopened, outcome="answered", reasons="再次答复")
    frozen.move_to(MONDAY + 2 * DAY + 4 * DAY)
    with pytest.raises(DomainError) as late:
        case_transition(actor=supervisor, case=reopened, to_status="in_progress", reason="again")
    assert late.value.code == ErrorCode.WINDOW_CLOSED


def test_an_outsider_cannot_move_a_case(routed_team: Team, outsider: User, customer: Customer) -> None:
    case = new_case(None, customer)

    with pytest.raises(NotFoundError):  # outside his scope: like a missing case
        case_transition(actor=outsider, case=case, to_status="in_progress")


# Optimistic locking -------------------------------------------------------------------------------------


def test_a_stale_version_is_refused_with_409_and_nothing_changes(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    read_version = case.version
    case_update(actor=supervisor, case=case, expected_version=read_version, title="新标题")

    with pytest.raises(ConflictError) as stale:
        case_update(actor=supervisor, case=case, expected_version=read_version, priority="urgent")
    with pytest.raises(ConflictError):
        case_transition(actor=supervisor, case=case, to_status="in_progress", expected_version=read_version)

    assert stale.value.status == 409 and stale.value.code == "conflict"
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.version == read_version + 1 and fresh.priority == "normal" and fresh.status == "acknowledged"


def test_every_change_increments_the_version(routed_team: Team, supervisor: User, customer: Customer) -> None:
    case = new_case(None, customer)

    case = case_update(actor=supervisor, case=case, expected_version=1, title="一")
    case = case_transition(actor=supervisor, case=case, to_status="in_progress", expected_version=2)
    message = case_reply(actor=supervisor, case=case, body="您好", expected_version=3)

    assert Case.objects.get(pk=message.case_id).version == 4


def test_update_takes_no_field_outside_the_details(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)

    with pytest.raises(TypeError):
        case_update(actor=supervisor, case=case, expected_version=case.version, number="TS-1")  # type: ignore[call-arg]

    assert Case.objects.get(pk=case.pk).number == case.number


def test_update_leaves_what_is_not_given_and_clears_what_is_given_as_none(
    routed_team: Team, supervisor: User, administrator: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    service = case.service
    category = case_category_create(actor=administrator, code="other", name_zh="其他")
    case = case_update(actor=supervisor, case=case, expected_version=case.version, category=category)

    case = case_update(actor=supervisor, case=case, expected_version=case.version, title="新标题")
    assert (case.service, case.category) == (service, category)
    case = case_update(actor=supervisor, case=case, expected_version=case.version, category=None)

    fresh = Case.objects.get(pk=case.pk)
    assert fresh.title == "新标题" and fresh.category is None and fresh.service == service


# Messages -----------------------------------------------------------------------------------------------


def test_a_public_reply_meets_first_response_and_starts_the_next_update(
    frozen: Any,
    routed_team: Team,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],
) -> None:
    case = new_case(None, customer)
    frozen.shift(HOUR)

    with django_capture_on_commit_callbacks(execute=True):
        case_reply(actor=not_none(case.assignee), case=case, body="您好，已收到。")

    case.refresh_from_db()
    first = _clock(case, "first_response", open_only=False)
    assert first.status == "met" and first.met_at == MONDAY + HOUR
    assert case.first_responded_at == MONDAY + HOUR and case.status == "in_progress"
    following = _clock(case, "next_response")
    assert following.status == "running" and following.started_at == MONDAY + HOUR
    assert [n.audience for n in sent if n.kind == CaseEvent.Kind.REPLIED] == [Audience.CUSTOMER]


def test_an_internal_note_changes_no_clock_and_never_goes_to_the_customer(
    frozen: Any,
    routed_team: Team,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],
) -> None:
    case = new_case(None, customer)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        note = case_reply(actor=not_none(case.assignee), case=case, body="客户曾多次来电", is_internal=True)

    assert note.is_internal
    assert _clock(case, "first_response").status == "running"
    assert all(n.audience != Audience.CUSTOMER for n in sent)
    event = _events(case, CaseEvent.Kind.NOTE_ADDED)[0]
    assert event.is_internal


def test_the_hook_refuses_internal_content_for_a_customer() -> None:
    with pytest.raises(InternalContentError):
        notifications.notify_on_commit(
            CaseNotification(kind="note_added", case_id=1, audience=Audience.CUSTOMER, is_internal=True)
        )


def test_customers_cannot_write_internal_notes(
    routed_team: Team, customer: Customer, customer_user: User
) -> None:
    case = new_case(None, customer)

    with pytest.raises(PermissionDeniedError):
        case_reply(actor=customer_user, case=case, body="内部", is_internal=True)


# Clocks -------------------------------------------------------------------------------------------------


def test_clocks_start_with_the_case_in_the_team_calendar(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)

    first = _clock(case, "first_response")
    resolution = _clock(case, "resolution")
    expected_first = deadlines.deadline_for(
        BUILT_IN_CALENDAR, MONDAY, amount=1, unit="working_days", basis="working_time"
    )
    assert first.due_at == expected_first and first.target_source == "settings"
    assert resolution.due_at == deadlines.deadline_for(
        BUILT_IN_CALENDAR, MONDAY, amount=5, unit="working_days", basis="working_time"
    )
    assert MONDAY < not_none(first.warn_at) < not_none(first.due_at)
    assert case.next_deadline_at == first.due_at


def test_waiting_for_the_customer_pauses_and_credits_the_business_time_back(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)
    due_before = _clock(case, "resolution").due_at
    handler = not_none(case.assignee)
    case = case_transition(actor=handler, case=case, to_status="waiting_customer")
    assert _clock(case, "resolution").status == "paused"
    assert Case.objects.get(pk=case.pk).next_deadline_at is None

    frozen.shift(DAY)  # Monday 10:00 to Tuesday 10:00: 7 working hours pass while paused
    case = case_transition(actor=handler, case=case, to_status="in_progress")

    clock = _clock(case, "resolution")
    assert clock.status == "running" and clock.paused_seconds == 7 * 3600
    assert clock.due_at == deadlines.add_business_time(BUILT_IN_CALENDAR, not_none(due_before), 7 * HOUR)
    assert Case.objects.get(pk=case.pk).next_deadline_at == min(
        not_none(c.due_at) for c in CaseClock.objects.filter(case=case, status="running")
    )


def test_a_customer_message_resumes_a_waiting_case_with_a_fresh_next_update(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)
    case_reply(actor=not_none(case.assignee), case=case, body="请提供户号")
    case = case_transition(actor=not_none(case.assignee), case=case, to_status="waiting_customer")
    frozen.shift(2 * HOUR)

    case_customer_reply(case=case, body="户号是 123456")

    case.refresh_from_db()
    assert case.status == "in_progress"
    following = _clock(case, "next_response")
    assert following.started_at == MONDAY + 2 * HOUR and following.status == "running"
    assert CaseClock.objects.filter(case=case, metric="next_response", status="cancelled").count() == 1


def test_a_customer_message_on_an_open_case_keeps_the_running_next_update(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)
    case_reply(actor=not_none(case.assignee), case=case, body="处理中")
    running = _clock(case, "next_response")
    frozen.shift(HOUR)

    case_customer_reply(case=case, body="还有多久？")

    assert _clock(case, "next_response") == running


def test_a_priority_change_recomputes_the_clocks_keeping_the_time_paused(
    frozen: Any, routed_team: Team, supervisor: User, customer: Customer
) -> None:
    policy = SlaPolicy.objects.create(name_zh="紧急", priorities=["urgent"], ordering=1)
    SlaPolicyTarget.objects.create(
        policy=policy, metric="resolution", amount=4, unit="hours", basis="working_time"
    )
    case = new_case(None, customer)
    case = case_transition(actor=supervisor, case=case, to_status="waiting_customer")
    frozen.shift(DAY)
    case = case_transition(actor=supervisor, case=case, to_status="in_progress")
    assert _clock(case, "resolution").paused_seconds == 7 * 3600

    case = case_update(actor=supervisor, case=case, expected_version=case.version, priority="urgent")

    clock = _clock(case, "resolution")
    assert (clock.target_amount, clock.target_unit, clock.paused_seconds) == (4, "hours", 7 * 3600)
    assert clock.target_source == f"policy:{policy.pk}"
    assert clock.due_at == deadlines.add_business_time(BUILT_IN_CALENDAR, MONDAY, 11 * HOUR)
    assert clock.started_at == MONDAY
    assert _events(case, CaseEvent.Kind.CLOCK_RECOMPUTED)


def test_resolving_stops_every_clock_met_or_breached(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)
    frozen.shift(3 * DAY)  # Thursday: the first response (due Tuesday evening) is late, the resolution is not

    case = case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")

    statuses = dict(CaseClock.objects.filter(case=case).values_list("metric", "status"))
    assert statuses == {"first_response": "breached", "resolution": "met"}
    assert case.next_deadline_at is None
    assert _events(case, CaseEvent.Kind.CLOCK_BREACHED)[0].data["on_stop"] is True


def test_cancelling_cancels_the_clocks(routed_team: Team, supervisor: User, customer: Customer) -> None:
    case = new_case(None, customer)

    case = case_transition(actor=supervisor, case=case, to_status="cancelled", reason="重复提交")

    assert set(CaseClock.objects.filter(case=case).values_list("status", flat=True)) == {"cancelled"}
    assert case.closed_at is not None and case.next_deadline_at is None


# The sweep ----------------------------------------------------------------------------------------------


def test_the_sweep_warns_then_breaches_each_clock_exactly_once(
    frozen: Any,
    routed_team: Team,
    customer: Customer,
    django_capture_on_commit_callbacks: Any,
    sent: list[Any],
) -> None:
    case = new_case(None, customer)
    first = _clock(case, "first_response")
    sent.clear()

    frozen.move_to(first.warn_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_clocks_sweep().warned == 1
    assert case_clocks_sweep().warned == 0

    frozen.move_to(not_none(first.due_at) + dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = case_clocks_sweep()
    assert (result.warned, result.breached) == (0, 1)
    assert case_clocks_sweep().breached == 0

    first.refresh_from_db()
    assert first.warned_at is not None and first.breached_at is not None and first.status == "running"
    assert len(_events(case, CaseEvent.Kind.CLOCK_WARNED)) == 1
    assert len(_events(case, CaseEvent.Kind.CLOCK_BREACHED)) == 1
    kinds = [(n.kind, n.audience) for n in sent]
    assert (CaseEvent.Kind.CLOCK_WARNED, Audience.HANDLER) in kinds
    assert (CaseEvent.Kind.CLOCK_BREACHED, Audience.SUPERVISOR) in kinds
    assert all(n.audience != Audience.CUSTOMER for n in sent)
    assert AuditEvent.objects.filter(action="cases.clock_breach").count() == 1


def test_a_clock_already_late_at_its_first_sweep_is_breached_without_a_warning(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)

    frozen.move_to(not_none(_clock(case, "first_response").due_at) + HOUR)
    result = case_clocks_sweep()

    assert (result.warned, result.breached) == (0, 1)
    assert not _events(case, CaseEvent.Kind.CLOCK_WARNED)


def test_a_breached_clock_met_later_is_not_breached_twice(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)
    frozen.move_to(not_none(_clock(case, "first_response").due_at) + HOUR)
    case_clocks_sweep()

    case_reply(actor=not_none(case.assignee), case=case, body="抱歉回复晚了")

    clock = CaseClock.objects.get(case=case, metric="first_response")
    assert clock.status == "breached" and clock.stopped_at is not None
    assert len(_events(case, CaseEvent.Kind.CLOCK_BREACHED)) == 1


def test_paused_clocks_are_not_breached(frozen: Any, routed_team: Team, customer: Customer) -> None:
    case = new_case(None, customer)
    case_transition(actor=not_none(case.assignee), case=case, to_status="waiting_customer")

    frozen.shift(30 * DAY)

    assert case_clocks_sweep().breached == 0


def test_breach_actions_raise_the_priority_and_hand_the_case_to_the_team_lead(
    frozen: Any, routed_team: Team, lead: User, customer: Customer
) -> None:
    policy = SlaPolicy.objects.create(
        name_zh="升级", ordering=1, raise_priority=True, reassign_to_team_lead=True, notify_supervisor=True
    )
    SlaPolicyTarget.objects.create(
        policy=policy, metric="first_response", amount=2, unit="hours", basis="working_time"
    )
    case = new_case(None, customer)
    version = case.version

    frozen.shift(5 * HOUR)
    assert case_clocks_sweep().breached == 1

    case.refresh_from_db()
    assert case.priority == "high" and case.assignee == lead and case.version == version + 1
    breach = _events(case, CaseEvent.Kind.CLOCK_BREACHED)[0]
    assert breach.data["priority"] == {"from": "normal", "to": "high"}
    assert set(breach.data["actions"]) >= {"raise_priority", "reassign_to_team_lead"}


def test_a_backlog_is_swept_in_a_number_of_queries_that_does_not_grow_with_it(
    frozen: Any, routed_team: Team, lead: User, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    policy = SlaPolicy.objects.create(
        name_zh="升级", ordering=1, raise_priority=True, reassign_to_team_lead=True, notify_supervisor=True
    )
    SlaPolicyTarget.objects.create(
        policy=policy, metric="first_response", amount=2, unit="hours", basis="working_time"
    )
    cases = [new_case(None, customer, kind="complaint" if n % 2 else "inquiry") for n in range(12)]

    frozen.shift(5 * HOUR)  # every first response is late: a backlog of twelve breaches
    # Per kind: the select, a savepoint, the claim, the clocks; then the policy, the leads and the staff the
    # complaints name, one update for the cases changed alike, the events, the audit append (lock, insert,
    # head) and the notifications: not one of them per case.
    with django_assert_max_num_queries(24):
        assert case_clocks_sweep().breached == 12

    for case in cases:
        case.refresh_from_db()
        assert (case.priority, case.assignee) == ("high", lead)
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CLOCK_BREACHED).count() == 12
    assert AuditEvent.objects.filter(action="cases.clock_breach").count() == 12
    assert NotificationJob.objects.filter(kind=CaseEvent.Kind.CLOCK_BREACHED).count() == 24
    assert audit_chain_verify().ok


def test_a_clock_that_fails_is_left_for_the_next_sweep_and_the_others_fire(
    frozen: Any, routed_team: Team, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [new_case(None, customer) for _ in range(3)]
    broken = _clock(cases[1], "first_response")
    build = event_build

    def failing(case: Case, kind: str, **fields: Any) -> CaseEvent:
        if case.pk == cases[1].pk:
            raise RuntimeError("timeline unwritable")
        return build(case, kind, **fields)

    monkeypatch.setattr(clock_services, "event_build", failing)
    frozen.move_to(max(not_none(_clock(case, "first_response").due_at) for case in cases) + HOUR)

    assert case_clocks_sweep().breached == 2
    broken.refresh_from_db()
    assert broken.breached_at is None
    assert not _events(cases[1], CaseEvent.Kind.CLOCK_BREACHED)
    assert all(len(_events(case, CaseEvent.Kind.CLOCK_BREACHED)) == 1 for case in (cases[0], cases[2]))

    monkeypatch.setattr(clock_services, "event_build", build)
    assert case_clocks_sweep().breached == 1
    assert len(_events(cases[1], CaseEvent.Kind.CLOCK_BREACHED)) == 1


def test_two_clocks_of_one_case_breached_in_one_sweep_each_raise_the_priority(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    policy = SlaPolicy.objects.create(name_zh="升级", ordering=1, raise_priority=True)
    for metric in ("first_response", "resolution"):
        SlaPolicyTarget.objects.create(
            policy=policy, metric=metric, amount=1, unit="hours", basis="calendar_time"
        )
    case = new_case(None, customer)

    frozen.shift(2 * HOUR)
    assert case_clocks_sweep().breached == 2

    case.refresh_from_db()
    assert case.priority == "urgent"
    steps = sorted(
        (e.data["priority"]["from"], e.data["priority"]["to"])
        for e in _events(case, CaseEvent.Kind.CLOCK_BREACHED)
    )
    assert steps == [("high", "urgent"), ("normal", "high")]


def test_the_sweep_reads_only_due_rows_with_a_fixed_number_of_queries(
    frozen: Any, routed_team: Team, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    cases = [new_case(None, customer) for _ in range(3)]
    # Many clocks that are not due: they must cost nothing.
    far = MONDAY + 400 * DAY
    CaseClock.objects.bulk_create(
        CaseClock(
            case=cases[0],
            metric="next_response",
            status="cancelled",
            target_amount=1,
            target_unit="hours",
            target_basis="calendar_time",
            started_at=MONDAY,
            due_at=far,
            warn_at=far,
        )
        for _ in range(500)
    )
    frozen.move_to(MONDAY + 6 * HOUR)  # nothing due yet

    # One set-based UPDATE, then per kind a savepoint, one indexed select and its release.
    with django_assert_max_num_queries(7):
        assert case_clocks_sweep().warned == 0


# Resolution, acceptance and appeal ----------------------------------------------------------------------


def test_resolution_records_outcome_reasons_remedy_and_opens_the_appeal_window(
    frozen: Any, routed_team: Team, customer: Customer, settings: Any
) -> None:
    settings.CHARTER_CASES_APPEAL_DAYS = 15
    case = new_case(None, customer, kind="complaint")

    case = case_resolve(
        actor=not_none(case.assignee),
        case=case,
        outcome="upheld",
        reasons="已重新上门维修",
        root_cause="timeliness",
        remedy_amount="50.00",
    )

    assert (case.status, case.outcome, case.root_cause) == ("resolved", "upheld", "timeliness")
    assert case.remedy_amount == Decimal("50.00") and case.first_handler == case.resolved_by
    assert case.appeal_until == MONDAY + 15 * DAY
    resolved = _events(case, CaseEvent.Kind.RESOLVED)[0]
    assert resolved.is_internal is False and resolved.data["reasons"] == "已重新上门维修"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"outcome": "maybe"}, ErrorCode.INVALID_OUTCOME),
        ({"reasons": " "}, ErrorCode.REASONS_REQUIRED),
        ({"root_cause": "aliens"}, ErrorCode.INVALID_ROOT_CAUSE),
        ({"root_cause": ""}, ErrorCode.INVALID_ROOT_CAUSE),
        ({"remedy_amount": "-1"}, ErrorCode.INVALID_AMOUNT),
        ({"remedy_amount": 1.5}, ErrorCode.INVALID_AMOUNT),
        ({"remedy_amount": "1.234"}, ErrorCode.INVALID_AMOUNT),
    ],
)
def test_resolution_refuses_bad_input(
    routed_team: Team, customer: Customer, values: dict[str, Any], code: str
) -> None:
    case = new_case(None, customer, kind="complaint")
    arguments: dict[str, Any] = {"outcome": "upheld", "reasons": "理由", "root_cause": "process"} | values

    with pytest.raises(DomainError) as refused:
        case_resolve(actor=not_none(case.assignee), case=case, **arguments)

    assert refused.value.code == code
    assert Case.objects.get(pk=case.pk).status == "acknowledged"


def test_the_customer_accepts_and_the_case_closes(frozen: Any, routed_team: Team, customer: Customer) -> None:
    case = new_case(None, customer)
    case = case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")

    case = case_accept(case=case)

    assert case.status == "closed" and case.accepted_at == MONDAY and case.appeal_until is None
    with pytest.raises(DomainError):
        case_appeal(case=case, reason="我又不同意了")


def test_an_appeal_goes_to_someone_other_than_the_first_handler_with_its_own_clock(
    frozen: Any, routed_team: Team, member: User, teammate: User, lead: User, customer: Customer
) -> None:
    case = new_case(None, customer, kind="complaint")
    first_handler = not_none(case.assignee)
    case = case_resolve(actor=first_handler, case=case, outcome="not_upheld", reasons="按规定收费")
    frozen.shift(2 * DAY)

    case = case_appeal(case=case, reason="收费标准没有公示")

    assert case.status == "reconsideration" and case.appealed_at == MONDAY + 2 * DAY
    assert case.assignee == lead and case.assignee != first_handler
    clock = _clock(case, "reconsideration")
    assert clock.status == "running" and clock.started_at == MONDAY + 2 * DAY
    assert case.next_deadline_at == clock.due_at
    with pytest.raises(PermissionDeniedError) as same:
        case_resolve(actor=first_handler, case=case, outcome="not_upheld", reasons="维持")
    assert same.value.code == ErrorCode.SAME_HANDLER
    with pytest.raises(DomainError) as assigning_back:
        case_assign(actor=lead, case=case, assignee=first_handler)
    assert assigning_back.value.code == ErrorCode.SAME_HANDLER

    case = case_resolve(
        actor=lead, case=case, outcome="partly_upheld", reasons="补充公示", root_cause="policy"
    )
    assert case.status == "resolved" and case.appeal_until is None and case.first_handler == first_handler
    with pytest.raises(DomainError) as twice:
        case_appeal(case=case, reason="再申诉")
    assert twice.value.code == ErrorCode.ALREADY_APPEALED


def test_without_a_lead_an_appeal_goes_to_another_member(
    frozen: Any, routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    first_handler = not_none(case.assignee)
    case = case_resolve(actor=first_handler, case=case, outcome="answered", reasons="已答复")

    case = case_appeal(case=case, reason="不满意")

    assert case.assignee in {member, teammate} - {first_handler}


def test_an_appeal_after_the_window_is_refused(
    frozen: Any, routed_team: Team, customer: Customer, settings: Any
) -> None:
    settings.CHARTER_CASES_APPEAL_DAYS = 2
    case = new_case(None, customer)
    case = case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")
    frozen.shift(3 * DAY)

    with pytest.raises(DomainError) as late:
        case_appeal(case=case, reason="太晚了")

    assert late.value.code == ErrorCode.WINDOW_CLOSED


def test_only_the_own_customer_accepts_or_appeals(
    routed_team: Team, customer: Customer, customer_user: User, other_customer: Customer
) -> None:
    stranger = UserFactory.create(username="mallory", roles=[Role.CUSTOMER])
    CustomerFactory.create(user=stranger)
    case = new_case(None, customer)
    case = case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")

    with pytest.raises(NotFoundError):
        case_appeal(case=case, reason="x", actor=stranger)
    assert case_appeal(case=case, reason="不服", actor=customer_user).status == "reconsideration"


# Merge and link -----------------------------------------------------------------------------------------


def test_merging_moves_the_messages_and_closes_the_duplicate(
    frozen: Any, routed_team: Team, supervisor: User, customer: Customer
) -> None:
    target = new_case(None, customer)
    source = new_case(None, customer, title="重复")
    case_customer_reply(case=source, body="补充")

    merged = case_merge(actor=supervisor, source=source, target=target)

    source.refresh_from_db()
    assert merged == target and source.merged_into == target and source.status == "closed"
    assert CaseMessage.objects.filter(case=target, body="补充").exists()
    assert set(CaseClock.objects.filter(case=source).values_list("status", flat=True)) == {"cancelled"}
    assert CaseLink.objects.filter(from_case=source, to_case=target, kind="merged").exists()
    with pytest.raises(DomainError) as again:
        case_merge(actor=supervisor, source=source, target=target)
    assert again.value.code == ErrorCode.ALREADY_MERGED
    with pytest.raises(DomainError):
        case_customer_reply(case=source, body="还在吗")


def test_merging_refuses_other_customers_and_itself(
    routed_team: Team, supervisor: User, customer: Customer, other_customer: Customer
) -> None:
    mine = new_case(None, customer)
    theirs = new_case(None, other_customer)

    with pytest.raises(DomainError) as other:
        case_merge(actor=supervisor, source=theirs, target=mine)
    with pytest.raises(DomainError) as same:
        case_merge(actor=supervisor, source=mine, target=mine)

    assert other.value.code == ErrorCode.MERGE_CUSTOMER_MISMATCH and same.value.code == ErrorCode.SAME_CASE


def test_linking_is_once_per_pair_in_either_direction(
    routed_team: Team, supervisor: User, customer: Customer, other_customer: Customer
) -> None:
    one = new_case(None, customer)
    two = new_case(None, other_customer)

    case_link(actor=supervisor, case=one, other=two)

    with pytest.raises(DomainError) as twice:
        case_link(actor=supervisor, case=two, other=one)
    assert twice.value.code == ErrorCode.ALREADY_LINKED
    assert len(_events(one, CaseEvent.Kind.LINKED)) == 1 and len(_events(two, CaseEvent.Kind.LINKED)) == 1


def test_linking_needs_both_cases_in_scope(
    routed_team: Team, other_team: Team, member: User, supervisor: User, customer: Customer
) -> None:
    mine = new_case(None, customer)
    elsewhere = new_case(None, customer)
    case_assign(actor=supervisor, case=elsewhere, team=other_team, reason="转办")

    with pytest.raises(NotFoundError):
        case_link(actor=member, case=mine, other=elsewhere)


# Attachments --------------------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_an_attachment_is_stored_under_a_random_name_with_its_sniffed_type(
    routed_team: Team, member: User, customer: Customer, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = new_case(None, customer)

    attachment = attachment_add(actor=case.assignee, case=case, file=_upload("账单.txt", PDF, "text/plain"))

    assert attachment.content_type == "application/pdf" and attachment.original_name == "账单.txt"
    assert attachment.size == len(PDF) and not attachment.is_download_only
    year = dt.datetime.now(tz=dt.UTC).year
    assert attachment.file.name.startswith(f"cases/{year}/") and "账单" not in attachment.file.name
    assert (tmp_path / attachment.file.name).read_bytes() == PDF
    assert _events(case, CaseEvent.Kind.ATTACHMENT_ADDED)


def test_active_content_is_kept_as_download_only(
    routed_team: Team, customer: Customer, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = new_case(None, customer)

    svg = attachment_add(
        actor=None, case=case, file=_upload("a.svg", b"<svg onload=alert(1)>", "image/svg+xml")
    )
    html = attachment_add(actor=None, case=case, file=_upload("a.txt", b"<!DOCTYPE html><p>hi", "text/plain"))

    assert svg.is_download_only and html.is_download_only and html.content_type == "text/html"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: _upload("big.pdf", PDF + b"0" * 2048), ErrorCode.FILE_TOO_LARGE),
        (lambda: _upload("empty.pdf", b""), ErrorCode.FILE_REQUIRED),
        (lambda: _upload("tool.exe", b"MZ\x90\x00" + b"\x00" * 60), ErrorCode.FILE_TYPE_REFUSED),
        (lambda: _upload("blob.dat", b"\x00\x01\x02" * 10), ErrorCode.FILE_TYPE_REFUSED),
        (lambda: None, ErrorCode.FILE_REQUIRED),
    ],
)
def test_attachments_over_the_limits_or_of_refused_types_are_refused(
    routed_team: Team, customer: Customer, settings: Any, tmp_path: Any, upload: Callable[[], Any], code: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CHARTER_CASES_ATTACHMENT_MAX_BYTES = 1024
    case = new_case(None, customer)

    with pytest.raises(DomainError) as refused:
        attachment_add(actor=case.assignee, case=case, file=upload())

    assert refused.value.code == code
    assert not CaseAttachment.objects.exists()


def test_a_case_holds_a_limited_number_of_files(
    routed_team: Team, customer: Customer, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CHARTER_CASES_ATTACHMENTS_PER_CASE = 2
    case = new_case(None, customer, attachments=[_upload("1.pdf", PDF), _upload("2.pdf", PDF)])

    with pytest.raises(DomainError) as refused:
        attachment_add(actor=case.assignee, case=case, file=_upload("3.pdf", PDF))

    assert refused.value.code == ErrorCode.TOO_MANY_FILES


def test_only_staff_add_internal_files_and_outsiders_none(
    routed_team: Team, outsider: User, customer: Customer, customer_user: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = new_case(None, customer)

    with pytest.raises(DomainError):
        attachment_add(actor=customer_user, case=case, file=_upload("a.pdf", PDF), is_internal=True)
    with pytest.raises(NotFoundError):
        attachment_add(actor=outsider, case=case, file=_upload("a.pdf", PDF))
    assert attachment_add(actor=customer_user, case=case, file=_upload("a.pdf", PDF)).is_internal is False


def test_a_reply_carries_its_files(
    routed_team: Team, customer: Customer, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = new_case(None, customer)

    message = case_reply(
        actor=not_none(case.assignee), case=case, body="见附件", attachments=[_upload("a.png", PNG)]
    )

    assert [a.content_type for a in message.attachments.all()] == ["image/png"]


# The tracking link --------------------------------------------------------------------------------------


def test_rotating_the_tracking_link_retires_the_old_one(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    old = case.tracking_token

    new = case_tracking_token_rotate(actor=supervisor, case=case)

    assert new != old
    assert case_get_for_tracking(token=old) is None
    assert case_get_for_tracking(token=new) == case
    case_tracking_token_revoke(actor=supervisor, case=case)
    assert case_get_for_tracking(token=new) is None
    assert case_get_for_tracking(token="") is None and case_get_for_tracking(token="x" * 500) is None


# Configuration and canned responses ---------------------------------------------------------------------


def test_categories_form_a_tree(administrator: User) -> None:
    parent = case_category_create(actor=administrator, code="billing", name_zh="账单")
    child = case_category_create(actor=administrator, code="billing-wrong", name_zh="金额有误", parent=parent)

    assert child.path == f"{parent.path}{child.pk}/" and child.depth == 1
    with pytest.raises(DomainError):
        case_category_create(actor=administrator, code="Bad Code", name_zh="x")


def test_configuration_is_for_administrators(member: User, team: Team) -> None:
    with pytest.raises(PermissionDeniedError):
        case_category_create(actor=member, code="x", name_zh="x")
    with pytest.raises(PermissionDeniedError):
        team_routing_set(actor=member, team=team, mode="round_robin")


def test_only_one_team_is_the_default(administrator: User, team: Team, other_team: Team) -> None:
    team_routing_set(actor=administrator, team=team, mode="manual", is_default=True)
    team_routing_set(actor=administrator, team=other_team, mode="least_open", is_default=True)

    assert list(TeamRouting.objects.filter(is_default=True).values_list("team", flat=True)) == [other_team.pk]


def test_canned_responses_fill_in_their_placeholders_in_both_languages(
    administrator: User, routed_team: Team, member: User, customer: Customer
) -> None:
    response = canned_response_create(
        actor=administrator,
        code="greeting",
        title_zh="问候",
        body_zh="{{customer_name}}您好，您的工单{{ case_number }}由{{agent_name}}处理。",
        title_en="Greeting",
        body_en="Dear {{customer_name}}, {{agent_name}} handles case {{case_number}}. {{unknown}}",
    )
    case = new_case(None, customer)

    chinese = canned_response_render(response=response, case=case, language="zh-hans", agent=member)
    english = canned_response_render(response=response, case=case, language="en", agent=member)

    assert chinese == f"刘晓梅您好，您的工单{case.number}由{member}处理。"
    assert english == f"Dear 刘晓梅, {member} handles case {case.number}. {{{{unknown}}}}"


# Audit --------------------------------------------------------------------------------------------------


def test_every_service_leaves_its_audit_record(
    frozen: Any, routed_team: Team, supervisor: User, teammate: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    case_reply(actor=supervisor, case=case, body="您好")
    case_reply(actor=supervisor, case=case, body="备注", is_internal=True)
    case_assign(actor=supervisor, case=case, assignee=teammate)
    case_transition(actor=supervisor, case=case, to_status="waiting_customer")
    case_customer_reply(case=case, body="回复")
    case_resolve(actor=supervisor, case=case, outcome="answered", reasons="已答复")

    actions = set(AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True))
    assert actions >= {
        "cases.create",
        "cases.reply",
        "cases.note",
        "cases.assign",
        "cases.transition",
        "cases.customer_reply",
        "cases.resolve",
    }


# Concurrency (PostgreSQL: SQLite serialises writers anyway) ---------------------------------------------


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` in threads that start together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_intakes_never_share_a_number(routed_team: Team, customer: Customer) -> None:
    results = _race(*[lambda: new_case(None, customer) for _ in range(8)])

    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [r.number for r in results if isinstance(r, Case)]
    assert len(set(numbers)) == 8
    assert sorted(numbers) == [f"TS-{dt.datetime.now(tz=dt.UTC).year}-{n:06d}" for n in range(1, 9)] or len(
        set(numbers)
    ) == len(numbers)
    assert CaseNumberCounter.objects.get().last == 8


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_the_same_version_cannot_both_win(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    version = case.version

    results = _race(
        lambda: case_update(actor=supervisor, case=case, expected_version=version, priority="high"),
        lambda: case_update(actor=supervisor, case=case, expected_version=version, priority="urgent"),
    )

    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(conflicts) == 1, results
    assert Case.objects.get(pk=case.pk).version == version + 1


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_fire_each_warning_and_breach_once(routed_team: Team, customer: Customer) -> None:
    with time_machine.travel(MONDAY, tick=False):
        cases = [new_case(None, customer) for _ in range(6)]
    first_responses = CaseClock.objects.filter(metric="first_response")
    late = max(not_none(due) for due in first_responses.values_list("due_at", flat=True)) + HOUR
    warn_time = min(not_none(warn) for warn in first_responses.values_list("warn_at", flat=True))

    warned = _race(lambda: case_clocks_sweep(now=warn_time), lambda: case_clocks_sweep(now=warn_time))
    breached = _race(lambda: case_clocks_sweep(now=late), lambda: case_clocks_sweep(now=late))

    assert sum(r.warned for r in warned) == 6  # type: ignore[attr-defined]
    assert sum(r.breached for r in breached) == 6  # type: ignore[attr-defined]
    per_case = (
        CaseEvent.objects.filter(kind__in=["clock_warned", "clock_breached"])
        .values("case", "kind")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in per_case} == {1} and len(per_case) == 12
    assert len(cases) == 6


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_round_robin_under_concurrent_intake_still_takes_turns(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    results = _race(*[lambda: new_case(None, customer) for _ in range(6)])

    handlers = [r.assignee_id for r in results if isinstance(r, Case)]
    assert sorted(handlers.count(user.pk) for user in (member, teammate)) == [3, 3]


def _in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Start `call` in a thread with its own connection; the list gets its result or exception."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as error:  # the test inspects it
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_breach_never_overwrites_a_change_made_while_the_sweep_runs(
    routed_team: Team, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = SlaPolicy.objects.create(name_zh="升级", ordering=1, raise_priority=True)
    SlaPolicyTarget.objects.create(
        policy=policy, metric="first_response", amount=1, unit="hours", basis="calendar_time"
    )
    with time_machine.travel(MONDAY, tick=False):
        case = new_case(None, customer)
    claimed, go = threading.Event(), threading.Event()
    claim = clock_services._claimed_clocks

    def paused(*args: Any, **kwargs: Any) -> Any:
        clocks = claim(*args, **kwargs)
        claimed.set()
        go.wait(10)
        return clocks

    monkeypatch.setattr(clock_services, "_claimed_clocks", paused)
    sweep, swept = _in_thread(lambda: case_clocks_sweep(now=MONDAY + 2 * HOUR))
    assert claimed.wait(10)
    # Staff raise the priority while the sweep holds the batch: the edit waits for the sweep's case lock.
    edit, edited = _in_thread(
        lambda: case_update(
            actor=not_none(case.assignee), case=case, expected_version=None, priority="urgent"
        )
    )
    edit.join(1)
    go.set()
    sweep.join(20)
    edit.join(20)

    assert isinstance(swept[0], SweepResult) and swept[0].breached == 1, swept
    assert isinstance(edited[0], Case), edited
    case.refresh_from_db()
    assert case.priority == "urgent"  # the edit made after the breach stands
    breach = _events(case, CaseEvent.Kind.CLOCK_BREACHED)[0]
    assert breach.data["priority"] == {"from": "normal", "to": "high"}


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_passes_over_a_case_being_changed_and_breaches_it_next_time(
    routed_team: Team, customer: Customer
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = new_case(None, customer)
    locked, release = threading.Event(), threading.Event()

    def editing() -> None:
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            locked.set()
            release.wait(10)

    editor, _ = _in_thread(editing)
    assert locked.wait(10)
    sweep, swept = _in_thread(lambda: case_clocks_sweep(now=MONDAY + 30 * DAY))
    sweep.join(10)
    release.set()
    editor.join(10)

    assert not sweep.is_alive() and isinstance(swept[0], SweepResult), swept  # it did not wait
    assert swept[0].breached == 0
    assert case_clocks_sweep(now=MONDAY + 30 * DAY).breached == 2


def test_a_file_like_without_a_name_is_stored_as_file(
    routed_team: Team, customer: Customer, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = new_case(None, customer)
    stream = io.BytesIO(PDF)
    stream.size = len(PDF)  # type: ignore[attr-defined]

    attachment = attachment_add(actor=case.assignee, case=case, file=stream)

    assert attachment.original_name == "file"


def test_staff_may_log_a_call_after_the_fact_and_the_clocks_run_from_it(
    frozen: Any, routed_team: Team, member: User, customer: Customer, settings: Any
) -> None:
    settings.CHARTER_CASES_BACKDATE_DAYS = 2
    earlier = MONDAY - 3 * HOUR

    case = new_case(member, customer, channel="phone", received_at=earlier)

    assert case.received_at == earlier and case.acknowledged_at == MONDAY
    assert _clock(case, "first_response").started_at == earlier
    assert _events(case, CaseEvent.Kind.CREATED)[0].occurred_at == earlier
    for bad in (MONDAY + HOUR, MONDAY - 3 * DAY):
        with pytest.raises(DomainError) as refused:
            new_case(member, customer, channel="phone", received_at=bad)
        assert refused.value.code == ErrorCode.INVALID_FIELD
    with pytest.raises(DomainError):
        new_case(None, customer, received_at=earlier)


def test_resolved_cases_close_once_the_appeal_window_passes(
    frozen: Any, routed_team: Team, customer: Customer, settings: Any
) -> None:
    settings.CHARTER_CASES_APPEAL_DAYS = 2
    case = new_case(None, customer)
    case = case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")
    open_case = new_case(None, customer)

    frozen.shift(DAY)
    assert case_close_expired() == 0
    frozen.shift(2 * DAY)
    assert case_close_expired() == 1
    assert case_close_expired() == 0

    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at == MONDAY + 3 * DAY
    assert Case.objects.get(pk=open_case.pk).status == "acknowledged"
    assert _events(case, CaseEvent.Kind.CLOSED)[0].is_internal is False
