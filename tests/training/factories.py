"""Factories of the training tests: people (a trainer, staff in a team, a supervisor leading it) and courses
with a published version of N lessons, and sessions.

The course factories write rows directly and publish through the versioning kernel (`version_publish`), so
they do not depend on the course services' checks: tests of those services build their own drafts. Other
areas may add functions at the end of this file.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.common.versioning import VersionStatus, version_publish
from charter.training.models import Course, CourseVersion, Lesson, TrainingSession
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory

_counter = {"course": 0}


def team_make(*, code: str | None = None) -> Team:
    """A team in a unit of the organisation (the organisation is created when missing)."""
    organisation = OrgUnit.objects.filter(kind=OrgUnit.Kind.ORGANISATION).first()
    if organisation is None:
        organisation = OrgUnitFactory.create(
            code="org", name_zh="示范公用事业公司", name_en="Demo Utilities", kind=OrgUnit.Kind.ORGANISATION
        )
    unit = OrgUnitFactory.create(parent=organisation)
    return TeamFactory.create(unit=unit, **({"code": code} if code else {}))


def trainer_user(*, username: str = "zhou.trainer") -> User:
    """A trainer: holds training.manage_course, assign_course, grade_answer and view_training_records."""
    return UserFactory.create(username=username, display_name="周培训师", roles=[Role.TRAINER])


def administrator_user(*, username: str = "admin") -> User:
    """An administrator (standards, courses, everything)."""
    return UserFactory.create(username=username, roles=[Role.ADMINISTRATOR], is_staff=True)


def staff_member(*, team: Team | None = None, username: str | None = None, display_name: str = "") -> User:
    """An agent in `team` (a new team when none is given)."""
    team = team or team_make()
    extra: dict[str, Any] = {"username": username} if username else {}
    if display_name:
        extra["display_name"] = display_name
    user = UserFactory.create(roles=[Role.AGENT], **extra)
    TeamMembershipFactory.create(team=team, user=user)
    return user


def supervisor_of(team: Team, *, username: str | None = None) -> User:
    """A supervisor leading `team`."""
    extra: dict[str, Any] = {"username": username} if username else {}
    user = UserFactory.create(roles=[Role.SUPERVISOR], **extra)
    TeamMembershipFactory.create(team=team, user=user, is_lead=True)
    return user


def course_make(*, code: str | None = None, title_zh: str = "文明服务规范", **fields: Any) -> Course:
    """A bare course row (no version)."""
    if code is None:
        _counter["course"] += 1
        code = f"course-{_counter['course']}-{Course.objects.count() + 1}"
    return Course.objects.create(
        code=code, title_zh=title_zh, title_en=fields.pop("title_en", "Courteous service"), **fields
    )


def draft_version_make(*, course: Course, lessons: int = 2, **version_fields: Any) -> CourseVersion:
    """A draft version of `course` (the next number) with `lessons` lessons of simple rich text."""
    number = (course.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = CourseVersion.objects.create(
        course=course,
        number=number,
        status=VersionStatus.DRAFT,
        summary_zh=version_fields.pop("summary_zh", "本课程讲解文明服务的基本要求。"),
        summary_en=version_fields.pop("summary_en", "What courteous service asks of staff."),
        **version_fields,
    )
    for index in range(1, lessons + 1):
        Lesson.objects.create(
            version=version,
            ordering=index,
            title_zh=f"第{index}课",
            title_en=f"Lesson {index}",
            body_zh=f"<p>第{index}课的内容。</p>",
            body_en=f"<p>Text of lesson {index}.</p>",
        )
    return version


def published_course(
    *, code: str | None = None, lessons: int = 2, actor: User | None = None, **version_fields: Any
) -> CourseVersion:
    """A course with a published version 1 of `lessons` lessons; returns the version (`.course` is the
    course). `version_fields` set CourseVersion fields (requires_quiz, issues_certificate, hours, ...)."""
    course_fields = {
        key: version_fields.pop(key)
        for key in list(version_fields)
        if key in {"title_zh", "title_en", "qualification", "standard", "is_onboarding", "is_active"}
        or (key.endswith("_days") and key != "certificate_valid_days")
    }
    course = course_make(code=code, **course_fields)
    draft = draft_version_make(course=course, lessons=lessons, **version_fields)
    return version_publish(version=draft, actor=actor, supersede=course.versions.all())


def session_make(
    *,
    course: Course,
    trainer: User,
    starts_at: dt.datetime | None = None,
    hours: int = 2,
    capacity: int = 30,
    **fields: Any,
) -> TrainingSession:
    """A scheduled classroom session of `course` starting at `starts_at` (default: tomorrow 09:00 local) and
    lasting `hours` hours, credited as many hours."""
    if starts_at is None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        starts_at = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 0)))
    return TrainingSession.objects.create(
        course=course,
        trainer=trainer,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        capacity=capacity,
        hours=Decimal(hours),
        place=fields.pop("place", "三楼培训室"),
        **fields,
    )


# Question banks and quizzes (area quizzes) --------------------------------------------------------------


def bank_make(*, actor: User, code: str = "conduct-bank", categories: dict[str, int] | None = None) -> Any:
    """A question bank with categories of single-choice questions written through the services:
    `categories` maps a category code to how many questions it holds (default {"basics": 4}). Question n of
    a category reads "<code> 题n", has three options, the first correct, and is worth 1 point."""
    from charter.training.banks import bank_create, category_create, question_create
    from charter.training.models import QuestionVersion

    bank = bank_create(actor=actor, code=code, title_zh="服务规范题库", title_en="Conduct questions")
    for category_code, count in (categories or {"basics": 4}).items():
        category = category_create(actor=actor, bank=bank, code=category_code, name_zh=f"{category_code}类")
        for index in range(1, count + 1):
            question_create(
                actor=actor,
                category=category,
                kind=QuestionVersion.Kind.SINGLE,
                text_zh=f"{category_code} 题{index}",
                options=[
                    ("正确答案", "Right", True),
                    ("错误答案一", "Wrong 1", False),
                    ("错误答案二", "Wrong 2", False),
                ],
            )
    return bank


def quiz_published(
    *,
    actor: User,
    bank: Any,
    draws: dict[str, int] | None = None,
    lessons: int = 0,
    **quiz_fields: Any,
) -> Any:
    """A course whose published version 1 has a quiz drawing from `bank` (`draws`: category code → count;
    default every category in full), configured through `quiz_configure`; returns the Quiz.
    `quiz_fields` override pass_mark (80), attempts_allowed (3), time_limit_minutes (None), review (score),
    shuffle_options (True)."""
    from charter.training.banks import quiz_configure

    course = course_make()
    draft = draft_version_make(course=course, lessons=lessons, requires_quiz=True, requires_lessons=False)
    categories = {category.code: category for category in bank.categories.all()}
    wanted = draws or {code: category.questions.count() for code, category in categories.items()}
    settings: dict[str, Any] = {
        "pass_mark": 80,
        "attempts_allowed": 3,
        "time_limit_minutes": None,
        "review": "score",
        "shuffle_options": True,
        **quiz_fields,
    }
    quiz = quiz_configure(
        actor=actor,
        version=draft,
        bank=bank,
        draws=[(categories[code], count) for code, count in wanted.items()],
        **settings,
    )
    version_publish(version=draft, actor=actor, supersede=course.versions.all())
    quiz.refresh_from_db()
    return quiz
