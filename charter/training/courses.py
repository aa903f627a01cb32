"""Every write of courses (课程): the course itself, drafts of its versions and their publication, the
lessons and files of a draft, and a staff member's progress through the lessons of the published version.

A course lives in numbered versions on the versioning kernel (charter/common/versioning.py): trainers edit
one draft at a time (`course_version_draft_create` copies the published version's lessons, files, quiz and
clauses), `course_version_publish` publishes it and supersedes the version taught until then; a published
version never changes, so a certificate always names what its holder was taught. Lesson bodies are rich
text, cleaned by `charter.common.richtext.rich_text_clean`; lesson files are checked by
`charter.common.files.file_check` and served only through the permission check of the pages.

The quiz of a version (`Quiz`, `QuizDraw`) is configured by charter/training/quizzes.py; this module copies
it into a new draft and checks it exists before publishing a version that requires it.

Each service checks who is acting, validates before it writes and records its audit event in the same
transaction, so a refused operation leaves nothing behind.
"""

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any, cast

from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Qualification, User
from charter.accounts.permissions import AnyUser
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.files import FileCodes, file_check
from charter.common.policy import require
from charter.common.richtext import rich_text_clean
from charter.common.text import TextCodes, clean_text
from charter.common.versioning import VersionStatus, version_draft_lock, version_number_next, version_publish
from charter.standards.models import StandardClause, StandardDocument
from charter.training.errors import ErrorCode
from charter.training.models import (
    Course,
    CourseVersion,
    Lesson,
    LessonFile,
    LessonProgress,
    Quiz,
    QuizDraw,
    TrainingSession,
)
from charter.training.permissions import can_manage_courses, can_view_course_version

COURSE_CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT_CODES = TextCodes(
    too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.TEXT_INVALID, required=ErrorCode.TITLE_REQUIRED
)
FILE_CODES = FileCodes(
    required=ErrorCode.FILE_REQUIRED,
    too_large=ErrorCode.FILE_TOO_LARGE,
    type_refused=ErrorCode.FILE_TYPE_REFUSED,
    invalid_name=ErrorCode.FILE_NAME_INVALID,
)
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# What a lesson may carry: PDF, pictures, Word and Excel (old and new), PowerPoint (.pptx) and MP4 video.
# Web pages and other active content are refused: a lesson's text is written in the editor.
LESSON_FILE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/msword",
        "application/vnd.ms-excel",
        "video/mp4",
    }
)
LESSON_FILE_MAX_BYTES = 50 * 1024 * 1024
DAY_FIELDS = ("onboarding_days", "standard_days", "remedial_days", "renewal_notice_days")
MAX_DAYS = 365
MAX_CERTIFICATE_DAYS = 3650
MAX_HOURS = Decimal("999.9")
BODY_MAX_LENGTH = 100_000
SUMMARY_MAX_LENGTH = 5_000


def _file_max_bytes() -> int:
    return int(getattr(settings, "CHARTER_TRAINING_FILE_MAX_BYTES", LESSON_FILE_MAX_BYTES))


def _text(value: object, model: type[models.Model], column: str, *, required: bool = False) -> str:
    field = model._meta.get_field(column)
    limit = getattr(field, "max_length", None)
    multiline = isinstance(field, models.TextField)
    return clean_text(
        value,
        field=column,
        codes=TEXT_CODES,
        required=required,
        max_length=limit or SUMMARY_MAX_LENGTH,
        multiline=multiline,
    )


def _require_manager(actor: AnyUser) -> None:
    require(can_manage_courses(actor))


def _lock_course(course: Course) -> Course:
    # Serialises draft creation and publication per course: numbers stay sequential and one draft only.
    return Course.objects.select_for_update().get(pk=course.pk)


# Courses ------------------------------------------------------------------------------------------------


