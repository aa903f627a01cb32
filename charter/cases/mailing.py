"""Case notifications by e-mail: who receives each one, in which language, with which template.

`notification_queue` turns one `CaseNotification` into one queued e-mail per recipient, inside the
transaction of the change (so a rolled-back change sends nothing); the mail app sends them after the commit.
Customers get their language and the installation's time zone; staff get their own language and time zone.
Each mail threads with the case: its subject carries the case number, `In-Reply-To`/`References` name the
case's earlier messages, and its `thread_ref` lets the customer's answer find the case again.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import team_lead_list
from charter.cases.clocks import deadline_text
from charter.cases.conf import cases_setting
from charter.cases.forms import ACCEPT_BUTTON, APPEAL_BUTTON
from charter.cases.models import Case, CaseClock, CaseEvent, CaseMessage
from charter.cases.notifications import Audience, CaseNotification
from charter.cases.selectors import case_tracking_link_token
from charter.cases.workflow import FINISHED_STATUSES
from charter.catalog.selectors import organisation_name, service_name
from charter.common.errors import DomainError
from charter.mail.inbound import thread_message_ids
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, site_url, template_register
from charter.privacy.consent import has_withdrawn, opt_out_footer, opt_out_path

K = CaseEvent.Kind
logger = logging.getLogger(__name__)

# Notification kind -> template key, per audience side.
CUSTOMER_TEMPLATES = {
    K.ACKNOWLEDGED: "cases.acknowledged",
    K.REPLIED: "cases.replied",
    K.STATUS_CHANGED: "cases.status_changed",
    K.RESOLVED: "cases.resolved",
    K.TOKEN_ROTATED: "cases.token_rotated",
}
# The customer's mails the case needs (its number and link, our answers, the decision he may appeal) are
# always sent. The others are his to stop: each carries an opt-out link for this purpose, and none reaches
# a customer who used it or whose processing is restricted.
REQUIRED_CUSTOMER_KINDS = frozenset({K.ACKNOWLEDGED, K.REPLIED, K.RESOLVED, K.TOKEN_ROTATED})
UPDATES_PURPOSE = "case_updates"

STAFF_TEMPLATES = {
    K.ASSIGNED: "cases.assigned",
    K.CUSTOMER_REPLIED: "cases.customer_replied",
    K.NOTE_ADDED: "cases.note_added",
    K.ESCALATED: "cases.escalated",
    K.CLOCK_WARNED: "cases.clock_warned",
    K.CLOCK_BREACHED: "cases.clock_breached",
    K.APPEALED: "cases.appealed",
    K.ACCEPTED: "cases.accepted",
}

_COMMON = {
    "organisation": _("the organisation's name"),
    "number": _("the case number, e.g. TS-2026-000123"),
    "title": _("the case's title"),
    "kind": _("inquiry, complaint…"),
    "status": _("the case's status"),
    "recipient_name": _("the recipient's name"),
    "service": _("the service the case is about, in the recipient's language (empty when none)"),
}
_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "number": "TS-2026-000123",
    "title": "水费异常",
    "kind": "投诉",
    "status": "处理中",
    "recipient_name": "王女士",
    "service": "抄表读数异议",
    "tracking_url": "https://charter.example.cn/track/abc/",
    "desk_url": "https://charter.example.cn/desk/cases/TS-2026-000123/",
    "portal_url": "https://charter.example.cn/portal/",
    "deadlines": [{"label": "首次响应", "due": "2026-11-30 10:00"}],
    "message": "您好，……",
    "outcome": "部分支持",
    "reasons": "……",
    "remedy": "¥50.00",
    "appeal_until": "2026-12-15 17:00",
    "metric": "解决",
    "due": "2026-11-30 10:00",
    "reason": "……",
    "accept_button": "我认可",
    "appeal_button": "申请复核",
}
_DESCRIPTIONS = {
    "cases.acknowledged": (
        _("To the customer: the case was received (number, tracking link, deadlines)."),
        ("tracking_url", "deadlines"),
    ),
    "cases.replied": (
        _("To the customer: a reply from staff."),
        ("message", "tracking_url", "portal_url"),
    ),
    "cases.status_changed": (
        _("To the customer: the case's status changed."),
        ("tracking_url", "portal_url"),
    ),
    "cases.resolved": (
        _("To the customer: the resolution, with how to accept or appeal it."),
        (
            "outcome",
            "reasons",
            "remedy",
            "appeal_until",
            "tracking_url",
            "portal_url",
            "accept_button",
            "appeal_button",
        ),
    ),
    "cases.token_rotated": (_("To the customer: a new tracking link."), ("tracking_url",)),
    "cases.assigned": (_("To staff: a case was assigned to you or your team."), ("desk_url", "deadlines")),
    "cases.customer_replied": (_("To staff: the customer wrote."), ("desk_url", "message")),
    "cases.note_added": (_("To the team: an internal note."), ("desk_url", "message")),
    "cases.escalated": (_("To supervisors: a case was escalated."), ("desk_url", "reason")),
    "cases.clock_warned": (_("To staff: a deadline is near."), ("desk_url", "metric", "due")),
    "cases.clock_breached": (
        _("To staff and supervisors: a deadline was missed."),
        ("desk_url", "metric", "due"),
    ),
    "cases.appealed": (_("To staff and supervisors: the customer appealed."), ("desk_url", "reason")),
    "cases.accepted": (_("To staff: the customer accepted the resolution."), ("desk_url",)),
}
_VARIABLES = {
    "tracking_url": _("the customer's private tracking link"),
    "portal_url": _("the customer portal"),
    "desk_url": _("the case in the desk"),
    "deadlines": _("the promised deadlines (each with label and due)"),
    "message": _("the text of the message"),
    "outcome": _("the outcome"),
    "reasons": _("the reasons for the outcome"),
    "remedy": _("the remedy in CNY, if any"),
    "appeal_until": _("until when the customer may appeal"),
    "metric": _("which deadline"),
    "due": _("when it falls due"),
    "reason": _("the reason given"),
    "accept_button": _("the label of the button that accepts the decision on the case page"),
    "appeal_button": _("the label of the button that appeals it"),
}


def templates_register() -> None:
    """Register every case notification template with the mail app (from CasesConfig.ready)."""
    for key, (description, extra) in _DESCRIPTIONS.items():
        name = key.removeprefix("cases.")
        template_register(
            TemplateSpec(
                key=key,
                description=description,
                default=f"cases/mail/{name}.{{language}}.txt",
                variables={**_COMMON, **{variable: _VARIABLES[variable] for variable in extra}},
                example=_EXAMPLE,
            )
        )


def thread_ref(case: Case, *, staff: bool = False) -> str:
    """The customer's thread of a case ("case:<pk>", which his replies find the case by), or the staff's."""
    return f"case:{case.pk}:staff" if staff else f"case:{case.pk}"


def _when(at: dt.datetime | None, zone: str) -> str:
    if at is None:
        return ""
    return formats.date_format(at.astimezone(ZoneInfo(zone)), "Y-m-d H:i")


def _staff(notification: CaseNotification, case: Case) -> list[User]:
    audience = notification.audience
    users: Iterable[User]
    if audience == Audience.HANDLER and notification.recipient_id:
        users = User.objects.filter(pk=notification.recipient_id)
    elif audience in (Audience.TEAM, Audience.HANDLER) and case.team_id:
        users = User.objects.filter(memberships__team_id=case.team_id).distinct()
    elif audience == Audience.SUPERVISOR and case.team_id:
        users = User.objects.filter(pk__in=team_lead_list(team_ids=[case.team_id]).values("user_id"))
    else:
        users = []
    named = set(case.named_staff.values_list("pk", flat=True)) if case.is_complaint else set()
    # A person a complaint names hears nothing about it from the system: the handling is independent of him.
    # Nobody is told of his own action (his note, his taking the case, his escalation): the actor of the
    # event that caused the notification is left out.
    actor = (
        CaseEvent.objects.filter(pk=notification.event_id, case=case)
        .values_list("actor_id", flat=True)
        .first()
        if notification.event_id
        else None
    )
    return [
        user for user in users if user.is_active and user.email and user.pk not in named and user.pk != actor
    ]


def _context(notification: CaseNotification, case: Case, *, zone: str, staff: bool) -> dict[str, Any]:
    context: dict[str, Any] = {
        "organisation": organisation_name(),
        "number": case.number,
        "title": case.title,
        "kind": case.get_kind_display(),
        "status": case.get_status_display(),
        "service": service_name(service=case.service) if case.service else "",
        "portal_url": site_url(reverse("cases:portal")),
    }
    if staff:
        context["desk_url"] = site_url(reverse("cases:desk_case", args=[case.number]))
    else:
        # The token of the acknowledgement or of a new link; later mails carry a link signed for the
        # current one (the token itself is never stored), which stops working with it.
        token = notification.tracking_token or case_tracking_link_token(case=case)
        if token:
            context["tracking_url"] = site_url(reverse("cases:track", args=[token]))
    if notification.kind in (K.ACKNOWLEDGED, K.ASSIGNED):
        clocks = CaseClock.objects.filter(case=case, status=CaseClock.Status.RUNNING, due_at__isnull=False)
        context["deadlines"] = [
            {"label": clock.get_metric_display(), "due": deadline_text(clock.due_at, ZoneInfo(zone))}
            for clock in clocks.order_by("due_at")
        ]
    if notification.message_id:
        message = CaseMessage.objects.filter(pk=notification.message_id, case=case).first()
        # Only what the audience may read: an internal note never reaches a customer's template.
        if message is not None and (staff or not message.is_internal):
            context["message"] = message.body
    if notification.kind == K.RESOLVED:
        context.update(
            outcome=case.get_outcome_display(),
            reasons=case.resolution_reasons,
            remedy=f"¥{case.remedy_amount:,.2f}" if case.remedy_amount else "",
            appeal_until=_when(case.appeal_until, zone),
            appeal_days=cases_setting("CHARTER_CASES_APPEAL_DAYS"),
            # The very words of the case page's buttons (rendered in the recipient's language).
            accept_button=str(ACCEPT_BUTTON),
            appeal_button=str(APPEAL_BUTTON),
        )
    if notification.event_id and staff:
        event = CaseEvent.objects.filter(pk=notification.event_id, case=case).first()
        data = event.data if event is not None else {}
        if notification.kind in (K.CLOCK_WARNED, K.CLOCK_BREACHED):
            metric = str(data.get("metric", ""))
            labels = dict(CaseClock.Metric.choices)
            context["metric"] = str(labels.get(metric, metric))
            due = data.get("due_at")
            context["due"] = (
                deadline_text(dt.datetime.fromisoformat(due), ZoneInfo(zone)) if isinstance(due, str) else ""
            )
        if notification.kind == K.ESCALATED:
            context["reason"] = str(data.get("reason", ""))
    if notification.kind == K.ESCALATED and staff:
        context.setdefault("reason", "")
    if notification.kind == K.APPEALED and staff:
        context["reason"] = case.appeal_reason
    return context


def _send(
    notification: CaseNotification,
    case: Case,
    *,
    key: str,
    to: str,
    language: str,
    zone: str,
    staff: bool,
    name: str,
    user: User | None = None,
    answering: str = "",
    opt_out_customer_id: int | None = None,
) -> None:
    language = language_for(language)
    with translation.override(language):
        context = _context(notification, case, zone=zone, staff=staff)
        context["recipient_name"] = name
        rendered = mail_render(key, language, context)
    subject = rendered.subject
    body = rendered.body
    headers = {"X-Charter-Case": case.number}
    if opt_out_customer_id is not None:
        opt_out_url = site_url(opt_out_path(customer_id=opt_out_customer_id, purpose_code=UPDATES_PURPOSE))
        body = f"{body.rstrip()}\n\n{opt_out_footer(url=opt_out_url, purpose_code=UPDATES_PURPOSE)}\n"
        headers["List-Unsubscribe"] = f"<{opt_out_url}>"
    if case.number not in subject:
        subject = f"[{case.number}] {subject}"
    thread = thread_ref(case, staff=staff)
    references = thread_message_ids(thread)
    if answering and not staff and answering not in references:
        # The customer's own e-mail that opened or updated the case: answer it, so his client threads them.
        references.append(answering)
    try:
        mail_queue(
            to=to,
            subject=subject,
            body=body,
            language=language,
            template=key,
            recipient_user=user,
            thread_ref=thread,
            in_reply_to=references[-1] if references else "",
            references=references,
            # A reply written by a person may be answered by an auto-responder; a notification may not.
            is_automated=notification.kind != K.REPLIED,
            headers=headers,
        )
    except DomainError as error:
        # An address the mail server could never take (stored before it was checked): skip this
        # recipient, keep the others.
        logger.warning("case %s: no mail to an unusable address (%s)", case.number, error.code)


def notification_queue(notification: CaseNotification, *, answering: str = "") -> None:
    """Queue the e-mails `notification` calls for (none when no recipient has an address). `answering` is
    the Message-ID of the customer's e-mail the change answered, if any."""
    case = (
        Case.objects.select_related("customer")
        .prefetch_related(Prefetch("named_staff"))
        .filter(pk=notification.case_id)
        .first()
    )
    if case is None:
        return
    if notification.audience == Audience.CUSTOMER:
        key = CUSTOMER_TEMPLATES.get(notification.kind)  # type: ignore[call-overload]
        customer = case.customer
        if key is None or customer is None or not customer.email:
            return
        # That his case was cancelled or closed he must hear, like its decision.
        optional = notification.kind not in REQUIRED_CUSTOMER_KINDS and case.status not in FINISHED_STATUSES
        if optional and (
            customer.restricted_at is not None
            or has_withdrawn(customer_id=customer.pk, purpose_code=UPDATES_PURPOSE)
        ):
            return
        _send(
            notification,
            case,
            key=key,
            to=customer.email,
            language=customer.language,
            zone=settings.TIME_ZONE,
            staff=False,
            name=customer.name,
            answering=answering,
            opt_out_customer_id=customer.pk if optional else None,
        )
        return
    key = STAFF_TEMPLATES.get(notification.kind)  # type: ignore[call-overload]
    if key is None:
        return
    for user in _staff(notification, case):
        _send(
            notification,
            case,
            key=key,
            to=user.email,
            language=user.language or settings.LANGUAGE_CODE,
            zone=user.time_zone or settings.TIME_ZONE,
            staff=True,
            name=user.display_name or user.get_full_name() or user.username,
            user=user,
        )
