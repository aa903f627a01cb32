"""Forms of accounts: sign-in with throttling, and the user's own preferences."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.throttle import login_failure_record, login_failures_clear, login_is_locked
from charter.common.http import client_ip


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts once a username or address has failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_ip(self.request) if self.request else ""
        if login_is_locked(username=username, address=address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        login_failures_clear(username=username, address=address)
        return cleaned


class PreferencesForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["language", "time_zone"]


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[
            ("name", _("full name")),
            ("phone", _("phone")),
            ("email", _("e-mail")),
            ("id_number", _("ID number")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput)


class CustomerSearchForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=200)
