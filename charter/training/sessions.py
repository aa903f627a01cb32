"""Every write of training sessions (培训场次): scheduling, enrolment within the capacity, attendance taken
by the trainer or by staff signing in with the session's code, and the hours attended.

Capacity holds under concurrent enrolment: `session_enrol` locks the session's row before counting its
enrolments, so of two people taking the last seat at once the second waits, counts the first and is
refused. Attendance credits the session's hours to each person present and then lets completion see whether
the course is complete (charter/training/completion.py).

The sign-in code is six random digits the trainer shows in the room; it is accepted only on the session's
day, from two hours before it starts to two hours after it ends, and wrong codes are throttled per person
and session (charter.common.throttle), so that guessing one million codes is not an option.
"""

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_text
from charter.common.throttle import throttle_count, throttle_hit
from charter.training.courses import TEXT_CODES, completion_evaluate_lazily
from charter.training.errors import ErrorCode
from charter.training.models import Course, Enrolment, TrainingSession
from charter.training.permissions import (
    can_assign_to,
    can_manage_courses,
    can_run_session,
    can_use_training,
)

SIGN_IN_MARGIN = dt.timedelta(hours=2)
SIGN_IN_TRIES = 5
SIGN_IN_WINDOW_SECONDS = 15 * 60
MAX_SESSION_HOURS = Decimal("99.9")
Scheduled = TrainingSession.Status.SCHEDULED


def _times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise DomainError(
            _("Enter when the session starts."), code=ErrorCode.SESSION_TIMES_INVALID, field="starts_at"
        )
    if not isinstance(ends_at, dt.datetime) or timezone.is_naive(ends_at) or ends_at <= starts_at:
        raise DomainError(
            _("The session ends after it starts."), code=ErrorCode.SESSION_TIMES_INVALID, field="ends_at"
        )
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise DomainError(
            _("A session lasts at most one day; schedule one session per day."),
            code=ErrorCode.SESSION_TIMES_INVALID,
            field="ends_at",
        )


def _capacity(capacity: object) -> int:
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 10_000:
        raise DomainError(
            _("Enter how many people the session takes (at least 1)."),
            code=ErrorCode.SESSION_CAPACITY_INVALID,
            field="capacity",
        )
    return capacity


