"""Forms of the quality desk. They check the shape of the input; the services decide the rest."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.quality.models import Check, CheckSetting, PhraseRule


class FindingFilterForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    check_code = forms.ChoiceField(
        label=_("Check"), choices=[("", _("All checks")), *Check.choices], required=False
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

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


class PhraseRuleForm(forms.ModelForm):
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


class CheckSettingForm(forms.ModelForm):
    class Meta:
        model = CheckSetting
        fields = ["is_enabled", "document_code", "clause_number"]
