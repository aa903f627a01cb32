"""What other apps' events assign: a new version of a standard (every staff member, once per version), a QA
review's failed criteria and a violation decided at the education step (the courses teaching the clause),
each with its reason and source, once; and the acknowledgement of a standard waits for its course."""

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import User
from charter.cases.models import Case
from charter.common.errors import DomainError
from charter.common.versioning import version_publish
from charter.conduct.models import LadderStep
from charter.conduct.services import EvidenceInput, violation_decide, violation_record
from charter.quality.models import Review, ScorecardVersion
from charter.quality.selectors import criterion_list
from charter.quality.services import ScoreInput, review_sample, review_scores_save
from charter.standards.errors import ErrorCode as StandardsErrorCode
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import standard_version_acknowledge
from charter.training.assignments import assignment_waive, batch_create
from charter.training.models import Assignment, AssignmentBatch, Completion, Course
from charter.training.signals import (
    review_remedial_assign,
    reviews_remedial_sweep,
    standard_batches_sweep,
    standard_version_published,
    unfinished_batches_redo,
    violation_events_consume,
)
from tests.conftest import client_for
from tests.quality.conftest import (  # noqa: F401 - fixtures
    case,
    code_v1,
    conduct,
    customer,
    frozen,
    publish,
    qa_reviewer,
    resolve,
    routed_team,
    scorecard_version,
)
from tests.standards.conftest import Publisher, conduct_content
from tests.training.factories import course_make, draft_version_make, published_course, trainer_user

pytestmark = pytest.mark.django_db

Reason = Assignment.Reason


def _teaching(*clauses: StandardClause, remedial_days: int = 7) -> Course:
    """An active course whose published version teaches `clauses`."""
    course = course_make(remedial_days=remedial_days)
    draft = draft_version_make(course=course, lessons=1)
    draft.clauses.add(*clauses)
    version_publish(version=draft, actor=None, supersede=course.versions.all())
    return course


# Standards ----------------------------------------------------------------------------------------------


