"""Certificates: issued once per completion of a course version that earns one, with a yearly number
(TC-2026-000123), the holder's name as printed, the dates it is valid between and a random verification code
anyone may check at /verify/<code>/ without signing in.

A certificate is never changed once issued but to revoke it. A renewal is a new certificate (new number, new
dates) that names the one it `renews`; the old one stays, valid until its own expiry. A certificate of a
course that grants a qualification writes an `accounts.QualificationGrant` ending at the start of the day
after the expiry (in the organisation's time zone), which routing reads: routing stops at once when it ends,
without waiting for a sweep. Revoking the certificate revokes its grant.

Two sweeps: daily, the holder of a certificate expiring within the course's `renewal_notice_days` is reminded
and assigned the course again (once, claimed by `expiry_reminded_at`); hourly, the supervisors of the holder
of a certificate that has expired are told he is no longer routed the cases needing it (once, claimed by
`expired_notified_at`).

`certificate_pdf` prints it on A4 landscape with reportlab and the WenQuanYi Micro Hei font (Debian package
fonts-wqy-microhei), which has the Chinese glyphs the PDF standard fonts lack.
"""

import datetime as dt
import io
import secrets
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import QualificationGrant, User
from charter.audit.services import audit_record
from charter.catalog.selectors import organisation_name
from charter.common.errors import ConflictError, DomainError
from charter.common.pdf import CJK_FONT_NAME, CJK_FONT_PATH, cjk_font
from charter.common.policy import require
from charter.common.services import year_counter_next
from charter.common.text import TextCodes, clean_text
from charter.training.errors import ErrorCode
from charter.training.models import Assignment, Certificate, CertificateCounter, Completion
from charter.training.permissions import can_revoke_certificate

REVOKE_TEXT_CODES = TextCodes(too_long=ErrorCode.REVOKE_TEXT_TOO_LONG, invalid=ErrorCode.REVOKE_TEXT_INVALID)
CODE_BYTES = 16  # token_urlsafe(16): 22 characters, 128 random bits


def _site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def certificate_valid_until(expires_on: dt.date | None) -> dt.datetime | None:
    """The moment a certificate expiring on `expires_on` stops counting: the start of the next day in the
    organisation's time zone (it is valid the whole of its last day). None: never."""
    if expires_on is None:
        return None
    return dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min, tzinfo=_site_zone())


def _verification_code() -> str:
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if not Certificate.objects.filter(verification_code=code).exists():
            return code


def verification_url(certificate: Certificate) -> str:
    """The public address where anyone checks the certificate."""
    path = reverse("training:verify", args=[certificate.verification_code])
    return f"{settings.CHARTER_SITE_URL}{path}"


def certificate_issue(*, completion: Completion) -> Certificate:
    """Issue the certificate of `completion` (once: a second call returns the one issued) and return it.

    The number is the next of the year of the completion in the organisation's time zone; the holder's name
    is printed as the desk shows it; it is valid from the local date of completion for the version's
    `certificate_valid_days` (blank: never expires). It renews the holder's latest earlier certificate of the
    course, if any (which stays as it was). When the course grants a qualification, a grant is written from
    now until the start of the day after expiry, its source the certificate number. Audited
    `training.certificate_issue`.
    """
    existing = Certificate.objects.filter(completion=completion).first()
    if existing is not None:
        return existing
    version = completion.version
    course = completion.course
    person = completion.person
    at = completion.completed_at
    with transaction.atomic():
        previous = (
            Certificate.objects.filter(person=person, course=course, renewed_by__isnull=True)
            .order_by("-issued_on", "-pk")
            .first()
        )
        issued_on = timezone.localtime(at, _site_zone()).date()
        expires_on = (
            issued_on + dt.timedelta(days=version.certificate_valid_days)
            if version.certificate_valid_days is not None
            else None
        )
        code = _verification_code()
        # The counter's row is locked until the commit: take the number as late as possible.
        year, number = year_counter_next(counter=CertificateCounter, at=at)
        certificate = Certificate.objects.create(
            number=f"TC-{year}-{number:06d}",
            person=person,
            holder_name=str(person)[:150],
            course=course,
            version=version,
            completion=completion,
            issued_on=issued_on,
            expires_on=expires_on,
            verification_code=code,
            renews=previous,
        )
        grant = None
        if course.qualification_id is not None:
            grant = QualificationGrant.objects.create(
                user=person,
                qualification_id=course.qualification_id,
                valid_from=timezone.now(),
                valid_until=certificate_valid_until(expires_on),
                source=certificate.number,
            )
        audit_record(
            actor=None,
            action="training.certificate_issue",
            target=certificate,
            data={
                "person": person.pk,
                "course": course.code,
                "version": version.number,
                "number": certificate.number,
                "expires_on": expires_on.isoformat() if expires_on else None,
                "renews": previous.number if previous is not None else None,
                "qualification_grant": grant.pk if grant is not None else None,
            },
        )
    return certificate


