"""Two-factor authentication: a TOTP device (django-otp's TOTPDevice, any authenticator app) and ten
single-use recovery codes (its StaticDevice), and the middleware that sends a person who needs a second
factor (`permissions.requires_second_factor`) to enrol before he may use anything else.

Sign-in asks for the code after the password (views_twofactor.signin_code); the session counts as verified
(django-otp's `request.user.is_verified()`) only once a code of one of the user's confirmed devices passed.
"""

import re
from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from charter.accounts.errors import ErrorCode
from charter.accounts.models import User
from charter.accounts.permissions import requires_second_factor
from charter.audit.services import audit_record

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


class SecondFactorChange(StrEnum):
    """What happened to someone's second factor, as told to him by mail and recorded in the audit."""

    ENROLLED = "enrolled"
    REPLACED = "replaced"  # a new authenticator instead of a confirmed one
    RECOVERY_RENEWED = "recovery_renewed"
    DISABLED = "disabled"


# (user, change) -> whether a notice was queued. Accounts sits below the mail app, which registers the
# function that renders the editable template and queues the mail (charter.mail.accounts_mail).
SecondFactorMailer = Callable[[User, SecondFactorChange], bool]
_mailers: list[SecondFactorMailer] = []


def second_factor_mailer_register(mailer: SecondFactorMailer) -> None:
    """Register the function that renders and queues the notice of a second-factor change."""
    _mailers[:] = [mailer]


def second_factor_notice_send(*, user_id: int, change: str) -> bool:
    """Tell the user by mail that his second factor changed (so a stranger who knows his password and
    enrolled his own authenticator does not go unnoticed); False without an active user, an address or a
    registered mailer."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not _mailers:
        return False
    return _mailers[0](user, SecondFactorChange(change))


def _notice_after_commit(user: User, change: SecondFactorChange) -> None:
    from charter.accounts.tasks import second_factor_notice_task

    transaction.on_commit(partial(second_factor_notice_task, user.pk, str(change)))


def has_second_factor(user: User) -> bool:
    """True when `user` has a confirmed authenticator (TOTP) device."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def totp_pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator device the enrolment page shows (made on first visit, kept until
    confirmed, so reloading the page doesn't change the secret the person is scanning)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four, as authenticator apps accept it typed."""
    import base64

    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code in inline SVG (made here: no image leaves the server)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, dark="#000", light="#fff"
    )
    return svg


def _normalise(token: str) -> str:
    return re.sub(r"\s+", "", token or "").lower()


def _recovery_codes_issue(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device of `user` that accepts `token` (an authenticator code or an unused recovery
    code, which is used up), or None."""
    token = _normalise(token)
    if not token or len(token) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                if isinstance(device, StaticDevice):
                    audit_record(
                        actor=user,
                        action="accounts.second_factor_recovery_used",
                        target=user,
                        data={"left": device.token_set.count()},
                    )
                return device
    return None


def second_factor_confirm(*, user: User, device: TOTPDevice, token: str, request: HttpRequest) -> list[str]:
    """Confirm the pending authenticator device with a code from it; return ten new recovery codes (shown
    once). The session counts as verified from now on. Raises DomainError (`account_second_factor_invalid`)
    for a wrong code."""
    from charter.common.errors import DomainError

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(_normalise(token)):
            raise DomainError(
                _("That code is not right. Check the time on your phone and type the code shown now."),
                code=ErrorCode.SECOND_FACTOR_INVALID,
                field="code",
            )
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_issue(user)
        change = SecondFactorChange.REPLACED if replaced else SecondFactorChange.ENROLLED
        audit_record(
            actor=user,
            action="accounts.second_factor_enrol",
            target=user,
            data={"change": str(change)},
            request=request,
        )
        _notice_after_commit(user, change)
    otp_login(request, device)
    return codes


def _refuse_wrong_code() -> None:
    from charter.common.errors import DomainError

    raise DomainError(
        _("That code is not right. Type the code your authenticator app shows now, or a recovery code."),
        code=ErrorCode.SECOND_FACTOR_INVALID,
        field="code",
    )


def recovery_codes_renew(*, user: User, token: str, request: HttpRequest) -> list[str]:
    """Replace the recovery codes (the old ones stop working), after a code of the user's devices."""
    if second_factor_verify(user=user, token=token) is None:
        _refuse_wrong_code()
    with transaction.atomic():
        codes = _recovery_codes_issue(user)
        audit_record(
            actor=user,
            action="accounts.second_factor_enrol",
            target=user,
            data={"recovery_codes": "renewed", "change": str(SecondFactorChange.RECOVERY_RENEWED)},
            request=request,
        )
        _notice_after_commit(user, SecondFactorChange.RECOVERY_RENEWED)
    return codes


def second_factor_disable(*, user: User, token: str, request: HttpRequest) -> None:
    """Turn two-factor authentication off (every device and recovery code deleted), after a code of the
    user's devices. Someone who needs a second factor is sent to enrol again at once."""
    if second_factor_verify(user=user, token=token) is None:
        _refuse_wrong_code()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=user, action="accounts.second_factor_disable", target=user, request=request)
        _notice_after_commit(user, SecondFactorChange.DISABLED)
    request.session.pop("otp_device_id", None)


def second_factor_enrol_known(*, user: User, key_hex: str) -> TOTPDevice:
    """Give `user` a confirmed authenticator device with the given secret (the demo's published one)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)


# Pages a person who must enrol may still open: the enrolment itself, signing out, the language switch.
ENROL_ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/login/", "/i18n/", "/static/")


class SecondFactorRequiredMiddleware:
    """Send a signed-in user who needs a second factor and whose session isn't verified to the enrolment
    page: nothing else of the desk, the portal, the admin site or the session-authenticated API answers
    until he has enrolled (API tokens are read later, by DRF, and are not affected)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            settings.CHARTER_SECOND_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(ENROL_ALLOWED_PREFIXES)
            and not user.is_verified()
            and requires_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": ErrorCode.SECOND_FACTOR_REQUIRED,
                        "detail": _("Set up two-factor authentication before using this account."),
                    },
                    status=403,
                )
            return redirect("accounts:twofactor")
        return self.get_response(request)