def _course_fields(
    *,
    code: str,
    title_zh: str,
    title_en: str,
    qualification: Qualification | None,
    standard: StandardDocument | None,
    required_before_acknowledgement: bool,
    days: dict[str, int],
) -> dict[str, Any]:
    code = _text(code, Course, "code")
    if not COURSE_CODE_PATTERN.match(code):
        raise DomainError(
            _("Use lower-case letters, digits and hyphens for the code, such as service-etiquette."),
            code=ErrorCode.COURSE_CODE_INVALID,
            field="code",
        )
    title_zh = _text(title_zh, Course, "title_zh")
    if not title_zh:
        raise DomainError(_("Enter the Chinese title."), code=ErrorCode.TITLE_REQUIRED, field="title_zh")
    if required_before_acknowledgement and standard is None:
        raise DomainError(
            _("Choose the standard staff acknowledge only after this course."),
            code=ErrorCode.STANDARD_REQUIRED,
            field="standard",
        )
    for name, value in days.items():
        if not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
            raise DomainError(
                _("Enter a number of days from 1 to %(limit)d.") % {"limit": MAX_DAYS},
                code=ErrorCode.DAYS_INVALID,
                field=name,
            )
    return {
        "code": code,
        "title_zh": title_zh,
        "title_en": _text(title_en, Course, "title_en"),
        "qualification": qualification,
        "standard": standard,
        "required_before_acknowledgement": bool(required_before_acknowledgement),
        **days,
    }


def _course_data(course: Course) -> dict[str, Any]:
    return {
        "code": course.code,
        "qualification": course.qualification_id,
        "standard": course.standard_id,
        "required_before_acknowledgement": course.required_before_acknowledgement,
        "is_onboarding": course.is_onboarding,
        "is_active": course.is_active,
        **{name: getattr(course, name) for name in DAY_FIELDS},
    }


def course_create(
    *,
    actor: User,
    code: str,
    title_zh: str,
    title_en: str = "",
    qualification: Qualification | None = None,
    standard: StandardDocument | None = None,
    required_before_acknowledgement: bool = False,
    is_onboarding: bool = False,
    onboarding_days: int = 30,
    standard_days: int = 30,
    remedial_days: int = 14,
    renewal_notice_days: int = 30,
) -> Course:
    """Create a course (without versions: `course_version_draft_create` opens its first, empty draft).

    Requires training.manage_course. Raises DomainError for a malformed or taken code, a missing Chinese
    title, "required before acknowledgement" without a standard, or days outside 1–365. Audited as
    `training.course_create`.
    """
    _require_manager(actor)
    fields = _course_fields(
        code=code,
        title_zh=title_zh,
        title_en=title_en,
        qualification=qualification,
        standard=standard,
        required_before_acknowledgement=required_before_acknowledgement,
        days={
            "onboarding_days": onboarding_days,
            "standard_days": standard_days,
            "remedial_days": remedial_days,
            "renewal_notice_days": renewal_notice_days,
        },
    )
    with transaction.atomic():
        if Course.objects.filter(code=fields["code"]).exists():
            raise DomainError(_("This code is already used."), code=ErrorCode.COURSE_CODE_TAKEN, field="code")
        course = Course.objects.create(**fields, is_onboarding=bool(is_onboarding), created_by=actor)
        audit_record(actor=actor, action="training.course_create", target=course, data=_course_data(course))
    return course


def course_update(
    *,
    actor: User,
    course: Course,
    code: str,
    title_zh: str,
    title_en: str = "",
    qualification: Qualification | None = None,
    standard: StandardDocument | None = None,
    required_before_acknowledgement: bool = False,
    is_onboarding: bool = False,
    onboarding_days: int = 30,
    standard_days: int = 30,
    remedial_days: int = 14,
    renewal_notice_days: int = 30,
    is_active: bool = True,
) -> Course:
    """Change a course's code, titles, qualification, standard, assignment settings and whether it is active
    (an inactive course is no longer offered or assigned; its records stay).

    Requires training.manage_course; same rules as `course_create`. Audited as `training.course_update`
    with the settings before and after.
    """
    _require_manager(actor)
    fields = _course_fields(
        code=code,
        title_zh=title_zh,
        title_en=title_en,
        qualification=qualification,
        standard=standard,
        required_before_acknowledgement=required_before_acknowledgement,
        days={
            "onboarding_days": onboarding_days,
            "standard_days": standard_days,
            "remedial_days": remedial_days,
            "renewal_notice_days": renewal_notice_days,
        },
    )
    with transaction.atomic():
        course = _lock_course(course)
        if Course.objects.filter(code=fields["code"]).exclude(pk=course.pk).exists():
            raise DomainError(_("This code is already used."), code=ErrorCode.COURSE_CODE_TAKEN, field="code")
        before = _course_data(course)
        for name, value in fields.items():
            setattr(course, name, value)
        course.is_onboarding = bool(is_onboarding)
        course.is_active = bool(is_active)
        course.save()
        audit_record(
            actor=actor,
            action="training.course_update",
            target=course,
            data={"before": before, "after": _course_data(course)},
        )
    return course


