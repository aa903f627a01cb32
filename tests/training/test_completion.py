"""Completing a course: the published version's requirements met since the earliest open assignment make one
completion crediting the version's hours, close every open assignment of the course with the certificate,
and a second evaluation changes nothing; work done before a renewal assignment does not count for it."""

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.training.assignments import assignment_create
from charter.training.completion import completion_evaluate
from charter.training.models import (
    Assignment,
    Certificate,
    Completion,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonProgress,
)
from tests.training.factories import published_course, session_make, staff_member, trainer_user

pytestmark = pytest.mark.django_db


def read_all(person: User, version: CourseVersion, at: dt.datetime | None = None) -> None:
    """Mark every lesson of `version` finished by `person` (the row the courses area writes)."""
    for lesson in Lesson.objects.filter(version=version):
        LessonProgress.objects.update_or_create(
            person=person, lesson=lesson, defaults={"completed_at": at or timezone.now()}
        )


def assign(person: User, version: CourseVersion, source_id: int = 1, **extra: Any) -> Assignment:
    values: dict[str, Any] = {
        "due_on": timezone.localdate() + dt.timedelta(days=14),
        "reason": Assignment.Reason.ORDERED,
        "source_type": "training.batch",
        "source_id": source_id,
    }
    values.update(extra)
    assignment, _created = assignment_create(actor=None, person=person, course=version.course, **values)
    return assignment


def test_nothing_is_complete_until_every_lesson_is_read() -> None:
    version = published_course(lessons=2, hours=Decimal("2.5"))
    person = staff_member()
    first = Lesson.objects.filter(version=version).first()
    assert first is not None
    LessonProgress.objects.create(person=person, lesson=first, completed_at=timezone.now())

    assert completion_evaluate(person=person, course=version.course) is None
    assert not Completion.objects.exists()


def test_completion_credits_the_version_hours_and_closes_every_open_assignment() -> None:
    version = published_course(lessons=2, hours=Decimal("2.5"), issues_certificate=True)
    person = staff_member()
    first, second = assign(person, version, 1), assign(person, version, 2)
    read_all(person, version)

    completion = completion_evaluate(person=person, course=version.course)

    assert completion is not None and completion.hours == Decimal("2.5")
    certificate = Certificate.objects.get(completion=completion)
    for assignment in (first, second):
        assignment.refresh_from_db()
        assert assignment.status == Assignment.Status.COMPLETED
        assert assignment.completed_at == completion.completed_at
        assert assignment.certificate == certificate
    assert AuditEvent.objects.filter(action="training.complete").count() == 1


def test_evaluating_twice_completes_once() -> None:
    version = published_course(lessons=1, issues_certificate=True)
    person = staff_member()
    assign(person, version)
    read_all(person, version)

    first = completion_evaluate(person=person, course=version.course)
    second = completion_evaluate(person=person, course=version.course)

    assert first is not None and second == first
    assert Completion.objects.filter(person=person).count() == 1
    assert Certificate.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(action="training.complete").count() == 1


def test_work_done_before_an_open_assignment_does_not_count_for_it() -> None:
    version = published_course(lessons=1)
    person = staff_member()
    read_all(person, version, at=timezone.now() - dt.timedelta(days=30))
    assignment = assign(person, version, reason=Assignment.Reason.RENEWAL, source_type="training.certificate")

    assert completion_evaluate(person=person, course=version.course) is None

    read_all(person, version)  # read again after the assignment
    completion = completion_evaluate(person=person, course=version.course)
    assert completion is not None
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.COMPLETED


def test_after_the_certificate_expires_doing_the_course_again_renews_it() -> None:
    version = published_course(lessons=1, issues_certificate=True, certificate_valid_days=30)
    person = staff_member()
    start = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start):
        read_all(person, version)
        first = completion_evaluate(person=person, course=version.course)
    assert first is not None
    old = Certificate.objects.get(completion=first)
    assert old.expires_on is not None

    lapsed = start + dt.timedelta(days=60)
    with time_machine.travel(lapsed):
        # The old work does not count again: nothing changes until the course is done again.
        assert completion_evaluate(person=person, course=version.course) is None
        read_all(person, version)
        renewed = completion_evaluate(person=person, course=version.course)
        again = completion_evaluate(person=person, course=version.course)

    assert renewed is not None and renewed.pk != first.pk and again == renewed
    new = Certificate.objects.get(completion=renewed)
    assert new.renews == old and new.expires_on is not None and new.expires_on > old.expires_on
    assert Completion.objects.filter(person=person).count() == 2


def test_while_the_certificate_is_valid_the_old_completion_stands() -> None:
    version = published_course(lessons=1, issues_certificate=True, certificate_valid_days=30)
    person = staff_member()
    read_all(person, version)
    first = completion_evaluate(person=person, course=version.course)
    read_all(person, version)

    assert completion_evaluate(person=person, course=version.course) == first
    assert Certificate.objects.filter(person=person).count() == 1


def test_after_the_certificate_is_revoked_doing_the_course_again_issues_a_new_one() -> None:
    version = published_course(lessons=1, issues_certificate=True)
    person = staff_member()
    start = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start):
        read_all(person, version)
        first = completion_evaluate(person=person, course=version.course)
    assert first is not None
    Certificate.objects.filter(completion=first).update(revoked_at=start + dt.timedelta(days=1))

    with time_machine.travel(start + dt.timedelta(days=2)):
        assert completion_evaluate(person=person, course=version.course) is None
        read_all(person, version)
        renewed = completion_evaluate(person=person, course=version.course)

    assert renewed is not None and renewed.pk != first.pk
    assert Certificate.objects.filter(person=person, revoked_at__isnull=True).count() == 1


def test_attendance_and_quiz_requirements_are_asked() -> None:
    version = published_course(lessons=0, requires_lessons=False, requires_attendance=True)
    person = staff_member()
    trainer = trainer_user()
    session = session_make(
        course=version.course, trainer=trainer, starts_at=timezone.now() - dt.timedelta(hours=3)
    )
    enrolment = Enrolment.objects.create(session=session, person=person)

    assert completion_evaluate(person=person, course=version.course) is None

    enrolment.attendance = Enrolment.Attendance.PRESENT
    enrolment.attendance_at = timezone.now()
    enrolment.hours = session.hours
    enrolment.save()
    assert completion_evaluate(person=person, course=version.course) is not None


def test_a_course_without_a_published_version_is_never_complete() -> None:
    version = published_course(lessons=1)
    person = staff_member()
    read_all(person, version)
    CourseVersion.objects.filter(pk=version.pk).update(status="superseded")

    assert completion_evaluate(person=person, course=version.course) is None


def test_completion_is_stamped_at_the_given_time() -> None:
    version = published_course(lessons=1)
    person = staff_member()
    read_all(person, version)
    at = timezone.now().replace(microsecond=0)
    with time_machine.travel(at, tick=False):
        completion = completion_evaluate(person=person, course=version.course, at=at)

    assert completion is not None and completion.completed_at == at


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` in threads that start together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                results[index] = call()
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_steps_finishing_together_complete_once_with_one_certificate() -> None:
    version = published_course(lessons=1, issues_certificate=True, certificate_valid_days=365)
    people = [staff_member() for _ in range(2)]
    for person in people:
        assign(person, version)
        read_all(person, version)

    results = _race(*[lambda p=p: completion_evaluate(person=p, course=version.course) for p in people * 2])

    assert all(isinstance(result, Completion) for result in results), results
    assert Completion.objects.count() == 2
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == 2 and len(set(numbers)) == 2
