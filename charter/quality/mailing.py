"""QA review e-mails to the agent: his review was submitted, and his dispute was decided."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.catalog.selectors import organisation_name
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, template_register
from charter.quality.models import Review

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "李明",
    "number": "TS-2026-000123",
    "score": "85.00",
    "compliance_score": "100.00",
    "decision": "维持原评分",
    "reason": "……",
    "review_url": "https://charter.example.cn/desk/quality/reviews/1/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "number": _("the case number"),
    "score": _("the overall score"),
    "compliance_score": _("the compliance score (may be empty)"),
    "decision": _("the decision on the dispute"),
    "reason": _("the reasons for the decision"),
    "review_url": _("the review in the desk"),
}


def templates_register() -> None:
    template_register(
        TemplateSpec(
            key="quality.review_submitted",
            description=_("To the agent: a QA review of his work is ready."),
            default="quality/mail/review_submitted.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )
    template_register(
        TemplateSpec(
            key="quality.dispute_decided",
            description=_("To the agent: his dispute of a QA review was decided."),
            default="quality/mail/dispute_decided.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )


def _review_mail(review: Review, key: str) -> None:
    agent = review.agent
    if not agent.email:
        return
    language = language_for(agent.language or settings.LANGUAGE_CODE)
    with translation.override(language), timezone.override(agent.time_zone or settings.TIME_ZONE):
        context = {
            "organisation": organisation_name(),
            "recipient_name": str(agent),
            "number": review.case.number,
            "score": str(review.overall_score) if review.overall_score is not None else "",
            "compliance_score": str(review.compliance_score) if review.compliance_score is not None else "",
            "decision": str(review.get_decision_display()) if review.decision else "",
            "reason": review.decision_reason,
            "review_url": f"{settings.CHARTER_SITE_URL}{reverse('quality:review_detail', args=[review.pk])}",
        }
        rendered = mail_render(key, language, context)
    mail_queue(
        to=agent.email,
        subject=rendered.subject,
        body=rendered.body,
        language=language,
        template=key,
        recipient_user=agent,
        thread_ref=f"qa-review:{review.pk}",
    )


def review_submitted_mail(review: Review) -> None:
    """Queue the news of a submitted review to the agent, in his language."""
    _review_mail(review, "quality.review_submitted")


def dispute_decided_mail(review: Review) -> None:
    """Queue the decision on the agent's dispute to him, in his language."""
    _review_mail(review, "quality.dispute_decided")
