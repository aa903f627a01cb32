"""The demo's training (issue 15): courses on the code, a qualification routing reads, and remedial training
that arises from a real QA review.

- `zhou.trainer` writes 《员工服务行为规范》全员培训 on the code of conduct (`Course.standard`: a new version
  of the code assigns it to every staff member again): three lessons on parts 1–5 of the code, a question bank
  with a category per clause (1.6, 2.3, 3.2, 5.1, and a case study on 2.3 answered in writing), twelve
  questions, a quiz drawing five (pass mark 80, three attempts, ten minutes), a certificate valid a year. The
  version cites the clauses that require the course (0.1, 4.3, 7.5), not 2.3: the remedial course is the one
  that teaches 2.3, so a low QA score on 2.3 assigns that course and not the whole code again. He orders it
  for every agent (a batch, carried out), due five days ago. A briefing session (宣贯会) was held two weeks
  ago: Li and Chen present, Zhao absent. Li and Chen read the lessons and passed the quiz; Zhou graded their
  written answers, so they completed it with certificates. Zhao read the lessons late and submitted his quiz
  yesterday: his assignment is overdue and his written answer waits in Zhou's grading queue.
- `admin` creates the qualification 投诉处理资格 and the service hall team's routing requires it for
  complaints only. Zhou's course 投诉处理规范 grants it (certificate valid 365 days, renewal notice 30
  days). Li's certificate was issued 358 days ago and expires next week; Zhao's expired a fortnight ago: the
  renewal sweep reminded both and assigned them the course again (Zhao's renewal is overdue), the expiry
  sweep told his supervisor, and the hall team's complaints are no longer routed to him (its inquiries
  still are; the desk says why). Both are enrolled in next week's classroom session.
- Li's QA review of the reply "这事不归我管" (`demo.conduct_story`) scored clause 2.3 at 2 of 5. Zhou writes
  the remedial course on 2.3; then the QA listener of training (`signals.review_remedial_assign`) is run for
  that review, exactly as the worker runs it when a review is submitted: Li is assigned the course with
  reason "QA review", its source the review and the reason text naming the criterion and the clause.
- The scorecard's one auto-fail criterion is 5.1 (customers' confidential information). Zhou's remedial
  course on it, 客户信息保密（补训）, was published weeks ago. Sun draws one of Li's phone inquiries by hand
  and fails him on 5.1 (he told a caller who was not the holder the account's arrears), so the review is
  auto-failed; the same QA listener, run for that review, assigns Li the course with the reason text
  "质检自动不合格：…". The review stays submitted: Li may still acknowledge or dispute it.

Everything goes through the services. As in `demo.assessment_story`, what belongs to the past (the
certificates issued a year ago, the batch ordered three weeks ago, the session held two weeks ago) is made now
and then moved back in time through the base manager, since the services stamp the time it is now; audit
events keep the time they were written. Certificate numbers keep the year they were issued in by the services
(this year's).
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone

from charter.accounts.models import Qualification, QualificationGrant, Team, User
from charter.accounts.roles import Role
from charter.accounts.services import qualification_create
from charter.cases.models import Case, CaseStatus, TeamRouting
from charter.cases.services import team_routing_set
from charter.common.vocabulary import CaseKind
from charter.demo.conduct_story import MARKER as CONDUCT_STORY_MARKER
from charter.demo.history import MARKER as HISTORY_MARKER
from charter.demo.training_content import (
    COMPLAINTS_LESSONS,
    COMPLAINTS_SUMMARY_EN,
    COMPLAINTS_SUMMARY_ZH,
    CONDUCT_CATEGORIES,
    CONDUCT_LESSONS,
    CONDUCT_SUMMARY_EN,
    CONDUCT_SUMMARY_ZH,
    CONFIDENTIAL_LESSONS,
    CONFIDENTIAL_REVIEW_COMMENT,
    CONFIDENTIAL_REVIEW_SUMMARY,
    CONFIDENTIAL_SUMMARY_EN,
    CONFIDENTIAL_SUMMARY_ZH,
    GRADER_COMMENTS,
    REMEDIAL_LESSONS,
    REMEDIAL_SUMMARY_EN,
    REMEDIAL_SUMMARY_ZH,
    SHORT,
    SHORT_ANSWERS,
    LessonText,
)
from charter.quality.demo import demo_scores
from charter.quality.models import Review
from charter.quality.services import review_sample_case, review_scores_save
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.selectors import standard_version_latest_published
from charter.training.assignments import batch_carry_out, batch_create
from charter.training.banks import bank_create, category_create, question_create, quiz_configure
from charter.training.certificates import certificates_expired_sweep, certificates_renewal_sweep
from charter.training.courses import (
    course_create,
    course_version_draft_create,
    course_version_draft_update,
    course_version_publish,
    lesson_complete,
    lesson_create,
)
from charter.training.models import (
    Assignment,
    AssignmentBatch,
    Attempt,
    AttemptItem,
    Certificate,
    Completion,
    Course,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonProgress,
    Quiz,
    TrainingSession,
)
from charter.training.quizzes import (
    attempt_answer,
    attempt_grade,
    attempt_items,
    attempt_start,
    attempt_submit,
)
from charter.training.sessions import attendance_take, session_create, session_enrol
from charter.training.signals import review_remedial_assign, violation_events_consume

CONDUCT_COURSE = "code-of-conduct"
COMPLAINTS_COURSE = "complaint-handling"
REMEDIAL_COURSE = "courteous-words"
AUTO_FAIL_COURSE = "confidentiality"
AUTO_FAIL_CLAUSE = "5.1"
QUALIFICATION = "complaint-handling"
CONDUCT_DOCUMENT = "code-of-conduct"
_PEOPLE = ("admin", "zhou.trainer", "li.agent", "zhao.agent", "chen.agent")

# Days back: the conduct batch was ordered 25 days ago and fell due 5 days ago; the briefing was held 14
# days ago; Li and Chen completed 9 and 4 days ago, Zhao submitted his quiz yesterday. Li's complaint
# certificate was issued 358 days ago (expires in 7 days), Zhao's 350 days ago when the renewal sweep saw
# it, then 30 more (expired 15 days ago).
BATCH_DAYS, DUE_DAYS, BRIEFING_DAYS = 25, 5, 14
COMPLETED_DAYS = {"li.agent": 9, "chen.agent": 4, "zhao.agent": 1}
LI_CERTIFICATE_DAYS, ZHAO_CERTIFICATE_DAYS, ZHAO_LAPSED_DAYS = 358, 350, 30


def _moved(
    rows: QuerySet[models.Model], days: int, *, dates: Sequence[str] = (), only: Sequence[str] = ()
) -> None:
    """Move every date and time of `rows` (or only the fields named in `only`), and the date fields named in
    `dates`, back by `days` days."""
    _moved_by(rows, dt.timedelta(days=days), dates=dates, only=only)


def _moved_by(
    rows: QuerySet[models.Model], shift: dt.timedelta, *, dates: Sequence[str] = (), only: Sequence[str] = ()
) -> None:
    """Move the dates and times of `rows` back by `shift` (see `_moved`); dates by its whole days."""
    names = list(only) or [
        field.name for field in rows.model._meta.concrete_fields if isinstance(field, models.DateTimeField)
    ]
    for name in names:
        rows.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - shift})
    for name in dates:
        rows.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - dt.timedelta(days=shift.days)})


def _base(model: type[models.Model]) -> QuerySet[models.Model]:
    return model._base_manager.all()


def _work_moved(person: User, course: Course, days: int) -> None:
    """Move `person`'s work on `course` back by `days`: lessons read, attempts, completion, certificate and
    the qualification it granted, and the assignments it closed."""
    _moved(_base(LessonProgress).filter(person=person, lesson__version__course=course), days)
    attempts = _base(Attempt).filter(person=person, quiz__version__course=course)
    _moved(_base(AttemptItem).filter(attempt__in=attempts), days)
    _moved(attempts, days)
    _moved(_base(Completion).filter(person=person, course=course), days)
    certificates = _base(Certificate).filter(person=person, course=course)
    numbers = list(certificates.values_list("number", flat=True))
    _moved(certificates, days, dates=("issued_on", "expires_on"))
    _moved(_base(QualificationGrant).filter(user=person, source__in=numbers), days)
    _moved(
        _base(Assignment).filter(person=person, course=course, status=Assignment.Status.COMPLETED),
        days,
        only=("completed_at",),
    )


def _clauses(numbers: Sequence[str]) -> dict[str, StandardClause]:
    document = StandardDocument.objects.get(code=CONDUCT_DOCUMENT)
    version = standard_version_latest_published(document=document)
    return {
        clause.number: clause for clause in StandardClause.objects.filter(version=version, number__in=numbers)
    }


def _course(
    trainer: User,
    *,
    code: str,
    title: tuple[str, str],
    summary: tuple[str, str],
    lessons: Sequence[LessonText],
    clause_numbers: Sequence[str],
    requires_quiz: bool = False,
    certificate_days: int | None = None,
    qualification: Qualification | None = None,
    standard: StandardDocument | None = None,
    renewal_notice_days: int = 30,
) -> CourseVersion:
    """Create `code` and its first draft with `lessons` (not yet published: a quiz may still be added)."""
    course = course_create(
        actor=trainer,
        code=code,
        title_zh=title[0],
        title_en=title[1],
        qualification=qualification,
        standard=standard,
        renewal_notice_days=renewal_notice_days,
    )
    draft = course_version_draft_create(actor=trainer, course=course)
    course_version_draft_update(
        actor=trainer,
        version=draft,
        summary_zh=summary[0],
        summary_en=summary[1],
        requires_lessons=True,
        requires_quiz=requires_quiz,
        hours=Decimal("1.5") if len(lessons) > 2 else Decimal("1.0"),
        issues_certificate=certificate_days is not None,
        certificate_valid_days=certificate_days,
        clause_ids=[clause.pk for clause in _clauses(clause_numbers).values()],
    )
    for lesson in lessons:
        lesson_create(
            actor=trainer,
            version=draft,
            title_zh=lesson.title_zh,
            title_en=lesson.title_en,
            body_zh=lesson.body_zh,
            body_en=lesson.body_en,
        )
    return draft


def _quiz(trainer: User, draft: CourseVersion) -> Quiz:
    """The code's question bank (a category per clause) and the quiz drawing one question of each."""
    bank = bank_create(
        actor=trainer,
        code="code-of-conduct",
        title_zh="《员工服务行为规范》题库",
        title_en="Code of conduct questions",
    )
    clauses = _clauses([category.clause for category in CONDUCT_CATEGORIES])
    draws = []
    for spec in CONDUCT_CATEGORIES:
        category = category_create(
            actor=trainer,
            bank=bank,
            code=spec.code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            clause=clauses.get(spec.clause),
        )
        for question in spec.questions:
            question_create(
                actor=trainer,
                category=category,
                kind=question.kind,
                text_zh=question.text_zh,
                text_en=question.text_en,
                explanation_zh=question.explanation_zh,
                explanation_en=question.explanation_en,
                points=question.points,
                options=question.options,
            )
        draws.append((category, 1))
    return quiz_configure(
        actor=trainer,
        version=draft,
        bank=bank,
        pass_mark=80,
        attempts_allowed=3,
        time_limit_minutes=10,
        review="answers",
        shuffle_options=True,
        draws=draws,
    )


