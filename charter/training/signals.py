"""What other apps' events mean for training, wired through their registries and outboxes (lower apps never
import training; `TrainingConfig.ready()` calls `signals_register`).

- A new version of a standard is published: each active course introducing that standard is ordered for
  every staff member (one batch per course and version, carried out by the worker); a daily sweep makes the
  batches of the last days' versions that a lost task never made, carries out again any batch left
  unfinished, and hands the last days' QA reviews to the remedial assigner again.
- Acknowledging a version: refused until the person completed, since the version's publication, each course
  that must be completed before acknowledging that standard (or the version's assignment was waived).
- A QA review is submitted: each failed auto-fail criterion, and each criterion scored at or below
  CHARTER_TRAINING_REMEDIAL_SHARE of its scale's best value, asks for the courses whose published version
  teaches the criterion's clause (same document, same clause number): remedial training for the agent.
- A violation is decided at the education step (CHARTER_TRAINING_EDUCATION_STEP), or reduced to it on
  appeal: the courses teaching its clause are assigned to the staff member. Read from conduct's
  ViolationEvent outbox, each event once.

Every assignment goes through `assignment_create` with its source, so an event handled twice assigns once.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.services import staff_created_listener_register
from charter.common.errors import DomainError
from charter.common.models import localized
from charter.common.outbox import outbox_batch
from charter.common.versioning import VersionStatus
from charter.conduct.models import Violation, ViolationEvent
from charter.quality.models import Review
from charter.quality.scoring import SCALE_VALUES, is_failing
from charter.quality.services import review_submitted_listener_register
from charter.standards.models import StandardClause, StandardVersion
from charter.standards.services import acknowledgement_gate_register, version_published_listener_register
from charter.training.assignments import (
    STANDARD_SOURCE,
    assignment_create,
    batch_carry_out,
    batch_carry_out_later,
    staff_created,
    standard_batch_create,
    training_setting,
)
from charter.training.models import Assignment, AssignmentBatch, Completion, Course, CourseVersion

logger = logging.getLogger(__name__)

VIOLATION_CURSOR = "training.violations"
# A batch still not carried out this long after it was ordered lost its task: the daily sweep redoes it.
UNFINISHED_AFTER = dt.timedelta(minutes=10)
# QA reviews submitted within this many days are handed to the remedial assigner again by the daily sweep.
REVIEW_SWEEP_DAYS = 2
Reason = Assignment.Reason


def signals_register() -> None:
    """Fill the registries of the lower apps (called once from `TrainingConfig.ready`)."""
    version_published_listener_register(standard_version_published)
    acknowledgement_gate_register(acknowledgement_gate)
    review_submitted_listener_register(review_submitted)
    staff_created_listener_register(staff_created)


# Standards ----------------------------------------------------------------------------------------------


def _ordering_courses(version: StandardVersion) -> "QuerySet[Course]":
    """The active courses introducing `version`'s standard that its publication orders: those that already
    existed when it was published. A course written (and linked to the standard) afterwards was never
    ordered by it and must not be ordered for all staff now."""
    return Course.objects.filter(
        is_active=True, standard_id=version.document_id, created_at__lte=version.published_at
    ).order_by("code")


def _sweep_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=int(training_setting("CHARTER_TRAINING_STANDARD_SWEEP_DAYS")))


def standard_version_published(version: StandardVersion) -> None:
    """Order each active course introducing `version`'s standard for every staff member (after the
    publication committed); the worker carries each batch out.

    The version is read again as committed, and a publication heard late is treated as the sweep treats
    it: nothing for one published before the sweep's window, nor for a course written after it."""
    committed = StandardVersion.objects.filter(pk=version.pk).exclude(status=VersionStatus.DRAFT).first()
    if committed is None or committed.published_at is None:
        return
    if committed.published_at < _sweep_since(timezone.now()):
        return
    for course in _ordering_courses(committed):
        with transaction.atomic():
            batch = standard_batch_create(course=course, version=committed)
            if batch is not None:
                transaction.on_commit(partial(batch_carry_out_later, batch.pk))


