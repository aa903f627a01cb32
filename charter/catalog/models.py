"""The public service charter: services by category, their versioned content, fees and commitments.

A `Service` holds what does not change with a published text (slug, category, the unit offering it, its
place in the list). Everything the public reads about it (names, texts, fees, commitments) lives in a
`ServiceVersion`: one draft at a time, published versions frozen, each in force from its `effective_at` until
the next published version takes effect.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from charter.catalog.errors import ErrorCode
from charter.common.models import TimeStampedModel, localized
from charter.common.versioning import DocumentVersion, VersionPart


class Channel(models.TextChoices):
    WEB = "web", _("Online")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")


class ServiceCategory(models.Model):
    """A heading of the charter ("Water and electricity", "Billing"), in display order."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return localized(self, "name")


class Service(TimeStampedModel):
    """A service the organisation offers; its public content is in its versions."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("offered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    required_qualification = models.ForeignKey(
        "accounts.Qualification",
        verbose_name=_("qualification required"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cases of this service are routed only to staff holding a valid certificate for it."),
    )

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.slug


class ServiceVersion(DocumentVersion, TimeStampedModel):
    """One version of a service's public content. Drafts are edited; published versions never change.

    Publishing a version supersedes the previous one at once, although the previous stays in force until
    the new one's `effective_at`.
    """

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="versions"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    summary_zh = models.CharField(_("summary (Chinese)"), max_length=500, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=500, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    eligibility_zh = models.TextField(_("who may apply (Chinese)"), blank=True)
    eligibility_en = models.TextField(_("who may apply (English)"), blank=True)
    required_documents_zh = models.TextField(
        _("required documents (Chinese)"), blank=True, help_text=_("One per line.")
    )
    required_documents_en = models.TextField(
        _("required documents (English)"), blank=True, help_text=_("One per line.")
    )
    steps_zh = models.TextField(_("steps (Chinese)"), blank=True, help_text=_("One per line."))
    steps_en = models.TextField(_("steps (English)"), blank=True, help_text=_("One per line."))
    channels = models.JSONField(_("channels"), default=list, blank=True)
    opening_hours_zh = models.CharField(_("opening hours (Chinese)"), max_length=300, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=300, blank=True)
    effective_at = models.DateTimeField(_("effective from"), null=True, blank=True, db_index=True)
    change_note_zh = models.TextField(_("change note (Chinese)"), blank=True)
    change_note_en = models.TextField(_("change note (English)"), blank=True)

    frozen_message = _("This version is published and can no longer change; open a new draft.")
    frozen_code = ErrorCode.NOT_A_DRAFT

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        permissions = [("publish_serviceversion", _("Can publish a service version"))]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalog_version_number_unique"),
            models.UniqueConstraint(
                fields=["service"], condition=Q(status="draft"), name="catalog_version_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_at__isnull=False, published_at__isnull=False),
                name="catalog_version_published_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.slug} v{self.number}"

    @property
    def is_public(self) -> bool:
        """True once published (still in force, scheduled, or superseded): the public may read it."""
        return self.status != self.Status.DRAFT

    def channel_labels(self) -> list[str]:
        """The channels' names in the active language, in the order of the Channel choices."""
        chosen = set(self.channels or [])
        return [str(label) for value, label in Channel.choices if value in chosen]


class _DraftOnlyChild(VersionPart):
    """Rows that belong to a version: writable while the version is a draft, frozen after."""

    version = models.ForeignKey(ServiceVersion, verbose_name=_("version"), on_delete=models.CASCADE)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        abstract = True


class FeeItem(_DraftOnlyChild):
    """One fee of a service version, in CNY; a free item has the amount 0."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, default=0)
    unit_zh = models.CharField(
        _("unit (Chinese)"), max_length=100, blank=True, help_text=_("For example 每次.")
    )
    unit_en = models.CharField(
        _("unit (English)"), max_length=100, blank=True, help_text=_("For example per visit.")
    )
    conditions_zh = models.TextField(_("conditions (Chinese)"), blank=True)
    conditions_en = models.TextField(_("conditions (English)"), blank=True)
    is_free = models.BooleanField(_("free of charge"), default=False)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        default_related_name = "fees"
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="catalog_fee_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(is_free=False, amount__gt=0) | Q(is_free=True, amount=0),
                name="catalog_fee_free_means_zero",
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class ServiceCommitment(_DraftOnlyChild):
    """A promised time limit, structured for the SLA engine and worded for the public.

    `case_kind` and `priority` narrow the commitment to some cases; blank means any.
    """

    class Metric(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next update")
        RESOLUTION = "resolution", _("Resolution")
        ON_SITE_ARRIVAL = "on_site_arrival", _("On-site arrival")

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")

    class TimeBasis(models.TextChoices):
        WORKING_TIME = "working_time", _("Working time")
        CALENDAR_TIME = "calendar_time", _("Calendar time")

    class CaseKind(models.TextChoices):
        ANY = "", _("Any kind")
        INQUIRY = "inquiry", _("Inquiry")
        REQUEST = "request", _("Service request")
        COMPLAINT = "complaint", _("Complaint")

    class Priority(models.TextChoices):
        ANY = "", _("Any priority")
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    metric = models.CharField(_("measure"), max_length=30, choices=Metric.choices)
    target_amount = models.PositiveIntegerField(_("target"))
    target_unit = models.CharField(pgettext_lazy("time unit", "unit"), max_length=20, choices=Unit.choices)
    time_basis = models.CharField(_("counted in"), max_length=20, choices=TimeBasis.choices)
    case_kind = models.CharField(_("case kind"), max_length=20, choices=CaseKind.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices, blank=True)
    wording_zh = models.CharField(_("public wording (Chinese)"), max_length=300)
    wording_en = models.CharField(_("public wording (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        default_related_name = "commitments"
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_amount__gt=0), name="catalog_commitment_target_positive"
            ),
            models.UniqueConstraint(
                fields=["version", "metric", "case_kind", "priority"], name="catalog_commitment_unique_scope"
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "wording")

    @property
    def is_working_time(self) -> bool:
        return self.time_basis == self.TimeBasis.WORKING_TIME

    def target_text(self) -> str:
        """The target in words for the active language: "2 working days", "4 hours (calendar time)"."""
        count = self.target_amount
        if self.target_unit == self.Unit.WORKING_DAYS:
            return ngettext("%(count)d working day", "%(count)d working days", count) % {"count": count}
        if self.target_unit == self.Unit.CALENDAR_DAYS:
            return ngettext("%(count)d calendar day", "%(count)d calendar days", count) % {"count": count}
        if self.target_unit == self.Unit.HOURS:
            text = ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
        else:
            text = ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}
        basis = _("working time") if self.is_working_time else _("calendar time")
        return _("%(target)s (%(basis)s)") % {"target": text, "basis": basis}
