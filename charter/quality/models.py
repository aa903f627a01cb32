"""Automatic checks of staff replies: their configuration, the overrides agents give, and the findings.

The configuration is data: one `CheckSetting` per check (on or off, and the clause of the code of conduct it
cites) and `PhraseRule`s per language (improper and impatient wording, a glossary of jargon, the greetings).
A clause is stored as the code's document code and clause number, and resolved to the clause of the version
in force on the day of the reply, so a new published version of the code is cited without editing rules.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from charter.common.models import TimeStampedModel

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
    phrase = models.CharField(_("word or phrase"), max_length=100)
    exceptions = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_(
            "One per line: longer phrases containing this one in which it is fine "
            "(e.g. “您不知道” for “不知道”)."
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
    key = models.CharField(_("key"), max_length=200)
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
