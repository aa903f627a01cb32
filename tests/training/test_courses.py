"""Courses, their versions, lessons, files and lesson progress (charter/training/courses.py)."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.versioning import VersionStatus
from charter.training.courses import (
    course_create,
    course_update,
    course_version_draft_create,
    course_version_draft_discard,
    course_version_draft_update,
    course_version_publish,
    lesson_complete,
    lesson_create,
    lesson_delete,
    lesson_file_delete,
    lesson_file_upload,
    lesson_reorder,
    lesson_update,
    lessons_done_since,
)
from charter.training.errors import ErrorCode
from charter.training.models import (
    Course,
    CourseVersion,
    Lesson,
    LessonFile,
    LessonProgress,
    QuestionBank,
    QuestionCategory,
    Quiz,
    QuizDraw,
)
from tests.assessment.factories import conduct_clause
from tests.training.factories import (
    administrator_user,
    published_course,
    session_make,
    staff_member,
    trainer_user,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def trainer() -> User:
    return trainer_user()


def _course(trainer: User, code: str = "etiquette") -> Course:
    return course_create(actor=trainer, code=code, title_zh="文明服务规范", title_en="Courteous service")


def _draft_with_lesson(trainer: User, code: str = "etiquette") -> CourseVersion:
    draft = course_version_draft_create(actor=trainer, course=_course(trainer, code))
    lesson_create(actor=trainer, version=draft, title_zh="第一课", body_zh="<p>礼貌用语</p>")
    return draft


def test_create_course_audited(trainer: User) -> None:
    course = _course(trainer)

    assert course.code == "etiquette" and course.created_by == trainer
    assert AuditEvent.objects.filter(action="training.course_create", target_id=str(course.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"code": "Bad Code"}, "code", ErrorCode.COURSE_CODE_INVALID),
        ({"title_zh": " "}, "title_zh", ErrorCode.TITLE_REQUIRED),
        ({"onboarding_days": 0}, "onboarding_days", ErrorCode.DAYS_INVALID),
        ({"required_before_acknowledgement": True}, "standard", ErrorCode.STANDARD_REQUIRED),
    ],
)
def test_create_course_refusals(trainer: User, fields: dict[str, object], field: str, code: str) -> None:
    values: dict[str, object] = {"code": "etiquette", "title_zh": "文明服务规范", **fields}
    with pytest.raises(DomainError) as refused:
        course_create(actor=trainer, **values)  # type: ignore[arg-type]

    assert (refused.value.field, refused.value.code) == (field, code)
    assert not Course.objects.exists()


def test_code_taken_refused(trainer: User) -> None:
    _course(trainer)
    with pytest.raises(DomainError) as refused:
        _course(trainer)

    assert refused.value.code == ErrorCode.COURSE_CODE_TAKEN


def test_staff_may_not_create_courses() -> None:
    with pytest.raises(PermissionDeniedError):
        course_create(actor=staff_member(), code="x", title_zh="课程")


def test_update_course_settings(trainer: User) -> None:
    course = _course(trainer)
    course_update(
        actor=trainer,
        course=course,
        code="etiquette-2",
        title_zh="文明服务",
        is_onboarding=True,
        remedial_days=7,
        is_active=False,
    )

    course.refresh_from_db()
    assert (course.code, course.is_onboarding, course.remedial_days, course.is_active) == (
        "etiquette-2",
        True,
        7,
        False,
    )


def test_first_draft_is_empty_and_only_one_draft(trainer: User) -> None:
    course = _course(trainer)
    draft = course_version_draft_create(actor=trainer, course=course)

    assert draft.number == 1 and not draft.lessons.exists()
    with pytest.raises(DomainError) as refused:
        course_version_draft_create(actor=trainer, course=course)
    assert refused.value.code == ErrorCode.DRAFT_EXISTS


def test_lesson_body_is_sanitised(trainer: User) -> None:
    draft = course_version_draft_create(actor=trainer, course=_course(trainer))
    lesson = lesson_create(
        actor=trainer,
        version=draft,
        title_zh="第一课",
        body_zh='<p onclick="x()">礼貌<script>alert(1)</script></p><img src="/a.png" onerror="x()">'
        '<a href="javascript:alert(1)">点此</a>',
    )

    assert (
        "script" not in lesson.body_zh and "onerror" not in lesson.body_zh and "onclick" not in lesson.body_zh
    )
    assert "javascript" not in lesson.body_zh
    assert "<p>礼貌</p>" in lesson.body_zh


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://video/x.mp4", "video.mp4"])
def test_video_link_http_only(trainer: User, url: str) -> None:
    draft = course_version_draft_create(actor=trainer, course=_course(trainer))
    with pytest.raises(DomainError) as refused:
        lesson_create(actor=trainer, version=draft, title_zh="第一课", video_url=url)

    assert (refused.value.code, refused.value.field) == (ErrorCode.VIDEO_URL_INVALID, "video_url")
    assert not Lesson.objects.exists()


def test_lessons_update_reorder_delete(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    second = lesson_create(actor=trainer, version=draft, title_zh="第二课")
    first = draft.lessons.get(ordering=1)
    lesson_update(actor=trainer, lesson=first, title_zh="开篇", video_url="https://video.intranet/1.mp4")
    lesson_reorder(actor=trainer, version=draft, lesson_ids=[second.pk, first.pk])

    assert list(draft.lessons.order_by("ordering").values_list("title_zh", flat=True)) == ["第二课", "开篇"]
    with pytest.raises(DomainError) as refused:
        lesson_reorder(actor=trainer, version=draft, lesson_ids=[second.pk])
    assert refused.value.code == ErrorCode.LESSON_ORDER_INVALID
    lesson_delete(actor=trainer, lesson=second)
    assert list(draft.lessons.values_list("pk", flat=True)) == [first.pk]


def test_publish_refuses_a_version_without_lessons(trainer: User) -> None:
    draft = course_version_draft_create(actor=trainer, course=_course(trainer))
    with pytest.raises(DomainError) as refused:
        course_version_publish(actor=trainer, version=draft)

    assert refused.value.code == ErrorCode.VERSION_NO_LESSON
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publish_refuses_requiring_a_quiz_without_one(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    course_version_draft_update(actor=trainer, version=draft, requires_quiz=True)
    with pytest.raises(DomainError) as refused:
        course_version_publish(actor=trainer, version=draft)

    assert (refused.value.code, refused.value.field) == (ErrorCode.VERSION_NO_QUIZ, "requires_quiz")


def test_publish_refuses_requiring_attendance_without_a_session(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    course_version_draft_update(actor=trainer, version=draft, requires_attendance=True)
    with pytest.raises(DomainError) as refused:
        course_version_publish(actor=trainer, version=draft)
    assert refused.value.code == ErrorCode.VERSION_NO_SESSION

    session_make(course=draft.course, trainer=trainer)
    assert course_version_publish(actor=trainer, version=draft).status == VersionStatus.PUBLISHED


def test_publish_refuses_requiring_nothing(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    course_version_draft_update(actor=trainer, version=draft, requires_lessons=False)
    with pytest.raises(DomainError) as refused:
        course_version_publish(actor=trainer, version=draft)

    assert refused.value.code == ErrorCode.NOTHING_REQUIRED


def test_draft_update_checks_and_clauses(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    clause = conduct_clause(administrator_user())
    course_version_draft_update(
        actor=trainer,
        version=draft,
        summary_zh="概要",
        hours="2.5",
        issues_certificate=True,
        certificate_valid_days=365,
        clause_ids=[clause.pk],
    )
    draft.refresh_from_db()
    assert (draft.hours, draft.certificate_valid_days) == (Decimal("2.5"), 365)
    assert list(draft.clauses.all()) == [clause]

    for values, code in [
        ({"hours": "1.25"}, ErrorCode.HOURS_INVALID),
        ({"issues_certificate": True, "certificate_valid_days": 0}, ErrorCode.VALID_DAYS_INVALID),
        ({"clause_ids": [999_999]}, ErrorCode.CLAUSE_INVALID),
    ]:
        with pytest.raises(DomainError) as refused:
            course_version_draft_update(actor=trainer, version=draft, **values)  # type: ignore[arg-type]
        assert refused.value.code == code


def test_published_version_is_frozen(trainer: User) -> None:
    version = published_course(lessons=2)
    lesson = version.lessons.first()
    assert lesson is not None

    with pytest.raises(DomainError) as refused:
        lesson_update(actor=trainer, lesson=lesson, title_zh="改")
    assert refused.value.code == ErrorCode.VERSION_FROZEN
    with pytest.raises(DomainError):
        lesson_create(actor=trainer, version=version, title_zh="新")
    with pytest.raises(DomainError):
        course_version_draft_update(actor=trainer, version=version, summary_zh="改")
    with pytest.raises(DomainError):
        course_version_draft_discard(actor=trainer, version=version)
    lesson.refresh_from_db()
    assert lesson.title_zh == "第1课"


def _quiz_on(version: CourseVersion) -> Quiz:
    bank = QuestionBank.objects.create(code="etiquette-bank", title_zh="题库")
    category = QuestionCategory.objects.create(bank=bank, code="basics", name_zh="基础")
    quiz = Quiz.objects.create(version=version, bank=bank, pass_mark=Decimal("60"))
    QuizDraw.objects.create(version=version, quiz=quiz, category=category, count=5)
    return quiz


def test_new_draft_copies_the_published_version(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    lesson = draft.lessons.get()
    lesson_file_upload(actor=trainer, lesson=lesson, file=SimpleUploadedFile("手册.pdf", PDF))
    clause = conduct_clause(administrator_user())
    course_version_draft_update(
        actor=trainer, version=draft, requires_quiz=True, hours="3", clause_ids=[clause.pk]
    )
    _quiz_on(draft)
    published = course_version_publish(actor=trainer, version=draft)

    second = course_version_draft_create(actor=trainer, course=published.course)

    assert second.number == 2 and second.status == VersionStatus.DRAFT
    assert (second.requires_quiz, second.hours) == (True, Decimal("3.0"))
    copied = second.lessons.get()
    assert copied.pk != lesson.pk and copied.body_zh == lesson.body_zh
    copied_file = copied.files.get()
    assert copied_file.file.name == lesson.files.get().file.name
    quiz = Quiz.objects.get(version=second)
    assert quiz.pass_mark == Decimal("60") and QuizDraw.objects.get(quiz=quiz).count == 5
    assert list(second.clauses.all()) == [clause]

    # Editing the draft leaves the published version as it was.
    lesson_update(actor=trainer, lesson=copied, title_zh="改过的课")
    lesson_file_delete(actor=trainer, lesson_file=copied_file)
    lesson.refresh_from_db()
    assert lesson.title_zh == "第一课" and lesson.files.count() == 1

    third = course_version_publish(actor=trainer, version=second)
    published.refresh_from_db()
    assert (published.status, third.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)


def test_discard_draft(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    course_version_draft_discard(actor=trainer, version=draft)

    assert not CourseVersion.objects.exists() and not Lesson.objects.exists()
    assert course_version_draft_create(actor=trainer, course=Course.objects.get()).number == 1


def test_pdf_upload_stored_under_a_random_name(trainer: User) -> None:
    draft = _draft_with_lesson(trainer)
    stored = lesson_file_upload(
        actor=trainer, lesson=draft.lessons.get(), file=SimpleUploadedFile("手册.pdf", PDF)
    )

    assert (stored.original_name, stored.content_type, stored.size) == (
        "手册.pdf",
        "application/pdf",
        len(PDF),
    )
    assert "手册" not in stored.file.name and stored.file.name.startswith("training/")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("slides.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),  # a program renamed
        ("setup.exe", PDF),
        ("page.html", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("notes.txt", b"plain words"),
    ],
)
def test_file_types_refused(trainer: User, name: str, content: bytes) -> None:
    draft = _draft_with_lesson(trainer)
    with pytest.raises(DomainError) as refused:
        lesson_file_upload(actor=trainer, lesson=draft.lessons.get(), file=SimpleUploadedFile(name, content))

    assert (refused.value.code, refused.value.field) == (ErrorCode.FILE_TYPE_REFUSED, "file")
    assert not LessonFile.objects.exists()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return buffer.getvalue()


OOXML_PARTS = {"[Content_Types].xml": b"<?xml version='1.0'?><Types/>", "ppt/presentation.xml": b"<p/>"}


@pytest.mark.parametrize("name", ["slides.pptx", "manual.docx", "table.xlsx"])
def test_a_zip_named_as_an_office_document_must_be_one(trainer: User, name: str) -> None:
    draft = _draft_with_lesson(trainer)
    lesson = draft.lessons.get()
    for content in (_zip({"payload.html": b"<script>alert(1)</script>"}), b"PK\x03\x04 not a zip at all"):
        with pytest.raises(DomainError) as refused:
            lesson_file_upload(actor=trainer, lesson=lesson, file=SimpleUploadedFile(name, content))
        assert (refused.value.code, refused.value.field) == (ErrorCode.FILE_TYPE_REFUSED, "file")
    assert not LessonFile.objects.exists()

    package = _zip(OOXML_PARTS)
    stored = lesson_file_upload(actor=trainer, lesson=lesson, file=SimpleUploadedFile(name, package))
    assert stored.content_type.startswith("application/vnd.openxmlformats-officedocument.")
    assert stored.size == len(package)
    with stored.file.open("rb") as kept:
        assert kept.read() == package  # the check left the position at the start: stored whole


def test_file_size_limit(trainer: User, settings: object) -> None:
    settings.CHARTER_TRAINING_FILE_MAX_BYTES = 10  # type: ignore[attr-defined]
    draft = _draft_with_lesson(trainer)
    with pytest.raises(DomainError) as refused:
        lesson_file_upload(actor=trainer, lesson=draft.lessons.get(), file=SimpleUploadedFile("a.pdf", PDF))

    assert refused.value.code == ErrorCode.FILE_TOO_LARGE


def test_lesson_complete_on_the_published_version_only(trainer: User) -> None:
    version = published_course(lessons=2)
    person = staff_member()
    first, second = version.lessons.order_by("ordering")
    started = timezone.now() - dt.timedelta(seconds=1)

    lesson_complete(actor=person, lesson=first)
    assert not lessons_done_since(person_id=person.pk, version=version, since=started)
    lesson_complete(actor=person, lesson=second)
    lesson_complete(actor=person, lesson=second)  # again: one row, the date moved on

    assert LessonProgress.objects.filter(person=person).count() == 2
    assert lessons_done_since(person_id=person.pk, version=version, since=started)
    assert lessons_done_since(person_id=person.pk, version=version, since=None)
    assert not lessons_done_since(
        person_id=person.pk, version=version, since=timezone.now() + dt.timedelta(minutes=1)
    )
    assert AuditEvent.objects.filter(action="training.lesson_complete").count() == 3

    draft = course_version_draft_create(actor=trainer, course=version.course)
    with pytest.raises(DomainError) as refused:
        lesson_complete(actor=trainer, lesson=draft.lessons.first())  # type: ignore[arg-type]
    assert refused.value.code == ErrorCode.LESSON_NOT_PUBLISHED
    with pytest.raises(DomainError) as hidden:
        lesson_complete(actor=person, lesson=draft.lessons.first())  # type: ignore[arg-type]
    assert hidden.value.status == 404


def test_finishing_the_last_lesson_completes_the_course() -> None:
    from charter.training.models import Completion

    version = published_course(lessons=2, hours=Decimal("1.5"))
    person = staff_member()
    first, second = version.lessons.order_by("ordering")

    lesson_complete(actor=person, lesson=first)
    assert not Completion.objects.filter(person=person).exists()
    lesson_complete(actor=person, lesson=second)

    completion = Completion.objects.get(person=person)
    assert (completion.version, completion.hours) == (version, Decimal("1.5"))
