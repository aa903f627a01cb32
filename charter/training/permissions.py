"""Who may write courses, assign them, take them, run sessions, grade answers and read training records: one
predicate per rule, each answering a `Decision` (charter.common.policy) that pages and the API ask and the
services `require`.

Trainers (and administrators) hold `training.manage_course` (courses, question banks, sessions),
`assign_course` (assign to anyone), `grade_answer` (short answers, never their own) and
`view_training_records` (everyone's records, the matrix, item statistics, effectiveness). A supervisor assigns
courses to, and reads the records of, the people of the teams he leads (his scope), without a permission.
Every staff member reads published courses, takes his own assignments, quizzes and sessions, and sees his own
records. Somebody else's assignment, attempt or certificate outside the reader's scope is hidden (404).
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import TeamMembership, User
from charter.accounts.permissions import AnyUser, is_staff_member
from charter.accounts.selectors import led_team_ids
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, holds, refuse
from charter.common.versioning import VersionStatus
from charter.training.errors import ErrorCode
from charter.training.models import (
    Assignment,
    AssignmentBatch,
    Attempt,
    Certificate,
    CourseVersion,
    TrainingSession,
)

HIDDEN = refuse(NotFoundError.default_code, _("Not found."), hidden=True)


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def _supervises(user: User, person_id: int) -> bool:
    led = led_team_ids(user)
    return bool(led) and TeamMembership.objects.filter(user_id=person_id, team_id__in=led).exists()


def can_use_training(user: AnyUser) -> Decision:
    """Allow every active staff member: training's pages are the organisation's, never a customer's."""
    return allow_if(
        _active(user) is not None and is_staff_member(user),
        ErrorCode.STAFF_ONLY,
        _("Training is for the organisation's staff."),
    )


def can_manage_courses(user: AnyUser) -> Decision:
    """Allow those who write and publish courses, question banks and sessions (trainers, administrators)."""
    return allow_if(
        holds(user, "training.manage_course"), ErrorCode.MANAGE_DENIED, _("You may not change courses.")
    )


def can_view_course_version(user: AnyUser, version: CourseVersion) -> Decision:
    """Staff read published and superseded versions; a draft only those who write courses (else hidden)."""
    if not can_use_training(user):
        return HIDDEN
    if version.status == VersionStatus.DRAFT and not can_manage_courses(user):
        return HIDDEN
    return ALLOWED


def can_assign_courses(user: AnyUser) -> Decision:
    """Allow those who assign courses: holders of `assign_course`, and supervisors (to their teams)."""
    active = _active(user)
    return allow_if(
        active is not None and (holds(active, "training.assign_course") or bool(led_team_ids(active))),
        ErrorCode.ASSIGN_DENIED,
        _("You may not assign courses."),
    )


def can_assign_to(user: AnyUser, person: User) -> Decision:
    """Allow assigning a course to `person`: anyone for an `assign_course` holder; the people of his teams
    for a supervisor."""
    active = _active(user)
    if active is None or not can_assign_courses(active):
        return refuse(ErrorCode.ASSIGN_DENIED, _("You may not assign courses."))
    if holds(active, "training.assign_course") or _supervises(active, person.pk):
        return ALLOWED
    return refuse(ErrorCode.ASSIGN_DENIED, _("You may assign courses only to the people of your teams."))


def can_view_records_of(user: AnyUser, person_id: int) -> Decision:
    """Allow reading a person's training (assignments, attempts, certificates, hours): himself, holders of
    `view_training_records`, and the supervisors of his teams; hidden from anyone else."""
    active = _active(user)
    if active is None:
        return HIDDEN
    if (
        active.pk == person_id
        or holds(active, "training.view_training_records")
        or _supervises(active, person_id)
    ):
        return ALLOWED
    return HIDDEN


def can_view_all_records(user: AnyUser) -> Decision:
    """Allow the training matrix, item statistics and effectiveness across the organisation."""
    return allow_if(
        holds(user, "training.view_training_records"),
        ErrorCode.RECORDS_DENIED,
        _("You may not see everyone's training records."),
    )


def can_view_matrix(user: AnyUser) -> Decision:
    """Allow the training matrix: everyone's for record holders, their teams' for supervisors."""
    active = _active(user)
    return allow_if(
        active is not None and (bool(can_view_all_records(active)) or bool(led_team_ids(active))),
        ErrorCode.RECORDS_DENIED,
        _("You may not see the training matrix."),
    )


def can_view_assignment(user: AnyUser, assignment: Assignment) -> Decision:
    return can_view_records_of(user, assignment.person_id)


