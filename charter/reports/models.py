"""Published performance: each service's figures per calendar month and quarter, and what is disclosed.

`ServicePeriodFigures` is a rollup refreshed by a periodic task (see `services.figures_refresh`), so the
public page reads one small table whatever the number of cases. `DisclosureSettings` is one row: the
administrators' choice of which figures the public charter shows.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.reports.periods import local_date


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class ServicePeriodFigures(models.Model):
    """What one service achieved in one calendar month or quarter (in settings.TIME_ZONE).

    `commitments` holds one entry per published commitment that had clocks finish in the period or was in
    force at its end: {commitment_id, version, metric, label_zh, label_en, in_force, met, finished}.
    `period_end` is the first day after the period; figures computed before it are provisional.
    """

    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="+"
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("day after the last"))
    cases_handled = models.PositiveIntegerField(_("cases handled"), default=0)
    csat_satisfied = models.PositiveIntegerField(_("satisfied answers (4-5)"), default=0)
    csat_answers = models.PositiveIntegerField(_("satisfaction answers"), default=0)
    commitments = models.JSONField(_("commitments"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["service", "period_kind", "-period_start"]
        verbose_name = _("service figures for a period")
        verbose_name_plural = _("service figures for periods")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period_kind", "period_start"], name="reports_figures_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(csat_satisfied__lte=models.F("csat_answers")),
                name="reports_figures_satisfied_within_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}:{self.period_kind}:{self.period_start.isoformat()}"

    @property
    def is_final(self) -> bool:
        """True when computed after the period ended (before that the figures were still growing)."""
        return local_date(self.computed_at) >= self.period_end


class DisclosureSettings(models.Model):
    """Which figures the public charter shows; one row (pk 1), absent until first saved (all shown)."""

    show_cases_handled = models.BooleanField(_("show the number of cases handled"), default=True)
    show_commitments = models.BooleanField(_("show how often each commitment was kept"), default=True)
    show_satisfaction = models.BooleanField(_("show the satisfaction score"), default=True)
    minimum_sample = models.PositiveIntegerField(
        _("minimum sample to publish a share"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A share (commitment kept, satisfaction) based on fewer cases or answers is not published."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("disclosure settings")
        verbose_name_plural = _("disclosure settings")
        permissions = [("manage_disclosure", _("Can choose which performance figures are published"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_sample__gte=1), name="reports_minimum_sample_1"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Disclosure settings"))
