"""Pages of courses under /desk/training/: the course list, a course as staff read it (the published version:
summary, clauses cited, lessons, sessions to enrol in, the reader's progress), a lesson with its files and
"mark as done", and the course editor for trainers (course settings, the draft, its lessons and files,
publication).

Every member of staff reads the published (and superseded) versions; drafts and the editor are for those who
write courses (`can_manage_courses`): others get 403 on an editor page and 404 for a draft. A lesson file is
served only to whoever may read its version, with `stored_file_response` (404 for anybody else, a customer
or an anonymous visitor among them). Forms check the shape; the services in charter/training/courses.py
decide.
"""

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import User
from charter.accounts.requests import request_staff
from charter.common.errors import DomainError
from charter.common.files import stored_file_response
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.models import localized
from charter.common.pages import page_rule
from charter.common.policy import page_require
from charter.common.richtext import rich_text_clean
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
    lesson_progress_of,
    lesson_reorder,
    lesson_update,
)
from charter.training.forms_courses import (
    CourseForm,
    CourseVersionForm,
    LessonFileForm,
    LessonForm,
    PublishForm,
)
from charter.training.models import Course, CourseVersion, Lesson, LessonFile, Quiz, TrainingSession
from charter.training.permissions import can_manage_courses, can_use_training, can_view_course_version


def _course_or_404(course_id: int) -> Course:
    return get_object_or_404(Course, pk=course_id)


def _draft_or_404(course_id: int, number: int) -> CourseVersion:
    return get_object_or_404(
        CourseVersion.objects.select_related("course"),
        course_id=course_id,
        number=number,
        status=VersionStatus.DRAFT,
    )


def _draft_lesson_or_404(lesson_id: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("version__course"), pk=lesson_id, version__status=VersionStatus.DRAFT
    )


# Reading ------------------------------------------------------------------------------------------------


@page_rule(can_use_training)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    """Active courses with a published version; for trainers every course, with its draft."""
    user = request_staff(request)
    is_manager = bool(can_manage_courses(user))
    courses = Course.objects.order_by("code").prefetch_related("versions")
    if not is_manager:
        courses = courses.filter(is_active=True, versions__status=VersionStatus.PUBLISHED).distinct()
    rows = []
    for course in courses:
        versions = list(course.versions.all())
        rows.append(
            {
                "course": course,
                "published": next((v for v in versions if v.status == VersionStatus.PUBLISHED), None),
                "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None)
                if is_manager
                else None,
            }
        )
    return render(request, "training/course_list.html", {"rows": rows, "is_manager": is_manager})


def _sessions_open(course: Course, user: User) -> list[dict[str, Any]]:
    sessions = (
        TrainingSession.objects.filter(
            course=course, status=TrainingSession.Status.SCHEDULED, ends_at__gt=timezone.now()
        )
        .select_related("trainer")
        .annotate(enrolled=Count("enrolments"), mine=Count("enrolments", filter=Q(enrolments__person=user)))
        .order_by("starts_at")
    )
    return [
        {
            "session": session,
            "seats_left": max(session.capacity - session.enrolled, 0),
            "enrolled": session.mine > 0,
        }
        for session in sessions
    ]


@page_rule(can_use_training)
@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """A course as its published version says (or `?version=N`): summary, the clauses it teaches with their
    text, the lessons in order with the reader's progress, its quiz and the sessions he may enrol in. A
    trainer also sees the versions, the draft and the editor's links."""
    user = request_staff(request)
    course = _course_or_404(course_id)
    is_manager = bool(can_manage_courses(user))
    versions = course.versions.order_by("-number")
    requested = request.GET.get("version", "")
    if requested:
        number = int_param(requested, maximum=32767)
        if number is None:
            raise Http404
        version: CourseVersion | None = get_object_or_404(versions, number=number)
    else:
        version = versions.filter(status=VersionStatus.PUBLISHED).first()
        if version is None and is_manager:
            version = versions.first()
    if (version is None and not is_manager) or (not course.is_active and not is_manager):
        raise Http404
    if version is None:
        # A trainer's course without any version (its first draft discarded): offer to start one.
        return render(request, "training/course_detail.html", {"course": course, "is_manager": True})
    page_require(can_view_course_version(user, version))
    progress = lesson_progress_of(person_id=user.pk, version=version)
    lessons = [{"lesson": lesson, "done_at": progress.get(lesson.pk)} for lesson in version.lessons.all()]
    context: dict[str, Any] = {
        "course": course,
        "version": version,
        "clauses": version.clauses.select_related("version__document").order_by(
            "version__document__code", "sort_key"
        ),
        "lessons": lessons,
        "done_count": sum(1 for row in lessons if row["done_at"]),
        "quiz": Quiz.objects.filter(version=version).first(),
        "sessions": _sessions_open(course, user) if version.is_published else [],
        "is_manager": is_manager,
        "versions": list(versions if is_manager else versions.exclude(status=VersionStatus.DRAFT)),
        "draft": versions.filter(status=VersionStatus.DRAFT).first() if is_manager else None,
    }
    return render(request, "training/course_detail.html", context)


