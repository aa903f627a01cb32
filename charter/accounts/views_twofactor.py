"""Pages of two-factor authentication: the code asked after the password, and `/accounts/2fa/` where a
person sets up his authenticator (QR code and secret, confirmed with a code), sees his ten recovery codes
once, makes new ones or turns the second factor off (both only with a code)."""

import time

from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from charter.accounts.forms import SecondFactorForm
from charter.accounts.models import User
from charter.accounts.permissions import requires_second_factor
from charter.accounts.signin import (
    LOCKED_MESSAGE,
    PathKind,
    SigninLockedError,
    signin_failure,
    signin_refuse_if_locked,
    signin_succeeded,
)
from charter.accounts.twofactor import (
    has_second_factor,
    recovery_codes_renew,
    second_factor_confirm,
    second_factor_disable,
    second_factor_verify,
    totp_pending_device,
    totp_qr_svg,
    totp_secret,
)
from charter.common.errors import DomainError

PENDING_KEY = "charter_signin_pending"
PENDING_SECONDS = 300


def signin_pending_start(*, request: HttpRequest, user: User, path_kind: str, next_url: str) -> None:
    """Remember, in the not yet signed-in session, whose password passed: the code page finishes the
    sign-in within PENDING_SECONDS."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "path": str(path_kind),
        "next": next_url,
        "at": time.time(),
    }


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, object]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else None


def signin_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code of the user's authenticator or a recovery code. Wrong codes
    count towards the same lockout as wrong passwords."""
    found = _pending_user(request)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin_refuse_if_locked(request=request, username=user.get_username())
            device = second_factor_verify(user=user, token=form.cleaned_data["code"])
            if device is None:
                signin_failure(
                    request=request,
                    username=user.get_username(),
                    path_kind=PathKind.SECOND_FACTOR,
                    reason="second_factor",
                )
                form.add_error("code", _("That code is not right. Try the code your app shows now."))
            else:
                request.session.pop(PENDING_KEY, None)
                auth_login(request, user, backend=str(pending.get("backend") or "") or None)
                otp_login(request, device)
                signin_succeeded(
                    request=request, user=user, path_kind=str(pending["path"]), second_factor=True
                )
                next_url = str(pending.get("next") or "")
                if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                    next_url = reverse("accounts:home")
                return HttpResponseRedirect(next_url)
        except SigninLockedError:
            request.session.pop(PENDING_KEY, None)
            form.add_error(None, LOCKED_MESSAGE)
    return render(request, "accounts/twofactor_signin.html", {"form": form})


@login_required
def twofactor(request: HttpRequest) -> HttpResponse:
    """Set up, renew or turn off the second factor (see the module's description)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    form = SecondFactorForm(request.POST or None)
    action = request.POST.get("action", "")
    if has_second_factor(user):
        if request.method == "POST" and form.is_valid():
            try:
                if action == "renew":
                    codes = recovery_codes_renew(user=user, token=form.cleaned_data["code"], request=request)
                    return render(request, "accounts/twofactor_codes.html", {"codes": codes})
                if action == "disable":
                    second_factor_disable(user=user, token=form.cleaned_data["code"], request=request)
                    return redirect("accounts:twofactor")
            except DomainError as error:
                form.add_error("code", str(error.message))
        return render(
            request,
            "accounts/twofactor_manage.html",
            {"form": form, "required": requires_second_factor(user)},
        )
    device = totp_pending_device(user=user)
    form.fields["code"].help_text = ""  # no recovery codes yet: only the app's code confirms
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor_confirm(
                user=user, device=device, token=form.cleaned_data["code"], request=request
            )
        except DomainError as error:
            form.add_error("code", str(error.message))
        else:
            return render(request, "accounts/twofactor_codes.html", {"codes": codes, "enrolled": True})
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
        "required": requires_second_factor(user),
    }
    return render(request, "accounts/twofactor_enrol.html", context)
