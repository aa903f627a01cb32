"""Forms of accounts: sign-in through the lockout, the second factor's code, preferences."""

from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.models import User
from charter.accounts.signin import LOCKED_MESSAGE, PathKind, SigninLockedError, signin_password
from charter.accounts.tasks import password_reset_mail_task
from charter.common.errors import DomainError
from charter.common.throttle import throttle_hit

HOUR = 3600


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form through the one lockout of every sign-in path (`accounts.signin`): refused
    while the username or the address is locked, each failure counted and audited."""

    path_kind: str = PathKind.DESK
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": LOCKED_MESSAGE,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not username or not password or self.request is None:
            return self.cleaned_data
        try:
            self.user_cache = signin_password(
                request=self.request, username=username, password=password, path_kind=self.path_kind
            )
        except SigninLockedError:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled") from None
        except DomainError:
            raise self.get_invalid_login_error() from None
        return self.cleaned_data


class AdminAuthenticationForm(ThrottledAuthenticationForm):
    """The same sign-in on the admin site's address (audited as the admin path)."""

    path_kind = PathKind.ADMIN


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("second factor", "Code"),
        max_length=20,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form whose mails are sent by the worker after the commit, at most
    CHARTER_PASSWORD_RESET_MAX_PER_HOUR to one account an hour (the page answers the same either way)."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        request = kwargs.get("request")
        domain = kwargs.get("domain_override") or (request.get_host() if request is not None else "")
        protocol = "https" if kwargs.get("use_https") else "http"
        for user in self.get_users(self.cleaned_data["email"]):
            if throttle_hit(f"password-reset:user:{user.pk}", window_seconds=HOUR) > (
                settings.CHARTER_PASSWORD_RESET_MAX_PER_HOUR
            ):
                continue
            transaction.on_commit(
                partial(
                    password_reset_mail_task,
                    user.pk,
                    domain,
                    protocol,
                    translation.get_language() or settings.LANGUAGE_CODE,
                )
            )


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