# A supervisor may waive for the people of his teams only what he or his teams ordered, and onboarding: the
# assignments the system made from a record (QA review, violation, standard version, improvement plan,
# renewal) answer to that record and may be waived only by holders of `assign_course`.
def can_waive_assignment(user: AnyUser, assignment: Assignment) -> Decision:
    """Allow waiving an open assignment, never the person himself: holders of `assign_course` any of them;
    a supervisor of the person only an onboarding assignment or one ordered by himself or by somebody of a
    team he leads (not a trainer's order, nor one a system signal made)."""
    seen = can_view_assignment(user, assignment)
    if not seen:
        return seen
    active = _active(user)
    if active is None:
        return HIDDEN
    if assignment.person_id == active.pk:
        return refuse(ErrorCode.SELF_WAIVE, _("Nobody waives his own training."))
    allowed = can_assign_to(active, assignment.person)
    if not allowed or holds(active, "training.assign_course"):
        return allowed
    ordered_here = assignment.reason == Assignment.Reason.ONBOARDING or (
        assignment.reason == Assignment.Reason.ORDERED
        and assignment.assigned_by_id is not None
        and (
            assignment.assigned_by_id == active.pk
            or TeamMembership.objects.filter(
                user_id=assignment.assigned_by_id, team_id__in=led_team_ids(active)
            ).exists()
        )
    )
    return allow_if(
        ordered_here,
        ErrorCode.ASSIGN_DENIED,
        _("Only training staff may waive training ordered by someone else or made by the system."),
    )


def can_run_session(user: AnyUser, session: TrainingSession) -> Decision:
    """Allow taking attendance and changing a session: its trainer, or those who write courses."""
    active = _active(user)
    if active is None or not can_use_training(active):
        return HIDDEN
    return allow_if(
        session.trainer_id == active.pk or bool(can_manage_courses(active)),
        ErrorCode.SESSION_DENIED,
        _("Only the session's trainer takes its attendance."),
    )


def can_open_attempt(user: AnyUser, attempt: Attempt) -> Decision:
    """Allow reading an attempt: its taker, and those who may read his records (graders among them)."""
    active = _active(user)
    if active is None:
        return HIDDEN
    if attempt.person_id == active.pk or holds(active, "training.grade_answer"):
        return ALLOWED
    return can_view_records_of(active, attempt.person_id)


def can_answer_attempt(user: AnyUser, attempt: Attempt) -> Decision:
    """Allow answering and submitting an attempt: only its taker (anyone else: hidden)."""
    active = _active(user)
    return ALLOWED if active is not None and attempt.person_id == active.pk else HIDDEN


def can_grade_attempt(user: AnyUser, attempt: Attempt) -> Decision:
    """Allow grading short answers: holders of `grade_answer`, never on their own attempt."""
    if not holds(user, "training.grade_answer"):
        return refuse(ErrorCode.GRADE_DENIED, _("You may not grade answers."))
    if attempt.person_id == getattr(user, "pk", None):
        return refuse(ErrorCode.SELF_GRADE, _("Nobody grades his own answers."))
    return ALLOWED


def can_view_certificate(user: AnyUser, certificate: Certificate) -> Decision:
    return can_view_records_of(user, certificate.person_id)


def can_grade_answers(user: AnyUser) -> Decision:
    """Allow the grading queue of short answers: holders of `grade_answer` (each attempt is then asked
    `can_grade_attempt`, which refuses a grader his own)."""
    return allow_if(
        holds(user, "training.grade_answer"), ErrorCode.GRADE_DENIED, _("You may not grade answers.")
    )


def can_revoke_certificate(user: AnyUser, certificate: Certificate) -> Decision:
    """Allow revoking a certificate: holders of `view_training_records` or `manage_course` (trainers,
    administrators); hidden from whoever may not see it."""
    seen = can_view_certificate(user, certificate)
    if not seen and not holds(user, "training.manage_course"):
        return seen
    return allow_if(
        holds(user, "training.view_training_records") or holds(user, "training.manage_course"),
        ErrorCode.REVOKE_DENIED,
        _("You may not revoke certificates."),
    )


def can_open_batches(user: AnyUser) -> Decision:
    """Allow the pages of group assignments (batches): those who assign courses, and holders of
    `view_training_records`; each batch then asks `can_view_batch`."""
    active = _active(user)
    return allow_if(
        active is not None and (bool(can_assign_courses(active)) or bool(can_view_all_records(active))),
        ErrorCode.ASSIGN_DENIED,
        _("You may not see the courses assigned to groups."),
    )


def can_view_batch(user: AnyUser, batch: AssignmentBatch) -> Decision:
    """Allow reading a batch and the people it assigned: whoever ordered it, holders of `assign_course` and
    of `view_training_records`; hidden from anyone else (a supervisor never reads another's batch)."""
    active = _active(user)
    if active is None:
        return HIDDEN
    if (
        (batch.created_by_id is not None and batch.created_by_id == active.pk)
        or holds(active, "training.assign_course")
        or holds(active, "training.view_training_records")
    ):
        return ALLOWED
    return HIDDEN
