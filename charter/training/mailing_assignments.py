"""Mail about assignments: to the person when a course is assigned to him, a reminder some days before the
due date (CHARTER_TRAINING_REMIND_DAYS) and one on the due date, and to his supervisors once it is overdue.

Each mail is in the recipient's language and time zone, from a template administrators may edit, queued
through the outbound mail. The "assigned" mail is sent by the worker (a batch of thousands mails from its
task, not from the request). Each reminder is sent once: the daily sweep claims the assignment by stamping
`reminded_before_at`, `reminded_due_at` or `overdue_notified_at` where it is still empty (a conditional
UPDATE), so a second run, or a second worker, sends nothing again.
"""

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.selectors import team_supervisor_list
from charter.mail.outbound import staff_mail_queue
from charter.mail.rendering import TemplateSpec, template_register
from charter.training.assignments import training_setting
from charter.training.models import Assignment

Status = Assignment.Status

_EXAMPLE: dict[str, Any] = {
    "organisation": "示范公用事业公司",
    "recipient_name": "李明",
    "course": "供电服务规范（2026 版）",
    "due": "2026-04-07",
    "reason": "新版标准发布",
    "why": "《供电服务规范》第 3 版已发布，请完成本课程。",
    "days": 3,
    "person": "王芳",
    "url": "https://charter.example.cn/desk/training/",
}
_VARIABLES = {
    "organisation": _("the organisation's name"),
    "recipient_name": _("the recipient's name"),
    "course": _("the course"),
    "due": _("the due date"),
    "reason": _("why the course is assigned (the kind of reason)"),
    "why": _("why the course is assigned, in words"),
    "days": _("days left until the due date"),
    "person": _("the staff member whose training is overdue"),
    "url": _("the page in the desk"),
}
KEYS = {
    "assigned": "training.assigned",
    "remind_before": "training.remind_before",
    "remind_due": "training.remind_due",
    "overdue": "training.overdue",
}


def templates_register() -> None:
    """Register the assignment mail templates (called once from the app's `ready`)."""
    for kind, description in (
        ("assigned", _("To the staff member: a course was assigned to him, by when and why.")),
        ("remind_before", _("To the staff member: an assigned course is due in a few days.")),
        ("remind_due", _("To the staff member: an assigned course is due today.")),
        (
            "overdue",
            _("To the supervisors: a staff member of their teams has not completed a course in time."),
        ),
    ):
        template_register(
            TemplateSpec(
                key=KEYS[kind],
                description=description,
                default=f"training/mail/{kind}.{{language}}.txt",
                variables=_VARIABLES,
                example=_EXAMPLE,
            )
        )


def _url() -> str:
    try:
        path = reverse("training:home")
    except NoReverseMatch:
        path = "/desk/training/"
    return f"{settings.CHARTER_SITE_URL}{path}"


def _send(kind: str, recipient: User, *, thread: str, context: Callable[[], dict[str, Any]]) -> bool:
    """Queue the mail of `kind` to `recipient` (`charter.mail.outbound.staff_mail_queue`)."""
    return staff_mail_queue(
        key=KEYS[kind], recipient=recipient, thread=thread, context=context, app="training"
    )


def _context(assignment: Assignment) -> dict[str, Any]:
    days = (assignment.due_on - timezone.localdate()).days
    return {
        "course": str(assignment.course),
        "due": formats.date_format(assignment.due_on, "Y-m-d"),
        "reason": assignment.get_reason_display(),
        "why": assignment.reason_text,
        "days": max(days, 0),
        "person": str(assignment.person),
        "url": _url(),
    }


def _assignments() -> "Any":
    return Assignment.objects.select_related("person", "course")


def assignment_assigned_mail(*, assignment_id: int) -> None:
    """Tell the person of the open assignment `assignment_id` that the course was assigned to him, once
    (a retried task finds the row claimed)."""
    assignment = _assignments().filter(pk=assignment_id, status=Status.OPEN).first()
    if assignment is not None and _claimed(assignment.pk, "assigned_mailed_at", timezone.now()):
        _send(
            "assigned",
            assignment.person,
            thread=f"training-assignment:{assignment.pk}",
            context=partial(_context, assignment),
        )


def batch_assigned_mail(*, batch_id: int) -> int:
    """Tell each person of batch `batch_id` whose assignment is still open that the course was assigned to
    him, once each (a retried task skips those already claimed); returns how many mails were queued."""
    sent = 0
    now = timezone.now()
    rows = _assignments().filter(batch_id=batch_id, status=Status.OPEN, assigned_mailed_at__isnull=True)
    for assignment in rows.order_by("pk").iterator():
        if not _claimed(assignment.pk, "assigned_mailed_at", now):
            continue
        sent += _send(
            "assigned",
            assignment.person,
            thread=f"training-assignment:{assignment.pk}",
            context=partial(_context, assignment),
        )
    return sent


def _claimed(pk: int, stamp: str, now: dt.datetime) -> bool:
    """Claim assignment `pk` for the reminder stamped in `stamp`: True for the one run that set it."""
    return (
        Assignment.objects.filter(pk=pk, status=Status.OPEN, **{f"{stamp}__isnull": True}).update(
            **{stamp: now}
        )
        == 1
    )


def _supervisors(person_id: int) -> list[User]:
    """The active supervisors of the teams `person_id` belongs to (never he himself), by id."""
    found: dict[int, User] = {}
    for team in Team.objects.filter(memberships__user_id=person_id).select_related("unit").distinct():
        for supervisor in team_supervisor_list(team=team):
            if supervisor.pk != person_id:
                found[supervisor.pk] = supervisor
    return [found[pk] for pk in sorted(found)]


def assignment_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the day's reminders, each once per assignment: to the person when his open assignment is due
    within CHARTER_TRAINING_REMIND_DAYS days (not today), and on the due date; to his supervisors once it is
    overdue. Returns how many assignments each kind claimed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=int(training_setting("CHARTER_TRAINING_REMIND_DAYS")))
    open_ = Assignment.objects.filter(status=Status.OPEN)
    counts = {"remind_before": 0, "remind_due": 0, "overdue": 0}
    plans = (
        ("remind_before", "reminded_before_at", open_.filter(due_on__gt=today, due_on__lte=horizon)),
        ("remind_due", "reminded_due_at", open_.filter(due_on=today)),
        ("overdue", "overdue_notified_at", open_.filter(due_on__lt=today)),
    )
    for kind, stamp, rows in plans:
        for pk in list(rows.filter(**{f"{stamp}__isnull": True}).values_list("pk", flat=True)):
            if not _claimed(pk, stamp, now):
                continue
            assignment = _assignments().get(pk=pk)
            counts[kind] += 1
            thread = f"training-assignment:{pk}"
            if kind == "overdue":
                for supervisor in _supervisors(assignment.person_id):
                    _send(kind, supervisor, thread=thread, context=partial(_context, assignment))
            else:
                _send(kind, assignment.person, thread=thread, context=partial(_context, assignment))
    return counts