# Versions -----------------------------------------------------------------------------------------------

_VERSION_COPIED = (
    "summary_zh",
    "summary_en",
    "requires_lessons",
    "requires_attendance",
    "requires_quiz",
    "hours",
    "issues_certificate",
    "certificate_valid_days",
)


def _row_copy(row: models.Model, **changes: Any) -> models.Model:
    """An unsaved copy of `row` with `changes` (a new version, lesson, quiz), its key cleared."""
    values = {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if not field.primary_key and field.attname not in {"created_at", "updated_at"}
    }
    for name, value in changes.items():
        values.pop(f"{name}_id", None)
        values[name] = value
    return type(row)(**values)


def _parts_copy(*, source: CourseVersion, draft: CourseVersion) -> None:
    """Copy the lessons, their files (the same stored files), the quiz with its draws and the clauses."""
    for lesson in source.lessons.order_by("ordering", "pk"):
        copy = _row_copy(lesson, version=draft)
        copy.save()
        LessonFile.objects.bulk_create(
            [_row_copy(stored, version=draft, lesson=copy) for stored in lesson.files.order_by("pk")]  # type: ignore[misc]
        )
    quiz = Quiz.objects.filter(version=source).first()
    if quiz is not None:
        quiz_copy = _row_copy(quiz, version=draft)
        quiz_copy.save()
        QuizDraw.objects.bulk_create(
            [_row_copy(draw, version=draft, quiz=quiz_copy) for draw in quiz.draws.order_by("pk")]  # type: ignore[misc]
        )
    draft.clauses.set(source.clauses.all())


def course_version_draft_create(*, actor: User, course: Course) -> CourseVersion:
    """Open the next numbered version of `course` as a draft: a copy of the published version (or of the
    latest one) with its lessons, files, quiz and clauses; the first draft of a course is empty.

    Requires training.manage_course; refused while the course has a draft (training_draft_exists). Audited
    as `training.course_draft_create`.
    """
    _require_manager(actor)
    with transaction.atomic():
        course = _lock_course(course)
        versions = CourseVersion.objects.filter(course=course)
        if versions.filter(status=VersionStatus.DRAFT).exists():
            raise DomainError(
                _("This course already has a draft; finish or discard it first."), code=ErrorCode.DRAFT_EXISTS
            )
        source = (
            versions.filter(status=VersionStatus.PUBLISHED).first() or versions.order_by("-number").first()
        )
        draft = CourseVersion(
            course=course, number=version_number_next(versions), status=VersionStatus.DRAFT, created_by=actor
        )
        if source is not None:
            for name in _VERSION_COPIED:
                setattr(draft, name, getattr(source, name))
        draft.save()
        if source is not None:
            _parts_copy(source=source, draft=draft)
        audit_record(
            actor=actor,
            action="training.course_draft_create",
            target=draft,
            data={
                "course": course.code,
                "number": draft.number,
                "copied_from": source.number if source is not None else None,
            },
        )
    return draft


def _hours(value: object) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        hours = Decimal(-1)
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS or hours != hours.quantize(Decimal("0.1")):
        raise DomainError(
            _("Enter the hours credited, from 0 to 999.9, with at most one decimal place."),
            code=ErrorCode.HOURS_INVALID,
            field="hours",
        )
    return hours.quantize(Decimal("0.1"))


