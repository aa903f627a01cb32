"""Mail to the staff member about his violation: the decision (with the time to respond), its taking effect
(with the time to appeal), and the outcome of his appeal. In his language and time zone."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.catalog.selectors import organisation_name
from charter.conduct.models import Violation
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, template_register

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "李明",
    "clause": "2.3 友好耐心、禁用不当言辞",
    "occurred": "2026-03-02",
    "step": "口头警告",
    "reason": "……",
    "due": "2026-03-09 10:00",
    "outcome": "维持原决定",
    "url": "https://charter.example.cn/desk/conduct/violations/1/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the staff member's name"),
    "clause": _("the clause of the code of conduct"),
    "occurred": _("the day of the act"),
    "step": _("the disciplinary step"),
    "reason": _("the reasons given"),
    "due": _("the deadline to respond or to appeal"),
    "outcome": _("the outcome of the appeal"),
    "url": _("the violation in the desk"),
}
KEYS = {
    "decided": "conduct.decided",
    "in_effect": "conduct.in_effect",
    "appeal_decided": "conduct.appeal_decided",
}


def templates_register() -> None:
    for key, description in (
        ("decided", _("To the staff member: a disciplinary step was decided; he may respond in writing.")),
        ("in_effect", _("To the staff member: a disciplinary step took effect; he may appeal once.")),
        ("appeal_decided", _("To the staff member: the outcome of his appeal.")),
    ):
        template_register(
            TemplateSpec(
                key=KEYS[key],
                description=description,
                default=f"conduct/mail/{key}.{{language}}.txt",
                variables=_VARIABLES,
                example=_EXAMPLE,
            )
        )


def violation_mail(*, pk: int, kind: str) -> None:
    """Queue the mail of `kind` (decided, in_effect, appeal_decided) about violation `pk` to its staff
    member; nothing when he has no address."""
    violation = Violation.objects.select_related("staff", "clause", "step").filter(pk=pk).first()
    if violation is None or not violation.staff.email:
        return
    staff = violation.staff
    language = language_for(staff.language or settings.LANGUAGE_CODE)
    due_at = violation.response_due_at if kind == "decided" else violation.appeal_due_at
    with translation.override(language), timezone.override(staff.time_zone or settings.TIME_ZONE):
        context = {
            "organisation": organisation_name(),
            "recipient_name": str(staff),
            "clause": str(violation.clause),
            "occurred": formats.date_format(timezone.localtime(violation.occurred_at), "Y-m-d"),
            "step": str(violation.step) if violation.step else "",
            "reason": violation.appeal_reason if kind == "appeal_decided" else violation.decision_reason,
            "due": formats.date_format(timezone.localtime(due_at), "Y-m-d H:i") if due_at else "",
            "outcome": violation.get_appeal_outcome_display() if violation.appeal_outcome else "",
            "url": f"{settings.CHARTER_SITE_URL}{reverse('conduct:violation_detail', args=[violation.pk])}",
        }
        rendered = mail_render(KEYS[kind], language, context)
    mail_queue(
        to=staff.email,
        subject=rendered.subject,
        body=rendered.body,
        language=language,
        template=KEYS[kind],
        recipient_user=staff,
        thread_ref=f"violation:{violation.pk}",
    )
