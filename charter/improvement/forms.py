"""Forms of the corrective action desk. They check the shape of the input; the services decide the rest."""

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.selectors import staff_list
from charter.cases.models import Case, RootCause
from charter.catalog.models import Service
from charter.common.forms import FilterForm, IsoDateInput, choices_with_all
from charter.improvement.models import ActionKind, ActionStatus, CorrectiveAction, SourceKind

DATE = IsoDateInput()


def staff_choices() -> QuerySet[User]:
    """Return the people an action or item may be given to: the active members of staff (`staff_list`)."""
    return staff_list()


class ActionFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=choices_with_all([("active", _("Not finished")), *ActionStatus.choices]),
        required=False,
    )
    source_kind = forms.ChoiceField(
        label=_("Found through"), choices=choices_with_all(SourceKind.choices), required=False
    )
    overdue = forms.BooleanField(label=_("With overdue items"), required=False)
    my_items_due = forms.BooleanField(label=_("With items of mine due"), required=False)


class ActionForm(forms.ModelForm[CorrectiveAction]):
    """Open a corrective action, or change one (without its source, which stays as opened)."""

    case_numbers = forms.CharField(
        label=_("Linked cases"),
        required=False,
        help_text=_("Case numbers, separated by spaces or commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CorrectiveAction
        fields = [
            "kind",
            "title",
            "source_kind",
            "root_cause",
            "service",
            "source_reference",
            "violation",
            "problem",
            "correction",
            "cause_analysis",
            "owner",
            "team",
            "check_after_days",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "correction": forms.Textarea(attrs={"rows": 3}),
            "cause_analysis": forms.Textarea(attrs={"rows": 4}),
            "violation": forms.HiddenInput,
        }

    def __init__(self, *args: Any, teams: QuerySet[Team], is_new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.filter(is_active=True).order_by("slug")  # type: ignore[attr-defined]
        self.fields["kind"].choices = ActionKind.choices  # type: ignore[attr-defined]
        self.fields["root_cause"].choices = [("", "—"), *RootCause.choices[1:]]  # type: ignore[attr-defined]
        if not is_new:
            for name in ("source_kind", "root_cause", "service", "case_numbers", "violation"):
                del self.fields[name]
        else:
            del self.fields["version"]

    def validate_unique(self) -> None:
        pass

    def _post_clean(self) -> None:
        # The service validates and saves; the model's own clean would duplicate its rules.
        pass

    def clean_case_numbers(self) -> list[str]:
        raw = self.cleaned_data.get("case_numbers") or ""
        return [number for number in re.split(r"[\s,，、]+", raw) if number]


class ItemForm(forms.Form):
    description = forms.CharField(label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()  # type: ignore[attr-defined]


class ItemDoneForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, allowed: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["to_status"].choices = allowed  # type: ignore[attr-defined]


class CheckForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("effective", _("Effective")), ("ineffective", _("Not effective"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the action was not effective."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClusterForm(forms.Form):
    days = forms.IntegerField(label=_("Last days"), min_value=1, max_value=730, initial=90, required=False)
    threshold = forms.IntegerField(
        label=_("At least (complaints)"), min_value=1, max_value=1000, initial=3, required=False
    )
    by_service = forms.BooleanField(label=_("Also by service"), required=False)


class ReportForm(FilterForm):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=DATE)


def case_list_by_numbers(cases: QuerySet[Case], numbers: list[str]) -> tuple[list[Case], list[str]]:
    """The cases of `cases` with these numbers, and the numbers not found among them."""
    found = {case.number: case for case in cases.filter(number__in=numbers)}
    return [found[number] for number in numbers if number in found], [n for n in numbers if n not in found]
