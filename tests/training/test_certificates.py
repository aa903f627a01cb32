"""Certificates: sequential yearly numbers, the name as printed, the qualification grant ending at the start
of the day after expiry, renewal as a new certificate (the old one stays and expires), revoking with its
grant, the sweeps (reminder and re-assignment once; the supervisors told once of an expiry) and the PDF."""

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from charter.accounts.models import Qualification, QualificationGrant, User
from charter.accounts.selectors import qualified_user_ids
from charter.accounts.services import qualification_create
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, NotFoundError, PermissionDeniedError
from charter.mail.models import OutboundMessage
from charter.mail.rendering import template_default, template_preview
from charter.training import certificates as certificates_module
from charter.training.certificates import (
    certificate_pdf,
    certificate_revoke,
    certificate_valid_until,
    certificates_expired_sweep,
    certificates_renewal_sweep,
)
from charter.training.completion import completion_evaluate
from charter.training.errors import ErrorCode
from charter.training.mailing_certificates import KEYS
from charter.training.models import Assignment, Certificate, CourseVersion
from tests.training.factories import published_course, staff_member, supervisor_of, team_make, trainer_user
from tests.training.test_completion import read_all

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 10:00 in Shanghai on a Monday.
START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def qualification(db: None) -> Qualification:
    return qualification_create(actor=None, code="complaints", name_zh="投诉处理资格", name_en="Complaints")


@pytest.fixture
def version(qualification: Qualification) -> CourseVersion:
    return published_course(
        lessons=1,
        issues_certificate=True,
        certificate_valid_days=365,
        qualification=qualification,
        renewal_notice_days=30,
        title_zh="投诉处理规范",
        title_en="Handling complaints",
    )


def certify(person: User, version: CourseVersion) -> Certificate:
    read_all(person, version)
    completion = completion_evaluate(person=person, course=version.course)
    assert completion is not None
    return Certificate.objects.get(completion=completion)


def test_numbers_are_sequential_per_year_and_the_name_is_printed(version: CourseVersion) -> None:
    people = [staff_member(display_name=name) for name in ("李明", "王芳", "张伟")]
    with time_machine.travel(START, tick=False):
        issued = [certify(person, version) for person in people]

    assert [c.number for c in issued] == ["TC-2026-000001", "TC-2026-000002", "TC-2026-000003"]
    assert [c.holder_name for c in issued] == ["李明", "王芳", "张伟"]
    codes = {c.verification_code for c in issued}
    assert len(codes) == 3 and all(len(code) >= 16 for code in codes)
    assert issued[0].issued_on == dt.date(2026, 3, 2) and issued[0].expires_on == dt.date(2027, 3, 2)
    assert AuditEvent.objects.filter(action="training.certificate_issue").count() == 3


def test_the_year_turns_at_the_organisation_s_midnight(version: CourseVersion) -> None:
    # 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai.
    with time_machine.travel(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), tick=False):
        certificate = certify(staff_member(), version)

    assert certificate.number == "TC-2027-000001" and certificate.issued_on == dt.date(2027, 1, 1)


def test_a_version_without_expiry_issues_a_certificate_that_never_expires(
    qualification: Qualification,
) -> None:
    version = published_course(lessons=1, issues_certificate=True, qualification=qualification)
    person = staff_member()

    certificate = certify(person, version)

    assert certificate.expires_on is None
    grant = QualificationGrant.objects.get(source=certificate.number)
    assert grant.valid_until is None


def test_the_grant_ends_at_the_start_of_the_day_after_expiry(
    version: CourseVersion, qualification: Qualification
) -> None:
    person = staff_member()
    with time_machine.travel(START, tick=False):
        certificate = certify(person, version)
    grant = QualificationGrant.objects.get(source=certificate.number)

    end = dt.datetime(2027, 3, 3, 0, 0, tzinfo=SHANGHAI)  # expires 2027-03-02: valid that whole day
    assert grant.user == person and grant.qualification == qualification
    assert grant.valid_until == end == certificate_valid_until(certificate.expires_on)
    ids = [person.pk]
    assert qualified_user_ids(
        qualification_ids=[qualification.pk], user_ids=ids, at=end - dt.timedelta(seconds=1)
    )
    assert not qualified_user_ids(qualification_ids=[qualification.pk], user_ids=ids, at=end)


def test_renewal_is_a_new_certificate_and_the_old_one_stays(version: CourseVersion) -> None:
    person = staff_member()
    with time_machine.travel(START, tick=False):
        old = certify(person, version)
    reminder_day = START + dt.timedelta(days=340)
    with time_machine.travel(reminder_day, tick=False):
        assert certificates_renewal_sweep() == 1
        assert certificates_renewal_sweep() == 0  # claimed: once
        renewal = Assignment.objects.get(person=person, reason=Assignment.Reason.RENEWAL)
        assert renewal.source_type == "training.certificate" and renewal.source_id == old.pk
        assert renewal.due_on == old.expires_on
        # Lessons read a year ago do not count for the renewal: nothing is issued yet.
        assert completion_evaluate(person=person, course=version.course) is None
        assert Certificate.objects.filter(person=person).count() == 1
        new = certify(person, version)

    old_before = old
    old.refresh_from_db()
    assert new.pk != old.pk and new.renews == old
    assert new.number == "TC-2027-000001"  # issued in 2027 (Feb 5)
    assert new.issued_on == dt.date(2027, 2, 5) and new.expires_on == dt.date(2028, 2, 5)
    assert (old.number, old.issued_on, old.expires_on) == (
        old_before.number,
        dt.date(2026, 3, 2),
        dt.date(2027, 3, 2),
    )
    later = dt.date(2027, 3, 10)
    assert not old.is_valid_on(later) and new.is_valid_on(later)
    renewal.refresh_from_db()
    assert renewal.status == Assignment.Status.COMPLETED and renewal.certificate == new
    assert QualificationGrant.objects.filter(user=person).count() == 2


