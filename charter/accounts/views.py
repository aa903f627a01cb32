"""HTML views of accounts: sign-in and out, password reset, preferences, the staff and customer homes."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charter.accounts.forms import (
    AdminAuthenticationForm,
    CustomerSearchForm,
    PreferencesForm,
    RevealForm,
    ThrottledAuthenticationForm,
    ThrottledPasswordResetForm,
)
from charter.accounts.models import User
from charter.accounts.panels import CONTACT_FIELDS, customer_contact_grant, customer_panels
from charter.accounts.permissions import is_staff_member
from charter.accounts.selectors import (
    customer_find_by_email,
    customer_find_by_phone,
    customer_list_visible_to,
)
from charter.accounts.services import user_preferences_update
from charter.accounts.signin import PathKind, signin_succeeded
from charter.accounts.tiles import desk_tiles
from charter.accounts.tokens import RevokeReason, api_tokens_revoke_for_user
from charter.accounts.twofactor import has_second_factor
from charter.accounts.views_twofactor import signin_pending_start
from charter.audit.list_exports import list_export
from charter.common.errors import DomainError
from charter.common.http import client_ip
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule
from charter.common.throttle import throttle_hit
from charter.privacy.masking import mask
from charter.privacy.permissions import can_reveal_personal_data
from charter.privacy.services import personal_data_reveal, personal_data_view


class LoginView(auth_views.LoginView):
    """The one sign-in page (also the admin site's): the password through the lockout, then, for someone
    with an authenticator, the code on a second page (views_twofactor.signin_code) before the session is
    signed in."""

    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True
    path_kind: str = PathKind.DESK

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        assert isinstance(user, User)  # noqa: S101 (the form signs in only our users)
        if has_second_factor(user):
            signin_pending_start(
                request=self.request, user=user, path_kind=self.path_kind, next_url=self.get_success_url()
            )
            return redirect("accounts:signin_code")
        auth_login(self.request, user)
        signin_succeeded(request=self.request, user=user, path_kind=self.path_kind)
        return HttpResponseRedirect(self.get_success_url())


class AdminLoginView(LoginView):
    """/admin/login/: the same sign-in, lockout and second factor as the desk's (admin.site.login)."""

    authentication_form = AdminAuthenticationForm
    # The admin sends a signed-in person without admin rights here; showing the form avoids a loop.
    redirect_authenticated_user = False
    path_kind = PathKind.ADMIN

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")


def admin_login(request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponseBase:
    """The admin site's login (installed as `admin.site.login` in config/urls.py)."""
    return AdminLoginView.as_view()(request)


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: the page answers the same whether the address names an account or not, and
    whether or not a limit held the mail back (CHARTER_PASSWORD_RESET_MAX_PER_ADDRESS requests an hour from
    one address; the form limits the mails to one account); the worker sends the mail."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = ThrottledPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        key = f"password-reset:addr:{client_ip(self.request)}"
        if throttle_hit(key, window_seconds=3600) > settings.CHARTER_PASSWORD_RESET_MAX_PER_ADDRESS:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # The new password and the end of every API token made under the old one commit together.
        with transaction.atomic():
            response = super().form_valid(form)
            api_tokens_revoke_for_user(user=form.user, reason=RevokeReason.PASSWORD)
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send staff to the desk and customers to their portal."""
    if is_staff_member(request.user):
        return redirect("accounts:desk")
    return redirect("cases:portal")


@page_rule(is_staff_member)
def desk(request: HttpRequest) -> HttpResponse:
    """The staff home: what awaits the signed-in member of staff, a tile with a count for each kind of work
    (registered by the apps in `desk_tiles`), each linking to the list it counts."""
    assert isinstance(request.user, User)  # noqa: S101 (is_staff_member)
    return render(request, "accounts/desk.html", {"tiles": desk_tiles.collect(request.user)})


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


MASK_KINDS = {"name": "name", "phone": "phone", "email": "email", "id_number": "id_number"}


def _masked(customer: object) -> dict[str, str]:
    return {field: mask(getattr(customer, field), kind) for field, kind in MASK_KINDS.items()}


# The export shows what the page shows: masked, never the stored values, whoever asks.
CUSTOMER_COLUMNS: list[Column[Any]] = [
    Column(gettext_lazy("Customer"), str),
    Column(gettext_lazy("full name"), lambda customer: mask(customer.name, "name")),
    Column(gettext_lazy("phone"), lambda customer: mask(customer.phone, "phone")),
    Column(gettext_lazy("e-mail"), lambda customer: mask(customer.email, "email")),
    Column(gettext_lazy("organisation"), lambda customer: str(customer.organisation or "")),
]


@page_rule(is_staff_member)
def customer_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Customers, masked; exact search by phone or e-mail through the blind indexes; `?format=csv|xlsx`
    exports them, masked as on the page (audited, without the phone or e-mail searched for)."""
    assert isinstance(request.user, User)  # noqa: S101
    customers = customer_list_visible_to(user=request.user)
    form = CustomerSearchForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["phone"]:
            customers = customers & customer_find_by_phone(phone=form.cleaned_data["phone"])
        if form.cleaned_data["email"]:
            customers = customers & customer_find_by_email(email=form.cleaned_data["email"])
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="accounts.customers",
            title=_("Customers"),
            rows=customers.select_related("organisation"),
            columns=CUSTOMER_COLUMNS,
            filters=form_filters(form, private=("phone", "email")),
            extension=extension,
        )
    page = Paginator(customers, 50).get_page(request.GET.get("page"))
    rows = [(customer, _masked(customer)) for customer in page]
    return render(request, "accounts/customer_list.html", {"form": form, "page": page, "rows": rows})


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One customer, masked, and the cases of his the reader may see (panels of the apps above).

    The handler of an open case of the customer sees his name, phone and e-mail unmasked (a grant registered
    in `accounts.panels`; each view audited); holders of the reveal permission may show one field, giving a
    reason.
    """
    if not is_staff_member(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)  # noqa: S101
    customer = get_object_or_404(customer_list_visible_to(user=request.user), pk=pk)
    revealed: dict[str, str] = {}
    form = RevealForm(request.POST or None)
    if request.method == "POST":
        if not can_reveal_personal_data(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                field = form.cleaned_data["field"]
                revealed[field] = personal_data_reveal(
                    user=request.user,
                    obj=customer,
                    field=field,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except DomainError as error:
                form.add_error(error.field, str(error.message))
    grant = customer_contact_grant(user=request.user, customer=customer)
    if grant is not None:
        shown = personal_data_view(
            user=request.user, obj=customer, fields=CONTACT_FIELDS, ground=grant.ground, request=request
        )
        revealed = {**shown, **revealed}
    context = {
        "customer": customer,
        "masked": _masked(customer),
        "revealed": revealed,
        "contact_note": grant.note if grant is not None else "",
        "form": form,
        "can_reveal": can_reveal_personal_data(request.user),
        "panels": customer_panels.render(request, customer),
    }
    return render(request, "accounts/customer_detail.html", context)