def _read(person: User, version: CourseVersion) -> None:
    for lesson in Lesson.objects.filter(version=version).order_by("ordering", "pk"):
        lesson_complete(actor=person, lesson=lesson)


def _quiz_taken(person: User, quiz: Quiz) -> Attempt:
    """`person` answers every choice question right and writes his short answer, then submits."""
    attempt = attempt_start(actor=person, quiz=quiz)
    for item in attempt_items(attempt):
        if item.question.kind == SHORT:
            attempt_answer(
                actor=person,
                attempt=attempt,
                question_version_id=item.question_id,
                text=SHORT_ANSWERS[person.username],
            )
        else:
            correct = [option.pk for option in item.shown_options if option.is_correct]  # type: ignore[attr-defined]
            attempt_answer(
                actor=person, attempt=attempt, question_version_id=item.question_id, chosen=correct
            )
    return attempt_submit(actor=person, attempt=attempt)


def _graded(trainer: User, attempt: Attempt) -> Attempt:
    points, comment = GRADER_COMMENTS[attempt.person.username]
    short = attempt.items.filter(question__kind=SHORT)
    return attempt_grade(
        actor=trainer, attempt=attempt, grades={item.pk: (points, comment) for item in short}
    )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _briefing(trainer: User, course: Course, people: dict[str, User]) -> TrainingSession:
    """The briefing two weeks ago: scheduled to start soon, attendance taken, then moved back."""
    start = timezone.now() + dt.timedelta(minutes=30)
    session = session_create(
        actor=trainer,
        course=course,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=40,
        place="客服中心三楼培训室 / Service centre, 3rd floor training room",
    )
    for username in ("li.agent", "chen.agent", "zhao.agent"):
        session_enrol(actor=trainer, session=session, person=people[username])
    attendance_take(
        actor=trainer,
        session=session,
        marks={
            people["li.agent"].pk: Enrolment.Attendance.PRESENT,
            people["chen.agent"].pk: Enrolment.Attendance.PRESENT,
            people["zhao.agent"].pk: Enrolment.Attendance.ABSENT,
        },
    )
    # Held at half past nine, two weeks ago.
    shift = start - _at(timezone.localdate() - dt.timedelta(days=BRIEFING_DAYS), 9, 30)
    _moved_by(_base(TrainingSession).filter(pk=session.pk), shift)
    _moved_by(_base(Enrolment).filter(session=session), shift)
    return session


