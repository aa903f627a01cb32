"""Completing a course: when a person has met what the published version asks (every lesson, a session
attended, the quiz passed, as configured), record one `Completion`, close his open assignments of the course
and issue the certificate the version earns.

`completion_evaluate` is called inside the caller's transaction after each step that may finish a course (a
lesson read, attendance marked present, an attempt graded passed), so it must be cheap when nothing is done
yet and idempotent when called again: the steps count only since the earliest open assignment of the course
(a renewal or a remedial assignment asks for the work again), or, with none open, since his latest
certificate of the course expired or was revoked (doing the work again renews it); and once that
assignment is closed a second call finds the completion already written and returns it.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.versioning import VersionStatus
from charter.training.certificates import certificate_valid_until
from charter.training.models import Assignment, Certificate, Completion, Course, CourseVersion


def _requirements_met(*, person: User, version: CourseVersion, since: dt.datetime | None) -> bool:
    """True when `person` did, at or after `since` (ever when None), everything `version` requires."""
    # The other areas' contracts, imported here: they import this module to call completion_evaluate.
    if version.requires_lessons:
        from charter.training.courses import lessons_done_since

        if not lessons_done_since(person_id=person.pk, version=version, since=since):
            return False
    if version.requires_attendance:
        from charter.training.sessions import attended_since

        if attended_since(person_id=person.pk, course_id=version.course_id, since=since) is None:
            return False
    if version.requires_quiz:
        from charter.training.quizzes import attempt_passed_since

        if not attempt_passed_since(person_id=person.pk, course_version_id=version.pk, since=since):
            return False
    return True


def _lapsed_since(*, person: User, course: Course, at: dt.datetime) -> dt.datetime | None:
    """When the person's latest certificate of `course` stopped counting, if it has by `at`: its revocation,
    or the start of the day after it expired. None when he holds none, or his latest is still valid."""
    latest = (
        Certificate.objects.filter(person=person, course=course)
        .order_by("-issued_on", "-pk")
        .only("expires_on", "revoked_at")
        .first()
    )
    if latest is None:
        return None
    if latest.revoked_at is not None and latest.revoked_at <= at:
        return latest.revoked_at
    valid_until = certificate_valid_until(latest.expires_on)
    return valid_until if valid_until is not None and valid_until <= at else None


def completion_evaluate(*, person: User, course: Course, at: dt.datetime | None = None) -> Completion | None:
    """Complete `course` for `person` when its published version's requirements are met, and return the
    completion; None when not (yet) complete.

    The requirements count since the earliest open assignment of the course for the person. With none open
    and his latest certificate of the course expired or revoked, they count since it stopped counting, and
    meeting them again is a renewal (a new completion and certificate), not the old completion. Otherwise
    they count since ever, unless he already completed this version (then that completion is returned and
    nothing changes). Completing writes one `Completion` crediting the version's hours, issues the
    certificate when the version issues one, and closes every open assignment of the course for the person
    (completed, with the time and the certificate). Audited `training.complete`. Idempotent: a second call
    returns the same completion. Runs in the caller's transaction (a savepoint of its own otherwise).
    """
    version = CourseVersion.objects.filter(course=course, status=VersionStatus.PUBLISHED).first()
    if version is None:
        return None
    at = at or timezone.now()
    with transaction.atomic():
        # One evaluation at a time per person: two steps finishing together must not complete twice.
        User.objects.select_for_update().filter(pk=person.pk).first()
        open_assignments = list(
            Assignment.objects.select_for_update()
            .filter(person=person, course=course, status=Assignment.Status.OPEN)
            .order_by("created_at", "pk")
        )
        if open_assignments:
            since: dt.datetime | None = open_assignments[0].created_at
        else:
            since = _lapsed_since(person=person, course=course, at=at)
        done = Completion.objects.filter(person=person, version=version)
        if since is not None:
            done = done.filter(completed_at__gte=since)
        completion = done.order_by("-completed_at", "-pk").first()
        if completion is not None and not open_assignments:
            return completion
        if completion is None:
            if not _requirements_met(person=person, version=version, since=since):
                return None
            completion = Completion.objects.create(
                person=person, version=version, course=course, completed_at=at, hours=version.hours
            )
            certificate = None
            if version.issues_certificate:
                from charter.training.certificates import certificate_issue

                certificate = certificate_issue(completion=completion)
            audit_record(
                actor=None,
                action="training.complete",
                target=completion,
                data={
                    "person": person.pk,
                    "course": course.code,
                    "version": version.number,
                    "hours": str(version.hours),
                    "certificate": certificate.number if certificate is not None else None,
                    "assignments": [assignment.pk for assignment in open_assignments],
                },
            )
        certificate_obj = getattr(completion, "certificate", None) if version.issues_certificate else None
        if open_assignments:
            Assignment.objects.filter(pk__in=[a.pk for a in open_assignments]).update(
                status=Assignment.Status.COMPLETED,
                completed_at=completion.completed_at,
                certificate=certificate_obj,
                updated_at=timezone.now(),
            )
    return completion
