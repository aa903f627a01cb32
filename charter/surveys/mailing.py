"""Survey e-mails: the invitation and its one reminder to the customer, the recovery task to its owner.

The invitation's first scale question can be answered from the e-mail: each score is a link that opens the
survey with that score chosen. Opening a link records nothing (mail systems' link scanners open every
link); the customer's one press of "Send" does (the mail names that button in the page's own words).
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from charter.catalog.selectors import organisation_name
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, site_url, template_register
from charter.privacy.consent import opt_out_footer, opt_out_path
from charter.privacy.models import ConsentPurpose
from charter.surveys.models import SCALES, Invitation, Question, RecoveryTask

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "王女士",
    "number": "TS-2026-000123",
    "title": "水费异常",
    "survey_name": "服务满意度调查",
    "survey_url": "https://charter.example.cn/s/abc/",
    "question": "您对本次服务的总体满意度如何？",
    "scores": [{"score": 5, "url": "https://charter.example.cn/s/abc/?score=5"}],
    "expires": "2026-12-11",
    "reason": "CSAT 1",
    "due": "2026-12-01 17:30",
    "task_url": "https://charter.example.cn/desk/surveys/recovery/1/",
    "comment": "……",
    "send_button": "发送",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "number": _("the case number (empty for a campaign)"),
    "title": _("the case's title"),
    "survey_name": _("the survey's name"),
    "survey_url": _("the survey link"),
    "question": _("the first question"),
    "scores": _("one link per score of the first question (each with score and url)"),
    "expires": _("the last day the link works"),
    "send_button": _("the label of the survey page's button that sends the answers"),
}
_STAFF_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "number": _("the case number (empty for a campaign)"),
    "reason": _("why a follow-up is needed"),
    "due": _("when it is due"),
    "task_url": _("the follow-up in the desk"),
    "comment": _("the customer's comment"),
}


def templates_register() -> None:
    template_register(
        TemplateSpec(
            key="surveys.invitation",
            description=_("To the customer: please rate our service."),
            default="surveys/mail/invitation.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )
    template_register(
        TemplateSpec(
            key="surveys.reminder",
            description=_("To the customer: a reminder, once, of an unanswered survey."),
            default="surveys/mail/reminder.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )
    template_register(
        TemplateSpec(
            key="surveys.recovery",
            description=_("To the supervisor: an unhappy customer to follow up."),
            default="surveys/mail/recovery.{language}.txt",
            variables=_STAFF_VARIABLES,
            example=_EXAMPLE,
        )
    )


def survey_path(token: str) -> str:
    return reverse("surveys:answer", args=[token])


def invitation_mail(invitation: Invitation, *, reminder: bool = False) -> None:
    """Queue the invitation (or its reminder) to the customer, in his language."""
    customer = invitation.customer
    if not customer.email or not invitation.token:
        return
    language = language_for(customer.language)
    english = language == "en"
    survey = invitation.version.survey
    path = survey_path(invitation.token)
    first = next(
        (question for question in invitation.version.questions.all() if question.type in SCALES), None
    )
    scores = []
    if first is not None:
        low, high = SCALES[Question.Type(first.type)]
        scores = [
            {"score": score, "url": site_url(f"{path}?score={score}")} for score in range(high, low - 1, -1)
        ]
    case = invitation.case
    with translation.override(language):
        context = {
            "organisation": organisation_name(),
            "recipient_name": customer.name,
            "number": case.number if case else "",
            "title": case.title if case else "",
            "survey_name": (survey.name_en if english and survey.name_en else survey.name_zh),
            "survey_url": site_url(path),
            "question": (first.text_en if english and first.text_en else first.text_zh) if first else "",
            "scores": scores,
            "expires": formats.date_format(timezone.localtime(invitation.expires_at), "Y-m-d"),
            # The survey page's button (surveys/answer.html), from the same translatable string.
            "send_button": gettext("Send"),
        }
        key = "surveys.reminder" if reminder else "surveys.invitation"
        rendered = mail_render(key, language, context)
    # Every invitation says how to stop them, whatever its (editable) template says: one link, no sign-in.
    opt_out_url = site_url(opt_out_path(customer_id=customer.pk, purpose_code=ConsentPurpose.SURVEYS))
    footer = opt_out_footer(url=opt_out_url, purpose_code=ConsentPurpose.SURVEYS)
    headers = {"List-Unsubscribe": f"<{opt_out_url}>"}
    if case:
        headers["X-Charter-Case"] = case.number
    mail_queue(
        to=customer.email,
        subject=rendered.subject,
        body=f"{rendered.body.rstrip()}\n\n{footer}\n",
        language=language,
        template=key,
        thread_ref=f"survey:{invitation.pk}",
        headers=headers,
    )


def recovery_mail(task: RecoveryTask) -> None:
    """Queue the follow-up to its owner, in his language and time zone."""
    owner = task.owner
    if owner is None or not owner.email:
        return
    language = language_for(owner.language or settings.LANGUAGE_CODE)
    response = task.response
    with translation.override(language), timezone.override(owner.time_zone or settings.TIME_ZONE):
        context = {
            "organisation": organisation_name(),
            "recipient_name": owner.display_name or owner.get_full_name() or owner.username,
            "number": response.case.number if response.case else "",
            "reason": task.reason,
            "due": formats.date_format(timezone.localtime(task.due_at), "Y-m-d H:i"),
            "task_url": site_url(reverse("surveys:recovery_detail", args=[task.pk])),
            "comment": response.comment,
        }
        rendered = mail_render("surveys.recovery", language, context)
    mail_queue(
        to=owner.email,
        subject=rendered.subject,
        body=rendered.body,
        language=language,
        template="surveys.recovery",
        recipient_user=owner,
        thread_ref=f"recovery:{task.pk}",
    )