def _clauses(clause_ids: Sequence[int]) -> list[StandardClause]:
    wanted = set(clause_ids)
    clauses = list(
        StandardClause.objects.filter(pk__in=wanted, version__status=VersionStatus.PUBLISHED).select_related(
            "version__document"
        )
    )
    if len(clauses) != len(wanted):
        raise DomainError(
            _("Choose clauses of published standards from the list."),
            code=ErrorCode.CLAUSE_INVALID,
            field="clauses",
        )
    return clauses


def course_version_draft_update(
    *,
    actor: User,
    version: CourseVersion,
    summary_zh: str = "",
    summary_en: str = "",
    requires_lessons: bool = True,
    requires_attendance: bool = False,
    requires_quiz: bool = False,
    hours: Decimal | str | int = Decimal("1.0"),
    issues_certificate: bool = False,
    certificate_valid_days: int | None = None,
    clause_ids: Sequence[int] = (),
) -> CourseVersion:
    """Replace what a draft says about itself: its summaries, what completing it takes, the hours it
    credits, its certificate and the clauses it teaches (clauses of published standard versions only).

    Requires training.manage_course and a draft. A certificate's validity (1–3650 days, blank for none) is
    kept only when the version issues one. Raises DomainError naming the field; writes nothing then.
    Audited as `training.course_draft_update`.
    """
    _require_manager(actor)
    summary_zh = _text(summary_zh, CourseVersion, "summary_zh")
    summary_en = _text(summary_en, CourseVersion, "summary_en")
    credited = _hours(hours)
    if not issues_certificate:
        certificate_valid_days = None
    if certificate_valid_days is not None and (
        not isinstance(certificate_valid_days, int) or not 1 <= certificate_valid_days <= MAX_CERTIFICATE_DAYS
    ):
        raise DomainError(
            _("Enter how many days the certificate is valid, from 1 to %(limit)d, or leave it blank.")
            % {"limit": MAX_CERTIFICATE_DAYS},
            code=ErrorCode.VALID_DAYS_INVALID,
            field="certificate_valid_days",
        )
    clauses = _clauses(clause_ids)
    with transaction.atomic():
        draft = version_draft_lock(version)
        draft.summary_zh, draft.summary_en = summary_zh, summary_en
        draft.requires_lessons = bool(requires_lessons)
        draft.requires_attendance = bool(requires_attendance)
        draft.requires_quiz = bool(requires_quiz)
        draft.hours = credited
        draft.issues_certificate = bool(issues_certificate)
        draft.certificate_valid_days = certificate_valid_days
        draft.save()
        draft.clauses.set(clauses)
        audit_record(
            actor=actor,
            action="training.course_draft_update",
            target=draft,
            data={
                "number": draft.number,
                "requires_lessons": draft.requires_lessons,
                "requires_attendance": draft.requires_attendance,
                "requires_quiz": draft.requires_quiz,
                "hours": credited,
                "issues_certificate": draft.issues_certificate,
                "certificate_valid_days": certificate_valid_days,
                "clauses": sorted(clause.pk for clause in clauses),
            },
        )
    return draft


def course_version_draft_discard(*, actor: User, version: CourseVersion) -> None:
    """Delete a draft with its lessons, file rows (the stored files stay: a published version may share
    them), quiz and clauses; the next draft takes its number again.

    Requires training.manage_course and a draft. Audited as `training.course_draft_discard`.
    """
    _require_manager(actor)
    with transaction.atomic():
        draft = version_draft_lock(version)
        audit_record(
            actor=actor,
            action="training.course_draft_discard",
            target=draft,
            data={"course": draft.course.code, "number": draft.number},
        )
        QuizDraw.objects.filter(version=draft).delete()
        Quiz.objects.filter(version=draft).delete()
        LessonFile.objects.filter(version=draft).delete()
        Lesson.objects.filter(version=draft).delete()
        draft.clauses.clear()
        draft.delete()