def _code_published_before_it_took_effect(document: StandardDocument) -> None:
    """The code in force took effect long ago, but the standards demo published it now (the service stamps
    the time). Move its publication back to its effective date: otherwise the worker's daily sweep for lost
    batches (versions published in the last days) would take the new course's batch for this version as
    lost and assign the course to everyone again."""
    for version in StandardVersion.objects.published().filter(document=document, effective_at__isnull=False):
        if version.published_at is not None and version.effective_at is not None:
            if version.published_at > version.effective_at:
                _base(StandardVersion).filter(pk=version.pk).update(published_at=version.effective_at)


def _conduct(trainer: User, people: dict[str, User]) -> Course:
    document = StandardDocument.objects.get(code=CONDUCT_DOCUMENT)
    _code_published_before_it_took_effect(document)
    draft = _course(
        trainer,
        code=CONDUCT_COURSE,
        title=("《员工服务行为规范》全员培训", "The Staff code of conduct: training for all staff"),
        summary=(CONDUCT_SUMMARY_ZH, CONDUCT_SUMMARY_EN),
        lessons=CONDUCT_LESSONS,
        clause_numbers=("0.1", "4.3", "7.5"),
        requires_quiz=True,
        certificate_days=365,
        standard=document,
    )
    quiz = _quiz(trainer, draft)
    version = course_version_publish(actor=trainer, version=draft)
    course = version.course
    batch = batch_create(
        actor=trainer,
        course=course,
        target=AssignmentBatch.Target.ROLE,
        target_value=str(Role.AGENT),
        due_on=timezone.localdate() + dt.timedelta(days=BATCH_DAYS - DUE_DAYS),
        note="全体一线服务人员须在到期前学完本课程并通过测验。",
    )
    batch_carry_out(batch_id=batch.pk)
    # Ordered three weeks ago, due five days ago.
    _moved(_base(CourseVersion).filter(pk=version.pk), BATCH_DAYS + 5)
    _moved(_base(Course).filter(pk=course.pk), BATCH_DAYS + 5)
    for rows in (_base(AssignmentBatch).filter(pk=batch.pk), _base(Assignment).filter(batch=batch)):
        _moved(rows, BATCH_DAYS, dates=("due_on",))
    _briefing(trainer, course, people)
    for username in ("li.agent", "chen.agent"):
        _read(people[username], version)
        _graded(trainer, _quiz_taken(people[username], quiz))
        _work_moved(people[username], course, COMPLETED_DAYS[username])
    # Zhao read the lessons late and submitted yesterday; his written answer waits for Zhou.
    _read(people["zhao.agent"], version)
    _quiz_taken(people["zhao.agent"], quiz)
    _work_moved(people["zhao.agent"], course, COMPLETED_DAYS["zhao.agent"])
    return course


