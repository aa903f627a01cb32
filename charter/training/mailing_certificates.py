"""Mail about certificates: to the holder when his certificate is about to expire (the course is assigned to
him again), and to his supervisors once it has expired (he is no longer routed the cases needing its
qualification).

Each mail is in the recipient's language and time zone, from a template administrators may edit, queued
through the outbound mail. The sweeps (charter/training/certificates.py) claim each certificate before they
enqueue its mail on commit, so each is sent once however often they run.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.selectors import team_supervisor_list
from charter.mail.outbound import staff_mail_queue
from charter.mail.rendering import TemplateSpec, template_register
from charter.training.models import Certificate

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "王主管",
    "person": "李明",
    "course": "投诉处理规范",
    "number": "TC-2026-000123",
    "expires": "2026-04-07",
    "qualification": "投诉处理资格",
    "url": "https://charter.example.cn/desk/training/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "person": _("the certificate's holder"),
    "course": _("the course"),
    "number": _("the certificate number"),
    "expires": _("the expiry date"),
    "qualification": _("the qualification the certificate grants (blank when none)"),
    "url": _("the page in the desk"),
}
KEYS = {
    "expiring": "training.certificate_expiring",
    "expired": "training.certificate_expired",
}


def templates_register() -> None:
    """Register the certificate mail templates (called once from the app's `ready`)."""
    for kind, description in (
        ("expiring", _("To the holder: his certificate expires soon and the course is assigned again.")),
        (
            "expired",
            _(
                "To the supervisors: a certificate of a staff member has expired; he is no longer routed the "
                "cases needing its qualification."
            ),
        ),
    ):
        template_register(
            TemplateSpec(
                key=KEYS[kind],
                description=description,
                default=f"training/mail/certificate_{kind}.{{language}}.txt",
                variables=_VARIABLES,
                example=_EXAMPLE,
            )
        )


def _url(name: str, *args: int) -> str:
    try:
        path = reverse(f"training:{name}", args=list(args))
    except NoReverseMatch:
        path = "/desk/training/"
    return f"{settings.CHARTER_SITE_URL}{path}"


def _send(kind: str, recipient: User, *, thread: str, context: Callable[[], dict[str, Any]]) -> bool:
    """Queue the mail of `kind` to `recipient` (`charter.mail.outbound.staff_mail_queue`)."""
    return staff_mail_queue(
        key=KEYS[kind], recipient=recipient, thread=thread, context=context, app="training"
    )


def _context(certificate: Certificate, url: str) -> dict[str, Any]:
    qualification = certificate.course.qualification
    return {
        "person": certificate.holder_name,
        "course": str(certificate.course),
        "number": certificate.number,
        "expires": certificate.expires_on.isoformat() if certificate.expires_on else "",
        "qualification": str(qualification) if qualification is not None else "",
        "url": url,
    }


def certificate_supervisor_list(*, person: User) -> list[User]:
    """The supervisors of every team `person` belongs to (never himself), by id."""
    supervisors: dict[int, User] = {}
    for team in Team.objects.filter(memberships__user=person).select_related("unit").distinct():
        for supervisor in team_supervisor_list(team=team):
            if supervisor.pk != person.pk:
                supervisors[supervisor.pk] = supervisor
    return [supervisors[pk] for pk in sorted(supervisors)]


def certificate_mail(kind: str, certificate_id: int) -> int:
    """Send the mail `kind` ("expiring" to the holder, "expired" to his supervisors) about certificate
    `certificate_id`; returns how many were queued."""
    certificate = (
        Certificate.objects.select_related("course__qualification", "person")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        return 0
    thread = f"certificate:{certificate.pk}"
    if kind == "expiring":
        url = _url("certificate_list", certificate.person_id)
        sent = _send(kind, certificate.person, thread=thread, context=lambda: _context(certificate, url))
        return int(sent)
    url = _url("person_record", certificate.person_id)
    return sum(
        _send(kind, supervisor, thread=thread, context=lambda: _context(certificate, url))
        for supervisor in certificate_supervisor_list(person=certificate.person)
    )
