"""Retention runs: dry runs count and change nothing, real runs anonymise in batches, skip what a legal hold
keeps, resume after a stop, and follow the schedule as the officer sets it."""

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import Customer, User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from charter.cases.models import Case, CaseStatus
from charter.common.errors import DomainError, PermissionDeniedError
from charter.mail.models import InboundMessage, Mailbox, OutboundMessage
from charter.privacy import registry
from charter.privacy.errors import ErrorCode
from charter.privacy.holds import legal_hold_place, legal_hold_release
from charter.privacy.models import LegalHold, RetentionRun, RetentionSchedule
from charter.privacy.registry import ERASED_MARKER
from charter.privacy.retention import retention_run, retention_schedule_update, retention_schedules
from charter.privacy.tasks_retention import retention_run_task
from charter.surveys.models import Answer, Question, SurveyVersion
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.cases.conftest import new_case
from tests.surveys.factories import QuestionFactory, ResponseFactory, SurveyVersionFactory

OLD = dt.timedelta(days=1200)


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory.create(username="dpo", roles=[Role.PRIVACY_OFFICER])


def closed_case(customer: Customer, *, ago: dt.timedelta = OLD, title: str = "水费账单疑问") -> Case:
    case = new_case(None, customer, title=title, description=f"{title}：我的电话 13800000000")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now() - ago)
    case.refresh_from_db()
    return case


@dataclasses.dataclass
class Story:
    held_customer_case: Case
    held_case: Case
    due: list[Case]
    recent: Case
    open_case: Case


@pytest.fixture
def story(officer: User) -> Story:
    held_customer = CustomerFactory.create(name="王诉讼")
    other = CustomerFactory.create(name="李普通")
    story = Story(
        held_customer_case=closed_case(held_customer, title="诉讼中的工单"),
        held_case=closed_case(other, title="调查中的工单"),
        due=[closed_case(other, title=f"过期工单{n}", ago=OLD + dt.timedelta(days=n)) for n in range(3)],
        recent=closed_case(other, ago=dt.timedelta(days=30), title="最近关闭"),
        open_case=new_case(None, other, title="仍在处理"),
    )
    legal_hold_place(actor=officer, customer=held_customer, reason="诉讼 (2026) 京01民初1号")
    legal_hold_place(
        actor=officer, target_type="cases.case", target_id=str(story.held_case.pk), reason="监管调查"
    )
    return story


def titles() -> dict[int, str]:
    return dict(Case.objects.values_list("pk", "title"))


def test_schedules_are_made_from_the_rules_defaults(db: None) -> None:
    scheduled = {each.rule.record_type: each.schedule.keep_days for each in retention_schedules()}

    assert scheduled == {
        "closed_cases": 1095,
        "raw_mail": 90,
        "mail_quarantine": 30,
        "delivery_log": 180,
        "survey_text": 365,
        "data_exports": 30,
    }


def test_a_dry_run_counts_due_and_held_and_changes_nothing(story: Story, officer: User) -> None:
    before = titles()

    run = retention_run(dry_run=True, actor=officer)

    assert run.dry_run and run.finished_at is not None
    assert run.counts["closed_cases"] == {"due": 3, "held": 2, "done": 0}
    assert titles() == before
    assert not AuditEvent.objects.filter(action="privacy.retention_run").exists()


def test_a_run_anonymises_the_expired_cases_oldest_first_and_leaves_held_ones(
    story: Story, officer: User
) -> None:
    run = retention_run(dry_run=False, actor=officer)

    assert run.counts["closed_cases"] == {"due": 3, "held": 2, "done": 3}
    after = titles()
    assert all(after[case.pk] == ERASED_MARKER for case in story.due)
    assert after[story.held_customer_case.pk] == "诉讼中的工单"
    assert after[story.held_case.pk] == "调查中的工单"
    assert after[story.recent.pk] == "最近关闭"
    assert after[story.open_case.pk] == "仍在处理"
    event = AuditEvent.objects.get(action="privacy.retention_run", data__record_type="closed_cases")
    assert (event.data["due"], event.data["held"], event.data["done"]) == (3, 2, 3)
    # Nothing is left for the next run.
    assert retention_run(dry_run=True).counts["closed_cases"] == {"due": 0, "held": 2, "done": 0}