def standard_batches_sweep(*, now: dt.datetime | None = None) -> int:
    """Make the batches of the versions published in the last CHARTER_TRAINING_STANDARD_SWEEP_DAYS days that
    are missing (a task lost between the publication and the worker); return how many were made.

    Only for a course that already existed when the version was published: a course written (and linked to
    the standard) after a publication was never ordered by it, and must not be ordered for all staff now."""
    now = now or timezone.now()
    since = _sweep_since(now)
    documents = set(
        Course.objects.filter(is_active=True, standard__isnull=False).values_list("standard_id", flat=True)
    )
    made = 0
    versions = StandardVersion.objects.published().filter(document_id__in=documents, published_at__gte=since)
    for version in versions.select_related("document").order_by("published_at", "pk"):
        for course in _ordering_courses(version):
            with transaction.atomic():
                batch = standard_batch_create(course=course, version=version)
                if batch is not None:
                    made += 1
                    transaction.on_commit(partial(batch_carry_out_later, batch.pk))
    return made


def unfinished_batches_redo(*, now: dt.datetime | None = None) -> int:
    """Carry out again every batch (any target) ordered more than UNFINISHED_AFTER ago and never finished:
    its task was lost, or failed before committing. `batch_carry_out` locks the batch and skips a finished
    one, and the unique key assigns nobody twice, so a batch a worker is running meanwhile is safe. One
    failing batch is logged and does not stop the others. Returns how many people were assigned."""
    now = now or timezone.now()
    made = 0
    unfinished = AssignmentBatch.objects.filter(
        finished_at__isnull=True, created_at__lt=now - UNFINISHED_AFTER
    )
    for batch_id in unfinished.order_by("created_at", "pk").values_list("pk", flat=True):
        try:
            made += batch_carry_out(batch_id=batch_id)
        except Exception:
            logger.exception("training batch %s could not be carried out again", batch_id)
    return made


def reviews_remedial_sweep(*, now: dt.datetime | None = None) -> int:
    """Ask `review_remedial_assign` again for every QA review submitted in the last REVIEW_SWEEP_DAYS days
    (a task lost between the submission and the worker); idempotent by source, so a review already handled
    assigns nothing. Returns how many assignments were made now."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=REVIEW_SWEEP_DAYS)
    made = 0
    reviews = Review.objects.filter(submitted_at__gte=since, submitted_at__lte=now)
    for review_id in reviews.order_by("submitted_at", "pk").values_list("pk", flat=True):
        try:
            made += review_remedial_assign(review_id=review_id)
        except Exception:
            logger.exception("remedial training of QA review %s could not be assigned", review_id)
    return made


def acknowledgement_gate(user: User, version: StandardVersion) -> "str | Promise | None":
    """Refuse acknowledging `version` until `user` has done each active course (with a published version)
    that must be completed before acknowledging its standard: a completion of the course at or after the
    version's publication, or the assignment the version's batch made him completed or waived by someone
    allowed to waive it. None otherwise.

    Asked of the course itself, not of an open assignment: the assignments are made by the worker after the
    publication commits, so until the batch runs (or if it is lost) nobody has one, and an "open
    assignment" rule would let anyone acknowledge untrained."""
    courses = (
        Course.objects.filter(
            is_active=True,
            required_before_acknowledgement=True,
            standard_id=version.document_id,
            versions__status=VersionStatus.PUBLISHED,
        )
        .distinct()
        .order_by("code")
    )
    for course in courses:
        completions = Completion.objects.filter(person_id=user.pk, course=course)
        if version.published_at is not None:
            completions = completions.filter(completed_at__gte=version.published_at)
        if completions.exists():
            continue
        settled = Assignment.objects.filter(
            person_id=user.pk,
            course=course,
            source_type=STANDARD_SOURCE,
            source_id=version.pk,
            status__in=[Assignment.Status.COMPLETED, Assignment.Status.WAIVED],
        )
        if settled.exists():
            continue
        return _("Complete the course %(course)s first; then you can acknowledge this version.") % {
            "course": course
        }
    return None


# Courses teaching a clause ------------------------------------------------------------------------------


def courses_teaching(clause: StandardClause) -> list[Course]:
    """The active courses whose published version teaches `clause`: a clause of the same document with the
    same number (a course cites the version of the code it was written on; the clause keeps its number)."""
    versions = CourseVersion.objects.published().filter(
        course__is_active=True,
        clauses__version__document_id=clause.version.document_id,
        clauses__number=clause.number,
    )
    return list(Course.objects.filter(pk__in=versions.values("course_id")).order_by("code"))


def _clause_label(clause: StandardClause) -> str:
    return gettext("%(document)s, clause %(number)s") % {
        "document": clause.version.document,
        "number": clause.number,
    }