def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke `certificate` (and the qualification grant it wrote, so routing stops at once), saying why.

    Allowed to holders of `view_training_records` or `manage_course` (`can_revoke_certificate`). Refused
    without a reason and for a certificate already revoked. The verification page then says "revoked".
    Audited `training.certificate_revoke`.
    """
    require(can_revoke_certificate(actor, certificate))
    reason = clean_text(reason, field="reason", codes=REVOKE_TEXT_CODES, max_length=2000)
    if not reason:
        raise DomainError(
            _("Say why the certificate is revoked."), code=ErrorCode.REVOKE_REASON_REQUIRED, field="reason"
        )
    at = timezone.now()
    with transaction.atomic():
        claimed = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=at, revoked_reason=reason
        )
        if claimed != 1:
            raise ConflictError(
                _("This certificate has been revoked already."), code=ErrorCode.CERTIFICATE_REVOKED
            )
        grants = QualificationGrant.objects.filter(source=certificate.number, revoked_at__isnull=True)
        grant_ids = list(grants.values_list("pk", flat=True))
        grants.update(revoked_at=at)
        audit_record(
            actor=actor,
            action="training.certificate_revoke",
            target=certificate,
            data={"number": certificate.number, "reason": reason, "qualification_grants": grant_ids},
        )
    certificate.refresh_from_db()
    return certificate


# Printing -----------------------------------------------------------------------------------------------


def _cjk_font() -> str:
    """Register the CJK font with reportlab once and return its name (charter.common.pdf); a clear error
    when it is missing."""
    return cjk_font(path=CJK_FONT_PATH, name=CJK_FONT_NAME)


def certificate_pdf(certificate: Certificate, language: str) -> bytes:
    """The certificate printed on one A4 landscape page in `language` ("zh-hans" or "en"): the
    organisation, the holder's name as printed, the course title and version, the number, the dates, the
    verification code and the address to check it at. Numbers and codes are drawn in Helvetica, so they
    stay searchable text in the file."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    font = _cjk_font()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=0)
    english = language.startswith("en")
    course = certificate.course
    title = (course.title_en or course.title_zh) if english else course.title_zh
    with translation.override("en" if english else "zh-hans"):
        canvas.setTitle(f"{certificate.number} {certificate.holder_name}")
        canvas.setSubject(certificate.verification_code)
        canvas.setAuthor(organisation_name())
        canvas.setStrokeColor(HexColor("#1f4e79"))
        canvas.setLineWidth(4)
        canvas.rect(28, 28, width - 56, height - 56)
        canvas.setLineWidth(1)
        canvas.rect(38, 38, width - 76, height - 76)
        canvas.setFillColor(HexColor("#1f4e79"))
        canvas.setFont(font, 20)
        canvas.drawCentredString(width / 2, height - 100, organisation_name())
        canvas.setFont(font, 34)
        canvas.drawCentredString(width / 2, height - 160, _g("Training certificate"))
        canvas.setFillColor(HexColor("#000000"))
        canvas.setFont(font, 28)
        canvas.drawCentredString(width / 2, height - 235, certificate.holder_name)
        canvas.setFont(font, 15)
        canvas.drawCentredString(width / 2, height - 275, _g("has completed the course"))
        canvas.setFont(font, 22)
        canvas.drawCentredString(width / 2, height - 315, title)
        canvas.setFont(font, 13)
        canvas.drawCentredString(
            width / 2, height - 345, _g("Course version %(number)s") % {"number": certificate.version.number}
        )
        rows = [
            (_g("Certificate number"), certificate.number),
            (_g("Issued on"), certificate.issued_on.isoformat()),
            (
                _g("Valid until"),
                certificate.expires_on.isoformat() if certificate.expires_on else _g("No expiry"),
            ),
            (_g("Verification code"), certificate.verification_code),
            (_g("Verify at"), verification_url(certificate)),
        ]
        y = 170.0
        for label, value in rows:
            canvas.setFont(font, 11)
            canvas.drawRightString(width / 2 - 10, y, label)
            canvas.setFont("Helvetica" if value.isascii() else font, 11)
            canvas.drawString(width / 2 + 10, y, value)
            y -= 20
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# Sweeps -------------------------------------------------------------------------------------------------


