"""Mail to the people an assessment step waits for: the covered staff when a cycle opens (their
self-assessment), the assessors when scoring begins, each person when his scorecard is published, those who
may decide an appeal when one is filed, and the person when it is decided; and the daily reminder, once per
step, when a step's due time is within one working day and someone's part is still open.

Each mail is in the recipient's language and time zone, from a template administrators may edit, queued
through the outbound mail (charter/mail/outbound.py). The services enqueue them with
`transaction.on_commit(partial(mail_later, kind, pk))`, so nothing is sent for a change that rolled back and
the worker, not the request, mails a cycle's hundreds of people; one address that cannot be queued does not
stop the others.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import user_list_with_permission
from charter.assessment.models import Appeal, Cycle, Scorecard
from charter.assessment.permissions import can_decide_appeal
from charter.assessment.rules import rules_of
from charter.common.errors import DomainError
from charter.mail.outbound import staff_mail_queue
from charter.mail.rendering import TemplateSpec, template_register
from charter.sla.deadlines import add_working_days
from charter.sla.selectors import calendar_for_team

C = Cycle.Status
S = Scorecard.Status

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "李明",
    "cycle": "坐席考核，2026-03-01 至 2026-03-31",
    "due": "2026-04-07 10:00",
    "count": 8,
    "grade": "良好",
    "outcome": "维持原结果",
    "person": "王芳",
    "url": "https://charter.example.cn/desk/assessment/scorecards/1/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "cycle": _("the assessment cycle (scheme and period)"),
    "due": _("the deadline of the step, or the end of the appeal window"),
    "count": _("how many people the assessor has to score"),
    "grade": _("the grade of the scorecard"),
    "outcome": _("the outcome of the appeal"),
    "person": _("the person whose scorecard is appealed"),
    "url": _("the page in the desk"),
}
KEYS = {
    "cycle_opened": "assessment.cycle_opened",
    "scoring_open": "assessment.scoring_open",
    "published": "assessment.published",
    "appeal_filed": "assessment.appeal_filed",
    "appeal_decided": "assessment.appeal_decided",
    "self_reminder": "assessment.self_reminder",
    "scoring_reminder": "assessment.scoring_reminder",
}


def templates_register() -> None:
    """Register the assessment mail templates (called once from the app's `ready`)."""
    for kind, description in (
        ("cycle_opened", _("To each person a cycle covers: write your self-assessment by the deadline.")),
        ("scoring_open", _("To each assessor: the people he scores, by the deadline.")),
        ("published", _("To each person: his scorecard is published; he may acknowledge it or appeal.")),
        ("appeal_filed", _("To those who may decide it: a scorecard was appealed.")),
        ("appeal_decided", _("To the person: the decision on his appeal.")),
        ("self_reminder", _("To the person: the self-assessment is due within a working day.")),
        ("scoring_reminder", _("To the assessor: scoring is due within a working day.")),
    ):
        template_register(
            TemplateSpec(
                key=KEYS[kind],
                description=description,
                default=f"assessment/mail/{kind}.{{language}}.txt",
                variables=_VARIABLES,
                example=_EXAMPLE,
            )
        )


def _url(name: str, pk: int | None = None, query: str = "") -> str:
    path = reverse(f"assessment:{name}", args=[pk] if pk is not None else [])
    return f"{settings.CHARTER_SITE_URL}{path}{query}"


def _when(at: dt.datetime | None) -> str:
    """`at` in the active time zone (the recipient's), or nothing."""
    return formats.date_format(timezone.localtime(at), "Y-m-d H:i") if at else ""


def _send(kind: str, recipient: User, *, thread: str, context: Callable[[], dict[str, Any]]) -> None:
    """Queue the mail of `kind` to `recipient` (`charter.mail.outbound.staff_mail_queue`)."""
    staff_mail_queue(key=KEYS[kind], recipient=recipient, thread=thread, context=context, app="assessment")


def _cycle(pk: int) -> Cycle | None:
    return Cycle.objects.select_related("scheme", "version").filter(pk=pk).first()


def _grade_label(cycle: Cycle, grade: str) -> str:
    """The grade's name in the active language (its code when the version no longer knows it)."""
    try:
        return str(rules_of(cycle.version).bands.get(grade).label) if grade else ""
    except DomainError:
        return grade


def _self_context(cycle: Cycle, card: Scorecard) -> dict[str, Any]:
    return {"cycle": str(cycle), "due": _when(cycle.step_due_at), "url": _url("scorecard_detail", card.pk)}


def _self_mail(kind: str, cycle: Cycle, cards: list[Scorecard]) -> None:
    for card in cards:
        _send(kind, card.person, thread=f"scorecard:{card.pk}", context=partial(_self_context, cycle, card))


def _scoring_context(cycle: Cycle, count: int) -> dict[str, Any]:
    return {
        "cycle": str(cycle),
        "due": _when(cycle.step_due_at),
        "count": count,
        "url": _url("team_scorecards", query=f"?cycle={cycle.pk}"),
    }


def _scoring_mail(kind: str, cycle: Cycle, cards: list[Scorecard]) -> None:
    counts = Counter(card.assessor_id for card in cards if card.assessor_id is not None)
    for assessor in User.objects.filter(pk__in=counts).order_by("pk"):
        _send(
            kind,
            assessor,
            thread=f"assessment-cycle:{cycle.pk}",
            context=partial(_scoring_context, cycle, counts[assessor.pk]),
        )


def cycle_opened_mail(*, cycle_id: int) -> None:
    """Ask each person of the cycle still at self-assessment to write it by the step's due time."""
    cycle = _cycle(cycle_id)
    if cycle is None or cycle.status != C.SELF:
        return
    cards = list(cycle.scorecards.filter(status=S.SELF).select_related("person").order_by("pk"))
    _self_mail("cycle_opened", cycle, cards)


def scoring_open_mail(*, cycle_id: int) -> None:
    """Tell each assessor how many people of the cycle he scores, and by when (cycles at supervisor scoring;
    scorecards nobody assesses are left to those who run cycles, who see them on the cycle's page)."""
    cycle = _cycle(cycle_id)
    if cycle is None or cycle.status != C.SUPERVISOR:
        return
    _scoring_mail("scoring_open", cycle, list(cycle.scorecards.filter(status=S.SUPERVISOR)))


def cycle_published_mail(*, cycle_id: int) -> None:
    """Tell each person of the published cycle his scorecard is published: his grade, that he may
    acknowledge it, and until when he may appeal."""
    cycle = _cycle(cycle_id)
    if cycle is None or cycle.status != C.PUBLISHED:
        return
    cards = cycle.scorecards.filter(status=S.PUBLISHED).select_related("person").order_by("pk")
    for card in cards:
        _send(
            "published",
            card.person,
            thread=f"scorecard:{card.pk}",
            context=partial(_published_context, cycle, card),
        )


def _published_context(cycle: Cycle, card: Scorecard) -> dict[str, Any]:
    return {
        "cycle": str(cycle),
        "grade": _grade_label(cycle, card.grade),
        "due": _when(card.appeal_due_at),
        "url": _url("scorecard_detail", card.pk),
    }


def appeal_decider_list(*, appeal: Appeal) -> list[User]:
    """Return who may decide `appeal`: holders of assessment.decide_appeal for whom `can_decide_appeal`
    allows it (never the person, his assessor, nor whoever scored, calibrated or approved it), by id."""
    return [
        user
        for user in user_list_with_permission("assessment.decide_appeal")
        if can_decide_appeal(user, appeal)
    ]


def appeal_filed_mail(*, appeal_id: int) -> None:
    """Tell those who may decide the pending appeal `appeal_id` that it waits for them."""
    appeal = (
        Appeal.objects.select_related(
            "scorecard__person", "scorecard__cycle__scheme", "scorecard__cycle__version"
        )
        .filter(pk=appeal_id, status=Appeal.Status.PENDING)
        .first()
    )
    if appeal is None:
        return
    card = appeal.scorecard
    for decider in appeal_decider_list(appeal=appeal):
        _send(
            "appeal_filed",
            decider,
            thread=f"assessment-appeal:{appeal.pk}",
            context=lambda: {
                "cycle": str(card.cycle),
                "person": str(card.person),
                "grade": _grade_label(card.cycle, appeal.previous_grade),
                "url": _url("appeal_detail", appeal.pk),
            },
        )


def appeal_decided_mail(*, appeal_id: int) -> None:
    """Tell the person the decision on his appeal `appeal_id` and his grade after it."""
    appeal = (
        Appeal.objects.select_related(
            "scorecard__person", "scorecard__cycle__scheme", "scorecard__cycle__version"
        )
        .filter(pk=appeal_id)
        .exclude(status=Appeal.Status.PENDING)
        .first()
    )
    if appeal is None:
        return
    card = appeal.scorecard
    _send(
        "appeal_decided",
        card.person,
        thread=f"scorecard:{card.pk}",
        context=lambda: {
            "cycle": str(card.cycle),
            "outcome": appeal.get_status_display(),
            "grade": _grade_label(card.cycle, appeal.new_grade),
            "url": _url("scorecard_detail", card.pk),
        },
    )


MAILS: dict[str, Callable[[int], None]] = {
    "cycle_opened": lambda pk: cycle_opened_mail(cycle_id=pk),
    "scoring_open": lambda pk: scoring_open_mail(cycle_id=pk),
    "published": lambda pk: cycle_published_mail(cycle_id=pk),
    "appeal_filed": lambda pk: appeal_filed_mail(appeal_id=pk),
    "appeal_decided": lambda pk: appeal_decided_mail(appeal_id=pk),
}


def assessment_mail_send(*, kind: str, pk: int) -> None:
    """Send the mail `kind` (a key of MAILS) about row `pk`: a cycle, or an appeal for the appeal mails."""
    MAILS[kind](pk)


def mail_later(kind: str, pk: int) -> None:
    """Enqueue the sending of the mail `kind` about row `pk` (the services call this on commit): a cycle of
    hundreds of people is mailed by the worker, not in the request, and its opening's query count stays
    bounded."""
    from charter.assessment.tasks import assessment_mail_send_task

    assessment_mail_send_task(kind, pk)


# The steps whose open parts belong to one person each, and the scorecards still open at them.
_REMINDED = {C.SELF: S.SELF, C.SUPERVISOR: S.SUPERVISOR}


def cycle_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind, once per step, each person whose self-assessment and each assessor whose scoring is still
    open when the cycle's step is due within one working day: by the end of the next working day on the
    organisation's calendar, the one the due time was counted on. Each cycle is claimed by a conditional
    UPDATE of `reminded_step`, so two workers (or a second run) never remind twice. Returns how many cycles
    were reminded."""
    now = now or timezone.now()
    horizon = add_working_days(calendar_for_team(team=None), now, 1)
    due = Cycle.objects.filter(status__in=list(_REMINDED), step_due_at__gt=now, step_due_at__lte=horizon)
    reminded = 0
    for pk, step in list(due.values_list("pk", "status")):
        with transaction.atomic():
            claimed = (
                Cycle.objects.filter(pk=pk, status=step)
                .exclude(reminded_step=step)
                .update(reminded_step=step)
            )
        if not claimed:
            continue
        cycle = _cycle(pk)
        if cycle is None:
            continue
        cards = list(
            cycle.scorecards.filter(status=_REMINDED[C(step)]).select_related("person").order_by("pk")
        )
        if step == C.SELF:
            _self_mail("self_reminder", cycle, cards)
        else:
            _scoring_mail("scoring_reminder", cycle, cards)
        reminded += 1
    return reminded