def test_a_released_hold_lets_the_next_run_anonymise(story: Story, officer: User) -> None:
    retention_run(dry_run=False, actor=officer)
    hold_row = LegalHold.objects.get(target_type="cases.case", target_id=str(story.held_case.pk))
    legal_hold_release(actor=officer, hold=hold_row, reason="调查结束")

    run = retention_run(dry_run=False, actor=officer)

    assert run.counts["closed_cases"]["done"] == 1
    assert titles()[story.held_case.pk] == ERASED_MARKER


@pytest.fixture
def failing_after_one_batch() -> Iterator[None]:
    """Replace the closed-cases rule by one whose second batch fails (a worker killed mid-run)."""
    rule = next(each for each in registry.retention_rules() if each.record_type == "closed_cases")
    calls = {"n": 0}

    def apply(ids: Sequence[Any]) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("worker stopped")
        return rule.apply(ids)

    registry.retention_rule_register(dataclasses.replace(rule, apply=apply))
    try:
        yield
    finally:
        registry.retention_rule_register(rule)


def test_a_stopped_run_keeps_its_whole_batches_and_the_next_one_resumes(
    story: Story, officer: User, failing_after_one_batch: None
) -> None:
    with pytest.raises(RuntimeError):
        retention_run(dry_run=False, actor=officer, batch_size=2)

    stopped = RetentionRun.objects.get(dry_run=False)
    assert stopped.finished_at is not None
    assert stopped.counts["closed_cases"]["done"] == 2
    after = titles()
    # The two oldest went in the first batch, committed; the third waits.
    assert [after[case.pk] for case in story.due] == ["过期工单0", ERASED_MARKER, ERASED_MARKER]


def test_the_next_run_finishes_what_a_stopped_one_left(story: Story, officer: User) -> None:
    oldest_two = sorted(story.due, key=lambda case: case.closed_at or timezone.now())[:2]
    from charter.cases.privacy import case_text_anonymise

    case_text_anonymise(case_ids=[case.pk for case in oldest_two])  # what the stopped run did

    run = retention_run(dry_run=False, actor=officer, batch_size=2)

    assert run.counts["closed_cases"] == {"due": 1, "held": 2, "done": 1}
    assert all(titles()[case.pk] == ERASED_MARKER for case in story.due)


def test_a_schedule_edit_takes_effect_at_the_next_run(story: Story, officer: User) -> None:
    retention_schedules()
    schedule = RetentionSchedule.objects.get(record_type="closed_cases")

    retention_schedule_update(actor=officer, schedule=schedule, keep_days=10, is_active=True)
    counted = retention_run(dry_run=True).counts["closed_cases"]
    retention_schedule_update(actor=officer, schedule=schedule, keep_days=10, is_active=False)
    switched_off = retention_run(dry_run=True).counts

    assert counted == {"due": 4, "held": 2, "done": 0}  # the case closed 30 days ago is due now
    assert "closed_cases" not in switched_off
    event = AuditEvent.objects.filter(action="privacy.retention_schedule_update").first()
    assert event is not None and event.data["after"] == {"keep_days": 10, "is_active": False}


@pytest.mark.parametrize("days", [0, -1, 36_501])
def test_a_schedule_keeps_records_at_least_a_day(officer: User, days: int) -> None:
    schedule = retention_schedules()[0].schedule

    with pytest.raises(DomainError) as refused:
        retention_schedule_update(actor=officer, schedule=schedule, keep_days=days, is_active=True)

    assert refused.value.code == ErrorCode.SCHEDULE_DAYS_INVALID