def _qualification(admin: User) -> Qualification:
    """投诉处理资格, required by the service hall team's routing for its complaints only."""
    # Created by the system: qualifications are the admin site's (auth.change_group), which the demo's
    # administrator role does not hold.
    qualification = Qualification.objects.filter(code=QUALIFICATION).first() or qualification_create(
        actor=None, code=QUALIFICATION, name_zh="投诉处理资格", name_en="Complaint handling"
    )
    hall = Team.objects.get(code="hall")
    routing = TeamRouting.objects.filter(team=hall).first()
    team_routing_set(
        actor=admin,
        team=hall,
        mode=routing.mode if routing is not None else TeamRouting.Mode.LEAST_OPEN,
        services=list(routing.services.all()) if routing is not None else [],
        is_default=routing.is_default if routing is not None else False,
        required_qualification=qualification,
        qualification_for_complaints_only=True,
    )
    return qualification


def _complaints(trainer: User, admin: User, people: dict[str, User]) -> Course:
    qualification = _qualification(admin)
    draft = _course(
        trainer,
        code=COMPLAINTS_COURSE,
        title=("投诉处理规范", "Handling complaints"),
        summary=(COMPLAINTS_SUMMARY_ZH, COMPLAINTS_SUMMARY_EN),
        lessons=COMPLAINTS_LESSONS,
        clause_numbers=("4.6", "3.2", "3.6"),
        certificate_days=365,
        qualification=qualification,
        renewal_notice_days=30,
    )
    version = course_version_publish(actor=trainer, version=draft)
    course = version.course
    li, zhao = people["li.agent"], people["zhao.agent"]
    for person in (li, zhao):
        _read(person, version)
    _moved(_base(CourseVersion).filter(pk=version.pk), 400)
    _moved(_base(Course).filter(pk=course.pk), 400)
    _work_moved(li, course, LI_CERTIFICATE_DAYS)
    _work_moved(zhao, course, ZHAO_CERTIFICATE_DAYS)
    # Thirty days before Zhao's expiry the sweep reminded both and assigned them the course again.
    certificates_renewal_sweep()
    zhao_certificate = _base(Certificate).filter(person=zhao, course=course)
    _moved(zhao_certificate, ZHAO_LAPSED_DAYS, dates=("issued_on", "expires_on"))
    numbers = list(zhao_certificate.values_list("number", flat=True))
    _moved(_base(QualificationGrant).filter(user=zhao, source__in=numbers), ZHAO_LAPSED_DAYS)
    _moved(_base(Completion).filter(person=zhao, course=course), ZHAO_LAPSED_DAYS)
    _moved(_base(LessonProgress).filter(person=zhao, lesson__version__course=course), ZHAO_LAPSED_DAYS)
    renewal = _base(Assignment).filter(person=zhao, course=course, reason=Assignment.Reason.RENEWAL)
    _moved(renewal, ZHAO_LAPSED_DAYS, dates=("due_on",))
    # His certificate has expired since: the sweep tells his supervisor; routing stopped at once.
    certificates_expired_sweep()
    # Next week's classroom session, with both renewing.
    start = _at(timezone.localdate() + dt.timedelta(days=7), 14)
    session = session_create(
        actor=trainer,
        course=course,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2, minutes=30),
        capacity=20,
        place="客服中心三楼培训室 / Service centre, 3rd floor training room",
    )
    for person in (li, zhao):
        session_enrol(actor=trainer, session=session, person=person)
    return course


