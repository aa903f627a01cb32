"""HTML views of accounts: sign-in and out, password reset, preferences, the staff and customer homes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charter.accounts.forms import PreferencesForm, ThrottledAuthenticationForm
from charter.accounts.models import User
from charter.accounts.permissions import is_staff_member
from charter.accounts.services import user_preferences_update


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send staff to the desk and customers to their portal."""
    if is_staff_member(request.user):
        return redirect("accounts:desk")
    return redirect("accounts:portal")


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The staff home: what awaits the signed-in member of staff, and where to work."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    return render(request, "accounts/desk.html")


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """The signed-in customer's home."""
    return render(request, "accounts/portal.html")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Let a user choose his own language and time zone."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user_preferences_update(
            user=user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"]
        )
        messages.success(request, _("Your preferences were saved."))
        response = redirect("accounts:preferences")
        if user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (a cookie for visitors; also the user's preference when signed in)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("catalog:home")
    response = HttpResponseRedirect(next_url)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
        if request.user.is_authenticated:
            assert isinstance(request.user, User)  # noqa: S101
            user_preferences_update(user=request.user, language=language)
    return response