def _lesson_readable(user: User, lesson_id: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("version__course"), pk=lesson_id)
    page_require(can_view_course_version(user, lesson.version))
    return lesson


def _body_safe(lesson: Lesson) -> str:
    """The lesson's text in the reader's language, cleaned again as it is shown: the services store it
    cleaned, but a row written another way (the admin, a shell, an import) must not run in a browser."""
    try:
        return rich_text_clean(localized(lesson, "body"))
    except DomainError:
        return ""


@page_rule(can_use_training)
@require_GET
def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """One lesson: its sanitised text, video link and files, and "mark as done" on the published version."""
    user = request_staff(request)
    lesson = _lesson_readable(user, lesson_id)
    siblings = list(lesson.version.lessons.values_list("pk", flat=True))
    index = siblings.index(lesson.pk)
    context = {
        "lesson": lesson,
        "body": _body_safe(lesson),
        "version": lesson.version,
        "course": lesson.version.course,
        "files": lesson.files.all(),
        "done": lesson_progress_of(person_id=user.pk, version=lesson.version).get(lesson.pk),
        "previous_id": siblings[index - 1] if index > 0 else None,
        "next_id": siblings[index + 1] if index + 1 < len(siblings) else None,
        "position": index + 1,
        "count": len(siblings),
    }
    return render(request, "training/lesson_detail.html", context)


