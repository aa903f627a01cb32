"""The forms of the data-subject request pages: they check shape; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.common.forms import FilterForm, IsoDateInput
from charter.privacy.models import DataSubjectRequest

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
Channel = DataSubjectRequest.Channel


class PortalRequestForm(forms.Form):
    """A customer's own request in the portal."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("data request", "What do you ask for?"), choices=Kind.choices
    )
    details = forms.CharField(
        label=pgettext_lazy("data request", "Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a correction, say what is wrong and what is right. For anything else, optional."),
    )


class CustomerFindForm(forms.Form):
    """Find the customer a request is recorded for, exactly, by phone or e-mail (blind indexes)."""

    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Enter the customer's phone or e-mail."))
        return data


class StaffRequestForm(forms.Form):
    """A request staff record for a customer found by phone or e-mail."""

    customer = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=pgettext_lazy("data request", "Kind of request"), choices=Kind.choices)
    channel = forms.ChoiceField(
        label=pgettext_lazy("data request", "Made by"),
        choices=[(value, label) for value, label in Channel.choices if value != Channel.PORTAL],
    )
    identity_verification = forms.CharField(
        label=_("How was the identity verified?"),
        max_length=500,
        help_text=_("For example: ID card shown at the counter; called back on the phone number on file."),
    )
    details = forms.CharField(
        label=pgettext_lazy("data request", "Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RequestFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", ""), ("open", pgettext_lazy("data request", "Open")), *Status.choices],
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("data request", "Kind"), required=False, choices=[("", ""), *Kind.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer reads this in the portal and in the mail."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer reads this in the portal and in the mail."),
    )


class CorrectionForm(forms.Form):
    """The corrected data; a field left empty is not changed."""

    name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=200)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=30)


class LogFilterForm(FilterForm):
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, actors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = actors  # type: ignore[attr-defined]