def test_only_the_officer_changes_schedules_or_runs_them(member: User) -> None:
    schedule = retention_schedules()[0].schedule

    with pytest.raises(PermissionDeniedError):
        retention_schedule_update(actor=member, schedule=schedule, keep_days=5, is_active=True)
    with pytest.raises(PermissionDeniedError):
        retention_run(dry_run=True, actor=member)


def test_a_real_run_does_not_start_while_another_is_under_way(story: Story) -> None:
    RetentionRun.objects.create(started_at=timezone.now(), dry_run=False)

    with pytest.raises(DomainError) as refused:
        retention_run(dry_run=False)
    retention_run_task.call_local()  # the task steps aside quietly

    assert refused.value.code == ErrorCode.RETENTION_RUNNING
    assert titles()[story.due[0].pk] == "过期工单0"


def test_the_daily_task_runs_the_schedules_for_real(story: Story) -> None:
    retention_run_task.call_local()

    run = RetentionRun.objects.get(dry_run=False)
    assert run.started_by is None and run.counts["closed_cases"]["done"] == 3
    assert AuditEvent.objects.filter(action="privacy.retention_run", actor_label="retention").exists()


# --- mail and surveys -------------------------------------------------------------------------------------


def old(model: Any, pk: int, field: str, ago: dt.timedelta) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - ago})


@pytest.fixture
def mailbox(db: None) -> Mailbox:
    return Mailbox.objects.create(name="热线", address="hotline@example.com", host="imap.example.com")


def inbound(mailbox: Mailbox, key: str, status: str, sender: str, thread_ref: str = "") -> InboundMessage:
    row = InboundMessage.objects.create(
        mailbox=mailbox,
        key=key,
        message_id=f"<{key}@example.com>",
        status=status,
        subject="停水投诉",
        sender=sender,
        raw=b"From: someone\r\n\r\nbody",
        thread_ref=thread_ref,
    )
    old(InboundMessage, row.pk, "received_at", dt.timedelta(days=100))
    return row


def test_mail_copies_are_anonymised_unless_a_hold_keeps_them(mailbox: Mailbox, officer: User) -> None:
    held_customer = CustomerFactory.create(email="held@example.com")
    case = closed_case(CustomerFactory.create(), ago=dt.timedelta(days=1))
    handled = inbound(mailbox, "a", InboundMessage.Status.HANDLED, "free@example.com")
    by_held_sender = inbound(mailbox, "b", InboundMessage.Status.HANDLED, "Held <held@example.com>")
    in_held_thread = inbound(mailbox, "c", InboundMessage.Status.HANDLED, "x@example.com", f"case:{case.pk}")
    quarantined = inbound(mailbox, "d", InboundMessage.Status.QUARANTINED, "spam@example.com")
    sent = OutboundMessage.objects.create(
        message_id="<out1@example.com>",
        recipient="free@example.com",
        language="zh-hans",
        subject="回复",
        body="您好",
        status=OutboundMessage.Status.SENT,
    )
    old(OutboundMessage, sent.pk, "created_at", dt.timedelta(days=200))
    legal_hold_place(actor=officer, customer=held_customer, reason="诉讼")
    legal_hold_place(actor=officer, target_type="cases.case", target_id=str(case.pk), reason="调查")

    dry = retention_run(dry_run=True).counts
    run = retention_run(dry_run=False).counts

    assert dry["raw_mail"] == {"due": 1, "held": 2, "done": 0}
    assert run["raw_mail"] == {"due": 1, "held": 2, "done": 1}
    assert run["mail_quarantine"]["done"] == 1 and run["delivery_log"]["done"] == 1
    handled.refresh_from_db()
    assert handled.raw is None and handled.subject == ERASED_MARKER and handled.sender == ERASED_MARKER
    for kept in (by_held_sender, in_held_thread):
        kept.refresh_from_db()
        assert kept.raw is not None and kept.subject == "停水投诉"
    quarantined.refresh_from_db()
    assert quarantined.status == InboundMessage.Status.DISCARDED and quarantined.raw is None
    sent.refresh_from_db()
    assert (sent.recipient, sent.subject, sent.body) == (ERASED_MARKER,) * 3


