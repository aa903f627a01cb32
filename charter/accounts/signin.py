"""The one sign-in check every path uses: the desk's sign-in form, the admin site (which uses the same
form), the API token endpoint and the second factor's step.

A username or an address that failed too often is refused before its password is even looked at, with the
same words whether the account exists or not; every failure and every success is audited (the user's id
when the username names one, never the password, and never a customer's e-mail address in clear).
"""

import hashlib
from enum import StrEnum

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from charter.accounts.errors import ErrorCode
from charter.accounts.models import User
from charter.accounts.throttle import login_failure_record, login_failures_clear, login_is_locked
from charter.audit.services import audit_record, audit_user_label
from charter.common.errors import DomainError
from charter.common.http import client_ip


class PathKind(StrEnum):
    """Where a sign-in came from (recorded in the audit events)."""

    DESK = "desk"
    ADMIN = "admin"
    API_TOKEN = "api_token"  # noqa: S105 (a path's name, not a secret)
    SECOND_FACTOR = "second_factor"


class SigninLockedError(DomainError):
    """Too many failures for this username or from this address: try again later (HTTP 429)."""

    status = 429
    default_code = ErrorCode.LOGIN_THROTTLED


LOCKED_MESSAGE = _("Too many failed sign-in attempts. Wait a few minutes and try again.")
FAILED_MESSAGE = _("Please enter a correct username and password. Both fields may be case-sensitive.")


def _username_label(username: str) -> str:
    """What the audit trail keeps of a username that names nobody: a short hash, never the text typed
    (it may be a customer's e-mail address or a password typed in the wrong field)."""
    return "sha256:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]


def _known_user(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def _target(user: User | None) -> User | None:
    """The event's target: the user; audit_record names a customer `User #<pk>` in target_repr (the one rule,
    audit_names_by_id), so his name never sits in the audit trail, which erasure cannot rewrite."""
    return user


def _audit_failure(*, request: HttpRequest, username: str, path_kind: str, reason: str, locked: bool) -> None:
    user = _known_user(username)
    data = {"path": str(path_kind), "reason": reason}
    if user is not None:
        data["user_id"] = str(user.pk)
    else:
        data["username"] = _username_label(username)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="accounts.signin_failed",
            target=_target(user),
            data=data,
            request=request,
            actor_label=audit_user_label(user) if user is not None else "",
        )
        if locked:
            audit_record(
                actor=None, action="accounts.signin_locked", target=_target(user), data=data, request=request
            )


def signin_refuse_if_locked(*, request: HttpRequest, username: str) -> None:
    """Raise SigninLockedError when the username or the caller's address is locked out."""
    if login_is_locked(username=username, address=client_ip(request)):
        raise SigninLockedError(LOCKED_MESSAGE)


def signin_failure(*, request: HttpRequest, username: str, path_kind: str, reason: str = "password") -> None:
    """Count and audit one failed attempt (a wrong password, a wrong second-factor code)."""
    locked = login_failure_record(username=username, address=client_ip(request))
    _audit_failure(request=request, username=username, path_kind=path_kind, reason=reason, locked=locked)


def signin_password(*, request: HttpRequest, username: str, password: str, path_kind: str) -> User:
    """Check a username and password through the lockout; return the user, or raise (`account_login_
    throttled` with status 429 while locked, `account_signin_failed` for wrong credentials or an inactive
    account). Audits failures only: the caller audits the success once the sign-in is complete."""
    signin_refuse_if_locked(request=request, username=username)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        signin_failure(request=request, username=username, path_kind=path_kind)
        raise DomainError(FAILED_MESSAGE, code=ErrorCode.SIGNIN_FAILED)
    return user


def signin_succeeded(
    *, request: HttpRequest, user: User, path_kind: str, second_factor: bool = False
) -> None:
    """Forget the username's failures and audit the sign-in (`accounts.signin`)."""
    login_failures_clear(username=user.get_username(), address=client_ip(request))
    with transaction.atomic():
        audit_record(
            actor=user,
            action="accounts.signin",
            target=_target(user),
            data={"path": str(path_kind), "second_factor": second_factor, "user_id": str(user.pk)},
            request=request,
        )


def signin_check(*, request: HttpRequest, username: str, password: str, path_kind: str) -> User:
    """Sign-in for paths without a second step (the API token endpoint): the lockout, the password, the
    audit of the failure or the success; return the user or raise DomainError (see `signin_password`)."""
    user = signin_password(request=request, username=username, password=password, path_kind=path_kind)
    signin_succeeded(request=request, user=user, path_kind=path_kind)
    return user