def certificate_mail_later(kind: str, certificate_id: int) -> None:
    """Enqueue the certificate mail `kind` (the sweeps call this on commit of their claim)."""
    from charter.training.tasks_certificates import certificate_mail_task

    certificate_mail_task(kind, certificate_id)


def certificates_renewal_sweep(*, today: dt.date | None = None) -> int:
    """Remind, once, the holder of each valid certificate expiring within its course's `renewal_notice_days`
    and assign him the course again (reason renewal, due on the expiry date). Each certificate is claimed by
    a conditional update of `expiry_reminded_at`, so a second run or a second worker does nothing. Returns
    how many were reminded."""
    from charter.training.assignments import assignment_create

    today = today or timezone.localdate(timezone.now(), _site_zone())
    candidates = (
        Certificate.objects.filter(
            revoked_at__isnull=True,
            expiry_reminded_at__isnull=True,
            expires_on__isnull=False,
            expires_on__gte=today,
            course__renewal_notice_days__gt=0,
            renewed_by__isnull=True,
        )
        .select_related("course", "person")
        .order_by("expires_on", "pk")
    )
    reminded = 0
    for certificate in candidates:
        horizon = today + dt.timedelta(days=certificate.course.renewal_notice_days)
        if certificate.expires_on is None or certificate.expires_on > horizon:
            continue
        with transaction.atomic():
            claimed = Certificate.objects.filter(pk=certificate.pk, expiry_reminded_at__isnull=True).update(
                expiry_reminded_at=timezone.now()
            )
            if claimed != 1:
                continue
            try:
                with transaction.atomic():
                    assignment_create(
                        actor=None,
                        person=certificate.person,
                        course=certificate.course,
                        due_on=certificate.expires_on,
                        reason=Assignment.Reason.RENEWAL,
                        source_type="training.certificate",
                        source_id=certificate.pk,
                    )
            except DomainError:
                # A course withdrawn or without a published version: the reminder still goes.
                pass
            transaction.on_commit(partial(certificate_mail_later, "expiring", certificate.pk))
        reminded += 1
    return reminded


def certificates_expired_sweep(*, today: dt.date | None = None) -> int:
    """Tell, once, the supervisors of the holder of each certificate that has expired (not revoked, not
    renewed by a certificate still valid) that he is no longer routed the cases needing its qualification.
    Claimed by a conditional update of `expired_notified_at`. Returns how many certificates were reported."""
    today = today or timezone.localdate(timezone.now(), _site_zone())
    expired = Certificate.objects.filter(
        revoked_at__isnull=True, expired_notified_at__isnull=True, expires_on__lt=today
    ).order_by("expires_on", "pk")
    reported = 0
    for certificate in expired:
        renewal = Certificate.objects.filter(renews=certificate, revoked_at__isnull=True).first()
        still_covered = renewal is not None and renewal.is_valid_on(today)
        with transaction.atomic():
            claimed = Certificate.objects.filter(pk=certificate.pk, expired_notified_at__isnull=True).update(
                expired_notified_at=timezone.now()
            )
            if claimed != 1:
                continue
            if not still_covered:
                transaction.on_commit(partial(certificate_mail_later, "expired", certificate.pk))
        reported += 0 if still_covered else 1
    return reported