def course_version_publish(*, actor: User, version: CourseVersion) -> CourseVersion:
    """Publish a draft: from now on it never changes, and staff are taught it instead of the version taught
    until now (which becomes superseded; its completions and certificates stay as they were).

    Requires training.manage_course and a draft with at least one lesson that requires something to complete
    (lessons, attendance or the quiz). A version requiring the quiz needs a quiz drawing questions; one
    requiring attendance needs a session of the course that is not cancelled (scheduled or held), since
    nobody could complete it otherwise: schedule the first session, then publish. Audited as
    `training.course_publish`.
    """
    _require_manager(actor)
    with transaction.atomic():
        course = _lock_course(version.course)
        draft = version_draft_lock(version)
        if not Lesson.objects.filter(version=draft).exists():
            raise DomainError(
                _("Add at least one lesson before publishing."),
                code=ErrorCode.VERSION_NO_LESSON,
                field="lessons",
            )
        if not (draft.requires_lessons or draft.requires_attendance or draft.requires_quiz):
            raise DomainError(
                _("Choose what completing the course requires: the lessons, a session or the quiz."),
                code=ErrorCode.NOTHING_REQUIRED,
                field="requires_lessons",
            )
        if draft.requires_quiz and not QuizDraw.objects.filter(version=draft, count__gt=0).exists():
            raise DomainError(
                _("The course requires passing the quiz: configure the quiz and its questions first."),
                code=ErrorCode.VERSION_NO_QUIZ,
                field="requires_quiz",
            )
        if (
            draft.requires_attendance
            and not TrainingSession.objects.filter(course=course)
            .exclude(status=TrainingSession.Status.CANCELLED)
            .exists()
        ):
            raise DomainError(
                _("The course requires attending a session: schedule a session first."),
                code=ErrorCode.VERSION_NO_SESSION,
                field="requires_attendance",
            )
        versions = CourseVersion.objects.filter(course=course)
        previous = versions.filter(status=VersionStatus.PUBLISHED).first()
        version_publish(version=draft, actor=actor, supersede=versions)
        audit_record(
            actor=actor,
            action="training.course_publish",
            target=draft,
            data={
                "course": course.code,
                "number": draft.number,
                "supersedes": previous.number if previous is not None else None,
                "lessons": Lesson.objects.filter(version=draft).count(),
            },
        )
    return draft


# Lessons ------------------------------------------------------------------------------------------------


def _video_url(value: object) -> str:
    url = _text(value, Lesson, "video_url")
    if url and not re.match(r"^https?://[^\s/?#]+[^\s]*$", url, re.IGNORECASE):
        raise DomainError(
            _("Enter a web address starting with http:// or https://."),
            code=ErrorCode.VIDEO_URL_INVALID,
            field="video_url",
        )
    return url


def _lesson_fields(
    *, title_zh: str, title_en: str, body_zh: str, body_en: str, video_url: str
) -> dict[str, str]:
    title_zh = _text(title_zh, Lesson, "title_zh")
    if not title_zh:
        raise DomainError(_("Enter the Chinese title."), code=ErrorCode.TITLE_REQUIRED, field="title_zh")
    return {
        "title_zh": title_zh,
        "title_en": _text(title_en, Lesson, "title_en"),
        "body_zh": rich_text_clean(body_zh, max_length=BODY_MAX_LENGTH, field="body_zh", codes=TEXT_CODES),
        "body_en": rich_text_clean(body_en, max_length=BODY_MAX_LENGTH, field="body_en", codes=TEXT_CODES),
        "video_url": _video_url(video_url),
    }


def lesson_create(
    *,
    actor: User,
    version: CourseVersion,
    title_zh: str,
    title_en: str = "",
    body_zh: str = "",
    body_en: str = "",
    video_url: str = "",
) -> Lesson:
    """Add a lesson at the end of a draft. Bodies are rich text, cleaned (`rich_text_clean`); the video link
    is an http(s) address (the intranet's video server).

    Requires training.manage_course and a draft. Audited as `training.lesson_create`.
    """
    _require_manager(actor)
    fields = _lesson_fields(
        title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en, video_url=video_url
    )
    with transaction.atomic():
        draft = version_draft_lock(version)
        last = Lesson.objects.filter(version=draft).aggregate(last=Max("ordering"))["last"]
        lesson = Lesson.objects.create(version=draft, ordering=(last or 0) + 1, **fields)
        audit_record(
            actor=actor,
            action="training.lesson_create",
            target=lesson,
            data={"version": draft.pk, "title_zh": lesson.title_zh},
        )
    return lesson