def _hours(value: object, starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    if value is None or value == "":
        # By default the session credits its length, to the tenth of an hour.
        return (Decimal((ends_at - starts_at).total_seconds()) / 3600).quantize(Decimal("0.1"))
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        hours = Decimal(-1)
    if (
        not hours.is_finite()
        or hours < 0
        or hours > MAX_SESSION_HOURS
        or hours != hours.quantize(Decimal("0.1"))
    ):
        raise DomainError(
            _("Enter the hours credited, from 0 to 99.9, with at most one decimal place."),
            code=ErrorCode.HOURS_INVALID,
            field="hours",
        )
    return hours


def _trainer(trainer: User) -> User:
    if not can_use_training(trainer):
        raise DomainError(
            _("Choose a member of staff as the trainer."),
            code=ErrorCode.SESSION_TRAINER_INVALID,
            field="trainer",
        )
    return trainer


def _place(place: str) -> str:
    return clean_text(place, field="place", codes=TEXT_CODES, max_length=300, multiline=False)


def _data(session: TrainingSession) -> dict[str, object]:
    return {
        "course": session.course_id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "trainer": session.trainer_id,
        "capacity": session.capacity,
        "hours": session.hours,
        "place": session.place,
        "kind": session.kind,
    }


def session_create(
    *,
    actor: User,
    course: Course,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainer: User | None = None,
    capacity: int = 30,
    hours: Decimal | str | None = None,
    kind: str = TrainingSession.Kind.CLASSROOM,
    place: str = "",
) -> TrainingSession:
    """Schedule a session of `course` taught by `trainer` (the actor by default).

    Requires training.manage_course. Refused when it ends before it starts or lasts over a day, for a
    capacity under 1, a trainer who is not staff, hours outside 0–99.9 (by default its length). Audited as
    `training.session_create`.
    """
    require(can_manage_courses(actor))
    _times(starts_at, ends_at)
    capacity = _capacity(capacity)
    credited = _hours(hours, starts_at, ends_at)
    trainer = _trainer(trainer or actor)
    place = _place(place)
    if kind not in TrainingSession.Kind.values:
        kind = TrainingSession.Kind.CLASSROOM
    with transaction.atomic():
        session = TrainingSession.objects.create(
            course=course,
            starts_at=starts_at,
            ends_at=ends_at,
            trainer=trainer,
            capacity=capacity,
            hours=credited,
            kind=kind,
            place=place,
        )
        audit_record(actor=actor, action="training.session_create", target=session, data=_data(session))
    return session


def _lock(session: TrainingSession) -> TrainingSession:
    return TrainingSession.objects.select_for_update().select_related("course").get(pk=session.pk)


def session_update(
    *,
    actor: User,
    session: TrainingSession,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainer: User | None = None,
    capacity: int = 30,
    hours: Decimal | str | None = None,
    kind: str = TrainingSession.Kind.CLASSROOM,
    place: str = "",
) -> TrainingSession:
    """Change a scheduled session (same rules as `session_create`); the capacity never drops below the people
    already enrolled. Requires being its trainer or holding training.manage_course; only those may hand it
    to another trainer. Audited as `training.session_update` with the values before and after."""
    require(can_run_session(actor, session))
    _times(starts_at, ends_at)
    capacity = _capacity(capacity)
    credited = _hours(hours, starts_at, ends_at)
    place = _place(place)
    if kind not in TrainingSession.Kind.values:
        kind = TrainingSession.Kind.CLASSROOM
    with transaction.atomic():
        session = _lock(session)
        if session.status != Scheduled:
            raise DomainError(
                _("Only a scheduled session can be changed."), code=ErrorCode.SESSION_CLOSED, field="status"
            )
        new_trainer = session.trainer
        if trainer is not None and trainer.pk != session.trainer_id:
            require(can_manage_courses(actor))
            new_trainer = _trainer(trainer)
        enrolled = session.enrolments.count()
        if capacity < enrolled:
            raise DomainError(
                _("%(count)d people are enrolled already; the capacity cannot be lower.")
                % {"count": enrolled},
                code=ErrorCode.SESSION_CAPACITY_INVALID,
                field="capacity",
            )
        before = _data(session)
        session.starts_at, session.ends_at = starts_at, ends_at
        session.trainer, session.capacity, session.hours = new_trainer, capacity, credited
        session.kind, session.place = kind, place
        session.save()
        audit_record(
            actor=actor,
            action="training.session_update",
            target=session,
            data={"before": before, "after": _data(session)},
        )
    return session


def session_cancel(*, actor: User, session: TrainingSession) -> TrainingSession:
    """Cancel a scheduled session on which no attendance was taken; its enrolments stay as a record.
    Requires being its trainer or holding training.manage_course. Audited as `training.session_cancel`."""
    require(can_run_session(actor, session))
    with transaction.atomic():
        session = _lock(session)
        if session.status != Scheduled or session.enrolments.exclude(attendance="").exists():
            raise DomainError(
                _("Only a scheduled session without attendance can be cancelled."),
                code=ErrorCode.SESSION_CLOSED,
                field="status",
            )
        session.status = TrainingSession.Status.CANCELLED
        session.sign_in_code = ""
        session.save(update_fields=["status", "sign_in_code", "updated_at"])
        audit_record(
            actor=actor,
            action="training.session_cancel",
            target=session,
            data={"enrolled": session.enrolments.count()},
        )
    return session


# Enrolment ----------------------------------------------------------------------------------------------


def _require_enroller(actor: User, person: User) -> None:
    if person.pk == actor.pk:
        require(can_use_training(actor))
    else:
        require(can_assign_to(actor, person))


def session_enrol(*, actor: User, session: TrainingSession, person: User | None = None) -> Enrolment:
    """Enrol `person` (the actor himself by default) in a scheduled session that has not ended yet.

    Somebody else is enrolled only by whoever may assign him courses (his supervisor, a trainer). The
    session's row is locked while the places are counted, so two people never both take the last seat
    (training_session_full). Refused twice for one person (training_already_enrolled) and for a course no
    longer offered. Audited as `training.session_enrol`.
    """
    person = person or actor
    _require_enroller(actor, person)
    if not can_use_training(person):
        raise DomainError(_("Only staff take training."), code=ErrorCode.STAFF_ONLY, field="person")
    with transaction.atomic():
        session = _lock(session)
        if session.status != Scheduled or session.ends_at <= timezone.now() or not session.course.is_active:
            raise DomainError(
                _("This session no longer takes enrolments."), code=ErrorCode.SESSION_CLOSED, field="session"
            )
        if session.enrolments.filter(person=person).exists():
            raise DomainError(
                _("Already enrolled in this session."), code=ErrorCode.ALREADY_ENROLLED, field="person"
            )
        if session.enrolments.count() >= session.capacity:
            raise DomainError(_("This session is full."), code=ErrorCode.SESSION_FULL, field="session")
        enrolment = Enrolment.objects.create(session=session, person=person)
        audit_record(
            actor=actor,
            action="training.session_enrol",
            target=session,
            data={"person": person.pk, "by_other": person.pk != actor.pk},
        )
    return enrolment


def session_unenrol(*, actor: User, session: TrainingSession, person: User | None = None) -> None:
    """Withdraw `person` (the actor by default) from a session before attendance is taken for him. Allowed
    to himself, to whoever may assign him courses and to the session's trainer. Audited as
    `training.session_unenrol`."""
    person = person or actor
    if person.pk != actor.pk and not can_run_session(actor, session):
        require(can_assign_to(actor, person))
    else:
        require(can_use_training(actor))
    with transaction.atomic():
        session = _lock(session)
        enrolment = session.enrolments.filter(person=person).first()
        if enrolment is None:
            raise DomainError(_("Not enrolled in this session."), code=ErrorCode.NOT_ENROLLED, field="person")
        if enrolment.attendance:
            raise DomainError(
                _("Attendance was taken already; the enrolment stays."),
                code=ErrorCode.ATTENDANCE_TAKEN,
                field="person",
            )
        enrolment.delete()
        audit_record(
            actor=actor,
            action="training.session_unenrol",
            target=session,
            data={"person": person.pk, "by_other": person.pk != actor.pk},
        )


# Attendance ---------------------------------------------------------------------------------------------


def _attendance_open(session: TrainingSession, now: dt.datetime) -> bool:
    return session.status != TrainingSession.Status.CANCELLED and now >= session.starts_at - SIGN_IN_MARGIN


def attendance_take(*, actor: User, session: TrainingSession, marks: Mapping[int, str]) -> list[Enrolment]:
    """Record who of the enrolled people was present or absent (`marks`: person id → "present"/"absent").

    Only the session's trainer or a holder of training.manage_course; not before two hours before it
    starts, never on a cancelled session. A person present is credited the session's hours, one absent
    none; a mark may be corrected. The session counts as held. Completion is evaluated for each person
    newly present. Audited as `training.session_attendance`.
    """
    require(can_run_session(actor, session))
    now = timezone.now()
    valid = {Enrolment.Attendance.PRESENT, Enrolment.Attendance.ABSENT}
    if any(mark not in valid for mark in marks.values()):
        raise DomainError(
            _("Mark each person present or absent."), code=ErrorCode.ATTENDANCE_INVALID, field="marks"
        )
    with transaction.atomic():
        session = _lock(session)
        if not _attendance_open(session, now):
            raise DomainError(
                _("Attendance is taken from two hours before the session starts, never for a cancelled one."),
                code=ErrorCode.SESSION_CLOSED,
                field="marks",
            )
        enrolments = {
            enrolment.person_id: enrolment
            for enrolment in session.enrolments.select_for_update().select_related("person")
        }
        if not set(marks) <= set(enrolments):
            raise DomainError(
                _("Attendance is taken for enrolled people only."),
                code=ErrorCode.NOT_ENROLLED,
                field="marks",
            )
        changed: list[Enrolment] = []
        newly_present: list[User] = []
        for person_id, mark in marks.items():
            enrolment = enrolments[person_id]
            if enrolment.attendance == mark and enrolment.attendance_by_id is not None:
                continue
            if mark == Enrolment.Attendance.PRESENT and enrolment.attendance != mark:
                newly_present.append(enrolment.person)
            enrolment.attendance = mark
            enrolment.attendance_at = now
            enrolment.attendance_by = actor
            enrolment.hours = session.hours if mark == Enrolment.Attendance.PRESENT else Decimal("0")
            enrolment.save(update_fields=["attendance", "attendance_at", "attendance_by", "hours"])
            changed.append(enrolment)
        if session.status == Scheduled:
            session.status = TrainingSession.Status.HELD
            session.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="training.session_attendance",
            target=session,
            data={"marks": {str(enrolment.person_id): enrolment.attendance for enrolment in changed}},
        )
        for person in newly_present:
            completion_evaluate_lazily(person=person, course=session.course)
    return changed


