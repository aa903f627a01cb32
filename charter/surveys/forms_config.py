"""Forms of the survey configuration desk. They check the shape of the input; the services decide the rest."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team
from charter.catalog.models import Service
from charter.common.forms import IsoDateTimeInput
from charter.common.vocabulary import CaseKind
from charter.surveys.models import Campaign, Question, SurveyRule

CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)


class SurveyForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short, permanent name in lower-case letters, digits and hyphens, e.g. after-case."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    intro_zh = forms.CharField(
        label=_("Introduction (Chinese)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the customer above the questions."),
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def parse_choices(text: str) -> list[dict[str, str]]:
    """Read one choice per line, written `value | 中文 | English` or just `中文`; raise ValidationError."""
    choices: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            choices.append({"zh": parts[0]})
        elif len(parts) == 3 and parts[1]:
            choices.append({"value": parts[0], "zh": parts[1], "en": parts[2]})
        else:
            raise forms.ValidationError(
                _("Line %(number)d: write a choice as “value | 中文 | English”, or just its Chinese text."),
                code="choice_format",
                params={"number": number},
            )
    return choices


class QuestionForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=Question.Type.choices)
    text_zh = forms.CharField(label=_("Question (Chinese)"), max_length=500)
    text_en = forms.CharField(label=_("Question (English)"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For one or several choices only: one choice per line, written “value | 中文 | English” "
            "(e.g. price | 价格 | Price) or just its Chinese text."
        ),
    )
    is_required = forms.BooleanField(label=_("An answer is required"), required=False)

    def clean_choices(self) -> list[dict[str, str]]:
        return parse_choices(self.cleaned_data.get("choices") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") not in CHOICE_TYPES:
            data["choices"] = []  # scales and free text have no choices: whatever was typed is ignored
        return data


class _NamedMultipleChoiceField(forms.ModelMultipleChoiceField[Model]):
    """Labels its options from a map of names by primary key (a service's name lives in its versions)."""

    names: dict[int, str]

    def label_from_instance(self, obj: Model) -> str:
        return self.names.get(obj.pk) or str(obj)


def _active_or_chosen(model: type[Service] | type[Team], chosen: Iterable[Model]) -> Any:
    return model.objects.filter(Q(is_active=True) | Q(pk__in=[item.pk for item in chosen]))


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    ordering = forms.IntegerField(label=_("Ordering"), min_value=0, initial=0)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of case"),
        choices=CaseKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    services = _NamedMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.none(), required=False, help_text=_("None chosen: any.")
    )
    teams = _NamedMultipleChoiceField(
        label=_("Teams handling the case"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("None chosen: any."),
    )
    delay_minutes = forms.IntegerField(
        label=_("Delay (minutes)"),
        initial=60,
        help_text=_("How long after the resolution the survey is sent."),
    )
    sample_percent = forms.IntegerField(
        label=_("Share surveyed (%)"), initial=100, help_text=_("100: every matching case.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, rule: SurveyRule | None = None, service_names: dict[int, str], **kwargs: Any
    ) -> None:
        if rule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": rule.name,
                    "ordering": rule.ordering,
                    "kinds": list(rule.kinds),
                    "services": list(rule.services.all()),
                    "teams": list(rule.teams.all()),
                    "delay_minutes": rule.delay_minutes,
                    "sample_percent": rule.sample_percent,
                    "is_active": rule.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        # Active services and teams, plus the inactive ones the rule still names, so saving keeps them.
        services = self.fields["services"]
        teams = self.fields["teams"]
        assert isinstance(services, _NamedMultipleChoiceField)  # noqa: S101
        assert isinstance(teams, _NamedMultipleChoiceField)  # noqa: S101
        services.queryset = _active_or_chosen(Service, rule.services.all() if rule else []).order_by(
            "ordering", "slug"
        )
        services.names = service_names
        teams.queryset = _active_or_chosen(Team, rule.teams.all() if rule else []).order_by("code")
        teams.names = {}


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    every_days = forms.IntegerField(label=_("Every (days)"), initial=90)
    sample_size = forms.IntegerField(label=_("Customers per run"), initial=200)
    next_run_at = forms.DateTimeField(
        label=_("Next run at"),
        widget=IsoDateTimeInput(),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": campaign.name,
                    "every_days": campaign.every_days,
                    "sample_size": campaign.sample_size,
                    "next_run_at": campaign.next_run_at,
                    "is_active": campaign.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        # The browser sends a bare local time; the form reads it in the user's zone (the middleware set it).
        self.fields["next_run_at"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }
