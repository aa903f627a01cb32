"""The API tokens page: a signed-in user makes named tokens with an expiry (each secret shown once, on the
answer that made it) and revokes his own."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.accounts.models import User
from charter.accounts.tokens import api_token_create, api_token_list_for, api_token_revoke, api_token_state
from charter.common.errors import DomainError
from charter.common.http import int_param


class ApiTokenForm(forms.Form):
    """A new API token: what it is for and how long it lasts (up to CHARTER_API_TOKEN_MAX_DAYS)."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, such as the program that will use it."),
    )
    expires_in_days = forms.TypedChoiceField(label=gettext_lazy("Expires after"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = settings.CHARTER_API_TOKEN_MAX_DAYS
        days = sorted({d for d in (7, 30, settings.CHARTER_API_TOKEN_DAYS, 180, 365) if d <= longest})
        field = self.fields["expires_in_days"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101
        field.choices = [(d, _("%(days)d days") % {"days": d}) for d in days]
        field.initial = settings.CHARTER_API_TOKEN_DAYS


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens: make one (its secret shown on this answer only) and revoke any."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    form = ApiTokenForm()
    secret = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(api_token_list_for(user=user), pk=int_param(request.POST["revoke"]))
        if api_token_revoke(actor=user, token=token):
            messages.success(request, _('The token "%(name)s" was revoked.') % {"name": token.name})
        return redirect("accounts:api_tokens")
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = api_token_create(
                    user=user,
                    name=form.cleaned_data["name"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except DomainError as error:
                form.add_error(error.field, str(error.message))
            else:
                form = ApiTokenForm()
    tokens = [(token, api_token_state(token)) for token in api_token_list_for(user=user)]
    response = render(request, "accounts/tokens.html", {"form": form, "secret": secret, "tokens": tokens})
    # The secret is on this page once: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response
