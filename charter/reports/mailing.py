"""The monthly report's e-mail to its subscribers: a link to the PDF in the subscriber's language (the
files are kept on the report's row; a link, not an attachment, so the download is checked and audited)."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.catalog.selectors import organisation_name
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, mail_render, template_register
from charter.reports.figures import Ratio
from charter.reports.models import MonthlyReport, ReportSubscription
from charter.reports.permissions import can_read_monthly_report

KEY = "reports.monthly_report"
_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "张主管",
    "month": "2026年11月",
    "received": 1234,
    "sla_percent": "95.0%",
    "complaints": 120,
    "download_url": "https://charter.example.cn/desk/reports/monthly/1/zh-hans.pdf",
    "list_url": "https://charter.example.cn/desk/reports/monthly/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "month": _("the month reported"),
    "received": _("cases received in the month"),
    "sla_percent": _("the share of time limits met in the month"),
    "complaints": _("complaints received in the month"),
    "download_url": _("the report's PDF in the recipient's language"),
    "list_url": _("the page of all monthly reports"),
}


def templates_register() -> None:
    template_register(
        TemplateSpec(
            key=KEY,
            description=_("To subscribers: the monthly service quality report is ready."),
            default="reports/mail/monthly_report.{language}.txt",
            variables=_VARIABLES,
            example=_EXAMPLE,
        )
    )


def _site(path: str) -> str:
    return f"{settings.CHARTER_SITE_URL}{path}"


def monthly_report_mail(*, report_id: int) -> int:
    """Mail the ready report `report_id` to every subscriber who may still read it (`can_read_monthly_report`:
    a subscriber who no longer qualifies is skipped), each in his language, once: `mailed_at` is claimed by a
    conditional UPDATE in the same transaction as the messages queued (sent after the commit), so two workers
    never both mail it. Returns the number of messages queued
    (0 when it was mailed already, or is not ready)."""
    with transaction.atomic():
        claimed = MonthlyReport.objects.filter(
            pk=report_id, state=MonthlyReport.State.READY, mailed_at__isnull=True
        ).update(mailed_at=timezone.now())
        if not claimed:
            return 0
        report = MonthlyReport.objects.get(pk=report_id)
        sent = 0
        subscriptions = (
            ReportSubscription.objects.select_related("user").filter(user__is_active=True).order_by("pk")
        )
        for subscription in subscriptions:
            user = subscription.user
            if not user.email or not can_read_monthly_report(user):
                continue
            language = subscription.language
            figures = report.figures.get("current", {}).get(language, {})
            sla = figures.get("sla") or {}
            percent = Ratio(part=int(sla.get("part", 0)), whole=int(sla.get("whole", 0))).percent
            with translation.override(language), timezone.override(user.time_zone or settings.TIME_ZONE):
                context = {
                    "organisation": organisation_name(),
                    "recipient_name": str(user),
                    "month": formats.date_format(report.month, "YEAR_MONTH_FORMAT"),
                    "received": figures.get("received", 0),
                    "sla_percent": f"{percent}%" if percent is not None else "—",
                    "complaints": figures.get("complaints", 0),
                    "download_url": _site(reverse("reports:monthly_download", args=[report.pk, language])),
                    "list_url": _site(reverse("reports:monthly_list")),
                }
                rendered = mail_render(KEY, language, context)
            mail_queue(
                to=user.email,
                subject=rendered.subject,
                body=rendered.body,
                language=language,
                template=KEY,
                recipient_user=user,
                thread_ref=f"monthly-report:{report.pk}",
            )
            sent += 1
    return sent