def test_the_renewal_reminder_mails_the_holder_once(
    version: CourseVersion, django_capture_on_commit_callbacks: Any
) -> None:
    person = staff_member()
    with time_machine.travel(START, tick=False):
        certify(person, version)
    with time_machine.travel(START + dt.timedelta(days=300), tick=False):
        assert certificates_renewal_sweep() == 0  # 65 days before expiry: not yet
    with time_machine.travel(START + dt.timedelta(days=340), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            certificates_renewal_sweep()
            certificates_renewal_sweep()

    mails = OutboundMessage.objects.filter(template=KEYS["expiring"])
    assert [m.recipient for m in mails] == [person.email]
    assert "2027-03-02" in mails[0].body


def test_the_expired_sweep_tells_the_supervisors_once(
    version: CourseVersion, django_capture_on_commit_callbacks: Any
) -> None:
    team = team_make()
    person = staff_member(team=team)
    boss = supervisor_of(team)
    with time_machine.travel(START, tick=False):
        certificate = certify(person, version)
    with time_machine.travel(START + dt.timedelta(days=365), tick=False):
        assert certificates_expired_sweep() == 0  # its last day: still valid
    with time_machine.travel(START + dt.timedelta(days=366), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert certificates_expired_sweep() == 1
            assert certificates_expired_sweep() == 0

    mails = OutboundMessage.objects.filter(template=KEYS["expired"])
    assert [m.recipient for m in mails] == [boss.email]
    assert certificate.number in mails[0].body and "投诉处理资格" in mails[0].body


def test_revoking_ends_the_grant_at_once(version: CourseVersion, qualification: Qualification) -> None:
    person = staff_member()
    certificate = certify(person, version)
    trainer = trainer_user()

    with pytest.raises(DomainError) as blank:
        certificate_revoke(actor=trainer, certificate=certificate, reason="  ")
    assert blank.value.code == ErrorCode.REVOKE_REASON_REQUIRED
    certificate_revoke(actor=trainer, certificate=certificate, reason="考试作弊")

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_reason == "考试作弊"
    assert not qualified_user_ids(qualification_ids=[qualification.pk], user_ids=[person.pk])
    assert AuditEvent.objects.filter(action="training.certificate_revoke").count() == 1
    with pytest.raises(DomainError) as again:
        certificate_revoke(actor=trainer, certificate=certificate, reason="再次")
    assert again.value.code == ErrorCode.CERTIFICATE_REVOKED


def test_the_holder_and_his_colleagues_may_not_revoke(version: CourseVersion) -> None:
    team = team_make()
    person = staff_member(team=team)
    colleague = staff_member(team=team)
    certificate = certify(person, version)

    with pytest.raises(PermissionDeniedError):  # he sees it, but may not revoke it
        certificate_revoke(actor=person, certificate=certificate, reason="不需要")
    with pytest.raises(NotFoundError):  # a colleague does not even see it
        certificate_revoke(actor=colleague, certificate=certificate, reason="不需要")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_pdf_prints_the_number_and_the_code_with_the_cjk_font(version: CourseVersion) -> None:
    certificate = certify(staff_member(display_name="李明"), version)

    for language in ("zh-hans", "en"):
        pdf = certificate_pdf(certificate, language)
        assert pdf.startswith(b"%PDF")
        assert f"({certificate.number})".encode() in pdf
        assert f"({certificate.verification_code})".encode() in pdf
        assert f"/verify/{certificate.verification_code}/".encode() in pdf
        assert b"WenQuanYi" in pdf  # the embedded subset of the Chinese font
        assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in pdf  # A4 landscape


def test_a_missing_font_names_the_package(version: CourseVersion, monkeypatch: pytest.MonkeyPatch) -> None:
    certificate = certify(staff_member(), version)
    monkeypatch.setattr(certificates_module, "CJK_FONT_PATH", Path("/nonexistent/wqy-microhei.ttc"))
    monkeypatch.setattr(certificates_module, "CJK_FONT_NAME", "MissingFontForTest")

    with pytest.raises(RuntimeError, match="fonts-wqy-microhei"):
        certificate_pdf(certificate, "zh-hans")


@pytest.mark.parametrize("kind", ["expiring", "expired"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_mail_templates_render_their_example(kind: str, language: str) -> None:
    subject, body = template_default(KEYS[kind], language)
    rendered = template_preview(KEYS[kind], subject, body)
    assert "TC-2026-000123" in rendered.subject + rendered.body


def test_completion_time_is_what_the_dates_count_from(version: CourseVersion) -> None:
    person = staff_member()
    read_all(person, version)
    late_evening = dt.datetime(2026, 5, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 June in Shanghai
    completion = completion_evaluate(person=person, course=version.course, at=late_evening)
    assert completion is not None
    certificate = Certificate.objects.get(completion=completion)
    assert certificate.issued_on == dt.date(2026, 6, 1)
    assert timezone.is_aware(completion.completed_at)
