"""Corrective and preventive actions (ISO 9001 10.2, 纠正和预防措施).

A `CorrectiveAction` records a problem found in the service (from a violation, a cluster of complaints with
one root cause, a QA trend or a survey theme), the immediate correction, the analysis of its cause, and the
`ActionItem`s that remove the cause, each with an owner and a due date. Once every item is done, the action
waits `check_after_days` for its `EffectivenessCheck`: did the problem fall? An ineffective check reopens it;
an effective one allows closure by someone other than the owner. Every step is an `ActionEvent`.

Timers are data: `ActionItem.due_on` (overdue items escalate once, `escalated_at`) and
`CorrectiveAction.check_due_at` (the check falls due, notified once, `check_notified_at`).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.cases.models import RootCause
from charter.common.models import TimeStampedModel, YearCounter
from charter.improvement.measure import rate_change


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective action")
    PREVENTIVE = "preventive", _("Preventive action")


class SourceKind(models.TextChoices):
    VIOLATION = "violation", _("Violation")
    COMPLAINT_CLUSTER = "complaint_cluster", _("Cluster of complaints")
    QA_TREND = "qa_trend", _("QA trend")
    SURVEY_THEME = "survey_theme", _("Survey theme")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("improvement", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("improvement", "In progress")
    AWAITING_CHECK = "awaiting_check", _("Awaiting the effectiveness check")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.AWAITING_CHECK,
    ActionStatus.REOPENED,
)


class Verdict(models.TextChoices):
    NONE = "", _("Not checked")
    EFFECTIVE = "effective", _("Effective")
    INEFFECTIVE = "ineffective", _("Not effective")


class CorrectiveActionCounter(YearCounter):
    class Meta:
        verbose_name = _("corrective action number counter")
        verbose_name_plural = _("corrective action number counters")


class CorrectiveActionQuerySet(models.QuerySet["CorrectiveAction"]):
    def active(self) -> "CorrectiveActionQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def check_due(self, now: dt.datetime) -> "CorrectiveActionQuerySet":
        return self.filter(status=ActionStatus.AWAITING_CHECK, check_due_at__lte=now)


class CorrectiveAction(TimeStampedModel):
    """One corrective or preventive action: the problem, its correction and cause, and its workflow state."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ActionKind.choices, default=ActionKind.CORRECTIVE
    )
    title = models.CharField(_("title"), max_length=200)
    source_kind = models.CharField(_("found through"), max_length=30, choices=SourceKind.choices)
    # A complaint cluster: the root cause (and service) its complaints share, and the complaints themselves.
    root_cause = models.CharField(_("root cause"), max_length=30, choices=RootCause.choices, blank=True)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), blank=True, related_name="corrective_actions"
    )
    # A violation of the code that revealed a systemic cause.
    violation = models.ForeignKey(
        "conduct.Violation",
        verbose_name=_("violation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
    )
    # The other sources, in words.
    source_reference = models.CharField(pgettext_lazy("improvement", "source"), max_length=300, blank=True)
    problem = models.TextField(_("problem"))
    correction = models.TextField(_("immediate correction"), blank=True)
    cause_analysis = models.TextField(_("root cause analysis"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    check_after_days = models.PositiveSmallIntegerField(
        _("check after (days)"),
        default=90,
        help_text=_("How long after the last action item is done the effectiveness is checked."),
    )
    items_done_at = models.DateTimeField(_("all items done at"), null=True, blank=True)
    check_due_at = models.DateTimeField(_("check due at"), null=True, blank=True)
    check_notified_at = models.DateTimeField(_("check due notified at"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        permissions = [
            ("open_corrective_action", _("Can open corrective actions")),
            ("manage_team_corrective_actions", _("Can manage the corrective actions of the teams he leads")),
            ("manage_all_corrective_actions", _("Can see and manage every corrective action")),
        ]
        indexes = [
            models.Index(fields=["status", "check_due_at"], name="improvement_action_check_due"),
            models.Index(fields=["team", "status"], name="improvement_action_team"),
            models.Index(fields=["owner", "status"], name="improvement_action_owner"),
            models.Index(fields=["-opened_at"], name="improvement_action_opened"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="improvement_action_version_positive"),
            models.CheckConstraint(
                condition=~Q(source_kind="complaint_cluster") | ~Q(root_cause=""),
                name="improvement_cluster_has_root_cause",
            ),
        ]

    def __str__(self) -> str:
        # Only the number: str() ends up in the audit trail.
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_complaint_cluster(self) -> bool:
        return self.source_kind == SourceKind.COMPLAINT_CLUSTER

    def is_check_due(self, now: dt.datetime) -> bool:
        """True when the action waits for its effectiveness check and the waiting period has passed."""
        return (
            self.status == ActionStatus.AWAITING_CHECK
            and self.check_due_at is not None
            and self.check_due_at <= now
        )


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def overdue(self, today: dt.date) -> "ActionItemQuerySet":
        """Items not done whose due date is before `today` (the reader's local date)."""
        return self.filter(done_at__isnull=True, due_on__lt=today)

    def due_for(self, owner_id: int, today: dt.date) -> "ActionItemQuerySet":
        """`owner_id`'s items not done whose due date is `today` or before, in actions not yet finished."""
        return self.filter(
            owner_id=owner_id, done_at__isnull=True, due_on__lte=today, action__status__in=ACTIVE_STATUSES
        )


class ActionItem(models.Model):
    """One thing to do to remove the cause, with an owner and a due date."""

    action = models.ForeignKey(
        CorrectiveAction, verbose_name=_("corrective action"), on_delete=models.CASCADE, related_name="items"
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_note = models.TextField(_("what was done"), blank=True)
    escalated_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            # The escalation sweep: open items past their date not yet escalated.
            models.Index(
                fields=["due_on"],
                condition=Q(done_at__isnull=True, escalated_at__isnull=True),
                name="improvement_item_overdue",
            ),
            models.Index(fields=["owner", "done_at"], name="improvement_item_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}#{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_at is None and self.due_on < today


class EffectivenessCheck(models.Model):
    """One check of whether an action worked, with the complaint figures it saw for a complaint cluster."""

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("corrective action"),
        on_delete=models.CASCADE,
        related_name="checks",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices[1:])
    note = models.TextField(_("note"), blank=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)
    complaints_before = models.PositiveIntegerField(_("complaints before"), null=True, blank=True)
    complaints_after = models.PositiveIntegerField(_("complaints after"), null=True, blank=True)
    rate_before = models.DecimalField(
        _("complaints per 30 days before"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rate_after = models.DecimalField(
        _("complaints per 30 days after"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")

    def __str__(self) -> str:
        return f"{self.action_id}: {self.verdict}"

    @property
    def is_effective(self) -> bool:
        return self.verdict == Verdict.EFFECTIVE

    @property
    def change(self) -> Decimal | None:
        """The relative change of the complaint rate in percent, None without complaints before.

        Both windows are `window_days` long: the check is recorded once the window after has passed.
        """
        if self.complaints_before is None or self.complaints_after is None or not self.window_days:
            return None
        return rate_change(
            before=self.complaints_before,
            before_days=self.window_days,
            after=self.complaints_after,
            after_days=self.window_days,
        )


class ActionEvent(models.Model):
    """One entry of an action's timeline: opened, changed, moved, an item added or done, checked."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        UPDATED = "updated", _("Changed")
        TRANSITION = "transition", _("Status changed")
        ITEM_ADDED = "item_added", _("Action item added")
        ITEM_DONE = "item_done", _("Action item done")
        ITEM_ESCALATED = "item_escalated", _("Overdue action item escalated")
        CHECK_DUE = "check_due", _("Effectiveness check due")
        CHECKED = "checked", _("Effectiveness checked")

    action = models.ForeignKey(
        CorrectiveAction, verbose_name=_("corrective action"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ActionStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("corrective action event")
        verbose_name_plural = _("corrective action events")
        indexes = [models.Index(fields=["action", "occurred_at"], name="improvement_event_action")]

    def __str__(self) -> str:
        return f"{self.action_id}:{self.kind}"
