"""Pages of courses and sessions (test client): who sees what, the editor's journey, files served only to
those who may read the version, attendance and sign-in."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import User
from charter.common.versioning import VersionStatus, version_publish
from charter.training.models import (
    Course,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonFile,
    LessonProgress,
    TrainingSession,
)
from charter.training.sessions import session_enrol
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.training.factories import (
    course_make,
    draft_version_make,
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


@pytest.fixture
def agent() -> User:
    return staff_member(username="li.agent")


@pytest.fixture
def customer() -> User:
    return UserFactory.create(username="liu.customer", roles=["customer"])


def _with_file(name: str, content: bytes, content_type: str, *, download_only: bool = False) -> LessonFile:
    """A published course whose first lesson carries one file, stored as the upload service would."""
    course = course_make()
    draft = draft_version_make(course=course, lessons=1)
    stored = LessonFile(
        version=draft,
        lesson=draft.lessons.get(),
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256="0" * 64,
        is_download_only=download_only,
    )
    stored.file.save("upload", ContentFile(content), save=False)
    stored.save()
    version_publish(version=draft, actor=None, supersede=course.versions.all())
    return stored


def test_course_list_staff_see_published_trainers_also_drafts(trainer: User, agent: User) -> None:
    published = published_course(title_zh="文明服务规范")
    draft_only = course_make(title_zh="尚未发布的课程")
    draft_version_make(course=draft_only)
    inactive = published_course(title_zh="停用的课程", is_active=False)

    staff_page = client_for(agent).get(reverse("training:course_list")).content.decode()
    trainer_page = client_for(trainer).get(reverse("training:course_list")).content.decode()

    assert str(published.course) in staff_page
    assert "尚未发布的课程" not in staff_page and "停用的课程" not in staff_page
    assert "尚未发布的课程" in trainer_page and str(inactive.course) in trainer_page


def test_course_pages_refuse_customers_and_send_anonymous_to_sign_in(customer: User) -> None:
    version = published_course()
    url = reverse("training:course_detail", args=[version.course_id])

    assert client_for(customer).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_course_detail_shows_clauses_lessons_progress_and_sessions(trainer: User, agent: User) -> None:
    from tests.assessment.factories import conduct_clause
    from tests.training.factories import administrator_user

    clause = conduct_clause(administrator_user())
    course = course_make(title_zh="文明服务规范")
    draft = draft_version_make(course=course, lessons=2)
    draft.clauses.set([clause])
    version = version_publish(version=draft, actor=None, supersede=course.versions.all())
    first = version.lessons.order_by("ordering").first()
    assert first is not None
    LessonProgress.objects.create(person=agent, lesson=first, completed_at=timezone.now())
    session_make(course=course, trainer=trainer, place="三楼培训室")

    page = client_for(agent).get(reverse("training:course_detail", args=[course.pk])).content.decode()

    assert clause.text_zh in page
    assert "第1课" in page and "第2课" in page
    assert "已学完 1/2" in page
    assert "三楼培训室" in page


def test_draft_only_course_is_hidden_from_staff(trainer: User, agent: User) -> None:
    course = course_make()
    draft = draft_version_make(course=course)
    lesson = draft.lessons.first()
    assert lesson is not None

    assert client_for(agent).get(reverse("training:course_detail", args=[course.pk])).status_code == 404
    assert client_for(agent).get(reverse("training:lesson_detail", args=[lesson.pk])).status_code == 404
    assert client_for(trainer).get(reverse("training:course_detail", args=[course.pk])).status_code == 200


def test_lesson_page_and_mark_as_done(agent: User) -> None:
    version = published_course(lessons=2)
    first, second = version.lessons.order_by("ordering")
    client = client_for(agent)

    page = client.get(reverse("training:lesson_detail", args=[first.pk]))
    assert page.status_code == 200 and "第1课的内容" in page.content.decode()
    done = client.post(reverse("training:lesson_done", args=[first.pk]))

    assert done.status_code == 302 and done["Location"] == reverse("training:lesson_detail", args=[second.pk])
    assert LessonProgress.objects.filter(person=agent, lesson=first).exists()
    last = client.post(reverse("training:lesson_done", args=[second.pk]))
    assert last["Location"] == reverse("training:course_detail", args=[version.course_id])


def test_lesson_file_served_to_staff_hidden_from_customers_and_anonymous(agent: User, customer: User) -> None:
    stored = _with_file("手册.pdf", PDF, "application/pdf")
    url = reverse("training:lesson_file", args=[stored.pk])

    response = client_for(agent).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(customer).get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_active_content_is_served_only_as_a_download(agent: User) -> None:
    stored = _with_file(
        "page.html", b"<html><script>alert(1)</script></html>", "text/html", download_only=True
    )

    response = client_for(agent).get(reverse("training:lesson_file", args=[stored.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


def test_file_of_a_draft_hidden_from_staff(trainer: User, agent: User) -> None:
    course = course_make()
    draft = draft_version_make(course=course, lessons=1)
    stored = LessonFile(
        version=draft,
        lesson=draft.lessons.get(),
        original_name="草稿.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    stored.file.save("upload", ContentFile(PDF), save=False)
    stored.save()
    url = reverse("training:lesson_file", args=[stored.pk])

    assert client_for(agent).get(url).status_code == 404
    assert client_for(trainer).get(url).status_code == 200


def test_editor_pages_refuse_staff(agent: User) -> None:
    version = published_course()
    client = client_for(agent)

    assert client.get(reverse("training:course_create")).status_code == 403
    assert client.get(reverse("training:course_edit", args=[version.course_id])).status_code == 403
    assert client.post(reverse("training:course_draft_create", args=[version.course_id])).status_code == 403
    assert not CourseVersion.objects.filter(status=VersionStatus.DRAFT).exists()


def test_trainer_writes_and_publishes_a_course(trainer: User, agent: User) -> None:
    client = client_for(trainer)
    created = client.post(
        reverse("training:course_create"),
        {
            "code": "etiquette",
            "title_zh": "文明服务规范",
            "title_en": "Courteous service",
            "onboarding_days": 30,
            "standard_days": 30,
            "remedial_days": 14,
            "renewal_notice_days": 30,
        },
    )
    course = Course.objects.get(code="etiquette")
    edit_url = reverse("training:course_version_edit", args=[course.pk, 1])
    assert created["Location"] == edit_url

    added = client.post(
        reverse("training:lesson_create", args=[course.pk, 1]),
        {
            "title_zh": "第一课",
            "body_zh": '<p>礼貌用语</p><script>alert(1)</script><a href="javascript:x()">链接</a>',
        },
    )
    lesson = Lesson.objects.get()
    assert added["Location"] == reverse("training:lesson_edit", args=[lesson.pk])
    assert "script" not in lesson.body_zh and "javascript" not in lesson.body_zh
    uploaded = client.post(
        reverse("training:lesson_file_upload", args=[lesson.pk]),
        {"file": SimpleUploadedFile("手册.pdf", PDF)},
    )
    assert uploaded.status_code == 302 and lesson.files.count() == 1
    refused = client.post(
        reverse("training:lesson_file_upload", args=[lesson.pk]),
        {"file": SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 not a pdf")},
        follow=True,
    )
    assert lesson.files.count() == 1
    assert "不能" in refused.content.decode()

    saved = client.post(edit_url, {"summary_zh": "概要", "requires_lessons": "on", "hours": "1.5"})
    assert saved.status_code == 302
    publish_url = reverse("training:course_version_publish", args=[course.pk, 1])
    assert client.get(publish_url).status_code == 200
    unconfirmed = client.post(publish_url, {})
    assert unconfirmed.status_code == 200
    assert CourseVersion.objects.get().status == VersionStatus.DRAFT
    published = client.post(publish_url, {"confirm": "on"})

    assert published["Location"] == reverse("training:course_detail", args=[course.pk])
    assert CourseVersion.objects.get().status == VersionStatus.PUBLISHED
    page = client_for(agent).get(reverse("training:lesson_detail", args=[lesson.pk])).content.decode()
    assert "<p>礼貌用语</p>" in page and "alert(1)" not in page


def test_publish_refusal_shown_on_the_page(trainer: User) -> None:
    course = course_make()
    draft_version_make(course=course, lessons=0)

    response = client_for(trainer).post(
        reverse("training:course_version_publish", args=[course.pk, 1]), {"confirm": "on"}
    )

    assert response.status_code == 200
    assert CourseVersion.objects.get().status == VersionStatus.DRAFT
    assert response.context["form"].errors


# Sessions -----------------------------------------------------------------------------------------------


@pytest.fixture
def session(trainer: User) -> TrainingSession:
    version = published_course()
    return session_make(
        course=version.course, trainer=trainer, starts_at=timezone.now() + dt.timedelta(days=1), capacity=1
    )


def test_enrol_from_the_page_and_full(session: TrainingSession, agent: User) -> None:
    url = reverse("training:session_enrol", args=[session.pk])
    assert client_for(agent).post(url).status_code == 302
    other = staff_member()
    client_for(other).post(url)

    assert list(Enrolment.objects.values_list("person_id", flat=True)) == [agent.pk]
    page = client_for(other).get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "该场次已满" in page


def test_attendance_sheet_refused_to_staff(session: TrainingSession, agent: User) -> None:
    session_enrol(actor=agent, session=session)
    url = reverse("training:session_attendance", args=[session.pk])

    assert client_for(agent).get(url).status_code == 403
    with time_machine.travel(session.starts_at):
        assert client_for(agent).post(url, {"present": [str(agent.pk)]}).status_code == 403
    assert Enrolment.objects.get().attendance == ""


def test_trainer_takes_attendance_and_staff_sign_in(trainer: User, agent: User) -> None:
    version = published_course()
    session = session_make(
        course=version.course, trainer=trainer, starts_at=timezone.now() + dt.timedelta(days=1), capacity=5
    )
    other = staff_member()
    session_enrol(actor=agent, session=session)
    session_enrol(actor=other, session=session)
    sheet = reverse("training:session_attendance", args=[session.pk])

    with time_machine.travel(session.starts_at + dt.timedelta(minutes=5)):
        trainer_client = client_for(trainer)
        trainer_client.post(reverse("training:session_code_issue", args=[session.pk]))
        session.refresh_from_db()
        code = session.sign_in_code
        assert code in trainer_client.get(sheet).content.decode()

        sign_in = reverse("training:session_sign_in", args=[session.pk])
        wrong = client_for(agent).post(sign_in, {"code": "000000" if code != "000000" else "111111"})
        assert wrong.status_code == 400 and wrong.context["form"].errors["code"]
        right = client_for(agent).post(sign_in, {"code": code})
        assert right.status_code == 302
        assert Enrolment.objects.get(person=agent).attendance == "present"

        trainer_client.post(sheet, {"present": [str(agent.pk)]})

    marks = dict(Enrolment.objects.values_list("person_id", "attendance"))
    assert marks == {agent.pk: "present", other.pk: "absent"}


def test_session_list_for_staff_and_trainers(trainer: User, agent: User) -> None:
    version = published_course(title_zh="带电作业安全")
    upcoming = session_make(course=version.course, trainer=trainer, place="二楼会议室")
    session_make(course=version.course, trainer=trainer, place="已取消的教室", status="cancelled")
    session_enrol(actor=agent, session=upcoming)

    staff_page = client_for(agent).get(reverse("training:session_list")).content.decode()
    trainer_page = client_for(trainer).get(reverse("training:session_list")).content.decode()

    assert "二楼会议室" in staff_page and "含本人" in staff_page and "已取消的教室" not in staff_page
    assert "二楼会议室" in trainer_page and "已取消的教室" in trainer_page and "已安排" in trainer_page


def test_trainer_course_without_versions_offers_a_new_one(trainer: User, agent: User) -> None:
    course = course_make()

    page = client_for(trainer).get(reverse("training:course_detail", args=[course.pk]))

    assert page.status_code == 200
    assert reverse("training:course_draft_create", args=[course.pk]) in page.content.decode()
    assert client_for(agent).get(reverse("training:course_detail", args=[course.pk])).status_code == 404


def test_supervisor_enrols_only_his_team_from_the_page(trainer: User) -> None:
    from tests.training.factories import supervisor_of, team_make

    team = team_make()
    member = staff_member(team=team)
    supervisor = supervisor_of(team)
    outsider = staff_member()
    version = published_course()
    session = session_make(course=version.course, trainer=trainer)
    url = reverse("training:session_enrol", args=[session.pk])
    client = client_for(supervisor)

    assert client.post(url, {"person": member.pk}).status_code == 302
    assert client.post(url, {"person": outsider.pk}).status_code == 403
    assert list(Enrolment.objects.values_list("person_id", flat=True)) == [member.pk]


def test_a_version_or_person_that_is_not_an_ascii_number_is_not_found(
    trainer: User, session: TrainingSession, agent: User
) -> None:
    course_url = reverse("training:course_detail", args=[session.course_id])
    for bad in ("%C2%B2", "abc", "9" * 30):
        assert client_for(agent).get(f"{course_url}?version={bad}").status_code == 404
    assert client_for(trainer).get(reverse("training:session_create") + "?course=%C2%B2").status_code == 200

    enrol = reverse("training:session_enrol", args=[session.pk])
    unenrol = reverse("training:session_unenrol", args=[session.pk])
    for bad in ("²", "me", "9" * 30):
        # Refused, never read as the actor himself.
        assert client_for(agent).post(enrol, {"person": bad}).status_code == 404
    assert not Enrolment.objects.exists()

    session_enrol(actor=agent, session=session)
    for bad in ("²", "me"):
        assert client_for(agent).post(unenrol, {"person": bad}).status_code == 404
    assert Enrolment.objects.filter(person=agent).exists()
    assert client_for(agent).post(enrol, {"person": str(agent.pk)}).status_code == 302


def test_a_body_written_around_the_service_is_cleaned_when_shown(agent: User) -> None:
    course = course_make()
    draft = draft_version_make(course=course, lessons=1)
    lesson = draft.lessons.get()
    lesson.body_zh = '<p>安全</p><script>alert(1)</script><img src="x" onerror="alert(2)">'
    lesson.save()
    version_publish(version=draft, actor=None, supersede=course.versions.all())

    page = client_for(agent).get(reverse("training:lesson_detail", args=[lesson.pk])).content.decode()

    assert "<p>安全</p>" in page
    assert "alert(1)" not in page and "onerror" not in page
