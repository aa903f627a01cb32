"""Assigning courses: one person at a time (`assignment_create`, the one door every source goes through), a
group at a time (`batch_create` then `batch_carry_out` in the worker), new staff (`onboarding_assign`), and
letting somebody off (`assignment_waive`).

An assignment is one row per person, course and source (a batch, a standard version, a QA review, a
violation, a plan, a certificate, the person's own account for onboarding): a signal handled twice, a batch
run on two workers or a sweep run again assigns once. A batch of thousands is carried out in the worker in a
few statements (one read of who already has it, bulk inserts, one audit event for the whole batch) and mails
its people from the worker too, never from the request.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import OrgUnit, Team, TeamMembership, User
from charter.accounts.roles import STAFF_ROLES
from charter.accounts.selectors import led_team_ids, org_unit_subtree, staff_list
from charter.audit.services import audit_record
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.policy import holds, require
from charter.common.text import TextCodes, clean_text
from charter.common.versioning import VersionStatus
from charter.training.errors import ErrorCode
from charter.training.models import Assignment, AssignmentBatch, Course, CourseVersion
from charter.training.permissions import can_assign_courses, can_assign_to, can_waive_assignment

logger = logging.getLogger(__name__)

Reason = Assignment.Reason
Target = AssignmentBatch.Target
TEXT_CODES = TextCodes(too_long=ErrorCode.ASSIGNMENT_TEXT_TOO_LONG, invalid=ErrorCode.ASSIGNMENT_TEXT_INVALID)
TEXT_MAX = 2_000
CHUNK = 1_000

# The source of the rows a batch makes: an ordered batch is their source; a standard's batch names the
# version, so a person assigned by the version's batch and by its safety-net sweep is assigned once.
BATCH_SOURCE = "training.batch"
STANDARD_SOURCE = "standards.version"
ONBOARDING_SOURCE = "accounts.user"

DEFAULTS: dict[str, Any] = {
    # Days before the due date the first reminder goes out.
    "CHARTER_TRAINING_REMIND_DAYS": 3,
    # New staff who joined within this many days and still have no onboarding assignment are assigned by
    # the daily sweep.
    "CHARTER_TRAINING_ONBOARDING_DAYS": 30,
    # A QA criterion scored at or below this share of its scale's best value asks for remedial training.
    "CHARTER_TRAINING_REMEDIAL_SHARE": 0.5,
    # The code of the disciplinary step (conduct.LadderStep.code) that means "education": a violation
    # decided at it is assigned the course teaching its clause.
    "CHARTER_TRAINING_EDUCATION_STEP": "education",
    # See charter.common.outbox: violation events are read once no earlier transaction can still commit.
    "CHARTER_TRAINING_EVENT_LAG_SECONDS": 30,
    # Standard versions published within this many days get their missing batch from the daily sweep.
    "CHARTER_TRAINING_STANDARD_SWEEP_DAYS": 30,
}


def training_setting(name: str) -> Any:
    """Return the setting `name`, or its default from DEFAULTS (read when used, never at import time)."""
    return getattr(settings, name, DEFAULTS[name])


def published_version(course: Course) -> CourseVersion | None:
    """The version of `course` staff take now, or None before its first publication."""
    return CourseVersion.objects.published().filter(course=course).first()


def _assignable(course: Course) -> None:
    if not course.is_active or published_version(course) is None:
        raise DomainError(
            _("The course %(course)s has no published version or is withdrawn; it cannot be assigned.")
            % {"course": course},
            code=ErrorCode.COURSE_NOT_ASSIGNABLE,
            field="course",
        )


def _staff(person: User) -> None:
    if not (person.is_active and person.is_staff_member):
        raise DomainError(
            _("Courses are assigned only to active staff members."), code=ErrorCode.NOT_STAFF, field="person"
        )


def _due_check(due_on: dt.date) -> None:
    if due_on < timezone.localdate():
        raise DomainError(
            _("The due date cannot be in the past."), code=ErrorCode.DUE_IN_PAST, field="due_on"
        )


def assignment_mail_later(assignment_id: int) -> None:
    """Enqueue the "course assigned" mail of one assignment (called on commit)."""
    from charter.training.tasks_assignments import assignment_assigned_mail_task

    assignment_assigned_mail_task(assignment_id)


def assignment_create(
    *,
    actor: User | None,
    person: User,
    course: Course,
    due_on: dt.date,
    reason: Assignment.Reason,
    source_type: str,
    source_id: int,
    reason_text: str = "",
    batch: AssignmentBatch | None = None,
) -> tuple[Assignment, bool]:
    """Ask `person` to complete `course` by `due_on`, for `reason`, caused by the record (`source_type`,
    `source_id`); return the assignment and whether it was made now.

    Idempotent: when the person already has the course from this source, that row is returned with False and
    nothing is audited nor mailed (a signal handled twice assigns once). A signed-in `actor` must be allowed
    `can_assign_to` the person; None is the system (signals, sweeps). Refused for a course without a
    published version or withdrawn, for someone who is not active staff, and for a date in the past when
    ordered by hand. Audited `training.assign`; the person is mailed once the change commits.
    """
    if actor is not None:
        require(can_assign_to(actor, person))
    existing = Assignment.objects.filter(
        person=person, course=course, source_type=source_type, source_id=source_id
    ).first()
    if existing is not None:
        return existing, False
    _assignable(course)
    _staff(person)
    if reason == Reason.ORDERED:
        _due_check(due_on)
    reason_text = clean_text(reason_text, field="reason_text", codes=TEXT_CODES, max_length=TEXT_MAX)
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    person=person,
                    course=course,
                    due_on=due_on,
                    reason=reason,
                    reason_text=reason_text,
                    source_type=source_type,
                    source_id=source_id,
                    batch=batch,
                    assigned_by=actor,
                )
        except IntegrityError:
            # Another worker assigned the same source meanwhile: its row is the answer.
            return (
                Assignment.objects.get(
                    person=person, course=course, source_type=source_type, source_id=source_id
                ),
                False,
            )
        audit_record(
            actor=actor,
            action="training.assign",
            target=assignment,
            data={
                "person": person.pk,
                "course": course.code,
                "due_on": due_on.isoformat(),
                "reason": str(reason),
                "source": f"{source_type}:{source_id}",
            },
        )
        transaction.on_commit(partial(assignment_mail_later, assignment.pk))
    return assignment, True


def assignment_waive(*, actor: User, assignment: Assignment, reason: str) -> Assignment:
    """Let the person off an open assignment, saying why (`can_waive_assignment`: whoever may assign to him,
    never he himself). Refused for an assignment already completed or waived. Audited `training.waive`."""
    require(can_waive_assignment(actor, assignment))
    reason = clean_text(
        reason,
        field="reason",
        codes=TextCodes(
            too_long=ErrorCode.ASSIGNMENT_TEXT_TOO_LONG,
            invalid=ErrorCode.ASSIGNMENT_TEXT_INVALID,
            required=ErrorCode.WAIVE_REASON_REQUIRED,
        ),
        required=True,
        max_length=TEXT_MAX,
        required_message=_("Say why this training is waived."),
    )
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != Assignment.Status.OPEN:
            raise DomainError(_("Only an open assignment can be waived."), code=ErrorCode.ASSIGNMENT_NOT_OPEN)
        locked.status = Assignment.Status.WAIVED
        locked.waived_reason = reason
        locked.save(update_fields=["status", "waived_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="training.waive",
            target=locked,
            data={"person": locked.person_id, "course": locked.course_id, "reason": reason},
        )
    return locked


# Batches ------------------------------------------------------------------------------------------------


def _target_refused() -> DomainError:
    return DomainError(
        _("Choose an existing role, team or unit to assign the course to."),
        code=ErrorCode.BATCH_TARGET,
        field="target_value",
    )


def _target_team_ids(target: str, value: str) -> set[int] | None:
    """The teams a team or unit target covers (None for the other targets); refuses one that is unknown."""
    if target == Target.TEAM:
        team = Team.objects.filter(code=value, is_active=True).first()
        if team is None:
            raise _target_refused()
        return {team.pk}
    if target == Target.UNIT:
        unit = OrgUnit.objects.filter(code=value).first()
        if unit is None:
            raise _target_refused()
        return set(Team.objects.filter(unit__in=org_unit_subtree(unit=unit)).values_list("pk", flat=True))
    return None


def batch_create(
    *, actor: User, course: Course, target: str, target_value: str, due_on: dt.date, note: str = ""
) -> AssignmentBatch:
    """Order `course` for a group: everyone holding a role (`target_value` its name), the members of a team
    or of every team in a unit and the units under it (their codes), or all staff. The worker carries the
    order out (`batch_carry_out`) once it commits, so ordering it for thousands returns at once.

    `can_assign_courses`; holders of training.assign_course order for anyone, a supervisor only for teams
    he leads (a team of his, or a unit whose every team is his). The role, team or unit must exist; the due
    date cannot be in the past; the course needs a published version. Audited `training.batch_create`.
    """
    require(can_assign_courses(actor))
    if target not in {Target.ROLE, Target.TEAM, Target.UNIT, Target.STAFF}:
        raise DomainError(
            _("Choose whom to assign the course to."), code=ErrorCode.BATCH_TARGET, field="target"
        )
    target_value = clean_text(
        target_value, field="target_value", codes=TEXT_CODES, max_length=100, multiline=False
    )
    if target == Target.ROLE and (
        target_value not in {str(role) for role in STAFF_ROLES}
        or not Group.objects.filter(name=target_value).exists()
    ):
        raise _target_refused()
    if target == Target.STAFF:
        target_value = ""
    teams = _target_team_ids(target, target_value)
    if not holds(actor, "training.assign_course") and (teams is None or not teams <= led_team_ids(actor)):
        raise PermissionDeniedError(
            _("You may assign courses only to the people of your teams."), code=ErrorCode.ASSIGN_DENIED
        )
    _assignable(course)
    _due_check(due_on)
    note = clean_text(note, field="note", codes=TEXT_CODES, max_length=TEXT_MAX)
    with transaction.atomic():
        batch = AssignmentBatch.objects.create(
            course=course,
            target=target,
            target_value=target_value,
            due_on=due_on,
            note=note,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="training.batch_create",
            target=batch,
            data={
                "course": course.code,
                "target": target,
                "value": target_value,
                "due_on": due_on.isoformat(),
            },
        )
        transaction.on_commit(partial(batch_carry_out_later, batch.pk))
    return batch


def batch_carry_out_later(batch_id: int) -> None:
    """Enqueue the carrying out of batch `batch_id` (called on commit)."""
    from charter.training.tasks_assignments import batch_carry_out_task

    batch_carry_out_task(batch_id)


def _target_people(batch: AssignmentBatch) -> "Iterable[int]":
    """The ids of the active staff a batch covers."""
    staff = staff_list().order_by()
    if batch.target == Target.ROLE:
        return staff.filter(groups__name=batch.target_value).values_list("pk", flat=True).distinct()
    if batch.target in {Target.TEAM, Target.UNIT}:
        teams = _target_team_ids(batch.target, batch.target_value) or set()
        members = TeamMembership.objects.filter(team_id__in=teams).values("user_id")
        return staff.filter(pk__in=members).values_list("pk", flat=True).distinct()
    # All staff; a new version of a standard applies to every staff member.
    return staff.values_list("pk", flat=True).distinct()


def batch_source(batch: AssignmentBatch) -> tuple[str, int, Assignment.Reason]:
    """The source and reason of the assignments `batch` makes."""
    if batch.target == Target.STANDARD:
        version_id = batch.standard_version_id or int(batch.target_value)  # older rows named it in the value
        return STANDARD_SOURCE, version_id, Reason.STANDARD
    return BATCH_SOURCE, batch.pk, Reason.ORDERED


def batch_carry_out(*, batch_id: int) -> int:
    """Assign the batch's course to every active staff member of its target who does not have it from this
    source yet; return how many were assigned now.

    The batch row is locked for the run and a finished batch is skipped, so a second run, or two workers at
    once, assign nobody twice. One read of who already has it, inserts of 1,000 rows at a time, one audit
    event (`training.batch_carry_out`) for the whole batch; each person is mailed by the worker afterwards.
    """
    with transaction.atomic():
        batch = (
            AssignmentBatch.objects.select_for_update(of=("self",))
            .select_related("course")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.finished_at is not None:
            return 0
        course = batch.course
        source_type, source_id, reason = batch_source(batch)
        people = set(_target_people(batch)) if course.is_active and published_version(course) else set()
        already = set(
            Assignment.objects.filter(
                course=course, source_type=source_type, source_id=source_id
            ).values_list("person_id", flat=True)
        )
        missing = sorted(people - already)
        rows = [
            Assignment(
                person_id=person_id,
                course=course,
                due_on=batch.due_on,
                reason=reason,
                reason_text=batch.note,
                source_type=source_type,
                source_id=source_id,
                batch=batch,
                assigned_by=batch.created_by,
            )
            for person_id in missing
        ]
        for start in range(0, len(rows), CHUNK):
            Assignment.objects.bulk_create(rows[start : start + CHUNK], ignore_conflicts=True)
        batch.finished_at = timezone.now()
        batch.assigned_count = Assignment.objects.filter(batch=batch).count()
        batch.save(update_fields=["finished_at", "assigned_count"])
        audit_record(
            actor=batch.created_by,
            action="training.batch_carry_out",
            target=batch,
            data={
                "course": course.code,
                "target": batch.target,
                "value": batch.target_value,
                "source": f"{source_type}:{source_id}",
                "assigned": len(missing),
            },
        )
        if missing:
            transaction.on_commit(partial(batch_mail_later, batch.pk))
    return len(missing)


def batch_mail_later(batch_id: int) -> None:
    """Enqueue the "course assigned" mails of a batch just carried out (called on commit)."""
    from charter.training.tasks_assignments import batch_assigned_mail_task

    batch_assigned_mail_task(batch_id)


def standard_batch_create(*, course: Course, version: Any) -> AssignmentBatch | None:
    """Order `course` for every staff member because `version` (a published standards.StandardVersion) of
    the standard it introduces was published; due `standard_days` after the version takes effect (or after
    today, when that is later). One batch per course and version: a second call returns None. The caller
    enqueues `batch_carry_out` on commit."""
    if AssignmentBatch.objects.filter(course=course, standard_version=version).exists():
        return None
    start = timezone.localdate()
    if version.effective_at is not None:
        start = max(start, timezone.localdate(version.effective_at))
    # Written once for everyone, in the organisation's language (as the signals write their reasons), never
    # in the language of whoever happened to publish the version.
    with translation.override(settings.LANGUAGE_CODE):
        note = str(
            _("Version %(number)s of %(standard)s was published: complete this course on it.")
            % {"number": version.number, "standard": version.document}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = AssignmentBatch.objects.create(
                    course=course,
                    target=Target.STANDARD,
                    target_value=str(version.pk),
                    due_on=start + dt.timedelta(days=course.standard_days),
                    note=note,
                    standard_version=version,
                )
        except IntegrityError:
            return None
        audit_record(
            actor=None,
            action="training.batch_create",
            target=batch,
            data={"course": course.code, "target": Target.STANDARD, "standard_version": version.pk},
        )
    return batch


# Onboarding ---------------------------------------------------------------------------------------------


def onboarding_assign(*, user: User) -> list[Assignment]:
    """Assign every active onboarding course to the new staff member `user`, due `onboarding_days` from
    today; return the assignments made now (none the second time). Nothing for someone who is not active
    staff, nor for a course without a published version."""
    if not (user.is_active and user.is_staff_member):
        return []
    made: list[Assignment] = []
    courses = Course.objects.filter(
        is_active=True, is_onboarding=True, versions__status=VersionStatus.PUBLISHED
    )
    for course in courses.distinct().order_by("code"):
        assignment, created = assignment_create(
            actor=None,
            person=user,
            course=course,
            due_on=timezone.localdate() + dt.timedelta(days=course.onboarding_days),
            reason=Reason.ONBOARDING,
            source_type=ONBOARDING_SOURCE,
            source_id=user.pk,
        )
        if created:
            made.append(assignment)
    return made


def onboarding_sweep(*, now: dt.datetime | None = None) -> int:
    """Assign the onboarding courses to the staff who joined within CHARTER_TRAINING_ONBOARDING_DAYS and
    miss one of them (a listener that never ran, a role given after the account was made); return how
    many assignments were made. Safe to run twice."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=int(training_setting("CHARTER_TRAINING_ONBOARDING_DAYS")))
    courses = list(
        Course.objects.filter(is_active=True, is_onboarding=True, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .values_list("pk", flat=True)
    )
    if not courses:
        return 0
    made = 0
    newcomers = staff_list().filter(date_joined__gte=since).order_by()
    for user in newcomers.distinct():
        have = Assignment.objects.filter(
            person=user, source_type=ONBOARDING_SOURCE, source_id=user.pk, course_id__in=courses
        ).count()
        if have < len(courses):
            made += len(onboarding_assign(user=user))
    return made


def staff_created(user: User) -> None:
    """Listener of accounts' "staff created" registry: assign the onboarding courses at once (the daily
    sweep catches anyone this misses)."""
    try:
        onboarding_assign(user=user)
    except DomainError:
        logger.warning("onboarding courses could not be assigned to user %s", user.pk)