def _sign_in_window(session: TrainingSession) -> tuple[dt.datetime, dt.datetime]:
    """From two hours before the start to two hours after the end, within the session's day(s) (local)."""
    zone = timezone.get_default_timezone()
    first_day = timezone.localtime(session.starts_at, zone).date()
    last_day = timezone.localtime(session.ends_at, zone).date()
    day_start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min), zone)
    day_end = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min), zone)
    return max(session.starts_at - SIGN_IN_MARGIN, day_start), min(session.ends_at + SIGN_IN_MARGIN, day_end)


def sign_in_open(session: TrainingSession, *, at: dt.datetime | None = None) -> bool:
    """True when staff may sign in to `session` now (or `at`)."""
    at = at or timezone.now()
    opens, closes = _sign_in_window(session)
    return session.status != TrainingSession.Status.CANCELLED and opens <= at < closes


def session_sign_in_code_issue(*, actor: User, session: TrainingSession) -> str:
    """Issue a new random six-digit sign-in code for the trainer to show in the room (replacing any earlier
    one) and return it. Allowed to the session's trainer or a holder of training.manage_course, for a
    session not cancelled that has not closed yet. Audited as `training.session_code_issue` (without the
    code)."""
    require(can_run_session(actor, session))
    with transaction.atomic():
        session = _lock(session)
        _opens, closes = _sign_in_window(session)
        if session.status == TrainingSession.Status.CANCELLED or timezone.now() >= closes:
            raise DomainError(
                _("Signing in to this session is closed."), code=ErrorCode.SIGN_IN_CLOSED, field="session"
            )
        session.sign_in_code = f"{secrets.randbelow(1_000_000):06d}"
        session.save(update_fields=["sign_in_code", "updated_at"])
        audit_record(actor=actor, action="training.session_code_issue", target=session, data={})
    return session.sign_in_code