def test_survey_free_text_is_anonymised_and_scores_stay(officer: User) -> None:
    response = ResponseFactory.create(comment="张三服务态度很好", csat=5)
    held = ResponseFactory.create(comment="我在起诉", csat=1)
    draft = SurveyVersionFactory.create(status=SurveyVersion.Status.DRAFT, published_at=None)
    question = QuestionFactory.create(type=Question.Type.TEXT, version=draft)
    Answer.objects.create(response=response, question=question, text="电话 13800000000")
    old(type(response), response.pk, "submitted_at", dt.timedelta(days=400))
    old(type(held), held.pk, "submitted_at", dt.timedelta(days=400))
    legal_hold_place(actor=officer, customer=held.invitation.customer, reason="诉讼")

    run = retention_run(dry_run=False).counts

    assert run["survey_text"] == {"due": 1, "held": 1, "done": 1}
    response.refresh_from_db()
    held.refresh_from_db()
    assert (response.comment, response.csat) == (ERASED_MARKER, 5)
    assert held.comment == "我在起诉"
    assert not Answer.objects.filter(response=response).exclude(text=ERASED_MARKER).exists()


def test_a_hold_placed_between_choosing_and_applying_a_batch_keeps_its_records(
    mailbox: Mailbox, officer: User
) -> None:
    from charter.cases.retention import closed_cases_apply, closed_cases_due
    from charter.mail.retention import raw_mail_apply, raw_mail_due
    from charter.surveys.retention import survey_text_apply, survey_text_due

    cutoff = timezone.now() - dt.timedelta(days=30)
    case = closed_case(CustomerFactory.create())
    message = inbound(mailbox, "late", InboundMessage.Status.HANDLED, "Late <late@example.com>")
    mail_customer = CustomerFactory.create(email="late@example.com")
    response = ResponseFactory.create(comment="我要起诉", csat=1)
    old(type(response), response.pk, "submitted_at", dt.timedelta(days=400))
    chosen = (closed_cases_due(cutoff, 10), raw_mail_due(cutoff, 10), survey_text_due(cutoff, 10))

    legal_hold_place(actor=officer, target_type="cases.case", target_id=str(case.pk), reason="调查")
    legal_hold_place(actor=officer, customer=mail_customer, reason="诉讼")
    legal_hold_place(actor=officer, customer=response.invitation.customer, reason="诉讼")
    done = (closed_cases_apply(chosen[0]), raw_mail_apply(chosen[1]), survey_text_apply(chosen[2]))

    assert chosen == ([case.pk], [message.pk], [response.pk])
    assert done == (0, 0, 0)
    case.refresh_from_db()
    message.refresh_from_db()
    response.refresh_from_db()
    assert case.title == "水费账单疑问" and message.subject == "停水投诉" and response.comment == "我要起诉"


def test_mail_batches_do_not_read_the_held_rows_again(
    mailbox: Mailbox, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charter.mail import retention as mail_retention

    held_customer = CustomerFactory.create(email="held@example.com")
    legal_hold_place(actor=officer, customer=held_customer, reason="诉讼")
    for n in range(6):
        inbound(mailbox, f"h{n}", InboundMessage.Status.HANDLED, "held@example.com")
    free = [inbound(mailbox, f"f{n}", InboundMessage.Status.HANDLED, f"f{n}@example.com") for n in range(4)]
    reads: list[str] = []
    real = mail_retention._address_index

    def counted(value: str) -> str:
        reads.append(value)
        return real(value)

    monkeypatch.setattr(mail_retention, "_address_index", counted)

    run = retention_run(dry_run=False, batch_size=1).counts

    assert run["raw_mail"]["done"] == 4
    assert all(InboundMessage.objects.get(pk=row.pk).subject == ERASED_MARKER for row in free)
    # The held count reads all 10 rows; the first batch reads the 6 held rows and one free one, each later
    # batch one free row, each apply its row again: 24. Reading the held rows again for every batch is 48.
    assert len(reads) <= 24