@page_rule(can_use_training)
@require_POST
def lesson_done(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Mark a lesson of the published version as done and go on to the next one (or back to the course)."""
    user = request_staff(request)
    lesson = _lesson_readable(user, lesson_id)
    try:
        lesson_complete(actor=user, lesson=lesson)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("training:lesson_detail", lesson_id=lesson.pk)
    messages.success(request, _("Lesson marked as done."))
    following = lesson.version.lessons.filter(
        Q(ordering__gt=lesson.ordering) | Q(ordering=lesson.ordering, pk__gt=lesson.pk)
    ).first()
    if following is not None:
        return redirect("training:lesson_detail", lesson_id=following.pk)
    return redirect("training:course_detail", course_id=lesson.version.course_id)


@require_GET
def lesson_file(request: HttpRequest, file_id: int) -> FileResponse:
    """Serve a lesson file to whoever may read its version (404 for anybody else, signed in or not)."""
    stored = get_object_or_404(LessonFile.objects.select_related("version"), pk=file_id)
    page_require(can_view_course_version(request.user, stored.version))
    return stored_file_response(stored)


# Editing ------------------------------------------------------------------------------------------------


def _course_arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: data[name]
        for name in (
            "code",
            "title_zh",
            "title_en",
            "qualification",
            "standard",
            "required_before_acknowledgement",
            "is_onboarding",
            "onboarding_days",
            "standard_days",
            "remedial_days",
            "renewal_notice_days",
        )
    }


@page_rule(can_manage_courses)
def course_create_view(request: HttpRequest) -> HttpResponse:
    """Create a course and open its first (empty) draft."""
    user = request_staff(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                course = course_create(actor=user, **_course_arguments(form.cleaned_data))
                draft = course_version_draft_create(actor=user, course=course)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The course was created. Write its first version now."))
            return redirect("training:course_version_edit", course_id=course.pk, number=draft.number)
    return render(request, "training/course_form.html", {"form": form, "course": None})


@page_rule(can_manage_courses)
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    """Change a course's settings."""
    user = request_staff(request)
    course = _course_or_404(course_id)
    form = CourseForm(request.POST or None, initial=CourseForm.initial_from(course), is_new=False)
    if request.method == "POST" and form.is_valid():
        try:
            course_update(
                actor=user,
                course=course,
                is_active=form.cleaned_data["is_active"],
                **_course_arguments(form.cleaned_data),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("training:course_detail", course_id=course.pk)
    return render(request, "training/course_form.html", {"form": form, "course": course})


@page_rule(can_manage_courses)
@require_POST
def course_draft_create(request: HttpRequest, course_id: int) -> HttpResponse:
    """Open the next version as a draft, copied from the published one."""
    user = request_staff(request)
    course = _course_or_404(course_id)
    try:
        draft = course_version_draft_create(actor=user, course=course)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("training:course_detail", course_id=course.pk)
    messages.success(request, _("Version %(number)s was opened as a draft.") % {"number": draft.number})
    return redirect("training:course_version_edit", course_id=course.pk, number=draft.number)


@page_rule(can_manage_courses)
def course_version_edit(request: HttpRequest, course_id: int, number: int) -> HttpResponse:
    """The draft: what completing it takes, its summary and clauses, its lessons (add, edit, move, remove),
    the quiz link, publish and discard."""
    user = request_staff(request)
    draft = _draft_or_404(course_id, number)
    form = CourseVersionForm(request.POST or None, initial=CourseVersionForm.initial_from(draft))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course_version_draft_update(
                actor=user,
                version=draft,
                summary_zh=data["summary_zh"],
                summary_en=data["summary_en"],
                requires_lessons=data["requires_lessons"],
                requires_attendance=data["requires_attendance"],
                requires_quiz=data["requires_quiz"],
                hours=data["hours"],
                issues_certificate=data["issues_certificate"],
                certificate_valid_days=data["certificate_valid_days"],
                clause_ids=[clause.pk for clause in data["clauses"]],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("training:course_version_edit", course_id=course_id, number=number)
    context = {
        "course": draft.course,
        "version": draft,
        "form": form,
        "lessons": draft.lessons.annotate(file_count=Count("files")),
        "quiz": Quiz.objects.filter(version=draft).first(),
    }
    return render(request, "training/course_version_form.html", context)


@page_rule(can_manage_courses)
def course_version_publish_view(request: HttpRequest, course_id: int, number: int) -> HttpResponse:
    """Ask for confirmation, then publish the draft."""
    user = request_staff(request)
    draft = _draft_or_404(course_id, number)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course_version_publish(actor=user, version=draft)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Version %(number)s was published.") % {"number": draft.number})
            return redirect("training:course_detail", course_id=course_id)
    context = {"course": draft.course, "version": draft, "form": form, "lesson_count": draft.lessons.count()}
    return render(request, "training/course_publish.html", context)


@page_rule(can_manage_courses)
@require_POST
def course_version_discard(request: HttpRequest, course_id: int, number: int) -> HttpResponse:
    user = request_staff(request)
    draft = _draft_or_404(course_id, number)
    try:
        course_version_draft_discard(actor=user, version=draft)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("training:course_version_edit", course_id=course_id, number=number)
    messages.success(request, _("The draft was discarded."))
    return (
        redirect("training:course_detail", course_id=course_id)
        if draft.number > 1
        else redirect("training:course_list")
    )


def _lesson_arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("title_zh", "title_en", "body_zh", "body_en", "video_url")}


@page_rule(can_manage_courses)
def lesson_create_view(request: HttpRequest, course_id: int, number: int) -> HttpResponse:
    """Add a lesson at the end of the draft."""
    user = request_staff(request)
    draft = _draft_or_404(course_id, number)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lesson_create(actor=user, version=draft, **_lesson_arguments(form.cleaned_data))
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The lesson was added."))
            return redirect("training:lesson_edit", lesson_id=lesson.pk)
    context = {"course": draft.course, "version": draft, "form": form, "lesson": None}
    return render(request, "training/lesson_form.html", context)


@page_rule(can_manage_courses)
def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Change a lesson of the draft; its files (upload, remove)."""
    user = request_staff(request)
    lesson = _draft_lesson_or_404(lesson_id)
    initial = {
        name: getattr(lesson, name) for name in ("title_zh", "title_en", "body_zh", "body_en", "video_url")
    }
    form = LessonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lesson_update(actor=user, lesson=lesson, **_lesson_arguments(form.cleaned_data))
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The lesson was saved."))
            return redirect("training:lesson_edit", lesson_id=lesson.pk)
    context = {
        "course": lesson.version.course,
        "version": lesson.version,
        "lesson": lesson,
        "form": form,
        "file_form": LessonFileForm(),
        "files": lesson.files.all(),
    }
    return render(request, "training/lesson_form.html", context)


@page_rule(can_manage_courses)
@require_POST
def lesson_delete_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    user = request_staff(request)
    lesson = _draft_lesson_or_404(lesson_id)
    version = lesson.version
    try:
        lesson_delete(actor=user, lesson=lesson)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The lesson was removed."))
    return redirect("training:course_version_edit", course_id=version.course_id, number=version.number)


@page_rule(can_manage_courses)
@require_POST
def lesson_move(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Move a lesson of the draft one place up or down (`direction`)."""
    user = request_staff(request)
    lesson = _draft_lesson_or_404(lesson_id)
    version = lesson.version
    order = list(version.lessons.values_list("pk", flat=True))
    index = order.index(lesson.pk)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        try:
            lesson_reorder(actor=user, version=version, lesson_ids=order)
        except DomainError as error:
            messages.error(request, str(error.message))
    return redirect("training:course_version_edit", course_id=version.course_id, number=version.number)


@page_rule(can_manage_courses)
@require_POST
def lesson_file_upload_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    user = request_staff(request)
    lesson = _draft_lesson_or_404(lesson_id)
    form = LessonFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            lesson_file_upload(actor=user, lesson=lesson, file=form.cleaned_data["file"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The file was uploaded."))
    else:
        messages.error(request, _("Choose a file."))
    return redirect("training:lesson_edit", lesson_id=lesson.pk)


@page_rule(can_manage_courses)
@require_POST
def lesson_file_delete_view(request: HttpRequest, file_id: int) -> HttpResponse:
    user = request_staff(request)
    stored = get_object_or_404(
        LessonFile.objects.select_related("lesson__version"), pk=file_id, version__status=VersionStatus.DRAFT
    )
    try:
        lesson_file_delete(actor=user, lesson_file=stored)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("training:lesson_edit", lesson_id=stored.lesson_id)
