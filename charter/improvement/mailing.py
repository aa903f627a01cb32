"""Corrective action e-mails to staff: an overdue action item (to its owner and the action owner's
supervisors) and an effectiveness check that has fallen due (to those who may record it)."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.catalog.selectors import organisation_name
from charter.improvement.models import ActionItem, CorrectiveAction
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, template_register

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "张主管",
    "number": "CA-2026-0001",
    "title": "抄表错误引起的投诉",
    "item": "修订抄表复核流程",
    "item_owner": "李明",
    "due": "2026-12-01",
    "action_url": "https://charter.example.cn/desk/improvement/actions/1/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "number": _("the corrective action's number"),
    "title": _("the corrective action's title"),
    "item": _("the action item (overdue item only)"),
    "item_owner": _("the action item's owner (overdue item only)"),
    "due": _("the due date of the item, or when the check fell due"),
    "action_url": _("the corrective action in the desk"),
}


def templates_register() -> None:
    template_register(
        TemplateSpec(
            key="improvement.item_overdue",
            description=_("To staff: an action item of a corrective action is overdue."),
            default="improvement/mail/item_overdue.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )
    template_register(
        TemplateSpec(
            key="improvement.check_due",
            description=_("To staff: the effectiveness check of a corrective action is due."),
            default="improvement/mail/check_due.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )


def _action_url(action: CorrectiveAction) -> str:
    return f"{settings.CHARTER_SITE_URL}{reverse('improvement:action_detail', args=[action.pk])}"


def _send(key: str, recipient: User, action: CorrectiveAction, extra: dict[str, Any]) -> None:
    if not recipient.email:
        return
    language = language_for(recipient.language or settings.LANGUAGE_CODE)
    with translation.override(language), timezone.override(recipient.time_zone or settings.TIME_ZONE):
        context = {
            "organisation": organisation_name(),
            "recipient_name": str(recipient),
            "number": action.number,
            "title": action.title,
            "item": "",
            "item_owner": "",
            "action_url": _action_url(action),
            **{name: value() if callable(value) else value for name, value in extra.items()},
        }
        rendered = mail_render(key, language, context)
    mail_queue(
        to=recipient.email,
        subject=rendered.subject,
        body=rendered.body,
        language=language,
        template=key,
        recipient_user=recipient,
        thread_ref=f"corrective-action:{action.pk}",
    )


def item_overdue_mail(item: ActionItem, recipient: User) -> None:
    """Queue the notice of an overdue action item to `recipient`, in his language."""
    _send(
        "improvement.item_overdue",
        recipient,
        item.action,
        {"item": item.description, "item_owner": str(item.owner), "due": item.due_on.isoformat()},
    )


def check_due_mail(action: CorrectiveAction, recipient: User) -> None:
    """Queue the notice that the effectiveness check of `action` is due to `recipient`, in his language."""
    due_at = action.check_due_at
    _send(
        "improvement.check_due",
        recipient,
        action,
        {"due": lambda: formats.date_format(timezone.localtime(due_at), "Y-m-d") if due_at else ""},
    )