def lesson_update(
    *,
    actor: User,
    lesson: Lesson,
    title_zh: str,
    title_en: str = "",
    body_zh: str = "",
    body_en: str = "",
    video_url: str = "",
) -> Lesson:
    """Change a lesson of a draft (same rules as `lesson_create`). Audited as `training.lesson_update`."""
    _require_manager(actor)
    fields = _lesson_fields(
        title_zh=title_zh, title_en=title_en, body_zh=body_zh, body_en=body_en, video_url=video_url
    )
    with transaction.atomic():
        version_draft_lock(lesson.version)
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        for name, value in fields.items():
            setattr(lesson, name, value)
        lesson.save()
        audit_record(
            actor=actor,
            action="training.lesson_update",
            target=lesson,
            data={"version": lesson.version_id, "title_zh": lesson.title_zh},
        )
    return lesson


def lesson_delete(*, actor: User, lesson: Lesson) -> None:
    """Remove a lesson (and its file rows) from a draft. Audited as `training.lesson_delete`."""
    _require_manager(actor)
    with transaction.atomic():
        version_draft_lock(lesson.version)
        audit_record(
            actor=actor,
            action="training.lesson_delete",
            target=lesson,
            data={"version": lesson.version_id, "title_zh": lesson.title_zh},
        )
        LessonFile.objects.filter(lesson=lesson).delete()
        lesson.delete()


def lesson_reorder(*, actor: User, version: CourseVersion, lesson_ids: Sequence[int]) -> None:
    """Put the lessons of a draft in the order of `lesson_ids`, which names each of its lessons once.

    Requires training.manage_course and a draft. Audited as `training.lesson_reorder`.
    """
    _require_manager(actor)
    with transaction.atomic():
        draft = version_draft_lock(version)
        lessons = {lesson.pk: lesson for lesson in Lesson.objects.filter(version=draft)}
        if len(lesson_ids) != len(set(lesson_ids)) or set(lesson_ids) != set(lessons):
            raise DomainError(
                _("List every lesson of the course once."),
                code=ErrorCode.LESSON_ORDER_INVALID,
                field="lessons",
            )
        for position, lesson_id in enumerate(lesson_ids, start=1):
            lesson = lessons[lesson_id]
            if lesson.ordering != position:
                lesson.ordering = position
                lesson.save(update_fields=["ordering"])
        audit_record(
            actor=actor, action="training.lesson_reorder", target=draft, data={"lessons": list(lesson_ids)}
        )


