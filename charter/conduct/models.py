"""Violations of the code of conduct, their evidence and timeline, and the disciplinary ladder.

The ladder is configuration: ordered `LadderStep`s and one `LadderSetting` row (the look-back window, the
steps that harm and severity start at, the due-process deadlines and whether money fines are allowed). A
`Violation` cites the clause of the code version in force on the day of the act; its decision moves through
a small workflow (charter/conduct/workflow.py) whose deadlines are indexed columns swept by a periodic task.
Every step is an event on the violation's timeline.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.common.files import upload_path
from charter.common.models import TimeStampedModel, localized


class LadderStep(models.Model):
    """One rung of the disciplinary ladder; `position` orders them from the mildest."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    requires_second_approver = models.BooleanField(
        _("requires a second approver (HR)"),
        default=False,
        help_text=_(
            "The decision takes effect only once someone with the HR approval permission approves it."
        ),
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("disciplinary step")
        verbose_name_plural = _("disciplinary steps")
        permissions = [
            ("manage_ladder", _("Can configure the disciplinary ladder")),
            ("approve_discipline", _("Can approve disciplinary steps as the second approver (HR)")),
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class LadderSetting(TimeStampedModel):
    """The rules of the ladder and of due process; there is one row (pk 1)."""

    window_days = models.PositiveIntegerField(
        _("look-back window (days)"),
        default=365,
        help_text=_("Decided steps count on the active ladder for this many days after they take effect."),
    )
    harm_floor = models.ForeignKey(
        LadderStep,
        verbose_name=_("step when customers or reputation were harmed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    general_floor = models.ForeignKey(
        LadderStep,
        verbose_name=_("step for a general violation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    serious_floor = models.ForeignKey(
        LadderStep,
        verbose_name=_("step for a serious violation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to respond"),
        default=5,
        help_text=_(
            "Calendar days the staff member has to respond in writing before a decision takes effect."
        ),
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("days to appeal"),
        default=10,
        help_text=_("Calendar days after a decision takes effect in which the staff member may appeal once."),
    )
    is_fine_enabled = models.BooleanField(
        _("money fines allowed"),
        default=False,
        help_text=_("Fines need legal review before they are turned on."),
    )
    fine_max_amount = models.DecimalField(
        _("largest fine (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("ladder setting")
        verbose_name_plural = _("ladder settings")

    def __str__(self) -> str:
        return str(_("Rules of the disciplinary ladder"))

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(days=self.window_days)


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class ViolationQuerySet(models.QuerySet["Violation"]):
    def in_effect(self) -> "ViolationQuerySet":
        """Violations whose decided step stands: in effect, appealed, or closed without being overturned."""
        return self.filter(
            status__in=[Violation.Status.IN_EFFECT, Violation.Status.APPEALED, Violation.Status.CLOSED],
            step__isnull=False,
        ).exclude(appeal_outcome=Violation.AppealOutcome.OVERTURNED)

    def active_at(self, at: dt.datetime) -> "ViolationQuerySet":
        """In effect and still on the active ladder at `at` (not yet expired after the window)."""
        return self.in_effect().filter(effective_at__lte=at, expires_at__gt=at)

    def pending_at(self, at: dt.datetime, *, window: dt.timedelta) -> "ViolationQuerySet":
        """Decided within `window` before `at` but not yet in effect: awaiting the staff member's response or
        HR approval. The ladder counts them provisionally from their decision."""
        return self.filter(
            status__in=[Violation.Status.AWAITING_RESPONSE, Violation.Status.AWAITING_APPROVAL],
            step__isnull=False,
            decided_at__isnull=False,
            decided_at__lte=at,
            decided_at__gt=at - window,
        ).exclude(appeal_outcome=Violation.AppealOutcome.OVERTURNED)


class Violation(TimeStampedModel):
    """A staff member's breach of one clause of the code of conduct, and what was decided about it."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded, no decision yet")
        AWAITING_RESPONSE = "awaiting_response", _("Decided, awaiting the staff member's response")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting HR approval")
        IN_EFFECT = "in_effect", _("In effect, open to appeal")
        APPEALED = "appealed", pgettext_lazy("conduct", "Appealed")
        CLOSED = "closed", _("Closed")

    class AppealOutcome(models.TextChoices):
        UPHELD = "upheld", pgettext_lazy("conduct", "Upheld")
        REDUCED = "reduced", _("Reduced to a lower step")
        OVERTURNED = "overturned", _("Overturned")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    clause = models.ForeignKey(
        "standards.StandardClause", verbose_name=_("clause"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        "standards.StandardVersion",
        verbose_name=_("code version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("date of the act"))
    description = models.TextField(_("what happened"))
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    has_harmed_customers = models.BooleanField(_("harmed customers' interests"), default=False)
    has_harmed_reputation = models.BooleanField(_("harmed the organisation's reputation"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.RECORDED)
    proposed_step = models.ForeignKey(
        LadderStep,
        verbose_name=_("proposed step"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    step = models.ForeignKey(
        LadderStep,
        verbose_name=_("decided step"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    fine_amount = models.DecimalField(_("fine (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True, db_index=True)
    response_text = models.TextField(_("staff member's response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    effective_at = models.DateTimeField(_("in effect from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("on the active ladder until"), null=True, blank=True)
    appeal_due_at = models.DateTimeField(_("appeal due"), null=True, blank=True, db_index=True)
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(pgettext_lazy("conduct", "appealed at"), null=True, blank=True)
    appeal_outcome = models.CharField(
        _("appeal outcome"), max_length=20, choices=AppealOutcome.choices, blank=True
    )
    appeal_reason = models.TextField(_("reasons for the appeal decision"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appeal decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    original_step = models.ForeignKey(
        LadderStep,
        verbose_name=_("step before the appeal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        permissions = [
            ("record_violation", _("Can record violations of the staff of his teams")),
            ("decide_violation", _("Can decide disciplinary steps for the staff of his teams")),
            ("view_all_violations", _("Can see the violations of every team")),
        ]
        indexes = [
            models.Index(fields=["staff", "-occurred_at"], name="conduct_violation_staff"),
            models.Index(fields=["team", "-occurred_at"], name="conduct_violation_team"),
            models.Index(fields=["status", "response_due_at"], name="conduct_violation_response"),
            models.Index(fields=["status", "appeal_due_at"], name="conduct_violation_appeal"),
        ]

    def __str__(self) -> str:
        return _("Violation %(pk)s") % {"pk": self.pk}

    @property
    def has_harm(self) -> bool:
        return self.has_harmed_customers or self.has_harmed_reputation

    @property
    def is_appealed(self) -> bool:
        return self.appealed_at is not None

    def is_active_at(self, at: dt.datetime) -> bool:
        """True while the decided step stands and has not yet left the active ladder."""
        return bool(
            self.step_id is not None
            and self.status in {self.Status.IN_EFFECT, self.Status.APPEALED, self.Status.CLOSED}
            and self.appeal_outcome != self.AppealOutcome.OVERTURNED
            and self.effective_at is not None
            and self.expires_at is not None
            and self.effective_at <= at < self.expires_at
        )


# The foreign key of each kind of evidence that points at another record; an observation has none.
_EVIDENCE_LINKS = {
    "case": "case",
    "finding": "finding",
    "qa_review": "review",
    "survey_response": "survey_response",
}


def _one_kind_only() -> models.Q:
    """Each kind sets its own link and no other; an observation sets none."""
    condition = models.Q()
    for kind in [*_EVIDENCE_LINKS, "observation"]:
        condition |= models.Q(
            kind=kind,
            **{f"{link}__isnull": link != _EVIDENCE_LINKS.get(kind) for link in _EVIDENCE_LINKS.values()},
        )
    return condition


class Evidence(models.Model):
    """One piece of evidence of a violation: a case, a reply-check finding, a QA review, a survey response,
    or a supervisor's observation (with text and attached files).

    Each kind has its own nullable foreign key, named in `EVIDENCE_FIELDS`; a check constraint keeps exactly
    that one set. A new kind is one choice, one field and one map entry.
    """

    class Kind(models.TextChoices):
        CASE = "case", _("Case")
        FINDING = "finding", _("Reply-check finding")
        QA_REVIEW = "qa_review", _("QA review")
        SURVEY_RESPONSE = "survey_response", _("Survey response")
        OBSERVATION = "observation", _("Supervisor's observation")

    violation = models.ForeignKey(
        Violation, verbose_name=_("violation"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finding = models.ForeignKey(
        "quality.Finding",
        verbose_name=_("finding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review = models.ForeignKey(
        "quality.Review",
        verbose_name=_("QA review"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    survey_response = models.ForeignKey(
        "surveys.Response",
        verbose_name=_("survey response"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("observation"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=_one_kind_only(), name="conduct_evidence_one_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.violation_id}:{self.kind}"

    @property
    def target(self) -> models.Model | None:
        """What this evidence points at: a case, finding, QA review or survey response (None: observation)."""
        field = EVIDENCE_FIELDS.get(self.kind)
        return getattr(self, field) if field else None


# The foreign key each kind of evidence sets; observations set none.
EVIDENCE_FIELDS: dict[str, str] = {Evidence.Kind(kind): link for kind, link in _EVIDENCE_LINKS.items()}


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    """Store under conduct/<yyyy>/<random>, never under the uploaded name."""
    return upload_path("conduct")


class EvidenceFile(models.Model):
    """A file attached to an observation, stored outside the web root; served only to those who may see the
    violation, active content as a download."""

    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_download_only = models.BooleanField(_("download only"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class ViolationEvent(models.Model):
    """One entry of a violation's timeline: who did what, when, with what text."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        DECIDED = "decided", _("Step decided")
        NOTIFIED = "notified", _("Staff member notified")
        RESPONDED = "responded", _("Staff member responded")
        RESPONSE_WINDOW_CLOSED = "response_window_closed", _("Time to respond ended")
        APPROVED = "approved", _("Approved by HR")
        REJECTED = "rejected", _("Sent back by HR")
        IN_EFFECT = "in_effect", _("Took effect")
        APPEALED = "appealed", pgettext_lazy("conduct", "Appealed")
        APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
        APPEAL_WINDOW_CLOSED = "appeal_window_closed", _("Time to appeal ended")

    violation = models.ForeignKey(
        Violation, verbose_name=_("violation"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("violation event")
        verbose_name_plural = _("violation events")

    def __str__(self) -> str:
        return f"{self.violation_id}:{self.kind}"
