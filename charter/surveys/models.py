"""Satisfaction surveys: versioned questionnaires, the rules and campaigns that send them, invitations with
single-use links, responses attributed once, and the follow-up of unhappy customers.

Scales follow ISO 10004 practice and DESIGN.md: CSAT 1-5 (satisfied = 4 or 5), NPS 0-10 (promoters 9-10,
detractors 0-6), CES 1-7. A published version never changes; an answer keeps the version it answered.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.common.models import TimeStampedModel
from charter.common.versioning import DocumentVersion, VersionPart
from charter.common.vocabulary import CaseKind
from charter.privacy.fields import EncryptedTextField
from charter.surveys.errors import ErrorCode


class Survey(TimeStampedModel):
    """A questionnaire, e.g. "After a case" or "Annual NPS", with its versions."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        permissions = [
            ("view_results", _("Can see survey results")),
            ("view_all_results", _("Can see the survey results of every team")),
            ("manage_surveys", _("Can configure surveys, rules and campaigns")),
        ]

    def __str__(self) -> str:
        return self.code


class SurveyVersion(DocumentVersion):
    """The questions of a survey as published on one day; never edited once published.

    Publishing a version supersedes (retires) the one in force: invitations from then on use the new one.
    """

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="versions"
    )
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    frozen_message = _("A published version cannot change; start a new draft.")
    frozen_code = ErrorCode.NOT_DRAFT

    class Meta:
        ordering = ["survey", "-number"]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="surveys_version_unique"),
            models.UniqueConstraint(
                fields=["survey"], condition=models.Q(status="published"), name="surveys_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey.code} v{self.number}"


class Question(VersionPart):
    class Type(models.TextChoices):
        CSAT = "csat", _("Satisfaction (1-5)")
        NPS = "nps", _("Likelihood to recommend (0-10)")
        CES = "ces", _("Ease (1-7)")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")

    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="questions"
    )
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    text_zh = models.CharField(_("question (Chinese)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    # For single and multiple choice: [{"value": "price", "zh": "价格", "en": "Price"}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_zh


SCALES = {Question.Type.CSAT: (1, 5), Question.Type.NPS: (0, 10), Question.Type.CES: (1, 7)}


class SurveyRule(TimeStampedModel):
    """Send `survey` after a case is resolved: after `delay_minutes`, to a share of the cases that match."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="rules"
    )
    name = models.CharField(_("name"), max_length=100)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    kinds = models.JSONField(_("kinds of case"), default=list, blank=True, help_text=_("Empty: every kind."))
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), blank=True, related_name="+"
    )
    teams = models.ManyToManyField("accounts.Team", verbose_name=_("teams"), blank=True, related_name="+")
    delay_minutes = models.PositiveIntegerField(_("delay (minutes)"), default=60)
    sample_percent = models.PositiveSmallIntegerField(_("share surveyed (%)"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["ordering", "pk"]
        verbose_name = _("survey rule")
        verbose_name_plural = _("survey rules")

    def __str__(self) -> str:
        return self.name


class Campaign(TimeStampedModel):
    """A periodic survey (e.g. NPS every 90 days) to a sample of the customers served in the last period."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=100)
    every_days = models.PositiveIntegerField(_("every (days)"), default=90)
    sample_size = models.PositiveIntegerField(_("customers per run"), default=200)
    next_run_at = models.DateTimeField(_("next run at"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One customer asked to answer one survey version, through a single-use link that expires."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("surveys", "Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", pgettext_lazy("surveys", "Answered")
        EXPIRED = "expired", _("Expired")
        SKIPPED = "skipped", _("Not sent")

    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.PROTECT, related_name="invitations"
    )
    customer = models.ForeignKey(
        "accounts.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    rule = models.ForeignKey(
        SurveyRule, verbose_name=_("rule"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(_("link"), max_length=64, unique=True, editable=False)
    # Kept (encrypted) so the reminder and the tracking page can offer the same single-use link.
    token = EncryptedTextField(_("link token"), blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    skip_reason = models.CharField(_("why not sent"), max_length=100, blank=True)
    send_at = models.DateTimeField(_("send at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            # One survey per case per survey, however often the case is resolved again.
            models.UniqueConstraint(
                fields=["case", "version"],
                condition=models.Q(case__isnull=False),
                name="surveys_one_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["send_at"], name="surveys_due_send", condition=models.Q(status="scheduled")),
            models.Index(fields=["remind_at"], name="surveys_due_remind", condition=models.Q(status="sent")),
            models.Index(fields=["customer", "-created_at"], name="surveys_customer_recent"),
            # The response rate counts invitations sent in a period.
            models.Index(fields=["sent_at"], name="surveys_sent_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class AssessmentExclusion(models.TextChoices):
    """Why a response counts in no staff indicator."""

    NOT_VALID = "not_valid", _("Review ruled not valid")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")


class Response(models.Model):
    """A customer's answers, with who and what they are about fixed when they arrived.

    Attribution (service, team, handler and every agent who answered the customer, channel, kind) is
    copied from the case at response time: a later reassignment does not move the score.
    """

    invitation = models.OneToOneField(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response"
    )
    version = models.ForeignKey(
        SurveyVersion, verbose_name=_("survey version"), on_delete=models.PROTECT, related_name="responses"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), blank=True, related_name="survey_responses"
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    kind = models.CharField(_("kind of case"), max_length=20, choices=CaseKind.choices, blank=True)
    # The first answer of each scale, for fast aggregation.
    csat = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS score"), null=True, blank=True)
    ces = models.PositiveSmallIntegerField(_("CES"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("answered at"), db_index=True)
    # 好差评: a bad review ruled not valid when verified, or whose appeal was upheld, counts in no staff
    # indicator. Set and cleared by the review services (charter/surveys/reviews.py) in the same transaction
    # as the ruling, so tallies filter on one column.
    assessment_excluded_at = models.DateTimeField(_("excluded from assessment at"), null=True, blank=True)
    assessment_exclusion = models.CharField(
        _("why excluded from assessment"), max_length=20, choices=AssessmentExclusion.choices, blank=True
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["service", "submitted_at"], name="surveys_response_service"),
            models.Index(fields=["team", "submitted_at"], name="surveys_response_team"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_excluded(self) -> bool:
        """True when this response counts in no staff indicator (好差评 ruling or upheld appeal)."""
        return self.assessment_excluded_at is not None


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(pgettext_lazy("surveys", "score"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question__ordering"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_unique")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class ReviewStatus(models.TextChoices):
    """Where a bad review stands in the 好差评 loop."""

    NONE = "none", _("Not a bad review")
    TO_VERIFY = "to_verify", _("To be verified")
    RECTIFYING = "rectifying", _("To be rectified")
    REVISITING = "revisiting", _("Reviewer to be revisited")
    DONE = "done", _("Loop closed")


class Verification(models.TextChoices):
    VALID = "valid", _("Valid")
    PARTLY_VALID = "partly_valid", _("Partly valid")
    NOT_VALID = "not_valid", _("Not valid")


class RevisitResult(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Still dissatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")


class RecoveryTask(TimeStampedModel):
    """Following up an unhappy customer: opened by a low score or a negative comment, owned by the team's
    supervisor, on its own deadline."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("surveys", "Open")
        CONTACTED = "contacted", _("Customer contacted")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed without contact")

    response = models.OneToOneField(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="recovery"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recovery_tasks",
    )
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    outcome = models.TextField(pgettext_lazy("surveys", "outcome"), blank=True)
    new_score = models.PositiveSmallIntegerField(_("customer's new score"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # 好差评 (国办发〔2019〕51号): a bad review (CSAT 1-2) is verified by the unit that handled the case,
    # rectified when valid, and the reviewer revisited; charter/surveys/reviews.py, workflow REVIEW_WORKFLOW.
    review_status = models.CharField(
        _("review status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.NONE
    )
    verification = models.CharField(
        _("verification outcome"), max_length=12, choices=Verification.choices, blank=True
    )
    verification_note = models.TextField(_("verification evidence"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rectify_due_at = models.DateTimeField(_("rectify by"), null=True, blank=True, db_index=True)
    rectification_note = models.TextField(_("rectification"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    revisit_result = models.CharField(
        _("revisit result"), max_length=12, choices=RevisitResult.choices, blank=True
    )
    revisit_note = models.TextField(_("revisit note"), blank=True)
    revisited_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("recovery task")
        verbose_name_plural = _("recovery tasks")
        permissions = [("decide_review_appeal", _("Can decide appeals against bad reviews"))]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def is_rectification_overdue(self, now: dt.datetime) -> bool:
        """True when the rectification of a valid bad review is still missing after its deadline."""
        return (
            self.review_status == ReviewStatus.RECTIFYING
            and self.rectify_due_at is not None
            and self.rectify_due_at <= now
        )


class ReviewAppeal(TimeStampedModel):
    """The one appeal (申诉复核) against a bad review that was ruled valid, filed by a staff member it is
    attributed to and decided by someone independent of him and of the verification."""

    class Status(models.TextChoices):
        FILED = "filed", _("Awaiting decision")
        UPHELD = "upheld", pgettext_lazy("surveys", "Upheld")
        REJECTED = "rejected", _("Rejected")

    task = models.OneToOneField(
        RecoveryTask, verbose_name=_("recovery task"), on_delete=models.CASCADE, related_name="appeal"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("appellant"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(pgettext_lazy("surveys", "reason for the appeal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FILED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review appeal")
        verbose_name_plural = _("review appeals")

    def __str__(self) -> str:
        return f"#{self.pk}"
