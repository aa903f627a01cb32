"""Rows of the training records tests, written directly (assignments, completions, certificates,
attendance), so the records' reads are tested apart from the services that will write them."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from charter.accounts.models import User
from charter.training.models import (
    Assignment,
    Certificate,
    Completion,
    Course,
    CourseVersion,
    Enrolment,
    TrainingSession,
)

_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`hour` o'clock of `day` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def assignment_make(
    *,
    person: User,
    course: Course,
    due_on: dt.date,
    status: str = Assignment.Status.OPEN,
    reason: str = Assignment.Reason.ORDERED,
    source_type: str = "training.batch",
    source_id: int | None = None,
    completed_at: dt.datetime | None = None,
) -> Assignment:
    return Assignment.objects.create(
        person=person,
        course=course,
        due_on=due_on,
        status=status,
        reason=reason,
        source_type=source_type,
        source_id=source_id if source_id is not None else next(_numbers),
        completed_at=completed_at,
    )


def completion_make(
    *, person: User, version: CourseVersion, completed_at: dt.datetime, hours: str = "1.0"
) -> Completion:
    return Completion.objects.create(
        person=person, version=version, course=version.course, completed_at=completed_at, hours=Decimal(hours)
    )


def certificate_make(
    *,
    completion: Completion,
    issued_on: dt.date,
    expires_on: dt.date | None,
    revoked_at: dt.datetime | None = None,
) -> Certificate:
    number = next(_numbers)
    return Certificate.objects.create(
        number=f"TC-{issued_on.year}-{number:06d}",
        person=completion.person,
        holder_name=str(completion.person),
        course=completion.course,
        version=completion.version,
        completion=completion,
        issued_on=issued_on,
        expires_on=expires_on,
        verification_code=f"code{number:08d}",
        revoked_at=revoked_at,
    )


def attended(*, session: TrainingSession, person: User, hours: str = "0") -> Enrolment:
    return Enrolment.objects.create(
        session=session,
        person=person,
        attendance=Enrolment.Attendance.PRESENT,
        attendance_at=session.ends_at,
        hours=Decimal(hours),
    )


def indicator_training_rows(person: User, *, due_on: dt.date, completed_at: dt.datetime) -> None:
    """Training rows for the assessment indicators' shared tests: an assignment due on `due_on` completed
    at `completed_at`, a waived one, and a qualification-granting course assigned with a certificate that
    never expires."""
    from charter.accounts.models import Qualification
    from tests.training.factories import published_course

    version = published_course()
    assignment_make(
        person=person,
        course=version.course,
        due_on=due_on,
        status=Assignment.Status.COMPLETED,
        completed_at=completed_at,
    )
    assignment_make(person=person, course=version.course, due_on=due_on, status=Assignment.Status.WAIVED)
    qualification, _created = Qualification.objects.get_or_create(
        code="hotline", defaults={"name_zh": "热线坐席"}
    )
    qualified = published_course(qualification=qualification, issues_certificate=True)
    assignment_make(
        person=person,
        course=qualified.course,
        due_on=due_on,
        status=Assignment.Status.COMPLETED,
        completed_at=completed_at,
    )
    Assignment.objects.filter(person=person).update(created_at=completed_at - dt.timedelta(days=20))
    completion = completion_make(person=person, version=qualified, completed_at=completed_at)
    certificate_make(completion=completion, issued_on=completed_at.date(), expires_on=None)