_OOXML_TYPES = frozenset(
    {
        PPTX_TYPE,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
# A real Office document has a few dozen to a few thousand parts; far more is not a document we teach from.
_OOXML_MAX_ENTRIES = 20_000


def _ooxml_package_check(file: object) -> None:
    """Refuse a file that claims to be a .docx, .xlsx or .pptx (a ZIP by its bytes, the kind by its name)
    but is not an Office Open XML package: one without `[Content_Types].xml`, or not a readable ZIP. Only
    the ZIP's central directory is read (the file is already within the size limit), never its contents,
    and the position is left at the start."""
    upload = cast(IO[Any], file)
    refused = DomainError(
        _("This is not a Word, Excel or PowerPoint document: the file only carries its name."),
        code=ErrorCode.FILE_TYPE_REFUSED,
        field="file",
    )
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            entries = package.infolist()
            if len(entries) > _OOXML_MAX_ENTRIES or not any(
                entry.filename == "[Content_Types].xml" for entry in entries
            ):
                raise refused
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise refused from None
    finally:
        upload.seek(0)


def lesson_file_upload(*, actor: User, lesson: Lesson, file: object) -> LessonFile:
    """Attach a file to a lesson of a draft: PDF, a picture, a Word, Excel or PowerPoint (.pptx) document or
    an MP4 video, up to settings.CHARTER_TRAINING_FILE_MAX_BYTES (50 MB by default).

    The type is read from the bytes (`file_check`): a program renamed, a web page or anything else is
    refused; a ZIP named .docx, .xlsx or .pptx must be an Office Open XML package (`[Content_Types].xml`).
    Stored outside the web root under a random name. Requires training.manage_course and a draft.
    Audited as `training.lesson_file_upload`.
    """
    _require_manager(actor)
    allowed = set(LESSON_FILE_TYPES)
    name = str(getattr(file, "name", "") or "")
    if name.lower().endswith(".pptx"):
        allowed.add("application/zip")  # a .pptx is a ZIP the sniffer does not name
    checked = file_check(
        file, field="file", codes=FILE_CODES, max_bytes=_file_max_bytes(), allowed_types=allowed
    )
    content_type = PPTX_TYPE if checked.content_type == "application/zip" else checked.content_type
    if content_type in _OOXML_TYPES:
        _ooxml_package_check(file)
    with transaction.atomic():
        draft = version_draft_lock(lesson.version)
        stored = LessonFile(
            version=draft,
            lesson=lesson,
            original_name=checked.name,
            content_type=content_type,
            size=checked.size,
            sha256=checked.sha256,
            is_download_only=checked.is_download_only,
        )
        stored.file.save("upload", File(cast(IO[Any], file)), save=False)
        stored.save()
        audit_record(
            actor=actor,
            action="training.lesson_file_upload",
            target=stored,
            data={
                "lesson": lesson.pk,
                "name": checked.name,
                "content_type": content_type,
                "size": checked.size,
                "sha256": checked.sha256,
            },
        )
    return stored


def lesson_file_delete(*, actor: User, lesson_file: LessonFile) -> None:
    """Remove a file from a lesson of a draft (the stored file stays while a published version uses it).
    Audited as `training.lesson_file_delete`."""
    _require_manager(actor)
    with transaction.atomic():
        version_draft_lock(lesson_file.lesson.version)
        audit_record(
            actor=actor,
            action="training.lesson_file_delete",
            target=lesson_file,
            data={"lesson": lesson_file.lesson_id, "name": lesson_file.original_name},
        )
        lesson_file.delete()


# Progress -----------------------------------------------------------------------------------------------


def lesson_complete(*, actor: User, lesson: Lesson) -> LessonProgress:
    """Record that `actor` finished `lesson` of the published version (now; again later moves the date on,
    as a renewal re-reads the course), then let completion see whether the course is complete.

    Refused for a lesson of a draft or superseded version (training_lesson_not_published) and hidden from
    whoever may not read the version. Audited as `training.lesson_complete`.
    """
    version = lesson.version
    require(can_view_course_version(actor, version))
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(
            _("Only lessons of the course version taught now can be marked as done."),
            code=ErrorCode.LESSON_NOT_PUBLISHED,
        )
    with transaction.atomic():
        progress, _created = LessonProgress.objects.update_or_create(
            person=actor, lesson=lesson, defaults={"completed_at": timezone.now()}
        )
        audit_record(
            actor=actor,
            action="training.lesson_complete",
            target=lesson,
            data={"version": version.pk, "course": version.course.code},
        )
        completion_evaluate_lazily(person=actor, course=version.course)
    return progress


def completion_evaluate_lazily(*, person: User, course: Course) -> None:
    """Let completion (charter/training/completion.py) see whether `person` completed `course` now."""
    # Imported here: completion imports this module (lessons_done_since) and sessions.
    from charter.training.completion import completion_evaluate

    completion_evaluate(person=person, course=course)


def lessons_done_since(*, person_id: int, version: CourseVersion, since: dt.datetime | None) -> bool:
    """True when the person finished every lesson of `version` at or after `since` (ever, when None). A
    version without lessons counts as done."""
    lessons = Lesson.objects.filter(version=version)
    done = LessonProgress.objects.filter(person_id=person_id, lesson__version=version)
    if since is not None:
        done = done.filter(completed_at__gte=since)
    return done.values("lesson_id").distinct().count() >= lessons.count()


def lesson_progress_of(*, person_id: int, version: CourseVersion) -> dict[int, dt.datetime]:
    """When the person last finished each lesson of `version` (lesson id → time), for the pages."""
    return dict(
        LessonProgress.objects.filter(person_id=person_id, lesson__version=version).values_list(
            "lesson_id", "completed_at"
        )
    )
