"""The mails of customers' data-subject requests, rendered and queued for privacy.

Privacy sits below mail and decides what is sent to whom (`charter.privacy.mailing`); this module registers
the templates (editable by administrators like every other) and the function that renders one in the
recipient's language and queues it: the customer's in the language he chose, staff mail through
`staff_mail_queue`.
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.catalog.selectors import organisation_name
from charter.common.errors import DomainError
from charter.mail.outbound import mail_queue, staff_mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, site_url, template_register
from charter.privacy.mailing import CUSTOMER_MAILS, RequestMail, request_mailer_register
from charter.privacy.models import DataSubjectRequest

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "李明",
    "number": "PR-2026-000001",
    "kind": "查阅和导出",
    "received": "2026-04-01",
    "due": "2026-04-22",
    "outcome": "已整理您的个人信息副本，请登录后下载。",
    "url": "https://charter.example.cn/portal/privacy/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "number": _("the request's number"),
    "kind": _("what the customer asked for"),
    "received": _("the day the request was received"),
    "due": _("the answer's deadline"),
    "outcome": _("the answer, or the reason for a refusal"),
    "url": _("the page of the request"),
}
_DESCRIPTIONS = {
    RequestMail.RECEIVED: _("To the customer: his data request was received, with its deadline."),
    RequestMail.COMPLETED: _("To the customer: his data request was answered."),
    RequestMail.REFUSED: _("To the customer: his data request was refused, and why."),
    RequestMail.NEW: _("To the privacy staff: a customer made a data request."),
    RequestMail.REMIND: _("To the handler of a data request: its deadline is near."),
    RequestMail.OVERDUE: _("To the handler of a data request: its deadline has passed."),
}


def _key(kind: RequestMail) -> str:
    return f"privacy.request_{kind}"


def _templates_register() -> None:
    for kind, description in _DESCRIPTIONS.items():
        template_register(
            TemplateSpec(
                key=_key(kind),
                description=description,
                default=f"privacy/mail/request_{kind}.{{language}}.txt",
                variables=_VARIABLES,
                example=_EXAMPLE,
            )
        )


def _context(request: DataSubjectRequest, *, staff: bool) -> dict[str, Any]:
    path = reverse("privacy:request_detail", args=[request.number]) if staff else reverse("privacy:portal")
    return {
        "number": request.number,
        "kind": request.get_kind_display(),
        "received": formats.date_format(timezone.localtime(request.received_at), "Y-m-d"),
        "due": formats.date_format(timezone.localtime(request.due_at), "Y-m-d"),
        "outcome": request.outcome,
        "url": site_url(path),
    }


def data_request_mail(kind: RequestMail, request: DataSubjectRequest, recipient: User | None) -> bool:
    """Render and queue the mail `kind` of `request` to the staff member `recipient`, or to the customer
    when None (in his language and the site's time zone); return whether one was queued. An address the
    outbound mail refuses is skipped."""
    thread = f"privacy-request:{request.pk}"
    if recipient is not None:
        return staff_mail_queue(
            key=_key(kind),
            recipient=recipient,
            thread=thread,
            context=partial(_context, request, staff=True),
            app="privacy",
        )
    if kind not in CUSTOMER_MAILS:
        return False
    customer = request.customer
    language = language_for(customer.language)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        rendered = mail_render(
            _key(kind),
            language,
            {
                "organisation": organisation_name(),
                "recipient_name": customer.name,
                **_context(request, staff=False),
            },
        )
    try:
        mail_queue(
            to=customer.email,
            subject=rendered.subject,
            body=rendered.body,
            language=language,
            template=_key(kind),
            recipient_user=customer.user,
            thread_ref=thread,
        )
    except DomainError:
        return False
    return True


def data_request_mail_register() -> None:
    """Register the templates and the mailer with privacy (called once from the app's `ready`)."""
    _templates_register()
    request_mailer_register(data_request_mail)
