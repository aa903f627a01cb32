"""Staff assessment (考核): schemes, cycles, scorecards, appeals, the outcome ledger and improvement plans.

- A `Scheme` (考核方案) covers staff by team or by role and lives in numbered `SchemeVersion`s (the shared
  versioning kernel: a published version never changes). A version holds its items (indicators, qualitative
  items rated by the supervisor, the self-assessment part; weights add up to 100), its bonus and deduction
  items with caps, its grade bands, an optional forced distribution and final formula, its step deadlines in
  working days and its outcome rules per grade. Staff acknowledge a published version
  (`SchemeAcknowledgement`, Labour Contract Law art. 4).
- A `Cycle` is one period of one scheme version. Opening it snapshots every covered person's indicators into
  `ScorecardLine`s, so a recalculation is reproducible and a later correction of the data shows as a
  difference. Each `Scorecard` moves through the steps of charter/assessment/workflow.py; every step is a
  `ScorecardEvent` on its timeline and an audit event.
- An `Appeal` is the one appeal a person may file against his published scorecard.
- `LedgerEntry` rows are the outcomes (bonus coefficient, points, titles, interviews, plans, training) that HR
  exports; `ImprovementPlan` (绩效改进计划) with its goals and check-ins.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.assessment.errors import ErrorCode
from charter.common.models import TimeStampedModel, localized
from charter.common.versioning import DocumentVersion, VersionPart


class PeriodKind(models.TextChoices):
    MONTH = "month", pgettext_lazy("assessment", "Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Scheme(TimeStampedModel):
    """An assessment scheme (考核方案): which staff it covers and the versions of its rules."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    teams: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "accounts.Team",
        verbose_name=_("teams covered"),
        blank=True,
        related_name="+",
        help_text=_("The scheme covers the members of these teams."),
    )
    roles: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("roles covered"),
        blank=True,
        related_name="+",
        help_text=_("And the staff holding one of these roles."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        permissions = [("manage_scheme", _("Can write and publish assessment schemes"))]

    def __str__(self) -> str:
        return localized(self, "name")


class SchemeVersion(DocumentVersion, TimeStampedModel):
    """One numbered version of a scheme's rules; published once, never changed after."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="versions"
    )
    period_kind = models.CharField(
        _("assessment period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    affects_pay = models.BooleanField(
        _("affects pay"),
        default=True,
        help_text=_(
            "A scheme that affects pay must be published to the staff it covers before its period starts, "
            "and each of them acknowledges it (Labour Contract Law, article 4)."
        ),
    )
    effective_from = models.DateField(_("first period starts"), null=True, blank=True)
    grades = models.JSONField(
        _("grade bands"),
        default=list,
        help_text=_(
            "From best to worst: code, Chinese and English name, and the minimum score (none for the lowest)."
        ),
    )
    quota_grade = models.CharField(_("grade with a quota"), max_length=30, blank=True)
    quota_share = models.DecimalField(
        _("quota (percent of a team)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    bonus_cap = models.DecimalField(_("bonus cap (points)"), default=10, max_digits=7, decimal_places=2)
    deduction_cap = models.DecimalField(
        _("deduction cap (points)"), default=20, max_digits=7, decimal_places=2
    )
    formula = models.CharField(
        _("final formula"),
        max_length=500,
        blank=True,
        help_text=_("Optional. Empty means: weighted score + bonus − deductions."),
    )
    self_days = models.PositiveSmallIntegerField(_("self-assessment (working days)"), default=3)
    supervisor_days = models.PositiveSmallIntegerField(_("supervisor scoring (working days)"), default=5)
    calibration_days = models.PositiveSmallIntegerField(_("calibration (working days)"), default=3)
    approval_days = models.PositiveSmallIntegerField(_("approval (working days)"), default=3)
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (working days)"), default=5)
    change_summary_zh = models.TextField(_("summary of changes (Chinese)"), blank=True)
    change_summary_en = models.TextField(_("summary of changes (English)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    frozen_message = _("Only a draft scheme can be changed; a published one never changes.")
    frozen_code = ErrorCode.VERSION_NOT_DRAFT

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="assessment_version_number_unique"),
            models.UniqueConstraint(
                fields=["scheme"], condition=models.Q(status="draft"), name="assessment_one_draft_per_scheme"
            ),
        ]

    def __str__(self) -> str:
        return _("%(scheme)s, version %(number)s") % {"scheme": self.scheme, "number": self.number}


class SchemeItem(VersionPart):
    """A weighted part of the score: an indicator from the library, a qualitative item the supervisor rates
    (citing a clause of the code of conduct), or the self-assessment."""

    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("Indicator")
        QUALITATIVE = "qualitative", _("Rated by the supervisor")
        SELF = "self", _("Self-assessment")

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    curve = models.JSONField(
        _("scoring curve"),
        default=dict,
        blank=True,
        help_text=_("For an indicator: linear (floor, target, cap) or bands."),
    )
    clause = models.ForeignKey(
        "standards.StandardClause",
        verbose_name=_("clause cited"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        verbose_name = _("scheme item")
        verbose_name_plural = _("scheme items")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="assessment_item_code_unique")
        ]

    def __str__(self) -> str:
        return localized(self, "name") or self.code


class SchemeAdjustment(VersionPart):
    """A bonus (加分项) or deduction (扣分项) item: points per occurrence, capped per item; counted from an
    indicator (commendations, upheld complaints, violations) or awarded by the supervisor (服务之星)."""

    class Kind(models.TextChoices):
        BONUS = "bonus", _("Bonus item")
        DEDUCTION = "deduction", _("Deduction item")

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    indicator = models.CharField(
        _("counted from indicator"),
        max_length=60,
        blank=True,
        help_text=_("Empty: awarded by the supervisor when scoring."),
    )
    points_each = models.DecimalField(_("points each"), max_digits=7, decimal_places=2)
    cap = models.DecimalField(_("cap (points)"), max_digits=7, decimal_places=2)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "kind", "ordering", "pk"]
        verbose_name = _("bonus or deduction item")
        verbose_name_plural = _("bonus and deduction items")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="assessment_adjustment_code_unique")
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class OutcomeRule(VersionPart):
    """What a grade leads to: a bonus coefficient, points (积分), a recognition title, an interview (约谈), an
    improvement plan, remedial training. Fines are deliberately not offered (legal review, as in conduct)."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="outcome_rules"
    )
    grade = models.CharField(_("grade"), max_length=30)
    bonus_coefficient = models.DecimalField(
        _("bonus coefficient"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    points = models.IntegerField(_("points (积分)"), default=0)
    title_zh = models.CharField(_("recognition title (Chinese)"), max_length=100, blank=True)
    title_en = models.CharField(_("recognition title (English)"), max_length=100, blank=True)
    interview = models.BooleanField(_("interview (约谈)"), default=False)
    improvement_plan = models.BooleanField(_("improvement plan"), default=False)
    remedial_training = models.BooleanField(_("remedial training"), default=False)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name = _("outcome rule")
        verbose_name_plural = _("outcome rules")
        constraints = [
            models.UniqueConstraint(fields=["version", "grade"], name="assessment_outcome_grade_unique")
        ]

    def __str__(self) -> str:
        return self.grade


class SchemeAcknowledgement(models.Model):
    """A staff member's confirmation that the published scheme version was made known to him."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("scheme acknowledgement")
        verbose_name_plural = _("scheme acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="assessment_acknowledgement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.version_id}"


class Cycle(TimeStampedModel):
    """One period of one scheme version, from opening (the snapshot) to final."""

    class Status(models.TextChoices):
        SELF = "self", _("Self-assessment")
        SUPERVISOR = "supervisor", _("Supervisor scoring")
        CALIBRATION = "calibration", pgettext_lazy("assessment", "Calibration")
        APPROVAL = "approval", _("Head approval")
        PUBLISHED = "published", _("Published (acknowledgement and appeals)")
        FINAL = "final", _("Final")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="cycles"
    )
    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("scheme version"), on_delete=models.PROTECT, related_name="cycles"
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(_("step"), max_length=20, choices=Status.choices, default=Status.SELF)
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    opened_at = models.DateTimeField(pgettext_lazy("assessment", "opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("assessment", "opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    calculated_at = models.DateTimeField(_("indicators calculated at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("assessment", "approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(pgettext_lazy("assessment", "approved at"), null=True, blank=True)
    published_at = models.DateTimeField(pgettext_lazy("assessment", "published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("final at"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=1)
    reminded_step = models.CharField(
        _("reminder sent for step"),
        max_length=20,
        null=True,
        blank=True,
        help_text=_("The step whose due-date reminder went out (claimed once per step by the daily task)."),
    )

    class Meta:
        ordering = ["-period_start", "scheme"]
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        permissions = [
            ("run_cycle", _("Can open, recalculate, calibrate and close assessment cycles")),
            ("approve_cycle", _("Can approve an assessment cycle (head approval)")),
            ("decide_appeal", _("Can decide appeals against scorecards")),
            ("view_all_scorecards", _("Can see every scorecard and the rankings of every team")),
            ("export_ledger", _("Can export the outcome ledger")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period_start"], name="assessment_cycle_period_unique"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="assessment_cycle_period_order",
            ),
        ]

    def __str__(self) -> str:
        return _("%(scheme)s, %(start)s to %(end)s") % {
            "scheme": self.scheme,
            "start": self.period_start,
            "end": self.period_end,
        }


class Scorecard(models.Model):
    """One person's assessment in one cycle."""

    class Status(models.TextChoices):
        SELF = "self", _("Self-assessment")
        SUPERVISOR = "supervisor", _("Awaiting the supervisor")
        SCORED = "scored", pgettext_lazy("assessment", "Scored")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published to the person")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        APPEALED = "appealed", _("Under appeal")
        FINAL = "final", _("Final")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="scorecards"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The supervisor who scores this person; never the person himself."),
    )
    status = models.CharField(_("step"), max_length=20, choices=Status.choices, default=Status.SELF)
    weighted_score = models.DecimalField(
        _("weighted score"), null=True, blank=True, max_digits=7, decimal_places=2
    )
    bonus = models.DecimalField(_("bonus"), default=0, max_digits=7, decimal_places=2)
    deduction = models.DecimalField(_("deductions"), default=0, max_digits=7, decimal_places=2)
    total = models.DecimalField(_("total score"), null=True, blank=True, max_digits=7, decimal_places=2)
    computed_grade = models.CharField(_("grade by score"), max_length=30, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    grade_reason = models.TextField(_("why the grade differs from the score"), blank=True)
    self_comment = models.TextField(_("self-assessment"), blank=True)
    supervisor_comment = models.TextField(_("supervisor's comments"), blank=True)
    published_at = models.DateTimeField(pgettext_lazy("assessment", "published at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    appeal_due_at = models.DateTimeField(_("appeal possible until"), null=True, blank=True)
    final_at = models.DateTimeField(_("final at"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["cycle", "team", "person"]
        verbose_name = pgettext_lazy("assessment", "scorecard")
        verbose_name_plural = pgettext_lazy("assessment", "scorecards")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="assessment_scorecard_person_unique"),
            models.CheckConstraint(
                condition=~models.Q(assessor=models.F("person")),
                name="assessment_scorecard_not_self_assessed",
            ),
        ]
        indexes = [models.Index(fields=["person", "cycle"], name="assessment_scorecard_person")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.person_id}"


class ScorecardLine(models.Model):
    """One part of a scorecard: an indicator's snapshot (value, sample, excluded) and its points; a rating
    (qualitative or self) with its comment; or a bonus or deduction item with its count and points."""

    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("Indicator")
        QUALITATIVE = "qualitative", _("Rated by the supervisor")
        SELF = "self", _("Self-assessment")
        BONUS = "bonus", _("Bonus item")
        DEDUCTION = "deduction", _("Deduction item")

    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=pgettext_lazy("assessment", "scorecard"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    sample = models.PositiveIntegerField(_("sample size"), default=0)
    excluded = models.PositiveIntegerField(_("left out"), default=0)
    points = models.DecimalField(_("points"), null=True, blank=True, max_digits=7, decimal_places=2)
    self_points = models.DecimalField(_("self-rating"), null=True, blank=True, max_digits=7, decimal_places=2)
    comment = models.TextField(pgettext_lazy("assessment", "comment"), blank=True)
    calculated_at = models.DateTimeField(_("calculated at"), null=True, blank=True)

    class Meta:
        ordering = ["scorecard", "pk"]
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "code"], name="assessment_line_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class ScorecardEvent(models.Model):
    """A step on a scorecard's timeline (each also in the audit chain)."""

    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=pgettext_lazy("assessment", "scorecard"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(pgettext_lazy("assessment", "note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["scorecard", "at", "pk"]
        verbose_name = _("scorecard event")
        verbose_name_plural = _("scorecard events")

    def __str__(self) -> str:
        return self.action


class Appeal(TimeStampedModel):
    """The one appeal against a published scorecard, decided by someone who neither scored nor approved it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        UPHELD = "upheld", pgettext_lazy("assessment", "Upheld")
        PARTLY = "partly", _("Partly upheld")
        REJECTED = "rejected", _("Rejected")

    scorecard = models.OneToOneField(
        Scorecard,
        verbose_name=pgettext_lazy("assessment", "scorecard"),
        on_delete=models.CASCADE,
        related_name="appeal",
    )
    reason = models.TextField(_("grounds of the appeal"))
    filed_at = models.DateTimeField(_("filed at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.TextField(_("reasons for the decision"), blank=True)
    previous_grade = models.CharField(_("grade appealed"), max_length=30, blank=True)
    new_grade = models.CharField(_("grade after the decision"), max_length=30, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("assessment appeal")
        verbose_name_plural = _("assessment appeals")

    def __str__(self) -> str:
        return f"#{self.pk}"


class LedgerEntry(models.Model):
    """One outcome for one person and period, as HR exports it; written once, corrected by a new entry."""

    class Kind(models.TextChoices):
        COEFFICIENT = "coefficient", _("Bonus coefficient")
        POINTS = "points", _("Points (积分)")
        TITLE = "title", _("Recognition title")
        INTERVIEW = "interview", _("Interview (约谈)")
        PLAN = "plan", _("Improvement plan")
        TRAINING = "training", _("Remedial training")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="ledger")
    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=pgettext_lazy("assessment", "scorecard"),
        on_delete=models.PROTECT,
        related_name="ledger",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    grade = models.CharField(_("grade"), max_length=30)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=2, null=True, blank=True)
    points = models.IntegerField(_("points"), default=0)
    title = models.CharField(pgettext_lazy("assessment", "title"), max_length=200, blank=True)
    note = models.TextField(pgettext_lazy("assessment", "note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.UniqueConstraint(fields=["scorecard", "kind"], name="assessment_ledger_once")]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.kind}"


class ImprovementPlan(TimeStampedModel):
    """A performance improvement plan (绩效改进计划): goals tied to indicators, check-ins, an outcome."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Under way")
        MET = "met", _("Goals met")
        EXTENDED = "extended", _("Extended")
        NOT_MET = "not_met", _("Goals not met")

    class Trigger(models.TextChoices):
        GRADE = "grade", _("Grade of a scorecard")
        VIOLATIONS = "violations", _("Repeated violations")
        MANUAL = "manual", _("Opened by the supervisor")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=pgettext_lazy("assessment", "scorecard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    trigger = models.CharField(_("opened because of"), max_length=20, choices=Trigger.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    summary = models.TextField(pgettext_lazy("assessment", "summary"), blank=True)
    outcome_note = models.TextField(pgettext_lazy("assessment", "outcome"), blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=1)
    # The courses the plan asks the person to complete; each is assigned to him (training's assignment, its
    # source this plan) when it is added (`plan_courses_add`).
    courses: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "training.Course", verbose_name=_("courses to complete"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="assessment_plan_dates"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class PlanGoal(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    indicator = models.CharField(_("indicator"), max_length=60, blank=True)
    description = models.TextField(_("goal"))
    target = models.DecimalField(
        pgettext_lazy("assessment", "target"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.description[:60]


class PlanCheckIn(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="check_ins"
    )
    on = models.DateField(_("date"))
    note = models.TextField(pgettext_lazy("assessment", "note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "on", "pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return str(self.on)
