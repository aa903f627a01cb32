"""Forms of the case pages: they check shape; the services decide."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.cases.checks import ReplyWarning
from charter.cases.models import CannedResponse, CaseOutcome, CaseStatus, RootCause
from charter.catalog.models import Service
from charter.catalog.selectors import service_version_list_in_force
from charter.common.forms import FilterForm, IsoDateTimeInput, choices_with_all
from charter.common.http import int_param
from charter.common.models import localized
from charter.common.vocabulary import CaseKind, Priority

PHONE = RegexValidator(r"^\+?[\d\s-]{5,20}$", _("Enter a phone number of digits, spaces or dashes."))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachment service, not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _service_choices() -> list[tuple[str, Any]]:
    versions = service_version_list_in_force(at=timezone.now())
    return [("", _("Not sure / other"))] + [(str(v.service_id), localized(v, "name")) for v in versions]


class ServiceChoiceField(forms.ChoiceField):
    """The offered services, listed only when the form is shown; a submitted id is checked with one query."""

    def valid_value(self, value: Any) -> bool:
        pk = int_param(str(value))
        return pk is not None and Service.objects.filter(pk=pk, is_active=True).exists()


class IntakeForm(forms.Form):
    """The public form: what happened, what the customer wants, how to reach him, and his consent."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=CaseKind.choices, initial=CaseKind.INQUIRY)
    service = ServiceChoiceField(label=_("Service"), required=False)
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Describe what happened"), widget=forms.Textarea, max_length=20000)
    remedy_sought = forms.CharField(
        label=_("What would you like us to do?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Photos, bills or letters; up to 10 MB each.")
    )
    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, validators=[PHONE])
    email = forms.EmailField(label=_("E-mail"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I have read the personal-data notice and agree that my details are used to handle this case."
        )
    )
    # Surveys are a purpose of their own, asked for separately and never ticked in advance (PIPL art. 14).
    surveys = forms.BooleanField(
        label=_("You may also ask me afterwards how satisfied I was (a short survey by e-mail)."),
        required=False,
    )
    # The form's one-time token (charter.cases.services.intake_once): a resubmission shows the case made.
    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # A field people never see: bots fill it in.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)  # noqa: S101 (declared above)
        service.choices = _service_choices  # a callable: evaluated only when the form is rendered
        if signed_in:
            for name in ("name", "phone", "email"):
                del self.fields[name]

    def clean_title(self) -> str:
        return _no_null(self.cleaned_data["title"])

    def clean_description(self) -> str:
        return _no_null(self.cleaned_data["description"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if "phone" in self.fields and not cleaned.get("phone") and not cleaned.get("email"):
            raise ValidationError(_("Give a phone number or an e-mail address so we can answer you."))
        return cleaned


def _no_null(value: str) -> str:
    if "\x00" in value:
        raise ValidationError(_("The text contains characters that cannot be stored."), code="null_character")
    return value


class CustomerReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def clean_body(self) -> str:
        return _no_null(self.cleaned_data["body"])


# The buttons of the customer's decision, named once: the case page shows them and the resolution e-mail
# tells the customer which to press, in the same words.
ACCEPT_BUTTON = _("I accept")
APPEAL_BUTTON = _("Appeal")


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you not accept the resolution?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class TrackingLookupForm(forms.Form):
    """The lost-link form: the case number and the phone or e-mail given with it."""

    number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("As in our acknowledgement, e.g. TS-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("Phone or e-mail you gave us"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )


class StaffReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    is_internal = forms.BooleanField(label=_("Internal note (never shown to the customer)"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Set by the case page when the reply checks hold a reply: what they found, and the fingerprint of the
    # warnings shown, which "send anyway" posts back.
    reply_warnings: Sequence[ReplyWarning] = ()
    reply_check = ""

    def clean_body(self) -> str:
        return _no_null(self.cleaned_data["body"])


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    assignee = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason for the transfer"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (declared above)
        field.queryset = staff if staff is not None else User.objects.none()


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    reasons = forms.CharField(
        label=_("Reasons given to the customer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    root_cause = forms.ChoiceField(label=_("Root cause"), choices=RootCause.choices, required=False)
    remedy_amount = forms.CharField(
        label=_("Remedy (CNY)"),
        required=False,
        max_length=20,
        help_text=_("For example 50.00; leave empty when none."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ArrivalForm(forms.Form):
    """Staff arrived at the customer's (the charter promised a visit within a time)."""

    arrived_at = forms.DateTimeField(
        label=_("Arrived at"),
        required=False,
        widget=IsoDateTimeInput(),
        help_text=_("Leave empty for now."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class QueueFilterForm(FilterForm):
    # No status chosen shows the open cases only, and says so.
    specific_empty_labels = ("status",)

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any open"))] + CaseStatus.choices
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=choices_with_all(CaseKind.choices))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=choices_with_all(Priority.choices)
    )
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("deadline", _("Next deadline")), ("newest", _("Newest")), ("priority", _("Priority"))],
    )


class CannedChoiceForm(forms.Form):
    response = forms.ModelChoiceField(
        label=_("Canned response"), queryset=CannedResponse.objects.all(), required=False
    )


class RelatedCaseForm(forms.Form):
    """Merge this case into another (a duplicate), or link the two (related)."""

    number = forms.CharField(label=_("Other case number"), max_length=30)
    merge = forms.BooleanField(label=_("This case is a duplicate: merge it into the other"), required=False)
