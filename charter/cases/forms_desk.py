"""The desk form on which staff record a case taken by phone, at the counter or from a letter or e-mail.

It checks shape and finds who the customer is; the services decide the rest (how far back a case may be
dated, who may be named, the routing).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer, User
from charter.accounts.selectors import (
    customer_find_by_email,
    customer_find_by_phone,
    customer_list_visible_to,
    staff_list,
)
from charter.cases.forms import PHONE, MultipleFileField, ServiceChoiceField, _no_null, _service_choices
from charter.cases.models import CaseChannel
from charter.common.forms import IsoDateTimeInput
from charter.common.http import int_param
from charter.common.vocabulary import CaseKind, Priority

# The channels a person at the desk takes a case from; the web and the API record their own.
DESK_CHANNELS = (CaseChannel.PHONE, CaseChannel.WALK_IN, CaseChannel.EMAIL)

# How an agent told the customer of the personal-data notice; "other" needs the agent's own words.
HOW_INFORMED_CHOICES = [
    ("phone_read", _("I read the notice to him on the phone")),
    ("counter_printed", _("I gave him the printed notice at the counter")),
    ("email_sent", _("I sent it to him by e-mail")),
    ("other", _("Other")),
]

# The fields that say who the customer is when he is not chosen from the customer list.
CONTACT_FIELDS = ("name", "phone", "email", "language")


class StaffCaseForm(forms.Form):
    """A case as an agent records it for a customer, and who that customer is.

    The customer is the one chosen from the customer list (`customer`, kept in a hidden field) or else the
    one with the phone number given, or else the one with the e-mail address given; when none is found a new
    customer is recorded from the contact fields. After `is_valid()`, `found_customer` is the existing
    customer, or None when one has to be recorded.
    """

    customer = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.INQUIRY)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(channel.value, channel.label) for channel in DESK_CHANNELS],
        initial=CaseChannel.PHONE,
    )
    service = ServiceChoiceField(label=_("Service"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=20000)
    remedy_sought = forms.CharField(
        label=_("Remedy sought"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    named_staff = forms.ModelMultipleChoiceField(
        label=_("Staff named in the complaint"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Only for complaints: the people named never handle the case."),
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=IsoDateTimeInput(),
        help_text=_("When the call or visit was earlier; leave empty for now."),
    )
    attachments = MultipleFileField(label=_("Attachments"))
    name = forms.CharField(label=_("Customer's name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, validators=[PHONE])
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(
        label=_("Customer's language"),
        choices=settings.LANGUAGES,
        initial="zh-hans",
        help_text=_("The language of the messages the customer receives."),
    )
    how_informed = forms.ChoiceField(
        label=_("How was the customer told of the personal-data notice?"),
        choices=[("", "---------"), *HOW_INFORMED_CHOICES],
        help_text=_("He must have heard or read it and agreed; your name is recorded with his consent."),
    )
    how_informed_other = forms.CharField(label=_("How, in your words"), max_length=200, required=False)
    surveys = forms.TypedChoiceField(
        label=_("May we send him a satisfaction survey afterwards?"),
        choices=[("", "---------"), ("yes", _("Yes, he agreed")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.found_customer: Customer | None = None
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)  # noqa: S101 (declared above)
        service.choices = _service_choices  # a callable: evaluated only when the form is rendered
        named = self.fields["named_staff"]
        assert isinstance(named, forms.ModelMultipleChoiceField)  # noqa: S101 (declared above)
        named.queryset = staff_list()
        if self.chosen_customer_id:
            # The customer was opened from the customer list: his record says who he is and how to reach him.
            for name in CONTACT_FIELDS:
                del self.fields[name]

    @property
    def chosen_customer_id(self) -> str:
        """The id of the customer chosen from the customer list, as submitted or prefilled ('' when none)."""
        value = self.data.get("customer") if self.is_bound else self.initial.get("customer")
        return str(value or "").strip()

    def chosen_customer(self) -> Customer | None:
        """The customer chosen from the customer list, if the user may see him; None when none or unknown."""
        chosen = self.chosen_customer_id
        pk = int_param(chosen)
        if pk is None:
            return None
        return customer_list_visible_to(user=self.user).filter(pk=pk).first()

    def clean_title(self) -> str:
        return _no_null(self.cleaned_data["title"])

    def clean_description(self) -> str:
        return _no_null(self.cleaned_data["description"])

    def clean_remedy_sought(self) -> str:
        return _no_null(self.cleaned_data["remedy_sought"])

    def clean_name(self) -> str:
        return _no_null(self.cleaned_data["name"].strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        kind = cleaned.get("kind")
        if cleaned.get("named_staff") and kind and kind != CaseKind.COMPLAINT:
            self.add_error("named_staff", _("Staff can be named only in a complaint."))
        if cleaned.get("how_informed") == "other" and not cleaned.get("how_informed_other", "").strip():
            self.add_error("how_informed_other", _("Say how the customer was told of the notice."))
        self.found_customer = self._customer_find(cleaned)
        return cleaned

    def how_informed_text(self) -> str:
        """The evidence stored with the consent: the chosen way in the customer-neutral words of the
        list (in Chinese, the installation's language of record), or the agent's own words for "other"."""
        choice = self.cleaned_data["how_informed"]
        if choice == "other":
            return str(self.cleaned_data["how_informed_other"]).strip()
        with translation.override(settings.LANGUAGE_CODE):
            return str(dict(HOW_INFORMED_CHOICES)[choice])

    def _customer_find(self, cleaned: dict[str, Any]) -> Customer | None:
        """Return the existing customer the case is for, or None when a new one is to be recorded.

        Adds the errors that keep the case from being recorded: an unknown chosen customer, a phone number or
        e-mail address several customers share (the agent must pick one), missing contact details.
        """
        if self.chosen_customer_id:
            found = self.chosen_customer()
            if found is None:
                self.add_error(
                    None, _("This customer cannot be found. Open him again from the customer list.")
                )
            return found
        lookups = (
            (
                "phone",
                customer_find_by_phone,
                _(
                    "Several customers have this phone number: open the right one from the customer list "
                    "and record the case from there."
                ),
            ),
            (
                "email",
                customer_find_by_email,
                _(
                    "Several customers have this e-mail address: open the right one from the customer list "
                    "and record the case from there."
                ),
            ),
        )
        for field, find, several in lookups:
            value = cleaned.get(field)
            if not value:
                continue
            matches = list(find(**{field: value})[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                self.add_error(field, several)
                return None
        if not cleaned.get("name") and "name" not in self.errors:
            self.add_error("name", _("Enter the customer's name."))
        contact_invalid = "phone" in self.errors or "email" in self.errors
        if not contact_invalid and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error(None, _("Give the customer's phone number or e-mail address."))
        return None