def _remedial(trainer: User) -> Course | None:
    """The course on clause 2.3, then the QA listener run for Li's review that marked him down on it."""
    review = (
        Review.objects.filter(case__title__startswith=CONDUCT_STORY_MARKER, submitted_at__isnull=False)
        .order_by("pk")
        .first()
    )
    # What the worker would have read by now: the story's violation events, before any course taught 2.3.
    violation_events_consume()
    draft = _course(
        trainer,
        code=REMEDIAL_COURSE,
        title=("文明用语与耐心沟通（补训）", "Courteous words and patience (remedial)"),
        summary=(REMEDIAL_SUMMARY_ZH, REMEDIAL_SUMMARY_EN),
        lessons=REMEDIAL_LESSONS,
        clause_numbers=("2.3",),
    )
    course = course_version_publish(actor=trainer, version=draft).course
    if review is not None:
        review_remedial_assign(review_id=review.pk)
    return course


def _li_case_unreviewed(li: User) -> Case | None:
    """Li's latest answered phone inquiry of the demo history not reviewed yet (any answered case of his
    when there is none)."""
    reviewed = Review.objects.filter(agent=li).values("case_id")
    cases = (
        Case.objects.filter(
            assignee=li,
            status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED],
            title__startswith=HISTORY_MARKER,
        )
        .exclude(pk__in=reviewed)
        .order_by("-resolved_at", "-pk")
    )
    return cases.filter(kind=CaseKind.INQUIRY, channel="phone").first() or cases.first()


