"""The corrective action services: opening from a complaint cluster, the workflow, items, the
effectiveness check and its measure, closure by someone else, and the once-only sweeps."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case
from charter.catalog.models import Service
from charter.common.errors import (
    CommonErrorCode,
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from charter.improvement.errors import ErrorCode
from charter.improvement.models import ActionEvent, ActionItem, ActionStatus, CorrectiveAction, Verdict
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    action_items_escalate_overdue,
    corrective_action_close,
    corrective_action_open,
    corrective_action_transition,
    corrective_action_update,
    effectiveness_check_record,
    effectiveness_checks_notify_due,
)
from charter.mail.models import OutboundMessage
from tests.conftest import not_none
from tests.improvement.conftest import START, complaint, open_cluster_action

DAY = dt.timedelta(days=1)


@pytest.fixture
def cluster(customer: Customer, team: Team) -> list[Case]:
    return [complaint(customer, team=team, received_at=START - n * DAY) for n in range(1, 4)]


@pytest.fixture
def action(supervisor: User, member: User, team: Team, cluster: list[Case]) -> CorrectiveAction:
    return open_cluster_action(supervisor, member, cluster, team=team)


def _items_done(action: CorrectiveAction, actor: User, owner: User, at: dt.datetime) -> CorrectiveAction:
    item = action_item_add(
        actor=actor, action=action, description="修订抄表复核流程", owner=owner, due_on=at.date()
    )
    action_item_complete(actor=owner, item=item, note="流程已修订并培训", at=at)
    return CorrectiveAction.objects.get(pk=action.pk)


# Opening ----------------------------------------------------------------------------------------------------


def test_opening_from_a_complaint_cluster_numbers_links_and_audits(
    action: CorrectiveAction, cluster: list[Case]
) -> None:
    assert action.number == "CA-2026-0001"
    assert action.status == ActionStatus.OPEN
    assert set(action.cases.all()) == set(cluster)
    assert action.events.get().kind == ActionEvent.Kind.OPENED
    audit = AuditEvent.objects.get(action="improvement.corrective_action_open")
    assert audit.data["cases"] == sorted(case.number for case in cluster)


def test_numbers_follow_each_other_within_a_year(supervisor: User, member: User, team: Team) -> None:
    first = corrective_action_open(
        actor=supervisor,
        title="A",
        source_kind="qa_trend",
        source_reference="QA 2026-02",
        problem="p",
        owner=member,
    )
    second = corrective_action_open(
        actor=supervisor, title="B", source_kind="other", source_reference="巡检", problem="p", owner=member
    )
    assert (first.number, second.number) == ("CA-2026-0001", "CA-2026-0002")


def test_an_agent_may_not_open_a_corrective_action(member: User, teammate: User) -> None:
    with pytest.raises(PermissionDeniedError) as error:
        corrective_action_open(
            actor=member, title="A", source_kind="other", source_reference="x", problem="p", owner=teammate
        )
    assert error.value.code == ErrorCode.OPEN_DENIED
    assert not CorrectiveAction.objects.exists()


def test_a_qa_reviewer_may_open_one(qa_reviewer: User, member: User, other_team: Team) -> None:
    action = corrective_action_open(
        actor=qa_reviewer,
        title="质检趋势",
        source_kind="qa_trend",
        source_reference="二月质检：问候语缺失率上升",
        problem="问候语缺失",
        owner=member,
        team=other_team,
    )
    assert action.opened_by == qa_reviewer


def test_a_cluster_names_its_root_cause(supervisor: User, member: User, cluster: list[Case]) -> None:
    with pytest.raises(DomainError) as error:
        open_cluster_action(supervisor, member, cluster, root_cause="")
    assert (error.value.code, error.value.field) == (ErrorCode.INVALID_SOURCE, "root_cause")


def test_a_cluster_links_only_complaints_of_its_root_cause(
    supervisor: User, member: User, customer: Customer, team: Team
) -> None:
    other_cause = complaint(customer, team=team, root_cause="communication")
    inquiry = complaint(customer, team=team, kind="inquiry")
    for case in (other_cause, inquiry):
        with pytest.raises(DomainError) as error:
            open_cluster_action(supervisor, member, [case])
        assert error.value.code == ErrorCode.INVALID_CASE
    assert not CorrectiveAction.objects.exists()


def test_a_cluster_with_a_service_links_only_that_services_complaints(
    supervisor: User, member: User, customer: Customer, team: Team, service: Service
) -> None:
    elsewhere = complaint(customer, team=team)
    with pytest.raises(DomainError) as error:
        open_cluster_action(supervisor, member, [elsewhere], service=service)
    assert error.value.code == ErrorCode.INVALID_CASE


def test_a_case_outside_the_openers_scope_cannot_be_linked(
    supervisor: User, member: User, customer: Customer, other_team: Team
) -> None:
    theirs = complaint(customer, team=other_team)
    with pytest.raises(DomainError) as error:
        open_cluster_action(supervisor, member, [theirs])
    assert error.value.code == ErrorCode.INVALID_CASE


def test_other_sources_need_a_reference(supervisor: User, member: User) -> None:
    with pytest.raises(DomainError) as error:
        corrective_action_open(
            actor=supervisor, title="A", source_kind="survey_theme", problem="p", owner=member
        )
    assert error.value.field == "source_reference"


def test_a_supervisor_files_actions_only_under_teams_he_leads(
    supervisor: User, member: User, other_team: Team
) -> None:
    with pytest.raises(DomainError) as error:
        corrective_action_open(
            actor=supervisor,
            title="A",
            source_kind="other",
            source_reference="x",
            problem="p",
            owner=member,
            team=other_team,
        )
    assert error.value.field == "team"


def test_the_owner_must_be_staff(supervisor: User, customer_user: User) -> None:
    with pytest.raises(DomainError) as error:
        corrective_action_open(
            actor=supervisor,
            title="A",
            source_kind="other",
            source_reference="x",
            problem="p",
            owner=customer_user,
        )
    assert error.value.field == "owner"


# Workflow ---------------------------------------------------------------------------------------------------


def test_the_workflow_refuses_a_move_it_does_not_allow(action: CorrectiveAction, supervisor: User) -> None:
    with pytest.raises(InvalidTransitionError) as error:
        corrective_action_transition(actor=supervisor, action=action, to_status=ActionStatus.REOPENED)
    assert error.value.code == "invalid_transition" and error.value.status == 409
    with pytest.raises(InvalidTransitionError):
        corrective_action_transition(actor=supervisor, action=action, to_status="nonsense")


def test_a_stale_version_is_a_conflict(action: CorrectiveAction, supervisor: User) -> None:
    corrective_action_transition(
        actor=supervisor, action=action, to_status=ActionStatus.IN_PROGRESS, expected_version=1
    )
    with pytest.raises(ConflictError) as error:
        corrective_action_update(actor=supervisor, action=action, expected_version=1, title="新标题")
    assert error.value.code == CommonErrorCode.CONFLICT
    assert CorrectiveAction.objects.get(pk=action.pk).title == "抄表错误引起的投诉"


def test_every_move_is_on_the_timeline_and_audited(action: CorrectiveAction, supervisor: User) -> None:
    corrective_action_transition(actor=supervisor, action=action, to_status=ActionStatus.IN_PROGRESS)
    event = action.events.get(kind=ActionEvent.Kind.TRANSITION)
    assert (event.from_status, event.to_status, event.actor) == ("open", "in_progress", supervisor)
    assert AuditEvent.objects.filter(action="improvement.corrective_action_transition").count() == 1


def test_cancelling_needs_a_reason(action: CorrectiveAction, supervisor: User) -> None:
    with pytest.raises(DomainError) as error:
        corrective_action_transition(actor=supervisor, action=action, to_status=ActionStatus.CANCELLED)
    assert error.value.field == "note"
    cancelled = corrective_action_transition(
        actor=supervisor, action=action, to_status=ActionStatus.CANCELLED, note="与 CA-2026-0002 重复"
    )
    assert cancelled.status == ActionStatus.CANCELLED


def test_waiting_for_the_check_needs_every_item_done(
    action: CorrectiveAction, supervisor: User, teammate: User
) -> None:
    with pytest.raises(InvalidTransitionError) as error:
        corrective_action_transition(actor=supervisor, action=action, to_status=ActionStatus.AWAITING_CHECK)
    assert error.value.code == ErrorCode.ITEMS_NOT_DONE and error.value.status == 409
    action_item_add(actor=supervisor, action=action, description="培训", owner=teammate, due_on=START.date())
    with pytest.raises(DomainError):
        corrective_action_transition(actor=supervisor, action=action, to_status=ActionStatus.AWAITING_CHECK)


def test_someone_outside_the_action_may_not_change_it(
    action: CorrectiveAction, supervisor: User, outsider: User, teammate: User
) -> None:
    action_item_add(actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date())
    with pytest.raises(NotFoundError):  # he does not see it at all, as on the page
        corrective_action_transition(actor=outsider, action=action, to_status=ActionStatus.IN_PROGRESS)
    with pytest.raises(PermissionDeniedError) as error:  # an item's owner sees it, and may not move it
        corrective_action_transition(actor=teammate, action=action, to_status=ActionStatus.IN_PROGRESS)
    assert error.value.code == ErrorCode.MANAGE_DENIED


def test_the_owner_may_work_on_his_action(action: CorrectiveAction, member: User) -> None:
    moved = corrective_action_transition(actor=member, action=action, to_status=ActionStatus.IN_PROGRESS)
    assert moved.status == ActionStatus.IN_PROGRESS


# Items ------------------------------------------------------------------------------------------------------


def test_the_last_item_done_starts_the_waiting_period(
    action: CorrectiveAction, supervisor: User, teammate: User, member: User
) -> None:
    first = action_item_add(
        actor=supervisor, action=action, description="修订流程", owner=teammate, due_on=START.date()
    )
    second = action_item_add(
        actor=member, action=action, description="培训", owner=member, due_on=START.date()
    )
    action_item_complete(actor=teammate, item=first, note="已修订", at=START + 2 * DAY)
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.OPEN
    action_item_complete(actor=member, item=second, at=START + 5 * DAY)
    action.refresh_from_db()
    assert action.status == ActionStatus.AWAITING_CHECK
    assert action.items_done_at == START + 5 * DAY
    assert action.check_due_at == START + 95 * DAY


def test_an_item_is_done_once(action: CorrectiveAction, supervisor: User, teammate: User) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date()
    )
    action_item_complete(actor=teammate, item=item)
    with pytest.raises(DomainError) as error:
        action_item_complete(actor=teammate, item=ActionItem.objects.get(pk=item.pk))
    assert error.value.code == ErrorCode.ITEM_DONE


def test_only_the_items_owner_or_a_manager_completes_it(
    action: CorrectiveAction, supervisor: User, teammate: User, outsider: User
) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date()
    )
    with pytest.raises(NotFoundError):  # he does not see the action
        action_item_complete(actor=outsider, item=item)
    assert not ActionItem.objects.get(pk=item.pk).is_done


def test_a_new_item_takes_a_waiting_action_back_to_work(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    action = _items_done(action, supervisor, member, START)
    action_item_add(
        actor=supervisor, action=action, description="补充措施", owner=member, due_on=START.date()
    )
    action.refresh_from_db()
    assert (action.status, action.check_due_at) == (ActionStatus.IN_PROGRESS, None)


# Effectiveness check ---------------------------------------------------------------------------------------


def test_the_check_cannot_come_before_its_due_date(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    action = _items_done(action, supervisor, member, START + 10 * DAY)
    with pytest.raises(DomainError) as error:
        effectiveness_check_record(actor=supervisor, action=action, is_effective=True, at=START + 99 * DAY)
    assert error.value.code == ErrorCode.CHECK_NOT_DUE
    assert not action.checks.exists()


def test_the_check_measures_complaints_of_the_cause_before_and_after(
    supervisor: User, member: User, customer: Customer, team: Team, service: Service
) -> None:
    # Before: 6 complaints of the cause and service in the 90 days before opening (3 are linked); 2 elsewhere.
    before = [
        complaint(customer, team=team, service=service, received_at=START - n * 10 * DAY) for n in range(1, 7)
    ]
    complaint(customer, team=team, received_at=START - 5 * DAY)  # another service
    complaint(customer, team=team, service=service, root_cause="communication", received_at=START - 5 * DAY)
    complaint(customer, team=team, service=service, received_at=START - 100 * DAY)  # before the window
    action = open_cluster_action(supervisor, member, before[:3], team=team, service=service)
    done_at = START + 20 * DAY
    action = _items_done(action, supervisor, member, done_at)
    # After: 3 in the 90 days after the items were done, one more after the window.
    for n in (1, 30, 89):
        complaint(customer, team=team, service=service, received_at=done_at + n * DAY)
    complaint(customer, team=team, service=service, received_at=done_at + 91 * DAY)

    check = effectiveness_check_record(
        actor=supervisor, action=action, is_effective=True, at=done_at + 100 * DAY
    )

    assert (check.complaints_before, check.complaints_after, check.window_days) == (6, 3, 90)
    assert (check.rate_before, check.rate_after) == (Decimal("2.0"), Decimal("1.0"))
    assert check.change == Decimal("-50.0")
    action.refresh_from_db()
    assert (action.status, action.verdict) == (ActionStatus.AWAITING_CHECK, Verdict.EFFECTIVE)


def test_an_ineffective_check_needs_a_note_and_reopens(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    action = _items_done(action, supervisor, member, START)
    due = action.check_due_at
    assert due is not None
    with pytest.raises(DomainError) as error:
        effectiveness_check_record(actor=supervisor, action=action, is_effective=False, at=due)
    assert error.value.field == "note"
    effectiveness_check_record(actor=supervisor, action=action, is_effective=False, note="投诉未减少", at=due)
    action.refresh_from_db()
    assert (action.status, action.verdict, action.check_due_at) == (
        ActionStatus.REOPENED,
        Verdict.INEFFECTIVE,
        None,
    )
    # New work, done again, brings a new waiting period and a new check.
    action = _items_done(action, supervisor, member, due + DAY)
    assert action.status == ActionStatus.AWAITING_CHECK
    assert action.verdict == Verdict.NONE
    assert action.check_due_at == due + 91 * DAY


# Closure ----------------------------------------------------------------------------------------------------


def test_closure_needs_an_effective_check(action: CorrectiveAction, supervisor: User, member: User) -> None:
    action = _items_done(action, supervisor, member, START)
    with pytest.raises(InvalidTransitionError) as error:
        corrective_action_close(actor=supervisor, action=action)
    assert error.value.code == ErrorCode.NOT_EFFECTIVE


def test_the_owner_cannot_close_his_own_action(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    action = _items_done(action, supervisor, member, START)
    assert action.check_due_at is not None
    effectiveness_check_record(actor=supervisor, action=action, is_effective=True, at=action.check_due_at)
    with pytest.raises(PermissionDeniedError) as error:
        corrective_action_close(actor=member, action=action)
    assert error.value.code == ErrorCode.CLOSURE_BY_OWNER
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.AWAITING_CHECK

    closed = corrective_action_close(actor=supervisor, action=action, at=action.check_due_at + DAY)

    assert (closed.status, closed.closed_by, closed.closed_at) == (
        ActionStatus.CLOSED,
        supervisor,
        action.check_due_at + DAY,
    )
    with pytest.raises(InvalidTransitionError):
        corrective_action_transition(actor=supervisor, action=closed, to_status=ActionStatus.IN_PROGRESS)


# Sweeps -----------------------------------------------------------------------------------------------------


def test_an_overdue_item_notifies_its_owner_and_the_owners_supervisor_once(
    action: CorrectiveAction, supervisor: User, teammate: User
) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date()
    )
    assert action_items_escalate_overdue(now=START + 12 * dt.timedelta(hours=1)) == 0  # due today: not yet

    assert action_items_escalate_overdue(now=START + 2 * DAY) == 1
    assert action_items_escalate_overdue(now=START + 3 * DAY) == 0

    recipients = sorted(
        OutboundMessage.objects.filter(template="improvement.item_overdue").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == ["bob@example.com", "sam@example.com"]
    assert (
        "CA-2026-0001"
        in not_none(OutboundMessage.objects.filter(template="improvement.item_overdue").first()).subject
    )
    assert ActionItem.objects.get(pk=item.pk).escalated_at == START + 2 * DAY
    assert action.events.filter(kind=ActionEvent.Kind.ITEM_ESCALATED).count() == 1


def test_done_items_and_finished_actions_do_not_escalate(
    action: CorrectiveAction, supervisor: User, teammate: User
) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date()
    )
    action_item_complete(actor=teammate, item=item)
    other = action_item_add(
        actor=supervisor, action=action, description="再修订", owner=teammate, due_on=START.date()
    )
    corrective_action_transition(
        actor=supervisor, action=action, to_status=ActionStatus.CANCELLED, note="改由总部处理"
    )
    assert action_items_escalate_overdue(now=START + 5 * DAY) == 0
    assert ActionItem.objects.get(pk=other.pk).escalated_at is None


def test_a_due_check_is_announced_once(action: CorrectiveAction, supervisor: User, member: User) -> None:
    action = _items_done(action, supervisor, member, START)
    assert action.check_due_at is not None
    assert effectiveness_checks_notify_due(now=action.check_due_at - DAY) == 0
    assert effectiveness_checks_notify_due(now=action.check_due_at) == 1
    assert effectiveness_checks_notify_due(now=action.check_due_at + DAY) == 0
    recipients = sorted(
        OutboundMessage.objects.filter(template="improvement.check_due").values_list("recipient", flat=True)
    )
    assert recipients == ["alice@example.com", "sam@example.com"]


def test_mail_is_written_in_the_recipients_language(
    action: CorrectiveAction, supervisor: User, teammate: User
) -> None:
    teammate.language = "en"
    teammate.save()
    action_item_add(actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date())
    action_items_escalate_overdue(now=START + 2 * DAY)
    subjects = dict(OutboundMessage.objects.values_list("recipient", "subject"))
    assert "overdue" in subjects["bob@example.com"]
    assert "逾期" in subjects["sam@example.com"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_escalate_an_item_once(
    action: CorrectiveAction, supervisor: User, teammate: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    action_item_add(actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date())
    results: list[int] = []
    barrier = threading.Barrier(2)

    def sweep() -> None:
        barrier.wait()
        try:
            results.append(action_items_escalate_overdue(now=START + 2 * DAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert OutboundMessage.objects.filter(template="improvement.item_overdue").count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_openings_never_share_a_number(supervisor: User, member: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def open_one(n: int) -> None:
        barrier.wait()
        try:
            corrective_action_open(
                actor=supervisor,
                title=f"A{n}",
                source_kind="other",
                source_reference="x",
                problem="p",
                owner=member,
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(CorrectiveAction.objects.values_list("number", flat=True)) == [
        f"CA-2026-{n:04d}" for n in range(1, 5)
    ]


@pytest.mark.parametrize("key", ["improvement.item_overdue", "improvement.check_due"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_mail_templates_render_with_their_example(db: None, key: str, language: str) -> None:
    from charter.mail.rendering import mail_render, template_spec

    rendered = mail_render(key, language, template_spec(key).example)
    assert "CA-2026-0001" in rendered.subject
    assert "https://charter.example.cn/desk/improvement/actions/1/" in rendered.body
