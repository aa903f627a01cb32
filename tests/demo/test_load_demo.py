"""The demo `make run` loads: complete, idempotent, and with months of history behind it."""

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from charter.cases.models import Case
from charter.reports.models import ServicePeriodFigures
from charter.surveys.models import Response
from tests.conftest import not_none

if TYPE_CHECKING:
    from charter.accounts.models import User

pytestmark = pytest.mark.django_db


CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_the_demo_loads_twice_without_change_and_publishes_last_months_figures(
    client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    call_command("load_demo", stdout=None)
    cases, responses = Case.objects.count(), Response.objects.count()
    training = _training_counts()
    call_command("load_demo", stdout=None)

    assert (Case.objects.count(), Response.objects.count()) == (cases, responses)
    assert _training_counts() == training
    assert responses > 0
    published = ServicePeriodFigures.objects.filter(period_kind="month", cases_handled__gt=0)
    assert published.exists()
    page = client.get(f"/services/{not_none(published.first()).service.slug}/").content.decode()
    assert "上月" in page and "满意" in page

    _training_story_told()
    _the_workers_sweeps_leave_the_training_story_as_it_is()
    _new_code_version_assigns_the_conduct_course_once(django_capture_on_commit_callbacks)


def test_the_demo_tells_the_story_of_holding_staff_to_the_code_and_assessing_them() -> None:
    from charter.accounts.models import User
    from charter.audit.models import AuditEvent
    from charter.conduct.models import Evidence, Violation
    from charter.improvement.models import ActionStatus, CorrectiveAction, Verdict
    from charter.quality.models import Finding, Review

    call_command("load_demo", stdout=None)
    li = User.objects.get(username="li.agent")

    # The improper reply was flagged before sending, sent with a reason, and found afterwards.
    assert AuditEvent.objects.filter(action="cases.reply_check_override", actor=li).exists()
    finding = Finding.objects.get(agent=li, check_code="improper_wording")
    assert finding.is_overridden and finding.clause.number == "2.3"
    # The sampled review scored it against the clause; the dispute was decided by someone else.
    review = Review.objects.get(case=finding.case)
    assert review.reviewer.username == "sun.qa" and review.status == Review.Status.DECIDED
    assert (
        not_none(review.dispute_handler).username == "wang.supervisor"
        and review.decision == Review.Decision.UPHELD
    )
    assert review.scores.get(criterion__clause__number="2.3").value == 2
    # A repeat within the window climbed the ladder; Li responded and appealed.
    earlier, repeat = Violation.objects.filter(staff=li).order_by("occurred_at")
    assert (
        not_none(earlier.step).code == "education" and not_none(repeat.proposed_step).code == "verbal-warning"
    )
    assert repeat.step == repeat.proposed_step and repeat.status == Violation.Status.APPEALED
    assert repeat.response_text and repeat.appeal_text
    assert {evidence.kind for evidence in repeat.evidence.all()} == {
        Evidence.Kind.CASE,
        Evidence.Kind.FINDING,
        Evidence.Kind.QA_REVIEW,
    }
    # The corrective action from the complaint cluster was checked effective and closed by another.
    action = CorrectiveAction.objects.get(source_kind="complaint_cluster")
    check = action.checks.get()
    assert action.status == ActionStatus.CLOSED and action.closed_by != action.owner
    assert check.verdict == Verdict.EFFECTIVE
    assert not_none(check.complaints_after) < not_none(check.complaints_before)

    _assessment_story_told(li)


def _assessment_story_told(li: "User") -> None:
    from charter.assessment.models import (
        Appeal,
        Cycle,
        ImprovementPlan,
        LedgerEntry,
        Scorecard,
        ScorecardLine,
    )

    # Last month's cycle is final: Li's upheld appeal raised his grade, Zhao's was rejected, both decided
    # by someone who neither scored nor approved them; the grades' outcomes are in the ledger.
    final, open_cycle = Cycle.objects.order_by("period_start")
    assert final.status == Cycle.Status.FINAL and open_cycle.status == Cycle.Status.SELF
    card = Scorecard.objects.get(cycle=final, person=li)
    appeal = Appeal.objects.get(scorecard=card)
    assert (
        appeal.status == Appeal.Status.UPHELD
        and appeal.new_grade != appeal.previous_grade == card.computed_grade
    )
    assert not_none(appeal.decided_by).username == "sun.qa"
    assert not_none(card.assessor).username == "wang.supervisor" and final.approved_by != appeal.decided_by
    rejected = Appeal.objects.get(scorecard__cycle=final, scorecard__person__username="zhao.agent")
    assert rejected.status == Appeal.Status.REJECTED and rejected.new_grade == rejected.previous_grade
    assert LedgerEntry.objects.get(scorecard=card, kind=LedgerEntry.Kind.COEFFICIENT).grade == card.grade
    # The bad review Li appealed (好差评) is excluded from his CSAT, and the scorecard counts it as left out.
    assert Response.objects.filter(handler=li, assessment_excluded_at__isnull=False).count() == 1
    assert ScorecardLine.objects.get(scorecard=card, code="csat_satisfied").excluded >= 1
    assert ImprovementPlan.objects.filter(person__username="chen.agent", status="active").exists()


def _training_counts() -> dict[str, int]:
    from charter.accounts.models import Qualification, QualificationGrant
    from charter.training import models

    counted: list[type[Model]] = [
        models.Course,
        models.CourseVersion,
        models.Lesson,
        models.Question,
        models.AssignmentBatch,
        models.Assignment,
        models.Attempt,
        models.Completion,
        models.Certificate,
        models.TrainingSession,
        models.Enrolment,
        Qualification,
        QualificationGrant,
    ]
    return {model.__name__: model._default_manager.count() for model in counted}


def _training_story_told() -> None:
    from charter.accounts.models import Team, User
    from charter.cases.services.routing import eligible_handlers, routing_exclusions
    from charter.common.vocabulary import CaseKind
    from charter.demo.conduct_story import MARKER
    from charter.quality.models import Review
    from charter.training.models import (
        Assignment,
        AssignmentBatch,
        Certificate,
        Course,
        CourseVersion,
        Enrolment,
        Question,
        TrainingSession,
    )
    from charter.training.quizzes import attempt_grading_queue

    today, now = timezone.localdate(), timezone.now()
    people = {user.username: user for user in User.objects.filter(username__contains=".")}
    li, zhao, chen, zhou = (people[name] for name in ("li.agent", "zhao.agent", "chen.agent", "zhou.trainer"))

    # The course on the code, linked to it, three bilingual lessons citing its clauses, a bank of twelve
    # questions in categories citing clauses, a quiz drawing five (80, 3 attempts, 10 minutes), a certificate.
    conduct = Course.objects.get(code="code-of-conduct")
    version = CourseVersion.objects.published().get(course=conduct)
    assert not_none(conduct.standard).code == "code-of-conduct"
    lessons = list(version.lessons.all())
    assert len(lessons) == 3
    assert all(
        lesson.title_en and "条" in lesson.body_zh and "clause" in lesson.body_en for lesson in lessons
    )
    quiz = version.quiz
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.time_limit_minutes) == (Decimal(80), 3, 10)
    assert sum(draw.count for draw in quiz.draws.all()) == 5
    assert version.requires_quiz and version.certificate_valid_days == 365
    questions = Question.objects.filter(category__bank=quiz.bank, is_active=True).select_related("current")
    assert questions.count() == 12
    assert {not_none(question.current).kind for question in questions} == {
        "single",
        "multiple",
        "true_false",
        "short",
    }
    assert not quiz.bank.categories.filter(clause__isnull=True).exists()

    # Ordered for every agent in one batch: Li and Chen done with certificates, Zhao overdue.
    batch = AssignmentBatch.objects.get(course=conduct)
    agents = set(User.objects.filter(groups__name="agent", is_active=True).values_list("pk", flat=True))
    assert batch.finished_at is not None
    assert set(Assignment.objects.filter(batch=batch).values_list("person_id", flat=True)) == agents
    for person in (li, chen):
        done = Assignment.objects.get(batch=batch, person=person)
        assert done.status == Assignment.Status.COMPLETED
        assert not_none(done.certificate).is_valid_on(today)
    late = Assignment.objects.get(batch=batch, person=zhao)
    assert late.status == Assignment.Status.OPEN and late.due_on < today and late.is_overdue
    # Zhao's written answer waits in Zhou's grading queue.
    waiting = list(attempt_grading_queue(user=zhou))
    assert [attempt.person for attempt in waiting] == [zhao]
    assert waiting[0].items.filter(question__kind="short").exclude(text="").exists()

    # Handling complaints grants the qualification the hall team requires for its complaints only.
    complaints = Course.objects.get(code="complaint-handling")
    qualification = not_none(complaints.qualification)
    assert qualification.name_zh == "投诉处理资格" and complaints.renewal_notice_days == 30
    assert CourseVersion.objects.published().get(course=complaints).certificate_valid_days == 365
    hall = Team.objects.get(code="hall")
    assert hall.case_routing.required_qualification == qualification
    assert hall.case_routing.qualification_for_complaints_only
    # Li's certificate is valid today and expires within a week; Zhao's expired, with a renewal assigned.
    li_certificate = Certificate.objects.get(person=li, course=complaints)
    assert li_certificate.is_valid_on(today)
    assert today <= not_none(li_certificate.expires_on) <= today + dt.timedelta(days=7)
    zhao_certificate = Certificate.objects.get(person=zhao, course=complaints)
    assert not zhao_certificate.is_valid_on(today)
    renewal = Assignment.objects.get(person=zhao, course=complaints, reason=Assignment.Reason.RENEWAL)
    assert (renewal.source_type, renewal.source_id) == ("training.certificate", zhao_certificate.pk)
    assert renewal.status == Assignment.Status.OPEN
    # So the hall team's complaints are not routed to Zhao, its inquiries still are, and the desk says why.
    assert zhao not in eligible_handlers(team=hall, kind=CaseKind.COMPLAINT)
    assert zhao in eligible_handlers(team=hall, kind=CaseKind.INQUIRY)
    why = [(user, grant) for user, _required, grant in routing_exclusions(team=hall, kind=CaseKind.COMPLAINT)]
    assert [user for user, _grant in why] == [zhao]
    assert not_none(not_none(why[0][1]).valid_until) <= now

    # Li's remedial course arose from his QA review: reason, source and the clause in the reason.
    review = Review.objects.get(agent=li, case__title__startswith=MARKER)
    remedial = Assignment.objects.get(person=li, course__code="courteous-words")
    assert str(remedial.reason) == "qa_review"
    assert (remedial.source_type, remedial.source_id) == ("quality.review", review.pk)
    assert remedial.assigned_by is None and "2.3" in remedial.reason_text
    taught = CourseVersion.objects.published().get(course=remedial.course).clauses.all()
    assert [clause.number for clause in taught] == ["2.3"]
    # A second review of Li (drawn by hand, scored by Sun) failed the auto-fail criterion 5.1: the QA
    # listener assigned him the course on 5.1, published before the review, with the auto-fail as reason.
    auto_failed = Review.objects.get(agent=li, is_auto_failed=True)
    assert auto_failed.reviewer.username == "sun.qa" and str(auto_failed.reason) == "manual"
    assert auto_failed.scores.get(criterion__clause__number="5.1", criterion__is_auto_fail=True).value == 0
    assert not auto_failed.case.title.startswith(MARKER)
    confidential = Assignment.objects.get(
        person=li, source_type="quality.review", source_id=auto_failed.pk, status=Assignment.Status.OPEN
    )
    assert str(confidential.reason) == "qa_review" and confidential.assigned_by is None
    assert confidential.reason_text.startswith("质检自动不合格：") and "5.1" in confidential.reason_text
    published = CourseVersion.objects.published().get(course=confidential.course)
    assert [clause.number for clause in published.clauses.all()] == ["5.1"]
    assert not_none(published.published_at) < not_none(auto_failed.submitted_at)
    assert confidential.course.title_zh and confidential.course.title_en
    assert 1 <= published.lessons.count() <= 2
    assert all("5.1" in lesson.body_zh and "5.1" in lesson.body_en for lesson in published.lessons.all())

    # Zhou's classroom session next week with two enrolled; the briefing held, attendance taken.
    upcoming = TrainingSession.objects.get(trainer=zhou, starts_at__gt=now)
    assert now + dt.timedelta(days=5) < upcoming.starts_at < now + dt.timedelta(days=9)
    assert upcoming.enrolments.count() == 2
    held = TrainingSession.objects.get(trainer=zhou, starts_at__lt=now)
    assert held.status == TrainingSession.Status.HELD
    marks = dict(held.enrolments.values_list("person__username", "attendance"))
    assert marks == {
        "li.agent": Enrolment.Attendance.PRESENT,
        "chen.agent": Enrolment.Attendance.PRESENT,
        "zhao.agent": Enrolment.Attendance.ABSENT,
    }


def _the_workers_sweeps_leave_the_training_story_as_it_is() -> None:
    from charter.quality.models import Review
    from charter.training.certificates import certificates_expired_sweep, certificates_renewal_sweep
    from charter.training.signals import review_remedial_assign, standard_batches_sweep

    counts = _training_counts()
    assert standard_batches_sweep() == 0
    assert (certificates_renewal_sweep(), certificates_expired_sweep()) == (0, 0)
    for review in Review.objects.filter(submitted_at__isnull=False):
        assert review_remedial_assign(review_id=review.pk) == 0
    assert _training_counts() == counts


def _new_code_version_assigns_the_conduct_course_once(capture: CaptureCallbacks) -> None:
    from charter.accounts.models import User
    from charter.standards.models import StandardDocument
    from charter.standards.selectors import standard_version_latest_published
    from charter.standards.services import (
        standard_version_draft_create,
        standard_version_draft_update,
        standard_version_publish,
    )
    from charter.training.models import Assignment
    from charter.training.signals import standard_version_published

    admin = User.objects.get(username="admin")
    document = StandardDocument.objects.get(code="code-of-conduct")
    current = not_none(standard_version_latest_published(document=document))
    # The publication's listener orders the batch on commit; the (immediate) worker carries it out.
    with capture(execute=True):
        draft = standard_version_draft_create(actor=admin, document=document)
        standard_version_draft_update(
            actor=admin,
            version=draft,
            preamble_zh=current.preamble_zh,
            preamble_en=current.preamble_en,
            change_summary_zh="修订第 2.3 条示例用语。",
            change_summary_en="Examples of clause 2.3 revised.",
        )
        published = standard_version_publish(actor=admin, version=draft, effective_at=timezone.now())
    assigned = Assignment.objects.filter(
        course__code="code-of-conduct", source_type="standards.version", source_id=published.pk
    )
    agents = User.objects.filter(groups__name="agent", is_active=True)
    assert agents.exists()
    for agent in agents:
        assert assigned.filter(person=agent, reason=Assignment.Reason.STANDARD).count() == 1
    before = assigned.count()
    with capture(execute=True):
        standard_version_published(published)
    assert assigned.count() == before
