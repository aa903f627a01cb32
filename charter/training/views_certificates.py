"""Certificate pages: the public verification page /verify/<code>/ (no sign-in: anyone holding a printed
certificate checks it), and in the desk a person's certificates with their PDFs and, for trainers, revoking.

The public page shows only what is printed on the certificate (the name as printed, the course, the number,
the dates) and whether it is valid, expired or revoked: never the person's account, team or address. An
unknown code is the 404 page, answered by the same single indexed lookup as a hit. Lookups are counted per
address (`charter.common.throttle`), so codes cannot be tried by the thousand; a code has 128 random bits.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from charter.accounts.models import User
from charter.accounts.requests import request_staff
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import client_ip, private_page
from charter.common.pages import page_rule
from charter.common.policy import page_require
from charter.common.throttle import throttle_hit
from charter.training.certificates import certificate_pdf, certificate_revoke
from charter.training.models import Certificate
from charter.training.permissions import (
    can_revoke_certificate,
    can_use_training,
    can_view_certificate,
    can_view_records_of,
)

HOUR = 3600
# Lookups an address may make in an hour: plenty for people checking certificates, nothing for a scan.
VERIFY_MAX_PER_HOUR = 30


def _verify_allowed(request: HttpRequest) -> bool:
    limit = int(getattr(settings, "CHARTER_VERIFY_MAX_PER_HOUR", VERIFY_MAX_PER_HOUR))
    return throttle_hit(f"certificate-verify:{client_ip(request)}", window_seconds=HOUR) <= limit


def certificate_state(certificate: Certificate) -> str:
    """ "revoked", "expired" or "valid" today (in the organisation's time zone)."""
    if certificate.revoked_at is not None:
        return "revoked"
    if not certificate.is_valid_on(timezone.localdate()):
        return "expired"
    return "valid"


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Say whether the certificate with verification `code` is valid, expired or revoked, with what it
    prints; 404 for an unknown code; 429 once the address made too many lookups."""
    if not _verify_allowed(request):
        return private_page(render(request, "training/verify_limited.html", status=429))
    certificate = (
        Certificate.objects.select_related("course", "version").filter(verification_code=code[:32]).first()
    )
    if certificate is None:
        raise Http404
    context = {
        "certificate": certificate,
        "state": certificate_state(certificate),
        "course_title": (
            (certificate.course.title_en or certificate.course.title_zh)
            if request.LANGUAGE_CODE.startswith("en")
            else certificate.course.title_zh
        ),
    }
    return private_page(render(request, "training/verify.html", context))


@page_rule(can_use_training)
@require_GET
def certificate_list(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's certificates (valid, expired, revoked, with the renewals), for himself, the supervisors of
    his teams and record holders; 404 to anyone else."""
    user = request_staff(request)
    person = get_object_or_404(User, pk=person_id)
    page_require(can_view_records_of(user, person.pk))
    certificates = list(
        Certificate.objects.filter(person=person).select_related("course", "version", "renews")
    )
    rows = [
        (certificate, certificate_state(certificate), bool(can_revoke_certificate(user, certificate)))
        for certificate in certificates
    ]
    return render(request, "training/certificate_list.html", {"person": person, "rows": rows})


@page_rule(can_use_training)
@require_GET
def certificate_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a PDF in the reader's language, for those who may see it (404 for others)."""
    user = request_staff(request)
    certificate = get_object_or_404(Certificate.objects.select_related("course", "version"), pk=pk)
    page_require(can_view_certificate(user, certificate))
    response = HttpResponse(
        certificate_pdf(certificate, request.LANGUAGE_CODE), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why it is revoked"), widget=forms.Textarea(attrs={"rows": 3}))


@page_rule(can_use_training)
@require_http_methods(["GET", "POST"])
def certificate_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a certificate, saying why (trainers and record holders; 404 to those who may not see it)."""
    user = request_staff(request)
    certificate = get_object_or_404(Certificate.objects.select_related("course"), pk=pk)
    page_require(can_revoke_certificate(user, certificate))
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(actor=user, certificate=certificate, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The certificate is revoked."))
            return redirect("training:certificate_list", certificate.person_id)
    return render(request, "training/certificate_revoke.html", {"certificate": certificate, "form": form})