def _throttle_key(actor: User, session: TrainingSession) -> str:
    return f"training:sign-in:{session.pk}:{actor.pk}"


def session_sign_in(*, actor: User, session: TrainingSession, code: str) -> Enrolment:
    """Sign `actor` in as present with the code the trainer shows: he must be enrolled, the code right and
    the session within its sign-in window (its day, two hours either side), and the trainer must not have
    marked him absent already (his mark stands). Five wrong codes within 15
    minutes lock him out of that session's sign-in for the rest of that time. Credits the session's hours
    and evaluates completion. Audited as `training.session_sign_in`."""
    require(can_use_training(actor))
    key = _throttle_key(actor, session)
    if throttle_count(key) >= SIGN_IN_TRIES:
        raise DomainError(
            _("Too many wrong codes; ask the trainer to mark you present, or try again in 15 minutes."),
            code=ErrorCode.SIGN_IN_THROTTLED,
            field="code",
        )
    entered = "".join(str(code or "").split())
    with transaction.atomic():
        session = _lock(session)
        enrolment = session.enrolments.select_for_update().filter(person=actor).first()
        if enrolment is None:
            raise DomainError(
                _("You are not enrolled in this session; ask the trainer to enrol you."),
                code=ErrorCode.NOT_ENROLLED,
                field="code",
            )
        if not sign_in_open(session) or not session.sign_in_code:
            raise DomainError(
                _("Signing in to this session is not open now."), code=ErrorCode.SIGN_IN_CLOSED, field="code"
            )
        if enrolment.attendance == Enrolment.Attendance.ABSENT:
            # The trainer's mark stands: a code passed on by a colleague must not turn an absence he saw
            # into hours and a completion. Only the trainer may correct it on the attendance sheet.
            raise DomainError(
                _("The trainer has marked you absent from this session; ask him to correct the attendance."),
                code=ErrorCode.SIGN_IN_MARKED_ABSENT,
                field="code",
            )
        if not secrets.compare_digest(entered.encode(), session.sign_in_code.encode()):
            throttle_hit(key, window_seconds=SIGN_IN_WINDOW_SECONDS)
            raise DomainError(
                _("This code is wrong; check the code the trainer shows."),
                code=ErrorCode.SIGN_IN_CODE_WRONG,
                field="code",
            )
        if enrolment.attendance == Enrolment.Attendance.PRESENT:
            return enrolment
        enrolment.attendance = Enrolment.Attendance.PRESENT
        enrolment.attendance_at = timezone.now()
        enrolment.attendance_by = None
        enrolment.hours = session.hours
        enrolment.save(update_fields=["attendance", "attendance_at", "attendance_by", "hours"])
        audit_record(
            actor=actor, action="training.session_sign_in", target=session, data={"person": actor.pk}
        )
        completion_evaluate_lazily(person=actor, course=session.course)
    return enrolment


def attended_since(*, person_id: int, course_id: int, since: dt.datetime | None) -> Decimal | None:
    """The hours the person was credited for sessions of the course ending at or after `since` (any, when
    None) at which he was present; None when he attended none."""
    present = Enrolment.objects.filter(
        person_id=person_id, session__course_id=course_id, attendance=Enrolment.Attendance.PRESENT
    ).exclude(session__status=TrainingSession.Status.CANCELLED)
    if since is not None:
        present = present.filter(session__ends_at__gte=since)
    if not present.exists():
        return None
    total: Decimal | None = present.aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")


def session_seats_left(session: TrainingSession) -> int:
    """How many more people the session takes."""
    return max(session.capacity - session.enrolments.count(), 0)


def can_sign_in_now(user: AnyUser, session: TrainingSession) -> bool:
    """Whether the page offers `user` the sign-in form: enrolled, not yet present, within the window."""
    return (
        sign_in_open(session)
        and bool(session.sign_in_code)
        and session.enrolments.filter(person_id=getattr(user, "pk", None))
        .exclude(attendance=Enrolment.Attendance.PRESENT)
        .exists()
    )
