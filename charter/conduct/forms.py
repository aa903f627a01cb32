"""Forms of the conduct desk: they check the shape of the input; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.models import Team, User
from charter.common.forms import FilterForm, IsoDateInput, IsoDateTimeInput, choices_with_all
from charter.conduct.models import LadderSetting, LadderStep, Severity, Violation
from charter.standards.models import StandardDocument


class ViolationFilterForm(FilterForm):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=choices_with_all(Violation.Status.choices), required=False
    )
    step = forms.ModelChoiceField(label=_("Step"), queryset=LadderStep.objects.all(), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())

    exact_lookups = {"staff": "staff", "team": "team", "step": "step", "status": "status"}
    period_lookup = "occurred_at"

    def __init__(
        self,
        *args: Any,
        staff: QuerySet[User] | None = None,
        teams: QuerySet[Team] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if staff is None:
            del self.fields["staff"]
        else:
            self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class EvidenceFieldsMixin(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=30, required=False)
    finding = forms.IntegerField(label=_("Reply-check finding (number)"), min_value=1, required=False)
    review = forms.IntegerField(label=_("QA review (number)"), min_value=1, required=False)
    survey_response = forms.IntegerField(label=_("Survey response (number)"), min_value=1, required=False)
    observation = forms.CharField(
        label=_("Supervisor's observation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    file = forms.FileField(label=_("File for the observation"), required=False)


class ViolationRecordForm(EvidenceFieldsMixin):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    document = forms.ModelChoiceField(
        label=_("Code of conduct"),
        queryset=StandardDocument.objects.filter(kind=StandardDocument.Kind.CODE_OF_CONDUCT),
    )
    clause_number = forms.CharField(
        label=_("Clause number"),
        max_length=60,
        help_text=_("Resolved to the clause of the version in force on the day of the act."),
    )
    occurred_at = forms.DateTimeField(label=_("Date and time of the act"), widget=IsoDateTimeInput())
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    description = forms.CharField(
        label=pgettext_lazy("conduct", "What happened"), widget=forms.Textarea(attrs={"rows": 4})
    )
    has_harmed_customers = forms.BooleanField(label=_("Harmed customers' interests"), required=False)
    has_harmed_reputation = forms.BooleanField(
        label=_("Harmed the organisation's reputation"), required=False
    )

    field_order = [
        "staff",
        "document",
        "clause_number",
        "occurred_at",
        "severity",
        "description",
        "has_harmed_customers",
        "has_harmed_reputation",
    ]

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        documents = self.fields["document"].queryset  # type: ignore[attr-defined]
        if documents.count() == 1:
            self.fields["document"].initial = documents.first()


class EvidenceForm(EvidenceFieldsMixin):
    pass


class DecideForm(forms.Form):
    step = forms.ModelChoiceField(label=_("Step"), queryset=LadderStep.objects.all())
    reason = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when you decide a step other than the one proposed."),
    )
    fine_amount = forms.DecimalField(
        label=_("Fine (CNY)"), max_digits=10, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args: Any, is_fine_enabled: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_fine_enabled:
            del self.fields["fine_amount"]


class TextForm(forms.Form):
    text = forms.CharField(label=_("Your text"), widget=forms.Textarea(attrs={"rows": 4}))


class ApproveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("send_back", _("Send back to the decider"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you send it back."),
    )


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("conduct", "Outcome"), choices=Violation.AppealOutcome.choices
    )
    step = forms.ModelChoiceField(label=_("Reduced to"), queryset=LadderStep.objects.all(), required=False)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class LadderSettingForm(forms.ModelForm[LadderSetting]):
    class Meta:
        model = LadderSetting
        fields = [
            "window_days",
            "harm_floor",
            "general_floor",
            "serious_floor",
            "response_days",
            "appeal_days",
            "is_fine_enabled",
            "fine_max_amount",
        ]


class LadderStepForm(forms.ModelForm[LadderStep]):
    class Meta:
        model = LadderStep
        fields = ["name_zh", "name_en", "requires_second_approver"]


class ReportForm(FilterForm):
    # ISO values: a browser's date input reads only YYYY-MM-DD (the default period is rendered from dates).
    since = forms.DateField(label=_("From"), widget=IsoDateInput())
    until = forms.DateField(label=_("To"), widget=IsoDateInput())
