"""Business calendars and SLA policies: when the organisation works, and how fast it promises to answer.

A `BusinessCalendar` has weekly working intervals, dated exceptions (holidays and make-up working days, 调休)
and may be assigned to units of the organisation tree; a team works in the calendar of its unit's nearest
assigned ancestor, else the default calendar. An `SlaPolicy` matches cases by their conditions (first active
policy in order wins, per metric) and sets targets for them; the catalogue's published commitments take
precedence over policies (see selectors.sla_targets_for). The arithmetic lives in `deadlines.py`.
"""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from charter.catalog.models import Channel, ServiceCommitment
from charter.common.models import TimeStampedModel, localized
from charter.common.vocabulary import CaseKind, Priority

Metric = ServiceCommitment.Metric
TargetUnit = ServiceCommitment.Unit
TimeBasis = ServiceCommitment.TimeBasis


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(TimeStampedModel):
    """When an organisation (or part of it) works: weekly hours in a time zone, holidays, make-up days.

    `version` grows with every change to the calendar, its intervals or its days, so cached copies of the
    calendar (selectors.calendar_as_pure) notice the change.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_default = models.BooleanField(
        _("default calendar"),
        default=False,
        help_text=_("Used by every team whose unit has no calendar of its own."),
    )
    is_24x7 = models.BooleanField(
        _("open 24 hours, 7 days"),
        default=False,
        help_text=_("Every moment counts as working time; hours and holidays are ignored."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        permissions = [("manage_sla", _("Can configure business calendars and SLA policies"))]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_calendar_one_default"
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class WorkingInterval(models.Model):
    """A span of working time on one weekday, in the calendar's local time. An end of 00:00 means 24:00."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("starts at"))
    end = models.TimeField(_("ends at"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="sla_interval_weekday"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")) | Q(end=dt.time(0)),
                name="sla_interval_start_before_end",
            ),
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start"], name="sla_interval_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A dated exception: a holiday, or a make-up working day (调休) on a date that would be off.

    A working day's `intervals` are [["09:00", "12:00"], …]; empty means the calendar's Monday hours.
    `source` names where the arrangement comes from, e.g. the State Council notice and its number.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    intervals = models.JSONField(_("working hours"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = pgettext_lazy("sla", "calendar days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_day_unique_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {localized(self, 'name') or self.get_kind_display()}"

    @property
    def is_holiday(self) -> bool:
        return self.kind == self.Kind.HOLIDAY

    def hours_text(self) -> str:
        """The day's own working hours as text ("09:00-12:00, 13:30-17:30"), "" when it has none."""
        return ", ".join(f"{start}-{end}" for start, end in self.intervals or [])


class SlaCalendarAssignment(models.Model):
    """The calendar of a unit of the organisation and of every unit under it without one of its own."""

    unit = models.OneToOneField(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="sla_calendar"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="assignments"
    )

    class Meta:
        ordering = ["unit__path"]
        verbose_name = _("calendar assignment")
        verbose_name_plural = _("calendar assignments")

    def __str__(self) -> str:
        return f"{self.unit} → {self.calendar}"


class SlaPolicy(TimeStampedModel):
    """Targets for the cases that match its conditions; policies are tried in order, first match wins.

    An empty condition list matches anything. Breach actions are configuration that the cases app carries
    out when a target is missed.
    """

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    case_kinds = models.JSONField(_("case kinds"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    customer_groups = models.JSONField(_("customer groups"), default=list, blank=True)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), blank=True, related_name="sla_policies"
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        help_text=_("Leave empty to count in the calendar of the team handling the case."),
    )
    warn_at_share = models.DecimalField(
        _("warn at share of target"), max_digits=3, decimal_places=2, default=Decimal("0.75")
    )
    notify_assignee = models.BooleanField(_("notify the assignee on breach"), default=True)
    notify_supervisor = models.BooleanField(_("notify the supervisor on breach"), default=True)
    raise_priority = models.BooleanField(_("raise the priority on breach"), default=False)
    reassign_to_team_lead = models.BooleanField(_("reassign to the team lead on breach"), default=False)

    class Meta:
        ordering = ["ordering", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_share__gte=Decimal("0.50"), warn_at_share__lte=Decimal("0.99")),
                name="sla_policy_warn_share_range",
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "name")

    def matches(
        self, *, kind: str, priority: str, service_id: int | None, channel: str, customer_group: str
    ) -> bool:
        """True when a case with these attributes meets every condition (services must be prefetched)."""
        if self.case_kinds and kind not in self.case_kinds:
            return False
        if self.priorities and priority not in self.priorities:
            return False
        if self.channels and channel not in self.channels:
            return False
        if self.customer_groups and customer_group not in self.customer_groups:
            return False
        service_ids = {service.pk for service in self.services.all()}
        return not service_ids or service_id in service_ids

    def case_kind_labels(self) -> list[str]:
        return [str(label) for value, label in CaseKind.choices if value in self.case_kinds]

    def priority_labels(self) -> list[str]:
        return [str(label) for value, label in Priority.choices if value in self.priorities]

    def channel_labels(self) -> list[str]:
        return [str(label) for value, label in Channel.choices if value in self.channels]


class SlaPolicyTarget(models.Model):
    """One target of a policy: e.g. first response within 2 hours of working time."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(_("measure"), max_length=30, choices=Metric.choices)
    amount = models.PositiveIntegerField(_("target"))
    unit = models.CharField(pgettext_lazy("time unit", "unit"), max_length=20, choices=TargetUnit.choices)
    basis = models.CharField(_("counted in"), max_length=20, choices=TimeBasis.choices)

    class Meta:
        ordering = ["policy", "metric"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric"], name="sla_target_one_per_metric"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sla_target_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target_text()}"

    def target_text(self) -> str:
        """The target in words for the active language: "3 working days", "2 hours (working time)"."""
        count = self.amount
        if self.unit == TargetUnit.WORKING_DAYS:
            return ngettext("%(count)d working day", "%(count)d working days", count) % {"count": count}
        if self.unit == TargetUnit.CALENDAR_DAYS:
            return ngettext("%(count)d calendar day", "%(count)d calendar days", count) % {"count": count}
        if self.unit == TargetUnit.HOURS:
            text = ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
        else:
            text = ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}
        basis = _("working time") if self.basis == TimeBasis.WORKING_TIME else _("calendar time")
        return _("%(target)s (%(basis)s)") % {"target": text, "basis": basis}