def _auto_fail_remedial(trainer: User, reviewer: User, li: User) -> Course | None:
    """The course on clause 5.1, published weeks ago; then Sun draws one of Li's phone inquiries by hand and
    fails him on 5.1 (the scorecard's auto-fail criterion), and the QA listener of training is run for that
    review as the worker runs it: Li is assigned the course, the reason text naming the auto-fail."""
    draft = _course(
        trainer,
        code=AUTO_FAIL_COURSE,
        title=("客户信息保密（补训）", "Keeping customer information confidential (remedial)"),
        summary=(CONFIDENTIAL_SUMMARY_ZH, CONFIDENTIAL_SUMMARY_EN),
        lessons=CONFIDENTIAL_LESSONS,
        clause_numbers=(AUTO_FAIL_CLAUSE,),
    )
    version = course_version_publish(actor=trainer, version=draft)
    course = version.course
    _moved(_base(CourseVersion).filter(pk=version.pk), BATCH_DAYS + 5)
    _moved(_base(Course).filter(pk=course.pk), BATCH_DAYS + 5)
    case = _li_case_unreviewed(li)
    if case is None:
        return course
    review = review_sample_case(actor=reviewer, case=case, agent=li, reviewer=reviewer)
    review = review_scores_save(
        actor=reviewer,
        review=review,
        version=review.version,
        scores=demo_scores(review, {AUTO_FAIL_CLAUSE: 0}, {AUTO_FAIL_CLAUSE: CONFIDENTIAL_REVIEW_COMMENT}),
        summary=CONFIDENTIAL_REVIEW_SUMMARY,
        submit=True,
    )
    # load_demo runs in one transaction, so the listener registered for the submission has not run yet.
    review_remedial_assign(review_id=review.pk)
    return course


def demo_training_story_load(*, actor: User) -> None:
    """Load the training story (see the module) once; a second run leaves it as it is."""
    if Course.objects.filter(code=CONDUCT_COURSE).exists():
        return
    people = {user.username: user for user in User.objects.filter(username__in=_PEOPLE)}
    if len(people) != len(_PEOPLE) or not StandardDocument.objects.filter(code=CONDUCT_DOCUMENT).exists():
        return
    trainer = people["zhou.trainer"]
    _conduct(trainer, people)
    _complaints(trainer, actor, people)
    _remedial(trainer)
    reviewer = User.objects.filter(username="sun.qa").first()
    if reviewer is not None:
        _auto_fail_remedial(trainer, reviewer, people["li.agent"])
