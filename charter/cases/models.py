"""Cases: inquiries, complaints, service requests, suggestions and praise, their timeline and their clocks.

A `Case` is one matter raised by one customer. Everything said on it is a `CaseMessage` (a public reply or an
internal note), every file a `CaseAttachment`, everything that happened a `CaseEvent` (the timeline, and the
outbox the apps above read with a cursor). Each SLA target running on a case is a `CaseClock` row; the
earliest due of the running clocks is copied to `Case.next_deadline_at`, an indexed column the queues sort
by and the sweep selects on.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.catalog.models import Channel
from charter.common.files import upload_path
from charter.common.models import TimeStampedModel, YearCounter, localized
from charter.common.vocabulary import CaseKind, Priority
from charter.privacy.fields import EncryptedTextField

# The vocabulary shared with the lower apps is defined once, below them: the kinds and priorities of a case
# in charter.common.vocabulary, the channels in the catalogue (services list theirs).
CaseChannel = Channel


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("cases", "Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    RECONSIDERATION = "reconsideration", _("Under reconsideration")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.ACKNOWLEDGED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_CUSTOMER,
    CaseStatus.ESCALATED,
    CaseStatus.RECONSIDERATION,
)


PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)


class CaseOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    ANSWERED = "answered", _("Answered")
    DONE = "done", _("Done")
    NOTED = "noted", _("Noted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RootCause(models.TextChoices):
    NONE = "", _("Not applicable")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    COMMUNICATION = "communication", _("Communication")
    PROCESS = "process", _("Process or procedure")
    SERVICE_QUALITY = "service_quality", _("Service or product quality")
    SYSTEM_FAULT = "system_fault", _("System or equipment fault")
    POLICY = "policy", _("Policy or rule")
    THIRD_PARTY = "third_party", _("Third party")
    TIMELINESS = "timeliness", _("Delay")
    CUSTOMER_MISUNDERSTANDING = "customer_misunderstanding", _("Misunderstanding")
    OTHER = "other", _("Other")


class CaseCategory(models.Model):
    """A node of the case classification tree ("Billing › Wrong amount"), shared by every kind of case."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Materialised path of ids, "/1/4/": a subtree is one indexed prefix query.
    path = models.CharField(_("path"), max_length=500, db_index=True, editable=False, default="")
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path", "ordering"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class TeamRouting(models.Model):
    """How new cases reach a team and how the team hands them out."""

    class Mode(models.TextChoices):
        MANUAL = "manual", _("Manual (a supervisor assigns)")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Fewest open cases")

    team = models.OneToOneField(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="case_routing"
    )
    mode = models.CharField(_("assignment"), max_length=20, choices=Mode.choices, default=Mode.MANUAL)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), blank=True, related_name="case_routings"
    )
    is_default = models.BooleanField(
        _("default team"), default=False, help_text=_("Receives the cases no other team is routed.")
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    required_qualification = models.ForeignKey(
        "accounts.Qualification",
        verbose_name=_("qualification required"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only staff holding a valid certificate for it are routed this team's cases."),
    )
    qualification_for_complaints_only = models.BooleanField(
        _("required for complaints only"),
        default=False,
        help_text=_("The qualification is required for the team's complaints, not for its other cases."),
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routings")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="cases_routing_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} ({self.get_mode_display()})"


class CaseNumberCounter(YearCounter):
    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def due_before(self, at: dt.datetime) -> "CaseQuerySet":
        return self.filter(next_deadline_at__lte=at)


class Case(TimeStampedModel):
    """One matter raised by one customer, with its workflow state, handler, resolution and appeal."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=CaseChannel.choices)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    # No index of its own on customer, team and assignee: each leads a composite index below, which serves
    # the same look-ups, and every intake would write three more index entries.
    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    remedy_sought = models.TextField(_("remedy sought"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,
    )
    named_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff named"),
        blank=True,
        related_name="cases_naming",
        help_text=_("Members of staff the customer names; a complaint is never handled by them."),
    )
    tracking_token_hash = models.CharField(
        _("tracking token hash"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    tracking_token_rotated_at = models.DateTimeField(_("tracking link issued at"), null=True, blank=True)
    received_at = models.DateTimeField(
        _("received at"),
        default=timezone.now,
        help_text=_("When the customer raised it; the clocks run from here."),
    )
    consent_version = models.CharField(_("privacy notice version"), max_length=50, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    next_deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    acknowledged_at = models.DateTimeField(pgettext_lazy("cases", "acknowledged at"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # Resolution.
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    resolution_reasons = models.TextField(_("reasons"), blank=True)
    root_cause = models.CharField(_("root cause"), max_length=30, choices=RootCause.choices, blank=True)
    remedy_amount = models.DecimalField(
        _("remedy (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who resolved the case the first time; an appeal goes to someone else."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_until = models.DateTimeField(_("may be reopened until"), null=True, blank=True)
    appeal_until = models.DateTimeField(_("may be appealed until"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Appeal.
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_reason = models.TextField(_("reason for the appeal"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )

    objects = CaseQuerySet.as_manager()

    # Set on the instance case_create and case_tracking_token_rotate return; never stored.
    tracking_token: str = ""

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_all_cases", _("Can see every case")),
            ("assign_case", _("Can assign and transfer cases")),
            ("resolve_case", _("Can resolve cases")),
            ("merge_case", _("Can merge and link cases")),
            ("add_internal_note", _("Can write internal notes")),
            ("view_case_stats", _("Can see the team statistics of cases")),
            ("configure_cases", _("Can configure categories, routing and canned responses")),
        ]
        indexes = [
            models.Index(fields=["status", "next_deadline_at"], name="cases_status_deadline"),
            models.Index(fields=["team", "status", "next_deadline_at"], name="cases_team_status"),
            models.Index(fields=["assignee", "status", "next_deadline_at"], name="cases_assignee_status"),
            models.Index(fields=["customer", "-created_at"], name="cases_customer_created"),
            # A customer's cases received in a window (first-contact resolution's repeat within N days of a
            # resolution): a range on the index instead of every case of the customer read from the heap.
            models.Index(fields=["customer", "received_at"], name="cases_customer_received"),
            models.Index(fields=["kind", "status"], name="cases_kind_status"),
            # The work queues: open cases of a team or a handler in deadline order, one page at a time.
            models.Index(
                fields=["team", "next_deadline_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="cases_open_team",
            ),
            models.Index(
                fields=["assignee", "next_deadline_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="cases_open_assignee",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="cases_version_positive"),
            models.CheckConstraint(
                condition=Q(remedy_amount__isnull=True) | Q(remedy_amount__gte=0),
                name="cases_remedy_not_negative",
            ),
        ]

    def __str__(self) -> str:
        # Never the title or the customer: str() ends up in the audit trail.
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_complaint(self) -> bool:
        return self.kind == CaseKind.COMPLAINT

    def intake_attachments(self) -> "models.QuerySet[CaseAttachment]":
        """The files that came with the case itself (intake form, first e-mail), not with a message."""
        return self.attachments.filter(message__isnull=True).order_by("pk")

    def is_appeal_open(self, now: dt.datetime) -> bool:
        """True while the customer may still accept or appeal the resolution."""
        return (
            self.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
            and self.appealed_at is None
            and self.appeal_until is not None
            and now <= self.appeal_until
        )

    def is_reopen_open(self, now: dt.datetime) -> bool:
        """True while staff may still reopen the resolved or closed case."""
        return self.reopen_until is not None and now <= self.reopen_until

    def tracking_link_expires_at(self, days: int) -> dt.datetime | None:
        """When the tracking link stops working: `days` after the case was closed or cancelled, or after the
        link was issued if that came later (a new link asked for after the closure); None while the case
        is open or resolved (reopening a case makes its link work again)."""
        if self.status not in (CaseStatus.CLOSED, CaseStatus.CANCELLED):
            return None
        ended = self.closed_at or self.updated_at
        issued = self.tracking_token_rotated_at
        start = max(ended, issued) if issued is not None else ended
        return start + dt.timedelta(days=days)


class CaseMessage(models.Model):
    """A public reply (seen by the customer) or an internal note (staff only) on a case."""

    class AuthorKind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CUSTOMER = "customer", _("Customer")
        SYSTEM = "system", _("System")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    author_kind = models.CharField(_("written by"), max_length=10, choices=AuthorKind.choices)
    body = models.TextField(_("text"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        indexes = [models.Index(fields=["case", "created_at"], name="cases_message_case_created")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(is_internal=True, author_kind="customer"), name="cases_note_by_staff_only"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.pk}"


def attachment_upload_to(instance: "CaseAttachment", filename: str) -> str:
    """Store under cases/<yyyy>/<random>, never under the uploaded name."""
    return upload_path("cases")


class CaseAttachment(models.Model):
    """A file on a case, stored outside the web root under a random name; active content is download-only."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        CaseMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_download_only = models.BooleanField(_("download only"), default=False)
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self) -> str:
        return f"{self.case_id}/{self.pk}"


class CaseEvent(models.Model):
    """One entry of a case's timeline; also the outbox other apps read in id order.

    `is_internal` events (notes, assignments, clock changes) are never shown to the customer.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Received")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("cases", "Acknowledged")
        STATUS_CHANGED = "status_changed", _("Status changed")
        REPLIED = "replied", _("Replied")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        NOTE_ADDED = "note_added", _("Internal note")
        ASSIGNED = "assigned", _("Assigned")
        UPDATED = "updated", _("Details changed")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        ESCALATED = "escalated", _("Escalated")
        RESOLVED = "resolved", _("Resolved")
        ACCEPTED = "accepted", _("Resolution accepted")
        APPEALED = "appealed", _("Appealed")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        MERGED = "merged", _("Merged")
        LINKED = "linked", _("Linked")
        ATTACHMENT_ADDED = "attachment_added", _("File added")
        TOKEN_ROTATED = "token_rotated", _("Tracking link renewed")
        ARRIVED_ON_SITE = "arrived_on_site", _("Arrived on site")
        CLOCK_STARTED = "clock_started", _("Clock started")
        CLOCK_PAUSED = "clock_paused", _("Clock paused")
        CLOCK_RESUMED = "clock_resumed", _("Clock resumed")
        CLOCK_RECOMPUTED = "clock_recomputed", _("Deadline recomputed")
        CLOCK_MET = "clock_met", _("Target met")
        CLOCK_WARNED = "clock_warned", _("Deadline near")
        CLOCK_BREACHED = "clock_breached", _("Deadline missed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_internal = models.BooleanField(_("internal"), default=True)
    message = models.ForeignKey(
        CaseMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "occurred_at"], name="cases_event_case_occurred")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class CaseClock(models.Model):
    """One SLA target running on a case: when it started, is due, warns, was paused, met or breached.

    `due_at` already includes the time credited back for pauses; a paused clock keeps its last `due_at` for
    display but is not counted in `Case.next_deadline_at`. `breached_at` and `warned_at` are set once, by
    whoever claims them first (the sweep, or the stop of a late clock).
    """

    class Metric(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next update")
        RESOLUTION = "resolution", _("Resolution")
        RECONSIDERATION = "reconsideration", _("Reconsideration")
        # Only where the service's charter promises a visit within a time (the commitment sets the target).
        ON_SITE_ARRIVAL = "on_site_arrival", _("On-site arrival")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(_("measure"), max_length=30, choices=Metric.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    target_amount = models.PositiveIntegerField(_("target"))
    target_unit = models.CharField(pgettext_lazy("time unit", "unit"), max_length=20)
    target_basis = models.CharField(_("counted in"), max_length=20)
    target_source = models.CharField(_("target from"), max_length=100, blank=True)
    # The sla policy (warning share, breach actions) and calendar behind the target; loose references, since
    # a clock's history outlives a policy's deletion.
    sla_policy_id = models.PositiveBigIntegerField(_("SLA policy"), null=True, blank=True)
    sla_calendar_id = models.PositiveBigIntegerField(_("calendar"), null=True, blank=True)
    warn_at_share = models.DecimalField(
        _("warn at share"), max_digits=4, decimal_places=3, default=Decimal("0.75")
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(_("time paused (seconds)"), default=0)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("case clock")
        verbose_name_plural = _("case clocks")
        indexes = [
            # The sweep: running clocks whose warning or breach is due, by indexed columns only.
            models.Index(
                fields=["warn_at"],
                condition=Q(status="running", warned_at__isnull=True),
                name="cases_clock_warn_due",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status="running", breached_at__isnull=True),
                name="cases_clock_breach_due",
            ),
            models.Index(fields=["case", "status"], name="cases_clock_case_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "metric"],
                condition=Q(status__in=["running", "paused"]),
                name="cases_clock_one_open_per_metric",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.metric}:{self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RUNNING, self.Status.PAUSED)

    def is_breached_at(self, at: dt.datetime) -> bool:
        """True once the clock's due time has passed without it being met."""
        if self.breached_at is not None:
            return True
        return self.status == self.Status.RUNNING and self.due_at is not None and at > self.due_at


class CaseLink(models.Model):
    """A relation between two cases (related, or a duplicate merged into the other)."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        MERGED = "merged", _("Merged")

    from_case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="links_out"
    )
    to_case = models.ForeignKey(
        Case, verbose_name=_("linked case"), on_delete=models.CASCADE, related_name="links_in"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RELATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="cases_link_unique"),
            models.CheckConstraint(condition=~Q(from_case=models.F("to_case")), name="cases_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id}->{self.to_case_id}"


class CannedResponse(TimeStampedModel):
    """A reusable reply in both languages, with placeholders {{customer_name}}, {{case_number}},
    {{agent_name}}."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh = models.TextField(pgettext_lazy("cases", "text (Chinese)"))
    body_en = models.TextField(pgettext_lazy("cases", "text (English)"), blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        help_text=_("Blank: every team may use it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return localized(self, "title")

    def body_for(self, language: str) -> str:
        """The text in `language` ("zh-hans" or "en"), falling back to the other."""
        first, second = (
            (self.body_en, self.body_zh) if language.startswith("en") else (self.body_zh, self.body_en)
        )
        return first or second


class NotificationJob(models.Model):
    """A notification a change asked for, written in the change's transaction and turned into e-mails by the
    worker after the commit (the outbox of `charter.cases.notifications`): a rolled-back change notifies
    nobody, a committed one is never forgotten, and the change does not pay for rendering its mails."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    audience = models.CharField(_("audience"), max_length=20)
    event_id = models.PositiveBigIntegerField(_("event"), null=True, blank=True)
    message_id = models.PositiveBigIntegerField(_("message"), null=True, blank=True)
    recipient_id = models.PositiveBigIntegerField(_("recipient"), null=True, blank=True)
    is_internal = models.BooleanField(_("internal"), default=False)
    # Only on acknowledgement and token rotation, so the mail can carry the tracking link; encrypted.
    tracking_token = EncryptedTextField(_("tracking link"), blank=True)
    # The Message-ID of the customer's e-mail the change answers, if it came by e-mail.
    answering = models.TextField(_("answers e-mail"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("notification job")
        verbose_name_plural = _("notification jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.case_id}"


class IntakeSubmission(models.Model):
    """The one-time token of a public intake form and the case its first submission made.

    The form carries a random token; the submission that creates the case stores it here (unique) in the
    same transaction, so a resubmission with the same token (a dropped connection, a worker stopped after the
    commit and before the answer) finds the case already made instead of making a second one. The case's
    tracking link is kept encrypted for a day so that the resubmission can show it again.
    """

    token = models.CharField(_("form token"), max_length=64, unique=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tracking_token = EncryptedTextField(_("tracking link"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("intake submission")
        verbose_name_plural = _("intake submissions")

    def __str__(self) -> str:
        return f"intake #{self.case_id}"
