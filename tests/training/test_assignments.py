"""Assigning courses: one person (idempotent on the source), a group in the worker (each person once, safe to
run twice, a supervisor only for his teams), new staff, waiving, and the mail: assigned, reminders and the
overdue notice each sent once."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.accounts.services import user_create
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.policy import Refusal
from charter.mail.models import OutboundMessage
from charter.mail.rendering import template_default, template_preview
from charter.training.assignments import (
    assignment_create,
    assignment_waive,
    batch_carry_out,
    batch_create,
    onboarding_assign,
    onboarding_sweep,
)
from charter.training.errors import ErrorCode
from charter.training.mailing_assignments import KEYS, assignment_reminders_send, batch_assigned_mail
from charter.training.models import Assignment, AssignmentBatch, Course
from charter.training.permissions import can_waive_assignment
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.training.factories import (
    course_make,
    published_course,
    staff_member,
    supervisor_of,
    team_make,
    trainer_user,
)

pytestmark = pytest.mark.django_db

Reason = Assignment.Reason


def _course(**fields: Any) -> Course:
    return published_course(**fields).course


def _in(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _assign(
    person: User, course: Course, *, actor: User | None = None, source_id: int = 1, **extra: Any
) -> tuple[Assignment, bool]:
    values: dict[str, Any] = {
        "due_on": _in(14),
        "reason": Reason.ORDERED,
        "source_type": "training.batch",
        "source_id": source_id,
    }
    values.update(extra)
    return assignment_create(actor=actor, person=person, course=course, **values)


# One person ---------------------------------------------------------------------------------------------


def test_assigning_twice_from_one_source_makes_one_row_audited_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    trainer = trainer_user()
    person = staff_member()
    course = _course()

    with django_capture_on_commit_callbacks(execute=True):
        first, created = _assign(person, course, actor=trainer, reason_text="岗位要求")
        again, created_again = _assign(person, course, actor=trainer, reason_text="岗位要求")

    assert created and not created_again and first.pk == again.pk
    assert Assignment.objects.filter(person=person, course=course).count() == 1
    assert AuditEvent.objects.filter(action="training.assign").count() == 1
    # The person is told once, by the worker.
    assert OutboundMessage.objects.filter(template=KEYS["assigned"], recipient_user=person).count() == 1
    # Another source is another assignment.
    _other, created_other = _assign(person, course, actor=trainer, source_id=2)
    assert created_other


def test_a_course_without_a_published_version_or_withdrawn_is_refused() -> None:
    person = staff_member()
    draft_only = course_make()
    withdrawn = _course(is_active=False)

    for course in (draft_only, withdrawn):
        with pytest.raises(DomainError) as error:
            _assign(person, course)
        assert error.value.code == ErrorCode.COURSE_NOT_ASSIGNABLE
    assert not Assignment.objects.exists()


def test_only_active_staff_are_assigned_and_an_order_is_not_due_in_the_past() -> None:
    course = _course()
    customer = UserFactory.create(roles=[Role.CUSTOMER])
    gone = staff_member()
    gone.is_active = False
    gone.save()

    for person in (customer, gone):
        with pytest.raises(DomainError) as error:
            _assign(person, course)
        assert error.value.code == ErrorCode.NOT_STAFF
    with pytest.raises(DomainError) as error:
        _assign(staff_member(), course, due_on=_in(-1))
    assert error.value.code == ErrorCode.DUE_IN_PAST
    # A signal may set a date already past (an old review read late): not refused.
    _assign(staff_member(), course, due_on=_in(-1), reason=Reason.QA_REVIEW, source_type="quality.review")


def test_a_supervisor_assigns_to_his_team_only() -> None:
    team = team_make()
    supervisor = supervisor_of(team)
    mine = staff_member(team=team)
    other = staff_member()
    course = _course()

    assert _assign(mine, course, actor=supervisor)[1]
    with pytest.raises(PermissionDeniedError) as error:
        _assign(other, course, actor=supervisor)
    assert error.value.status == 403
    with pytest.raises(PermissionDeniedError):
        batch_create(
            actor=supervisor,
            course=course,
            target=AssignmentBatch.Target.TEAM,
            target_value=other.memberships.get().team.code,
            due_on=_in(10),
        )
    with pytest.raises(PermissionDeniedError):
        batch_create(
            actor=supervisor,
            course=course,
            target=AssignmentBatch.Target.STAFF,
            target_value="",
            due_on=_in(10),
        )
    assert not AssignmentBatch.objects.exists()


def test_waiving_needs_a_reason_and_someone_else() -> None:
    trainer = trainer_user()
    person = staff_member()
    assignment, _created = _assign(person, _course(), actor=trainer)

    with pytest.raises(DomainError) as error:
        assignment_waive(actor=trainer, assignment=assignment, reason="  ")
    assert error.value.code == ErrorCode.WAIVE_REASON_REQUIRED and error.value.field == "reason"
    with pytest.raises(PermissionDeniedError):
        assignment_waive(actor=person, assignment=assignment, reason="我已经会了")

    waived = assignment_waive(actor=trainer, assignment=assignment, reason="已持有同等证书")

    assert waived.status == Assignment.Status.WAIVED and waived.waived_reason == "已持有同等证书"
    with pytest.raises(DomainError) as error:
        assignment_waive(actor=trainer, assignment=assignment, reason="再次")
    assert error.value.code == ErrorCode.ASSIGNMENT_NOT_OPEN


def test_a_supervisor_waives_only_what_he_or_his_team_ordered_and_onboarding() -> None:
    team = team_make()
    supervisor = supervisor_of(team)
    co_lead = supervisor_of(team)
    trainer = trainer_user()
    person = staff_member(team=team)
    course = _course()
    own, _c = _assign(person, course, actor=supervisor, source_id=1)
    teams, _c = _assign(person, course, actor=co_lead, source_id=2)
    onboarding, _c = _assign(
        person, course, reason=Reason.ONBOARDING, source_type="accounts.user", source_id=person.pk
    )
    by_trainer, _c = _assign(person, course, actor=trainer, source_id=3)
    system = {
        reason: _assign(person, course, reason=reason, source_type=f"test.{reason}", source_id=9)[0]
        for reason in (Reason.QA_REVIEW, Reason.VIOLATION, Reason.STANDARD, Reason.PLAN, Reason.RENEWAL)
    }

    assert can_waive_assignment(supervisor, own)
    assert can_waive_assignment(supervisor, teams)
    assert can_waive_assignment(supervisor, onboarding)
    assert not can_waive_assignment(supervisor, by_trainer)
    for reason, row in system.items():
        decision = can_waive_assignment(supervisor, row)
        assert isinstance(decision, Refusal) and decision.code == ErrorCode.ASSIGN_DENIED, reason
        # Training staff (assign_course) waive what the system made.
        assert can_waive_assignment(trainer, row), reason
    with pytest.raises(PermissionDeniedError):
        assignment_waive(actor=supervisor, assignment=system[Reason.QA_REVIEW], reason="他已经改正")
    assert (
        assignment_waive(actor=supervisor, assignment=own, reason="岗位调整").status
        == Assignment.Status.WAIVED
    )
    waived = assignment_waive(actor=trainer, assignment=system[Reason.VIOLATION], reason="已参加同等培训")
    assert waived.status == Assignment.Status.WAIVED


# Batches ------------------------------------------------------------------------------------------------


def test_a_batch_assigns_each_member_of_the_team_once_even_run_twice(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = team_make()
    supervisor = supervisor_of(team)
    members = [staff_member(team=team) for _ in range(3)]
    gone = staff_member(team=team)
    gone.is_active = False
    gone.save()
    course = _course()

    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(
            actor=supervisor,
            course=course,
            target=AssignmentBatch.Target.TEAM,
            target_value=team.code,
            due_on=_in(10),
            note="班组月度培训",
        )

    batch.refresh_from_db()
    assigned = Assignment.objects.filter(batch=batch)
    # The supervisor leads the team and is a member of it: he is staff of the team too.
    assert set(assigned.values_list("person_id", flat=True)) == {*(m.pk for m in members), supervisor.pk}
    assert batch.finished_at is not None and batch.assigned_count == 4
    assert set(assigned.values_list("source_type", "source_id", "reason", "reason_text")) == {
        ("training.batch", batch.pk, Reason.ORDERED, "班组月度培训")
    }
    assert AuditEvent.objects.filter(action="training.batch_carry_out").count() == 1
    assert OutboundMessage.objects.filter(template=KEYS["assigned"]).count() == 4

    # A second run (a retried task) assigns nobody and keeps the count.
    AssignmentBatch.objects.filter(pk=batch.pk).update(finished_at=None)
    assert batch_carry_out(batch_id=batch.pk) == 0
    batch.refresh_from_db()
    assert batch.assigned_count == 4 and assigned.count() == 4
    assert batch_carry_out(batch_id=batch.pk) == 0
    # A retried mail task mails nobody twice: each assignment's mail was claimed when it was sent.
    assert batch_assigned_mail(batch_id=batch.pk) == 0
    assert OutboundMessage.objects.filter(template=KEYS["assigned"]).count() == 4


def test_role_unit_and_staff_targets_cover_the_right_people(django_capture_on_commit_callbacks: Any) -> None:
    trainer = trainer_user()
    parent = OrgUnitFactory.create()
    child = OrgUnitFactory.create(parent=parent)
    upper = TeamFactory.create(unit=parent)
    lower = TeamFactory.create(unit=child)
    a = staff_member(team=upper)
    b = staff_member(team=lower)
    elsewhere = staff_member()
    qa = UserFactory.create(roles=[Role.QA_REVIEWER])
    UserFactory.create(roles=[Role.CUSTOMER])
    course = _course()

    def run(target: str, value: str) -> set[int]:
        with django_capture_on_commit_callbacks(execute=True):
            batch = batch_create(
                actor=trainer, course=course, target=target, target_value=value, due_on=_in(5)
            )
        return set(Assignment.objects.filter(batch=batch).values_list("person_id", flat=True))

    assert run(AssignmentBatch.Target.UNIT, parent.code) == {a.pk, b.pk}
    assert run(AssignmentBatch.Target.ROLE, str(Role.QA_REVIEWER)) == {qa.pk}
    everyone = run(AssignmentBatch.Target.STAFF, "")
    assert {a.pk, b.pk, elsewhere.pk, qa.pk, trainer.pk} <= everyone
    assert all(User.objects.get(pk=pk).is_staff_member for pk in everyone)
    TeamMembershipFactory.create(team=lower, user=UserFactory.create(roles=[Role.CUSTOMER]))
    assert run(AssignmentBatch.Target.TEAM, lower.code) == {b.pk}


@pytest.mark.parametrize(
    ("target", "value"),
    [
        ("team", "no-such-team"),
        ("unit", "no-such-unit"),
        ("role", "customer"),
        ("role", "pilot"),
        ("standard", ""),
    ],
)
def test_a_batch_names_an_existing_group(target: str, value: str) -> None:
    with pytest.raises(DomainError) as error:
        batch_create(actor=trainer_user(), course=_course(), target=target, target_value=value, due_on=_in(5))

    assert error.value.code == ErrorCode.BATCH_TARGET
    assert not AssignmentBatch.objects.exists()


# New staff ----------------------------------------------------------------------------------------------


def test_new_staff_get_the_onboarding_courses_at_once_and_the_sweep_makes_no_second(
    django_capture_on_commit_callbacks: Any,
) -> None:
    onboarding = _course(is_onboarding=True, onboarding_days=20)
    _course()  # not an onboarding course
    _course(is_onboarding=True, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        newcomer = user_create(actor=None, username="xiao.new", password=None, roles=[Role.AGENT])
        user_create(actor=None, username="kehu", password=None, roles=[Role.CUSTOMER])

    assignment = Assignment.objects.get()
    assert (assignment.person, assignment.course, assignment.reason) == (
        newcomer,
        onboarding,
        Reason.ONBOARDING,
    )
    assert (assignment.source_type, assignment.source_id, assignment.due_on) == (
        "accounts.user",
        newcomer.pk,
        _in(20),
    )
    assert onboarding_sweep() == 0 and onboarding_assign(user=newcomer) == []


def test_the_sweep_assigns_recent_staff_the_listener_missed() -> None:
    # Made outside any commit hook (a factory), as an import would.
    recent = staff_member()
    old = staff_member()
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - dt.timedelta(days=90))
    course = _course(is_onboarding=True)

    assert onboarding_sweep() == 1
    assert onboarding_sweep() == 0
    assert list(Assignment.objects.values_list("person_id", "course_id")) == [(recent.pk, course.pk)]


# Mail ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(KEYS.values()))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_mail_renders_in_both_languages(key: str, language: str) -> None:
    subject, body = template_default(key, language)

    rendered = template_preview(key, subject, body)

    assert rendered.subject and "{{" not in rendered.body and "{%" not in rendered.body


def test_reminders_and_the_overdue_notice_go_out_once_each(settings: Any) -> None:
    settings.CHARTER_TRAINING_REMIND_DAYS = 3
    team = team_make()
    supervisor = supervisor_of(team)
    person = staff_member(team=team)
    course = _course()
    soon, _c = _assign(person, course, source_id=1, due_on=_in(2))
    today, _c = _assign(person, course, source_id=2, due_on=_in(0))
    late, _c = _assign(person, course, source_id=3, due_on=_in(-2), reason=Reason.QA_REVIEW)
    _assign(person, course, source_id=4, due_on=_in(10))
    done, _c = _assign(person, course, source_id=5, due_on=_in(-5), reason=Reason.QA_REVIEW)
    Assignment.objects.filter(pk=done.pk).update(status=Assignment.Status.COMPLETED)

    first = assignment_reminders_send()
    second = assignment_reminders_send()

    assert first == {"remind_before": 1, "remind_due": 1, "overdue": 1}
    assert second == {"remind_before": 0, "remind_due": 0, "overdue": 0}
    sent = OutboundMessage.objects.order_by("pk")
    assert [(m.template, m.recipient) for m in sent.exclude(template=KEYS["assigned"])] == [
        (KEYS["remind_before"], person.email),
        (KEYS["remind_due"], person.email),
        (KEYS["overdue"], supervisor.email),
    ]
    overdue = sent.get(template=KEYS["overdue"])
    assert str(person) in overdue.subject and late.due_on.isoformat() in overdue.body
    for row in (soon, today, late):
        row.refresh_from_db()
    assert soon.reminded_before_at and today.reminded_due_at and late.overdue_notified_at


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_carry_one_batch_out_once() -> None:
    team = team_make()
    members = {staff_member(team=team).pk for _ in range(30)}
    # Written directly: batch_create would carry it out on commit, before the two workers start.
    batch = AssignmentBatch.objects.create(
        course=_course(), target=AssignmentBatch.Target.TEAM, target_value=team.code, due_on=_in(5)
    )
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(batch_carry_out(batch_id=batch.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 30]
    assert set(Assignment.objects.filter(batch=batch).values_list("person_id", flat=True)) == members
    assert AuditEvent.objects.filter(action="training.batch_carry_out").count() == 1


# Pages --------------------------------------------------------------------------------------------------


def test_a_supervisor_orders_a_course_for_his_team_and_is_refused_another(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.urls import reverse

    from tests.conftest import browser_post, client_for

    team = team_make()
    supervisor = supervisor_of(team)
    member = staff_member(team=team)
    other = team_make()
    staff_member(team=other)
    course = _course()
    client = client_for(supervisor)
    url = reverse("training:batch_order")
    page = client.get(url)
    assert page.status_code == 200
    offered = page.content.decode()
    assert str(team) in offered and str(other) not in offered and 'name="unit"' not in offered
    values = {"course": course.pk, "target": "team", "due_on": _in(7).isoformat(), "note": "补训"}

    refused = browser_post(client, url, {**values, "team": other.pk})
    assert refused.status_code == 403 and not AssignmentBatch.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = browser_post(client, url, {**values, "team": team.pk})
    assert done.status_code == 302
    assert set(Assignment.objects.values_list("person_id", flat=True)) == {member.pk, supervisor.pk}
    assert f'data-testid="batch-{AssignmentBatch.objects.get().pk}"' in client.get(url).content.decode()
    assert client_for(member).get(url).status_code == 403


def test_the_waive_page_is_for_whoever_may_assign_to_the_person() -> None:
    from django.urls import reverse

    from charter.common.pages import may_open
    from tests.conftest import browser_post, client_for

    trainer = trainer_user()
    person = staff_member()
    assignment, _created = _assign(person, _course(), actor=trainer)
    url = reverse("training:assignment_waive", args=[assignment.pk])
    # A supervisor of another team may open waive pages, not this one.
    stranger = supervisor_of(team_make())

    # The page declares its rule, so a menu can ask it.
    assert may_open(trainer, "training:assignment_waive", assignment.pk)
    assert not may_open(person, "training:assignment_waive", assignment.pk)
    assert client_for(staff_member()).get(url).status_code == 403
    assert client_for(person).get(url).status_code == 403
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(trainer).get(reverse("training:assignment_waive", args=[999_999])).status_code == 404
    blank = browser_post(client_for(trainer), url, {"reason": " "})
    assert blank.status_code == 200 and "reason" in blank.context["form"].errors
    done = browser_post(client_for(trainer), url, {"reason": "已在外单位完成同等培训"})

    assert done.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.WAIVED


def test_the_batch_page_shows_its_order_and_people_to_who_may_read_it(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.urls import reverse

    from charter.training import views_assignments
    from charter.training.selectors import source_link
    from tests.conftest import client_for

    monkeypatch.setattr(views_assignments, "BATCH_PAGE_SIZE", 2)
    team = team_make()
    supervisor = supervisor_of(team)
    members = [staff_member(team=team, display_name=f"成员{index}") for index in range(2)]
    course = _course(title_zh="投诉处理流程")
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(
            actor=supervisor,
            course=course,
            target=AssignmentBatch.Target.TEAM,
            target_value=team.code,
            due_on=_in(20),
            note="新流程上线前完成",
        )
    waived = Assignment.objects.get(batch=batch, person=members[0])
    assignment_waive(actor=supervisor, assignment=waived, reason="已调岗")
    url = reverse("training:batch_detail", args=[batch.pk])

    page = client_for(supervisor).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "投诉处理流程" in html and "新流程上线前完成" in html and team.code in html
    assert 'data-testid="batch-count">3<' in html
    assert _in(20).isoformat() in html and str(supervisor) in html
    # Three people, two a page.
    assert len(page.context["page"].object_list) == 2 and page.context["page"].paginator.num_pages == 2
    second = client_for(supervisor).get(url, {"page": 2}).content.decode()
    assert second.count('data-testid="batch-person-') == 1
    statuses = {row.person_id: row.status for row in Assignment.objects.filter(batch=batch)}
    assert statuses[members[0].pk] == Assignment.Status.WAIVED

    trainer = trainer_user()
    assert client_for(trainer).get(url).status_code == 200
    # The records area links an assignment to its batch for whoever may open it.
    assert source_link(waived, trainer) == url
    # Another team's supervisor may open batch pages, not this one; a plain member none.
    assert client_for(supervisor_of(team_make())).get(url).status_code == 404
    assert client_for(members[1]).get(url).status_code == 403
    assert source_link(waived, members[1]) is None
    missing = reverse("training:batch_detail", args=[batch.pk + 1000])
    assert client_for(trainer).get(missing).status_code == 404