def _remedial(
    *, person: User, courses: Iterable[Course], reason: Assignment.Reason, source: tuple[str, int], text: str
) -> int:
    """Assign each of `courses` to `person` as remedial training; return how many were made now."""
    made = 0
    for course in courses:
        try:
            _assignment, created = assignment_create(
                actor=None,
                person=person,
                course=course,
                due_on=timezone.localdate() + dt.timedelta(days=course.remedial_days),
                reason=reason,
                source_type=source[0],
                source_id=source[1],
                reason_text=text,
            )
        except DomainError as error:
            logger.warning(
                "remedial course %s not assigned to user %s for %s:%s: %s",
                course.code,
                person.pk,
                source[0],
                source[1],
                error.code,
            )
            continue
        made += created
    return made


# Quality ------------------------------------------------------------------------------------------------


def review_submitted(review_id: int) -> None:
    """Listener of quality's "review submitted" registry: enqueue the remedial assignments."""
    from charter.training.tasks_assignments import review_remedial_task

    review_remedial_task(review_id)


def review_remedial_assign(*, review_id: int) -> int:
    """Assign the agent of the submitted review `review_id` the courses teaching the clauses of the criteria
    he failed: an auto-fail criterion answered at its worst, or any criterion scored at or below
    CHARTER_TRAINING_REMEDIAL_SHARE of its scale's best value. One assignment per course (its reason names
    every such criterion it covers); return how many were made now. Idempotent."""
    review = Review.objects.select_related("agent").filter(pk=review_id, submitted_at__isnull=False).first()
    if review is None:
        return 0
    share = Decimal(str(training_setting("CHARTER_TRAINING_REMEDIAL_SHARE")))
    reasons: dict[int, list[str]] = {}
    courses: dict[int, Course] = {}
    scores = review.scores.select_related("criterion__clause__version__document").order_by(
        "criterion__ordering", "criterion_id"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for score in scores:
            criterion = score.criterion
            if score.value is None:
                continue
            best = max(SCALE_VALUES[criterion.scale])
            auto_failed = criterion.is_auto_fail and is_failing(criterion.scale, score.value)
            if not auto_failed and Decimal(score.value) > share * best:
                continue
            template = (
                gettext("QA auto-fail: %(criterion)s (%(clause)s), scored %(value)s of %(best)s")
                if auto_failed
                else gettext("QA low score: %(criterion)s (%(clause)s), scored %(value)s of %(best)s")
            )
            text = template % {
                "criterion": localized(criterion, "title"),
                "clause": _clause_label(criterion.clause),
                "value": score.value,
                "best": best,
            }
            for course in courses_teaching(criterion.clause):
                courses[course.pk] = course
                reasons.setdefault(course.pk, []).append(text)
    made = 0
    for pk, course in courses.items():
        made += _remedial(
            person=review.agent,
            courses=[course],
            reason=Reason.QA_REVIEW,
            source=("quality.review", review.pk),
            text="；".join(reasons[pk]),
        )
    return made


# Conduct ------------------------------------------------------------------------------------------------


def violation_events_consume(*, limit: int = 500) -> int:
    """Read conduct's new violation events (cursor "training.violations", each event once, none skipped)
    and, for a step decided, or reduced on appeal, to the education step, assign the courses teaching the
    violation's clause to the staff member. Returns how many assignments were made."""
    lag = dt.timedelta(seconds=int(training_setting("CHARTER_TRAINING_EVENT_LAG_SECONDS")))
    education = str(training_setting("CHARTER_TRAINING_EDUCATION_STEP"))
    events = ViolationEvent.objects.filter(
        kind__in=[ViolationEvent.Kind.DECIDED, ViolationEvent.Kind.APPEAL_DECIDED]
    ).select_related("violation__staff", "violation__clause__version__document")
    made = 0
    with outbox_batch(VIOLATION_CURSOR, events, lag=lag, limit=limit) as batch:
        for event in batch:
            if event.data.get("step") != education:
                continue
            if event.data.get("outcome") == Violation.AppealOutcome.OVERTURNED:
                continue
            violation = event.violation
            with translation.override(settings.LANGUAGE_CODE):
                text = gettext("Code of conduct breached (%(clause)s); decided: education.") % {
                    "clause": _clause_label(violation.clause)
                }
            made += _remedial(
                person=violation.staff,
                courses=courses_teaching(violation.clause),
                reason=Reason.VIOLATION,
                source=("conduct.violation", violation.pk),
                text=text,
            )
    return made
