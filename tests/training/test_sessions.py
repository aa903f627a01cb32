"""Training sessions: scheduling, enrolment within the capacity (also under concurrency), attendance by the
trainer, the sign-in code and the hours attended (charter/training/sessions.py)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.training.errors import ErrorCode
from charter.training.models import Enrolment, TrainingSession
from charter.training.sessions import (
    attendance_take,
    attended_since,
    session_cancel,
    session_create,
    session_enrol,
    session_sign_in,
    session_sign_in_code_issue,
    session_unenrol,
    session_update,
)
from tests.training.factories import (
    published_course,
    session_make,
    staff_member,
    supervisor_of,
    team_make,
    trainer_user,
)

pytestmark = pytest.mark.django_db
ZONE = dt.timezone(dt.timedelta(hours=8))  # the settings' Asia/Shanghai, without daylight saving


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


@pytest.fixture
def trainer() -> User:
    return trainer_user()


@pytest.fixture
def session(trainer: User) -> TrainingSession:
    version = published_course(lessons=1)
    day = timezone.localdate() + dt.timedelta(days=2)
    return session_make(course=version.course, trainer=trainer, starts_at=_at(day, 9), hours=2, capacity=2)


def test_create_and_update_session(trainer: User) -> None:
    course = published_course(lessons=1).course
    day = timezone.localdate() + dt.timedelta(days=3)
    session = session_create(
        actor=trainer, course=course, starts_at=_at(day, 9), ends_at=_at(day, 11, 30), place="三楼培训室"
    )

    assert (session.trainer, session.hours, session.capacity) == (trainer, Decimal("2.5"), 30)
    session_update(actor=trainer, session=session, starts_at=_at(day, 14), ends_at=_at(day, 16), capacity=12)
    session.refresh_from_db()
    assert (session.starts_at, session.capacity, session.hours) == (_at(day, 14), 12, Decimal("2.0"))
    assert AuditEvent.objects.filter(action="training.session_update").exists()


@pytest.mark.parametrize(
    ("hours_after", "capacity", "field"),
    [(-1, 10, "ends_at"), (0, 10, "ends_at"), (2, 0, "capacity")],
)
def test_session_refusals(trainer: User, hours_after: int, capacity: int, field: str) -> None:
    course = published_course(lessons=1).course
    starts = _at(timezone.localdate() + dt.timedelta(days=3), 9)
    with pytest.raises(DomainError) as refused:
        session_create(
            actor=trainer,
            course=course,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours_after),
            capacity=capacity,
        )

    assert refused.value.field == field
    assert not TrainingSession.objects.exists()


def test_staff_may_not_schedule_sessions() -> None:
    course = published_course(lessons=1).course
    starts = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(PermissionDeniedError):
        session_create(
            actor=staff_member(), course=course, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )


def test_enrol_self_until_full(session: TrainingSession) -> None:
    team = team_make()
    first, second, third = (staff_member(team=team) for _ in range(3))
    session_enrol(actor=first, session=session)
    with pytest.raises(DomainError) as twice:
        session_enrol(actor=first, session=session)
    assert twice.value.code == ErrorCode.ALREADY_ENROLLED
    session_enrol(actor=second, session=session)

    with pytest.raises(DomainError) as full:
        session_enrol(actor=third, session=session)

    assert full.value.code == ErrorCode.SESSION_FULL
    assert session.enrolments.count() == 2
    session_unenrol(actor=second, session=session)
    session_enrol(actor=third, session=session)
    assert set(session.enrolments.values_list("person_id", flat=True)) == {first.pk, third.pk}


def test_supervisor_enrols_his_team_only(session: TrainingSession) -> None:
    team = team_make()
    member = staff_member(team=team)
    supervisor = supervisor_of(team)
    outsider = staff_member()

    session_enrol(actor=supervisor, session=session, person=member)
    with pytest.raises(PermissionDeniedError):
        session_enrol(actor=supervisor, session=session, person=outsider)
    with pytest.raises(PermissionDeniedError):
        session_enrol(actor=member, session=session, person=outsider)
    assert list(session.enrolments.values_list("person_id", flat=True)) == [member.pk]


def test_cancelled_or_past_session_takes_no_enrolment(trainer: User, session: TrainingSession) -> None:
    person = staff_member()
    session_cancel(actor=trainer, session=session)
    with pytest.raises(DomainError) as refused:
        session_enrol(actor=person, session=session)
    assert refused.value.code == ErrorCode.SESSION_CLOSED

    past = session_make(
        course=session.course, trainer=trainer, starts_at=timezone.now() - dt.timedelta(days=1)
    )
    with pytest.raises(DomainError):
        session_enrol(actor=person, session=past)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_taking_the_last_seat_at_once_one_is_refused(trainer: User) -> None:
    version = published_course(lessons=1)
    session = session_make(
        course=version.course, trainer=trainer, starts_at=timezone.now() + dt.timedelta(days=1), capacity=1
    )
    team = team_make()
    people = [staff_member(team=team), staff_member(team=team)]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = session_enrol(
                actor=people[index], session=TrainingSession.objects.get(pk=session.pk)
            )
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refusals = [result for result in results if isinstance(result, DomainError)]
    assert len(refusals) == 1 and refusals[0].code == ErrorCode.SESSION_FULL, results
    assert Enrolment.objects.filter(session=session).count() == 1


def test_attendance_by_the_trainer_credits_hours(trainer: User, session: TrainingSession) -> None:
    team = team_make()
    present, absent = staff_member(team=team), staff_member(team=team)
    for person in (present, absent):
        session_enrol(actor=person, session=session)

    with time_machine.travel(session.starts_at + dt.timedelta(minutes=30)):
        attendance_take(actor=trainer, session=session, marks={present.pk: "present", absent.pk: "absent"})

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD
    assert Enrolment.objects.get(person=present).hours == Decimal("2.0")
    assert Enrolment.objects.get(person=absent).hours == Decimal("0")
    assert attended_since(person_id=present.pk, course_id=session.course_id, since=None) == Decimal("2.0")
    assert attended_since(person_id=absent.pk, course_id=session.course_id, since=None) is None
    assert (
        attended_since(
            person_id=present.pk, course_id=session.course_id, since=session.ends_at + dt.timedelta(hours=1)
        )
        is None
    )
    with pytest.raises(DomainError) as taken:
        session_unenrol(actor=present, session=session)
    assert taken.value.code == ErrorCode.ATTENDANCE_TAKEN


def test_attendance_by_anyone_but_the_trainer_refused(session: TrainingSession) -> None:
    team = team_make()
    person = staff_member(team=team)
    supervisor = supervisor_of(team)
    session_enrol(actor=person, session=session)

    with time_machine.travel(session.starts_at + dt.timedelta(minutes=30)):
        for intruder in (person, supervisor):
            with pytest.raises(PermissionDeniedError):
                attendance_take(actor=intruder, session=session, marks={person.pk: "present"})

    assert Enrolment.objects.get().attendance == ""


def test_attendance_refused_for_people_not_enrolled_and_before_the_session(
    trainer: User, session: TrainingSession
) -> None:
    person = staff_member()
    session_enrol(actor=person, session=session)
    with pytest.raises(DomainError) as early:
        attendance_take(actor=trainer, session=session, marks={person.pk: "present"})
    assert early.value.code == ErrorCode.SESSION_CLOSED

    with time_machine.travel(session.starts_at):
        with pytest.raises(DomainError) as stranger:
            attendance_take(actor=trainer, session=session, marks={staff_member().pk: "present"})
        assert stranger.value.code == ErrorCode.NOT_ENROLLED
        with pytest.raises(DomainError) as bad:
            attendance_take(actor=trainer, session=session, marks={person.pk: "late"})
        assert bad.value.code == ErrorCode.ATTENDANCE_INVALID


def test_sign_in_with_the_right_code_in_the_window(trainer: User, session: TrainingSession) -> None:
    person = staff_member()
    session_enrol(actor=person, session=session)

    with time_machine.travel(session.starts_at - dt.timedelta(minutes=10)):
        code = session_sign_in_code_issue(actor=trainer, session=session)
        assert len(code) == 6 and code.isdigit()
        wrong = "000000" if code != "000000" else "111111"
        with pytest.raises(DomainError) as refused:
            session_sign_in(actor=person, session=session, code=wrong)
        assert (refused.value.code, refused.value.field) == (ErrorCode.SIGN_IN_CODE_WRONG, "code")

        enrolment = session_sign_in(actor=person, session=session, code=f" {code} ")

    assert enrolment.attendance == "present" and enrolment.attendance_by is None
    assert enrolment.hours == Decimal("2.0")
    assert attended_since(person_id=person.pk, course_id=session.course_id, since=None) == Decimal("2.0")


def test_sign_in_outside_the_window_refused(trainer: User, session: TrainingSession) -> None:
    person = staff_member()
    session_enrol(actor=person, session=session)
    with time_machine.travel(session.starts_at - dt.timedelta(hours=1)):
        code = session_sign_in_code_issue(actor=trainer, session=session)

    for moment in (
        session.starts_at - dt.timedelta(hours=3),
        session.ends_at + dt.timedelta(hours=2, minutes=1),
    ):
        with time_machine.travel(moment), pytest.raises(DomainError) as refused:
            session_sign_in(actor=person, session=session, code=code)
        assert refused.value.code == ErrorCode.SIGN_IN_CLOSED
    assert Enrolment.objects.get().attendance == ""


def test_sign_in_needs_an_enrolment_and_is_throttled(trainer: User, session: TrainingSession) -> None:
    person, stranger = staff_member(), staff_member()
    session_enrol(actor=person, session=session)
    with time_machine.travel(session.starts_at):
        code = session_sign_in_code_issue(actor=trainer, session=session)
        with pytest.raises(DomainError) as not_enrolled:
            session_sign_in(actor=stranger, session=session, code=code)
        assert not_enrolled.value.code == ErrorCode.NOT_ENROLLED

        wrong = "000000" if code != "000000" else "111111"
        for _try in range(5):
            with pytest.raises(DomainError):
                session_sign_in(actor=person, session=session, code=wrong)
        with pytest.raises(DomainError) as throttled:
            session_sign_in(actor=person, session=session, code=code)

    assert throttled.value.code == ErrorCode.SIGN_IN_THROTTLED
    assert Enrolment.objects.get(person=person).attendance == ""


def test_sign_in_does_not_override_the_trainers_absent_mark(trainer: User, session: TrainingSession) -> None:
    person = staff_member()
    session_enrol(actor=person, session=session)
    with time_machine.travel(session.starts_at + dt.timedelta(minutes=30)):
        code = session_sign_in_code_issue(actor=trainer, session=session)
        attendance_take(actor=trainer, session=session, marks={person.pk: "absent"})
        with pytest.raises(DomainError) as refused:
            session_sign_in(actor=person, session=session, code=code)

    assert (refused.value.code, refused.value.field) == (ErrorCode.SIGN_IN_MARKED_ABSENT, "code")
    enrolment = Enrolment.objects.get(person=person)
    assert enrolment.attendance == "absent" and not enrolment.hours
    assert attended_since(person_id=person.pk, course_id=session.course_id, since=None) is None


def test_code_issue_only_by_the_trainer(session: TrainingSession) -> None:
    with pytest.raises(PermissionDeniedError):
        session_sign_in_code_issue(actor=staff_member(), session=session)
    session.refresh_from_db()
    assert session.sign_in_code == ""


def test_attendance_completes_a_course_requiring_only_attendance(trainer: User) -> None:
    from charter.training.models import Completion

    version = published_course(lessons=1, requires_lessons=False, requires_attendance=True)
    day = timezone.localdate() + dt.timedelta(days=1)
    session = session_make(course=version.course, trainer=trainer, starts_at=_at(day, 9))
    person = staff_member()
    session_enrol(actor=person, session=session)

    with time_machine.travel(session.starts_at + dt.timedelta(minutes=10)):
        attendance_take(actor=trainer, session=session, marks={person.pk: "present"})

    assert Completion.objects.get(person=person).version == version
