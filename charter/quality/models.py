"""Automatic checks of staff replies: their configuration, the overrides agents give, and the findings.

The configuration is data: one `CheckSetting` per check (on or off, and the clause of the code of conduct it
cites) and `PhraseRule`s per language (improper and impatient wording, a glossary of jargon, the greetings).
A clause is stored as the code's document code and clause number, and resolved to the clause of the version
in force on the day of the reply, so a new published version of the code is cited without editing rules.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.common.models import TimeStampedModel, localized
from charter.common.versioning import DocumentVersion, VersionPart
from charter.quality.errors import ErrorCode

CONDUCT_CODE = "code-of-conduct"


class Check(models.TextChoices):
    IMPROPER_WORDING = "improper_wording", _("Improper wording")
    IMPATIENT_WORDING = "impatient_wording", _("Impatient wording")
    UNEXPLAINED_JARGON = "unexplained_jargon", _("Jargon without explanation")
    MISSING_GREETING = "missing_greeting", _("No greeting or form of address")
    PERSONAL_DATA = "personal_data", _("Another customer's personal data")
    LATE_REPLY = "late_reply", _("Reply after the deadline")


class Language(models.TextChoices):
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")


class CheckSetting(TimeStampedModel):
    """Whether one check runs, and the clause of the code of conduct it cites by default."""

    check_code = models.CharField(_("check"), max_length=30, choices=Check.choices, unique=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    document_code = models.SlugField(
        _("code of conduct"),
        max_length=50,
        default=CONDUCT_CODE,
        help_text=_("The code of the standard document the check cites."),
    )
    clause_number = models.CharField(
        _("clause number"),
        max_length=60,
        help_text=_("Resolved to the clause of the version in force on the day of the reply."),
    )

    class Meta:
        ordering = ["check_code"]
        verbose_name = _("check setting")
        verbose_name_plural = _("check settings")
        permissions = [
            ("manage_checks", _("Can configure the automatic checks of replies")),
            ("view_findings", _("Can see the findings of the automatic checks")),
            ("view_all_findings", _("Can see the findings of every team")),
        ]

    def __str__(self) -> str:
        return str(self.get_check_code_display())


class PhraseRule(TimeStampedModel):
    """A word or phrase of one language: wording to avoid, a jargon term, or a greeting a reply should have.

    A blank document code or clause number means the check's own (CheckSetting).
    """

    class Category(models.TextChoices):
        IMPROPER = "improper", _("Improper wording (不当用语)")
        IMPATIENT = "impatient", _("Impatient wording (不耐烦用语)")
        JARGON = "jargon", _("Jargon to explain (专业术语)")
        GREETING = "greeting", _("Greeting or form of address (问候语或称呼)")

    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    phrase = models.CharField(
        _("word or phrase"),
        max_length=300,
        help_text=_(
            "A word or phrase, or a pattern: [a|b] stands for one of the words between the brackets (an "
            "empty choice makes it optional), * for up to five words of the same sentence, never a negation. "
            "E.g. “你 自己 [去|找|问]”, “not my [job|problem]”. For jargon, {ACRONYM} stands for every word "
            "in capitals no other rule names."
        ),
    )
    exceptions = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_(
            "One per line: longer phrases containing this one in which it is fine "
            "(e.g. “您不知道” for “不知道”). A line starting with + excuses the rule wherever the reply "
            "contains it (e.g. “+帮 你 * 转” when the agent passes the case on himself)."
        ),
    )
    hint = models.CharField(
        _("plain-language hint"),
        max_length=200,
        blank=True,
        help_text=_("For jargon: a plain explanation the agent can use; its presence counts as explained."),
    )
    document_code = models.SlugField(_("code of conduct"), max_length=50, blank=True)
    clause_number = models.CharField(_("clause number"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "language", "phrase"]
        verbose_name = _("phrase rule")
        verbose_name_plural = _("phrase rules")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "category", "phrase"], name="quality_phrase_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.phrase

    @property
    def check_code(self) -> str:
        """The check this rule belongs to."""
        return CATEGORY_CHECKS[self.category]

    def exception_list(self) -> list[str]:
        return [line.strip() for line in self.exceptions.splitlines() if line.strip()]


CATEGORY_CHECKS: dict[str, str] = {
    PhraseRule.Category.IMPROPER: Check.IMPROPER_WORDING,
    PhraseRule.Category.IMPATIENT: Check.IMPATIENT_WORDING,
    PhraseRule.Category.JARGON: Check.UNEXPLAINED_JARGON,
    PhraseRule.Category.GREETING: Check.MISSING_GREETING,
}


class ReplyOverride(models.Model):
    """An agent sent a reply despite the warnings of the checks, and said why."""

    message = models.OneToOneField(
        "cases.CaseMessage", verbose_name=_("message"), on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    check_codes = models.JSONField(_("checks overridden"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("override of reply checks")
        verbose_name_plural = _("overrides of reply checks")

    def __str__(self) -> str:
        return f"{self.message_id}: {self.reason[:50]}"


class Finding(models.Model):
    """One issue an automatic check found in a sent reply, for QA reviewers; never about internal notes."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "cases.CaseMessage", verbose_name=_("message"), on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    check_code = models.CharField(_("check"), max_length=30, choices=Check.choices)
    # Identifies the issue within its message (check and excerpt), so a finding is recorded once.
    key = models.CharField(pgettext_lazy("quality", "key"), max_length=200)
    rule = models.ForeignKey(
        PhraseRule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    clause = models.ForeignKey(
        "standards.StandardClause",
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    excerpt = models.CharField(_("excerpt"), max_length=300, blank=True)
    is_overridden = models.BooleanField(_("sent despite the warning"), default=False)
    override_reason = models.TextField(_("reason given"), blank=True)
    replied_at = models.DateTimeField(_("replied at"))
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        ordering = ["-replied_at", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["message", "key"], name="quality_finding_once"),
        ]
        indexes = [
            models.Index(fields=["agent", "-replied_at"], name="quality_finding_agent"),
            models.Index(fields=["team", "-replied_at"], name="quality_finding_team"),
            models.Index(fields=["check_code", "-replied_at"], name="quality_finding_check"),
            models.Index(fields=["-replied_at"], name="quality_finding_replied"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.check_code}"


# Scorecards ---------------------------------------------------------------------------------------------


class Section(models.TextChoices):
    # In context: "Resolution" and the like mean other things in the cases' catalogue.
    OPENING = "opening", pgettext_lazy("scorecard section", "Opening")
    COMMUNICATION = "communication", pgettext_lazy("scorecard section", "Communication")
    RESOLUTION = "resolution", pgettext_lazy("scorecard section", "Resolution")
    COMPLIANCE = "compliance", pgettext_lazy("scorecard section", "Compliance")
    CLOSING = "closing", pgettext_lazy("scorecard section", "Closing")


class Scale(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    ONE_TO_FIVE = "one_to_five", _("1 to 5")


class Scorecard(TimeStampedModel):
    """A QA scorecard; its criteria live in versions, of which the latest published one is used."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        permissions = [
            ("manage_scorecards", _("Can edit scorecards and sampling rules")),
            ("review_cases", _("Can review cases against a scorecard")),
            ("view_team_reviews", _("Can see the QA reviews of the teams one leads")),
            ("view_all_reviews", _("Can see every QA review")),
            ("decide_disputes", _("Can decide disputes of QA reviews")),
            ("run_calibration", _("Can run calibration sessions")),
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class ScorecardVersion(DocumentVersion):
    """A version of a scorecard: drafts are edited; a published one never changes; a newer one supersedes."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="versions"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    frozen_message = _("Only a draft can be changed; a published version never changes. Start a new version.")
    frozen_code = ErrorCode.VERSION_NOT_DRAFT

    class Meta:
        ordering = ["scorecard", "-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="quality_scorecard_version_unique"),
            models.UniqueConstraint(
                fields=["scorecard"], condition=models.Q(status="draft"), name="quality_scorecard_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} v{self.number}"


class Criterion(VersionPart):
    """One thing a reviewer scores, citing the clause of the published code of conduct it checks.

    A compliance criterion counts towards the separate compliance score, not the overall score; an
    auto-fail criterion answered "no" zeroes the whole review (a confidentiality breach, for instance).
    """

    version = models.ForeignKey(
        ScorecardVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="criteria"
    )
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    title_zh = models.CharField(_("criterion (Chinese)"), max_length=200)
    title_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    clause = models.ForeignKey(
        "standards.StandardClause", verbose_name=_("clause"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=0)
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.YES_NO)
    is_auto_fail = models.BooleanField(_("fails the whole review"), default=False)
    is_compliance = models.BooleanField(_("compliance criterion"), default=False)
    allows_not_applicable = models.BooleanField(_("may be not applicable"), default=False)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return localized(self, "title")


# Sampling -----------------------------------------------------------------------------------------------


class SamplingRule(TimeStampedModel):
    """Which resolved cases of a team (and channel) are drawn for review, besides those always drawn."""

    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True, help_text=_("Blank: every channel."))
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="sampling_rules"
    )
    per_agent_per_month = models.PositiveSmallIntegerField(
        _("reviews per agent per month"), null=True, blank=True
    )
    share_percent = models.PositiveSmallIntegerField(_("share of resolved cases (%)"), null=True, blank=True)
    includes_complaints = models.BooleanField(_("every complaint naming staff"), default=True)
    includes_breaches = models.BooleanField(_("every case with a breached deadline"), default=True)
    includes_low_surveys = models.BooleanField(_("every case with a low survey score"), default=True)
    low_survey_score = models.PositiveSmallIntegerField(
        _("low survey score (CSAT at most)"), default=2, help_text=_("On the 1 to 5 scale.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["team", "channel"]
        verbose_name = _("sampling rule")
        verbose_name_plural = _("sampling rules")

    def __str__(self) -> str:
        return f"{self.team} {self.channel or '*'}"


# Reviews ------------------------------------------------------------------------------------------------


class Review(models.Model):
    """The QA review of one agent's work on one case, against one published scorecard version."""

    class Reason(models.TextChoices):
        QUOTA = "quota", _("Monthly sample")
        SHARE = "share", _("Share of cases")
        COMPLAINT = "complaint", _("Complaint naming staff")
        BREACH = "breach", _("Deadline breached")
        LOW_SURVEY = "low_survey", _("Low survey score")
        MANUAL = "manual", _("Chosen by hand")

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To review")
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISPUTED = "disputed", _("Disputed")
        DECIDED = "decided", _("Dispute decided")

    class Decision(models.TextChoices):
        UPHELD = "upheld", pgettext_lazy("qa dispute", "Upheld")
        AMENDED = "amended", pgettext_lazy("qa dispute", "Amended")

    scorecard_version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why sampled"), max_length=20, choices=Reason.choices)
    rule = models.ForeignKey(
        SamplingRule,
        verbose_name=_("sampling rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    sampled_at = models.DateTimeField(_("sampled at"))
    month = models.DateField(_("month"), help_text=_("The first day of the month the case was sampled in."))
    overall_score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    compliance_score = models.DecimalField(
        _("compliance score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    is_auto_failed = models.BooleanField(_("failed by an auto-fail criterion"), default=False)
    summary = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    dispute_reason = models.TextField(_("reason for the dispute"), blank=True)
    dispute_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispute decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    score_before_dispute = models.DecimalField(
        _("score before the dispute"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-sampled_at", "-pk"]
        verbose_name = _("QA review")
        verbose_name_plural = _("QA reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard_version", "case", "agent"], name="quality_review_once_per_version"
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="quality_review_reviewer"),
            models.Index(fields=["agent", "month"], name="quality_review_agent"),
            models.Index(fields=["team", "month"], name="quality_review_team"),
            models.Index(fields=["dispute_handler", "status"], name="quality_review_dispute"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.agent_id}"

    @property
    def is_scored(self) -> bool:
        return self.submitted_at is not None


class ReviewScore(models.Model):
    """The reviewer's score on one criterion (blank value: not applicable), with a comment and the message
    it is about."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(pgettext_lazy("quality", "comment"), blank=True)
    message = models.ForeignKey(
        "cases.CaseMessage",
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["criterion__ordering", "criterion_id"]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="quality_review_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.criterion_id}={self.value}"


# Calibration --------------------------------------------------------------------------------------------


class CalibrationSession(models.Model):
    """Several reviewers score the same case blind; the spread is shown once closed, then the agreed score."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("calibration", "Open")
        CLOSED = "closed", pgettext_lazy("calibration", "Closed")

    title = models.CharField(_("title"), max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    scorecard_version = models.ForeignKey(
        ScorecardVersion, verbose_name=_("scorecard version"), on_delete=models.PROTECT, related_name="+"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CalibrationScore(models.Model):
    """One reviewer's blind score of one criterion in a session; a blank reviewer is the agreed score."""

    session = models.ForeignKey(
        CalibrationSession,
        verbose_name=pgettext_lazy("calibration", "session"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(pgettext_lazy("quality", "comment"), blank=True)

    class Meta:
        ordering = ["criterion__ordering", "criterion_id"]
        verbose_name = _("calibration score")
        verbose_name_plural = _("calibration scores")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "reviewer", "criterion"], name="quality_calibration_score_once"
            ),
            models.UniqueConstraint(
                fields=["session", "criterion"],
                condition=models.Q(reviewer__isnull=True),
                name="quality_calibration_agreed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.criterion_id}={self.value}"