def test_a_new_version_of_a_standard_assigns_its_course_to_every_staff_member_once(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
    outsider: User,
    customer_user: User,
    administrator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    course = published_course(standard=conduct, standard_days=15).course
    unrelated = published_course().course

    with django_capture_on_commit_callbacks(execute=True):
        version = publish(conduct, [conduct_content("1.1")])

    batch = AssignmentBatch.objects.get()
    assert (batch.course, batch.target, batch.standard_version) == (
        course,
        AssignmentBatch.Target.STANDARD,
        version,
    )
    assert batch.finished_at is not None and batch.assigned_count == 3
    rows = Assignment.objects.filter(course=course)
    # Every active staff member (the administrator who published too), never a customer.
    assert set(rows.values_list("person_id", flat=True)) == {member.pk, outsider.pk, administrator.pk}
    assert set(rows.values_list("reason", "source_type", "source_id", "due_on")) == {
        (Reason.STANDARD, "standards.version", version.pk, timezone.localdate() + dt.timedelta(days=15))
    }
    assert str(version.number) in rows.first().reason_text  # type: ignore[union-attr]
    assert not Assignment.objects.filter(course=unrelated).exists()

    # The safety net finds the batch made: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert standard_batches_sweep() == 0
    assert rows.count() == 3

    # The next version orders it again.
    with django_capture_on_commit_callbacks(execute=True):
        second = publish(conduct, [])
    assert Assignment.objects.filter(course=course, source_id=second.pk).count() == 3


def _published_days_ago(version: StandardVersion, days: float) -> None:
    """Date a published version's publication back (published versions refuse bulk writes)."""
    StandardVersion._base_manager.filter(pk=version.pk).update(
        published_at=timezone.now() - dt.timedelta(days=days)
    )
    version.refresh_from_db()


def test_the_sweep_makes_the_batch_a_lost_task_never_made(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    course = published_course(standard=conduct).course
    # Published without its on-commit hooks running (the task was lost).
    version = publish(conduct, [conduct_content("1.1")])

    with django_capture_on_commit_callbacks(execute=True):
        assert standard_batches_sweep() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert standard_batches_sweep() == 0

    assert Assignment.objects.get(course=course, person=member).source_id == version.pk


def test_the_sweep_leaves_a_course_written_after_the_version_was_published(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(conduct, [conduct_content("1.1")])
    _published_days_ago(first, 7)
    # Written a week later and linked to the standard: that publication never ordered it for all staff.
    course = published_course(standard=conduct).course

    with django_capture_on_commit_callbacks(execute=True):
        assert standard_batches_sweep() == 0
    assert not AssignmentBatch.objects.exists() and not Assignment.objects.exists()

    # The next version does order it.
    with django_capture_on_commit_callbacks(execute=True):
        second = publish(conduct, [])
    assert Assignment.objects.get(person=member, course=course).source_id == second.pk


def test_a_publication_heard_late_orders_nothing_for_a_course_written_after_it(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    existing = published_course(standard=conduct).course
    Course.objects.filter(pk=existing.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    # Published an hour ago; its listener heard only after a second course was written for the standard.
    version = publish(conduct, [conduct_content("1.1")])
    _published_days_ago(version, 1 / 24)
    published_course(standard=conduct)

    with django_capture_on_commit_callbacks(execute=True):
        standard_version_published(version)
    assert set(Assignment.objects.values_list("course_id", flat=True)) == {existing.pk}

    # One published before the sweep's window (dated back) orders nothing when heard now.
    old = publish(conduct, [])
    _published_days_ago(old, 60)
    with django_capture_on_commit_callbacks(execute=True):
        standard_version_published(old)
    assert not AssignmentBatch.objects.filter(standard_version=old).exists()


def test_the_sweep_carries_out_again_a_batch_whose_task_was_lost(
    member: User,
    outsider: User,
) -> None:
    course = published_course().course
    # Ordered, its on-commit task never ran (lost or failed).
    batch = batch_create(
        actor=trainer_user(),
        course=course,
        target=AssignmentBatch.Target.STAFF,
        target_value="",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    soon = timezone.now() + dt.timedelta(minutes=5)
    later = timezone.now() + dt.timedelta(minutes=11)

    # A batch ordered minutes ago may still be in the queue: left to its task.
    assert unfinished_batches_redo(now=soon) == 0
    assert unfinished_batches_redo(now=later) == 3  # member, outsider and the trainer
    batch.refresh_from_db()
    assert batch.finished_at is not None and batch.assigned_count == 3
    assert set(Assignment.objects.values_list("person_id", flat=True)) >= {member.pk, outsider.pk}
    assert unfinished_batches_redo(now=later) == 0


def test_acknowledging_waits_for_the_required_course(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    course = published_course(standard=conduct, title_zh="新版行为规范解读").course
    Course.objects.filter(pk=course.pk).update(required_before_acknowledgement=True)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish(conduct, [conduct_content("1.1")])

    with pytest.raises(DomainError) as error:
        standard_version_acknowledge(user=member, version=version)
    assert error.value.code == StandardsErrorCode.ACKNOWLEDGEMENT_NEEDS_TRAINING
    assert "新版行为规范解读" in str(error.value.message)
    page = client_for(member).get(reverse("standards:my_acknowledgements"))
    assert "新版行为规范解读" in page.content.decode()
    detail = reverse("standards:version_detail", args=[conduct.pk, version.number])
    assert "新版行为规范解读" in client_for(member).get(detail).content.decode()
    refused = client_for(member).post(
        reverse("standards:version_acknowledge", args=[conduct.pk, version.number])
    )
    assert refused.status_code == 302 and not version.acknowledgements.exists()

    Assignment.objects.filter(person=member, course=course).update(
        status=Assignment.Status.COMPLETED, completed_at=timezone.now()
    )

    standard_version_acknowledge(user=member, version=version)
    assert (
        "新版行为规范解读"
        not in client_for(member).get(reverse("standards:my_acknowledgements")).content.decode()
    )


def _required(conduct: StandardDocument) -> Course:  # noqa: F811
    course = published_course(standard=conduct, title_zh="新版行为规范解读").course
    Course.objects.filter(pk=course.pk).update(required_before_acknowledgement=True)
    course.refresh_from_db()
    return course


def test_acknowledging_is_refused_before_the_batch_ran_and_allowed_after_a_completion(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
) -> None:
    course = _required(conduct)
    # Published, its batch not carried out yet (the worker has not run, or the task was lost).
    version = publish(conduct, [conduct_content("1.1")])
    assert not Assignment.objects.filter(person=member).exists()

    with pytest.raises(DomainError) as error:
        standard_version_acknowledge(user=member, version=version)
    assert error.value.code == StandardsErrorCode.ACKNOWLEDGEMENT_NEEDS_TRAINING

    # A completion from before the publication does not count; one after it does.
    course_version = course.versions.get()
    assert version.published_at is not None
    earlier = Completion.objects.create(
        person=member,
        course=course,
        version=course_version,
        completed_at=version.published_at - dt.timedelta(days=1),
    )
    with pytest.raises(DomainError):
        standard_version_acknowledge(user=member, version=version)
    earlier.completed_at = timezone.now()
    earlier.save()

    standard_version_acknowledge(user=member, version=version)
    assert version.acknowledgements.filter(user=member).exists()


def test_acknowledging_is_allowed_once_the_versions_assignment_is_waived(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    course = _required(conduct)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish(conduct, [conduct_content("1.1")])
    assignment = Assignment.objects.get(person=member, course=course)
    with pytest.raises(DomainError):
        standard_version_acknowledge(user=member, version=version)

    assignment_waive(actor=trainer_user(), assignment=assignment, reason="已在外单位完成同等培训")

    standard_version_acknowledge(user=member, version=version)
    assert version.acknowledgements.filter(user=member).exists()


# Quality ------------------------------------------------------------------------------------------------


@pytest.fixture
def review(case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion) -> Review:  # noqa: F811
    resolve(case, member)
    made = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert made is not None
    return made


def _scores(version: ScorecardVersion, values: list[int | None]) -> list[ScoreInput]:
    return [
        ScoreInput(criterion_id=criterion.pk, value=value)
        for criterion, value in zip(criterion_list(version=version), values, strict=True)
    ]


def _clause(version: StandardVersion, number: str) -> StandardClause:
    return version.clauses.get(number=number)


def test_a_failed_review_assigns_the_courses_teaching_the_failed_clauses(
    review: Review,
    qa_reviewer: User,  # noqa: F811
    member: User,
    code_v1: StandardVersion,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    confidentiality = _teaching(_clause(code_v1, "5.1"), remedial_days=10)
    patience = _teaching(_clause(code_v1, "2.3"))
    greeting = _teaching(_clause(code_v1, "1.6"))
    _teaching(_clause(code_v1, "3.2"))

    # Greeting yes, patience 2 of 5 (at or below half), resolution not applicable, confidentiality breached.
    with django_capture_on_commit_callbacks(execute=True):
        review_scores_save(
            actor=qa_reviewer,
            review=review,
            version=review.version,
            scores=_scores(review.scorecard_version, [1, 2, None, 0]),
            submit=True,
        )

    rows = {row.course_id: row for row in Assignment.objects.filter(person=member)}
    assert set(rows) == {confidentiality.pk, patience.pk}
    breach = rows[confidentiality.pk]
    assert (breach.reason, breach.source_type, breach.source_id) == (
        Reason.QA_REVIEW,
        "quality.review",
        review.pk,
    )
    assert breach.due_on == timezone.localdate() + dt.timedelta(days=10)
    assert breach.reason_text.startswith("质检自动不合格") and "5.1" in breach.reason_text
    assert "2.3" in rows[patience.pk].reason_text and "2" in rows[patience.pk].reason_text
    assert greeting.pk not in rows
    # Handled again (a retried task): nothing more.
    assert review_remedial_assign(review_id=review.pk) == 0
    assert Assignment.objects.filter(person=member).count() == 2


def test_a_review_submission_that_rolled_back_assigns_nothing(
    review: Review,
    qa_reviewer: User,  # noqa: F811
    code_v1: StandardVersion,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    _teaching(_clause(code_v1, "5.1"))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            review_scores_save(
                actor=qa_reviewer,
                review=review,
                version=review.version,
                scores=_scores(review.scorecard_version, [0, 1, 1, 0]),
                submit=True,
            )
            raise RuntimeError("the request failed after the submission")

    assert not Assignment.objects.exists()


def test_the_sweep_assigns_the_remedial_courses_of_a_review_whose_task_was_lost(
    review: Review,
    qa_reviewer: User,  # noqa: F811
    member: User,
    code_v1: StandardVersion,  # noqa: F811
) -> None:
    course = _teaching(_clause(code_v1, "5.1"))
    # Submitted, its on-commit task never ran.
    review_scores_save(
        actor=qa_reviewer,
        review=review,
        version=review.version,
        scores=_scores(review.scorecard_version, [1, 5, None, 0]),
        submit=True,
    )
    assert not Assignment.objects.exists()
    review.refresh_from_db()
    assert review.submitted_at is not None

    # Three days later the review is outside the sweep.
    assert reviews_remedial_sweep(now=review.submitted_at + dt.timedelta(days=3)) == 0
    assert reviews_remedial_sweep(now=review.submitted_at + dt.timedelta(days=1)) == 1
    assert reviews_remedial_sweep(now=review.submitted_at + dt.timedelta(days=1)) == 0
    row = Assignment.objects.get()
    assert (row.person, row.course, row.source_type, row.source_id) == (
        member,
        course,
        "quality.review",
        review.pk,
    )


# Conduct ------------------------------------------------------------------------------------------------


def test_a_violation_decided_at_the_education_step_assigns_the_course_of_its_clause_once(
    frozen: Any,  # noqa: F811
    code_v1: StandardVersion,  # noqa: F811
    supervisor: User,
    member: User,
    teammate: User,
    settings: Any,
) -> None:
    settings.CHARTER_TRAINING_EVENT_LAG_SECONDS = 0
    patience = _teaching(_clause(code_v1, "2.3"), remedial_days=5)
    _teaching(_clause(code_v1, "5.1"))
    violation_events_consume()  # the consumer starts after the events there are
    for person in (member, teammate):
        standard_version_acknowledge(user=person, version=code_v1)

    def decided(person: User, step: str, severity: str = "minor") -> int:
        violation = violation_record(
            actor=supervisor,
            staff=person,
            clause=_clause(code_v1, "2.3"),
            occurred_at=timezone.now() - dt.timedelta(days=1),
            severity=severity,
            description="对客户说“不归我管”。",
            evidence=[EvidenceInput(kind="observation", text="现场听到。")],
        )
        violation_decide(
            actor=supervisor, violation=violation, step=LadderStep.objects.get(code=step), reason="依据情节"
        )
        return violation.pk

    educated = decided(member, "education")
    decided(teammate, "written-warning")

    assert violation_events_consume() == 1
    assert violation_events_consume() == 0
    row = Assignment.objects.get()
    assert (row.person, row.course, row.reason) == (member, patience, Reason.VIOLATION)
    assert (row.source_type, row.source_id) == ("conduct.violation", educated)
    assert row.due_on == timezone.localdate() + dt.timedelta(days=5) and "2.3" in row.reason_text


# Assessment ---------------------------------------------------------------------------------------------


def test_a_plan_assigns_its_courses_due_at_its_end(supervisor: User, member: User, outsider: User) -> None:
    from charter.assessment.plans import plan_courses_add, plan_open

    course = published_course(title_zh="沟通技巧").course
    ends_on = timezone.localdate() + dt.timedelta(days=60)

    plan = plan_open(
        actor=supervisor,
        person=member,
        starts_on=timezone.localdate(),
        ends_on=ends_on,
        summary="提升沟通质量",
        courses=[course],
    )

    row = Assignment.objects.get()
    assert (row.person, row.course, row.reason, row.due_on) == (member, course, Reason.PLAN, ends_on)
    assert (row.source_type, row.source_id, row.assigned_by) == ("assessment.plan", plan.pk, supervisor)
    assert list(plan.courses.all()) == [course]
    # Added again: nothing more.
    assert plan_courses_add(actor=supervisor, plan=plan, courses=[course]) == []
    assert Assignment.objects.count() == 1
