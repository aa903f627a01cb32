"""Forms of the quality desk. They check the shape of the input; the services decide the rest."""

import unicodedata
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from charter.accounts.models import Team, User
from charter.cases.models import CaseMessage
from charter.catalog.models import Channel
from charter.common.forms import FilterForm, IsoDateInput, choices_with_all
from charter.quality.models import (
    Check,
    CheckSetting,
    Criterion,
    PhraseRule,
    Review,
    ReviewScore,
    SamplingRule,
    Scale,
    ScorecardVersion,
)
from charter.quality.services import ScoreInput
from charter.standards.models import StandardClause


class FindingFilterForm(FilterForm):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    check_code = forms.ChoiceField(label=_("Check"), choices=choices_with_all(Check.choices), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=IsoDateInput())

    exact_lookups = {"agent": "agent", "team": "team", "check_code": "check_code"}
    period_lookup = "replied_at"

    def __init__(
        self,
        *args: Any,
        agents: QuerySet[User] | None = None,
        teams: QuerySet[Team] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if agents is None:
            del self.fields["agent"]
        else:
            self.fields["agent"].queryset = agents  # type: ignore[attr-defined]
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class PhraseRuleForm(forms.ModelForm[PhraseRule]):
    class Meta:
        model = PhraseRule
        fields = [
            "language",
            "category",
            "phrase",
            "exceptions",
            "hint",
            "document_code",
            "clause_number",
            "is_active",
        ]
        widgets = {"exceptions": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        # The service refuses duplicates with its own message and error code.
        pass


class CheckSettingForm(forms.ModelForm[CheckSetting]):
    class Meta:
        model = CheckSetting
        fields = ["is_enabled", "document_code", "clause_number"]


# Scorecards, sampling, reviews and calibration -----------------------------------------------------------

NOT_APPLICABLE = "na"


class ScorecardForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)


class CriterionForm(forms.ModelForm[Criterion]):
    class Meta:
        model = Criterion
        fields = [
            "section",
            "ordering",
            "title_zh",
            "title_en",
            "guidance",
            "clause",
            "weight",
            "scale",
            "is_auto_fail",
            "is_compliance",
            "allows_not_applicable",
        ]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, clauses: QuerySet[StandardClause], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = clauses  # type: ignore[attr-defined]


class SamplingRuleForm(forms.ModelForm[SamplingRule]):
    class Meta:
        model = SamplingRule
        fields = [
            "team",
            "channel",
            "scorecard",
            "per_agent_per_month",
            "share_percent",
            "includes_complaints",
            "includes_breaches",
            "includes_low_surveys",
            "low_survey_score",
            "is_active",
        ]
        widgets = {"channel": forms.Select(choices=[("", _("Every channel")), *Channel.choices])}


# How much of a message's body its short label shows, in display columns (a Chinese character takes two).
MESSAGE_LABEL_WIDTH = 24


def _opening(body: str, width: int = MESSAGE_LABEL_WIDTH) -> str:
    """The first `width` display columns of `body` on one line, with "…" when there is more."""
    flat = " ".join(body.split())
    used = 0
    for index, character in enumerate(flat):
        used += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if used > width:
            return flat[:index].rstrip() + "…"
    return flat


def message_label(number: int, message: CaseMessage) -> str:
    """A short label for message `number` of a conversation, the same on the page and in the review form:
    "#3 Agent 12-05 10:31 Hello, the eng…" (the author's role, the local time, the opening of the body)."""
    if message.is_internal:
        role = pgettext("message author", "Internal note")
    elif message.author_kind == CaseMessage.AuthorKind.STAFF:
        role = pgettext("message author", "Agent")
    elif message.author_kind == CaseMessage.AuthorKind.CUSTOMER:
        role = pgettext("message author", "Customer")
    else:
        role = pgettext("message author", "System")
    return f"#{number} {role} {timezone.localtime(message.created_at):%m-%d %H:%M} {_opening(message.body)}"


class ReviewScoreForm(forms.Form):
    """One score, comment and pinned message per criterion, built from the scorecard version. `messages` are
    the conversation in the order the page numbers them."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(
        label=pgettext_lazy("qa review", "Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        messages: list[CaseMessage],
        scores: dict[int, ReviewScore] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = scores or {}
        message_choices = [("", _("No message"))] + [
            (str(m.pk), message_label(number, m)) for number, m in enumerate(messages, start=1)
        ]
        for criterion in criteria:
            choices: list[tuple[str, Any]] = [("", "—")]
            if criterion.allows_not_applicable:
                choices.append((NOT_APPLICABLE, _("Not applicable")))
            if criterion.scale == Scale.YES_NO:
                choices += [("1", _("Yes")), ("0", _("No"))]
            else:
                choices += [(str(value), str(value)) for value in range(5, 0, -1)]
            stored = scores.get(criterion.pk)
            initial_value = ""
            if stored is not None:
                initial_value = NOT_APPLICABLE if stored.value is None else str(stored.value)
            self.fields[f"value_{criterion.pk}"] = forms.ChoiceField(
                label=pgettext_lazy("qa review", "Score"),
                choices=choices,
                required=False,
                initial=initial_value,
                widget=forms.Select(attrs={"class": "criterion-score"}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=pgettext_lazy("qa review", "Comment"),
                required=False,
                initial=stored.comment if stored else "",
                widget=forms.Textarea(attrs={"rows": 2, "class": "criterion-comment"}),
            )
            self.fields[f"message_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("About the message"),
                choices=message_choices,
                required=False,
                coerce=int,
                empty_value=None,
                initial=str(stored.message_id) if stored and stored.message_id else "",
                widget=forms.Select(attrs={"class": "criterion-message"}),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "criterion": c,
                "value": self[f"value_{c.pk}"],
                "comment": self[f"comment_{c.pk}"],
                "message": self[f"message_{c.pk}"],
            }
            for c in self.criteria
        ]

    def score_inputs(self) -> list[ScoreInput]:
        """The answers given (a criterion left at "—" is left out)."""
        out = []
        for criterion in self.criteria:
            raw = self.cleaned_data.get(f"value_{criterion.pk}") or ""
            if raw == "":
                continue
            out.append(
                ScoreInput(
                    criterion_id=criterion.pk,
                    value=None if raw == NOT_APPLICABLE else int(raw),
                    comment=self.cleaned_data.get(f"comment_{criterion.pk}") or "",
                    message_id=self.cleaned_data.get(f"message_{criterion.pk}"),
                )
            )
        return out


class DrawForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=30)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Review.Decision.choices)
    reason = forms.CharField(label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 3}))


class CalibrationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    case_number = forms.CharField(label=_("Case number"), max_length=30)
    scorecard_version = forms.ModelChoiceField(
        label=_("Scorecard version"), queryset=ScorecardVersion.objects.none()
    )
    reviewers = forms.ModelMultipleChoiceField(label=_("Reviewers"), queryset=User.objects.none())

    def __init__(
        self, *args: Any, versions: QuerySet[ScorecardVersion], reviewers: QuerySet[User], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["scorecard_version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["reviewers"].queryset = reviewers  # type: ignore[attr-defined]


class ReportFilterForm(FilterForm):
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=IsoDateInput())
