"""The two registries of standards, customer promises and the staff code of conduct, versioned by clause.

A document (one registry) has numbered versions. A version is a draft until it is published; a published
version, its clauses and their citations never change again. Staff acknowledge each published version of the
code of conduct.
"""

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.common.models import TimeStampedModel, localized
from charter.common.versioning import DocumentVersion, VersionPart, VersionStatus
from charter.standards.errors import ErrorCode

CLAUSE_NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z]{1,10}(\.[0-9A-Za-z]{1,10}){0,4}$")


def clause_sort_key(number: str) -> str:
    """Return a key that sorts clause numbers naturally: 1.2 before 1.10, 2 before 10."""
    parts = []
    for part in number.split("."):
        parts.append(part.zfill(10) if part.isdigit() else part.lower().rjust(10, "~"))
    return ".".join(parts)


class StandardDocument(TimeStampedModel):
    """One registry: the promises to customers, or the staff code of conduct."""

    class Kind(models.TextChoices):
        CUSTOMER_PROMISES = "customer_promises", _("Customer promises")
        CODE_OF_CONDUCT = "code_of_conduct", _("Staff code of conduct")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        permissions = [
            ("manage_standards", _("Can draft and publish standards")),
            ("view_acknowledgement_report", _("Can see who has acknowledged the standards")),
        ]

    def __str__(self) -> str:
        return localized(self, "title")

    @property
    def is_code_of_conduct(self) -> bool:
        return self.kind == self.Kind.CODE_OF_CONDUCT

    @property
    def is_customer_promises(self) -> bool:
        return self.kind == self.Kind.CUSTOMER_PROMISES


class StandardVersion(DocumentVersion, TimeStampedModel):
    """One numbered version of a document: a draft being written, or a published text that never changes.

    A published version stays published: the one in force on a day is the latest published whose
    `effective_at` has come (discipline cites the version in force on the day of the act), and `supersedes`
    links it to the one before. So a standard has no superseded status.
    """

    document = models.ForeignKey(
        StandardDocument, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="versions"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[
            (VersionStatus.DRAFT, VersionStatus.DRAFT.label),
            (VersionStatus.PUBLISHED, VersionStatus.PUBLISHED.label),
        ],
        default=VersionStatus.DRAFT,
    )
    preamble_zh = models.TextField(_("preamble (Chinese)"), blank=True)
    preamble_en = models.TextField(_("preamble (English)"), blank=True)
    change_summary_zh = models.TextField(_("summary of changes (Chinese)"), blank=True)
    change_summary_en = models.TextField(_("summary of changes (English)"), blank=True)
    effective_at = models.DateTimeField(_("effective from"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )

    frozen_message = _("Only a draft can be changed; published versions never change.")
    frozen_code = ErrorCode.VERSION_NOT_DRAFT

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="standards_version_number_unique"),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(status="draft"),
                name="standards_one_draft_per_document",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(effective_at__isnull=False, published_at__isnull=False),
                name="standards_published_has_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["document", "status", "effective_at"], name="standards_version_force_idx")
        ]

    def __str__(self) -> str:
        return _("%(document)s, version %(number)s") % {"document": self.document, "number": self.number}


class StandardClause(VersionPart, TimeStampedModel):
    """A numbered clause of one version.

    A customer promise states its conditions, the complaint route and the measure of keeping it; a clause of
    the code of conduct has a category, says whether breaking it can lead to discipline, and may cite the
    promises it serves.
    """

    class Category(models.TextChoices):
        GENERAL = "general", _("General provisions")
        ATTITUDE = "attitude", _("Attitude")
        COMMUNICATION = "communication", _("Communication")
        RESPONSE = "response", _("Response")
        QUALITY = "quality", _("Quality")
        CONFIDENTIALITY = "confidentiality", _("Confidentiality")
        IMAGE = "image", _("Professional image")
        DISCIPLINE = "discipline", _("Discipline")

    version = models.ForeignKey(
        StandardVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="clauses"
    )
    number = models.CharField(_("clause number"), max_length=60)
    sort_key = models.CharField(_("sort key"), max_length=120, editable=False, db_index=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    is_disciplinary = models.BooleanField(
        _("carries discipline"),
        default=False,
        help_text=_("Breaking this clause can lead to disciplinary measures."),
    )
    conditions_zh = models.TextField(_("conditions (Chinese)"), blank=True)
    conditions_en = models.TextField(_("conditions (English)"), blank=True)
    complaint_route_zh = models.TextField(_("complaint route (Chinese)"), blank=True)
    complaint_route_en = models.TextField(_("complaint route (English)"), blank=True)
    measure_zh = models.TextField(_("measure (Chinese)"), blank=True)
    measure_en = models.TextField(_("measure (English)"), blank=True)
    reference = models.CharField(_("source or reference"), max_length=200, blank=True)
    promises: "models.ManyToManyField[StandardClause, Any]" = models.ManyToManyField(
        "self",
        verbose_name=_("promises served"),
        symmetrical=False,
        blank=True,
        related_name="cited_by",
    )

    class Meta:
        ordering = ["version", "sort_key"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="standards_clause_number_unique"),
        ]

    def __str__(self) -> str:
        title = localized(self, "title")
        return f"{self.number} {title}".strip()


class StandardAcknowledgement(models.Model):
    """A staff member's confirmation that he has read one published version of the code of conduct."""

    version = models.ForeignKey(
        StandardVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="standard_acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="standards_acknowledgement_unique"),
        ]

    def __str__(self) -> str:
        return _("%(user)s acknowledged %(version)s") % {"user": self.user, "version": self.version}
