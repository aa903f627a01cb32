"""Privacy's own rows. The permission to reveal personal data hangs on a model without a table."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.common.files import upload_path
from charter.common.models import TimeStampedModel, YearCounter


class PersonalData(models.Model):
    """Holds the permissions on personal data; it has no table and no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("personal data")
        verbose_name_plural = _("personal data")
        permissions = [("reveal_personal_data", _("Can reveal masked personal data, with a reason"))]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class ConsentPurpose(models.Model):
    """What a customer's personal data may be used for: handling his case (required to handle it at all),
    satisfaction surveys, and any purpose the organisation adds. A consent is given or withdrawn per
    purpose (`ConsentRecord`)."""

    CASE_HANDLING = "case_handling"
    SURVEYS = "surveys"

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # A required purpose is the legal basis of the service itself: it cannot be withdrawn by link.
    required = models.BooleanField(_("required for the service"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")

    def __str__(self) -> str:
        return self.code


class ConsentRecord(models.Model):
    """One act of consent given or withdrawn, with its evidence. Append-only: the latest row per customer
    and purpose is the customer's current answer."""

    class Action(models.TextChoices):
        GIVEN = "given", _("given")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        PORTAL = "portal", _("customer portal")
        API = "api", _("API")
        PHONE = "phone", _("telephone")
        COUNTER = "counter", _("at the counter")
        EMAIL = "email", _("e-mail")
        LINK = "link", _("link in a message")
        OTHER = "other", _("other")

    customer = models.ForeignKey(
        "accounts.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.ForeignKey(
        ConsentPurpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="records"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=50, blank=True)
    # SHA-256 of the notice text the customer was shown (in his language), so the version can be proved.
    notice_hash = models.CharField(_("privacy notice hash"), max_length=64, blank=True)
    notice_language = models.CharField(_("notice language"), max_length=10, blank=True)
    # For consents staff record: who told the customer, and how (read the notice on the phone, …).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    how_informed = models.CharField(_("how the customer was informed"), max_length=500, blank=True)
    # Where it was given: "cases.case:123", "surveys.invitation:9"; empty for a withdrawal by link.
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["customer", "purpose", "-at"], name="privacy_consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.purpose_id}: {self.action}"


class DataRequestCounter(YearCounter):
    class Meta:
        verbose_name = _("data request counter")
        verbose_name_plural = _("data request counters")


def export_upload_to(instance: "DataSubjectRequest", filename: str) -> str:
    """Store an access export under privacy/<yyyy>/<random>: never its request number (guessable)."""
    return upload_path("privacy")


class DataSubjectRequest(TimeStampedModel):
    """A customer's request to exercise a right over his personal data (PIPL art. 44-47): see and take a
    copy, have it corrected, erased or its processing restricted. Answered within a deadline in working
    days; every step is audited."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access and export")
        CORRECTION = "correction", _("correction")
        ERASURE = "erasure", _("erasure")
        RESTRICTION = "restriction", _("restriction of processing")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("customer portal")
        PHONE = "phone", _("telephone")
        COUNTER = "counter", _("at the counter")
        EMAIL = "email", _("e-mail")
        LETTER = "letter", _("letter")

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="data_requests",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    details = models.TextField(_("details"), blank=True)
    # How staff verified that the person asking is the customer (a portal request is verified by sign-in).
    identity_verification = models.CharField(_("identity verified by"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # The export ZIP of an access request (private storage; served only to the customer and privacy staff).
    export_file = models.FileField(_("export"), upload_to=export_upload_to, blank=True, max_length=200)
    # Claims of the reminder mails, stamped by conditional UPDATE so each is sent once.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        permissions = [
            ("manage_data_requests", _("Can handle customers' data requests")),
            ("view_personal_data_log", _("Can view the log of personal-data views and exports")),
            ("manage_retention", _("Can manage retention schedules and legal holds")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)


class LegalHold(models.Model):
    """A hold that stops every deletion and anonymisation of one customer's data or of one record (a case),
    until it is released."""

    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    # A held record of a higher app, named as "cases.case" and its primary key.
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # Why it was released. The reasons live here, where erasure reaches them, and never in the audit trail.
    release_reason = models.CharField(_("reason for release"), max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["target_type", "target_id"], name="privacy_hold_target_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | ~models.Q(target_type=""),
                name="privacy_hold_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"hold #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RetentionSchedule(models.Model):
    """How long one type of record is kept after it ends (a registered `RetentionRule` says what the type
    is and how its expired rows are anonymised or deleted)."""

    record_type = models.SlugField(_("record type"), max_length=50, unique=True)
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention schedule")
        verbose_name_plural = _("retention schedules")

    def __str__(self) -> str:
        return f"{self.record_type}: {self.keep_days}"


class RetentionRun(models.Model):
    """One run of the retention schedules, real or dry: what each rule found and did."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    # {record_type: {"due": n, "held": n, "done": n}}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"retention run #{self.pk}"
