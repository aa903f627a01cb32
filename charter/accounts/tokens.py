"""API tokens: made with a name and an expiry, kept only as the SHA-256 of their secret, shown once.

A token authenticates `Authorization: Token <secret>` (or `Bearer <secret>`) through
`HashedTokenAuthentication`. It stops working at its expiry, when its holder revokes it, and when its user
changes password, is deactivated or changes role (accounts' services call `api_tokens_revoke_for_user`).
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from charter.accounts.errors import TEXT_CODES, ErrorCode
from charter.accounts.models import ApiToken, User
from charter.accounts.permissions import can_manage_people
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import ALLOWED, Decision, require
from charter.common.text import clean_column_text

# Every secret starts with this, so a leaked one is recognisable by secret scanners and in logs.
SECRET_PREFIX = "cht_"  # noqa: S105 (a marker, not a secret)
# The part of the secret kept in clear to tell tokens apart: the marker and six characters.
SHOWN_LENGTH = len(SECRET_PREFIX) + 6
# last_used_at is written at most once a minute per token: a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)

Actor = User | AnonymousUser | None


class RevokeReason:
    """Why tokens ended, as recorded in `ApiToken.revoked_reason` and the audit event."""

    HOLDER = "revoked"
    PASSWORD = "password_changed"  # noqa: S105 (a reason, not a secret)
    DEACTIVATED = "deactivated"
    ROLES = "roles_changed"
    ADMIN = "revoked_by_admin"


def token_digest(secret: str) -> str:
    """The SHA-256 (hex) under which a secret is stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def can_revoke_token(user: User | AnonymousUser, token: ApiToken) -> Decision:
    """Decide whether `user` may revoke `token`: its own holder may, and whoever may change its holder's
    account (`can_manage_people`, whose refusal `account_users_denied` answers anyone else)."""
    if isinstance(user, User) and user.is_authenticated and user.pk == token.user_id:
        return ALLOWED
    return can_manage_people(user, token.user)


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    """The API tokens of `user`, newest first: live, expired and revoked ones (see `api_token_state`)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_state(token: ApiToken, *, now: Any = None) -> str:
    """Say whether `token` works: "active", "expired" or "revoked"."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def api_token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Make an API token for `user` and return it with its secret, which is never stored nor shown again.

    `expires_in_days` defaults to settings.CHARTER_API_TOKEN_DAYS and may be at most
    CHARTER_API_TOKEN_MAX_DAYS (else DomainError `account_token_expiry_invalid`); `name` is cleaned like
    every stored text (a blank one becomes "API"). Audited as `accounts.api_token_create` with the token's
    name, shown prefix and expiry, never its secret.
    """
    days = settings.CHARTER_API_TOKEN_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= settings.CHARTER_API_TOKEN_MAX_DAYS:
        raise DomainError(
            _("A token lasts from 1 to %(days)d days.") % {"days": settings.CHARTER_API_TOKEN_MAX_DAYS},
            code=ErrorCode.TOKEN_EXPIRY_INVALID,
            field="expires_in_days",
        )
    name = clean_column_text(name, model=ApiToken, column="name", codes=TEXT_CODES, multiline=False) or "API"
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:SHOWN_LENGTH],
            digest=token_digest(secret),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(
            actor=user,
            action="accounts.api_token_create",
            target=user,
            data={
                "token": token.pk,
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": token.expires_at,
            },
        )
    return token, secret


def api_token_revoke(*, actor: Actor, token: ApiToken, reason: str = RevokeReason.HOLDER) -> bool:
    """Revoke `token` so that every client holding it is refused from now on; return whether it was live.

    `actor` must be the token's holder or allowed by `can_manage_people` for him (None: the system), else
    PermissionDeniedError. Audited as `accounts.api_token_revoke` with the token's id, name and reason,
    never its secret; nothing is recorded for a token already revoked.
    """
    if actor is not None:
        require(can_revoke_token(actor, token))
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        token.refresh_from_db(fields=["revoked_at", "revoked_reason"])
        if not updated:
            return False
        audit_record(
            actor=actor,
            action="accounts.api_token_revoke",
            target=token.user,
            data={"tokens": [token.pk], "name": token.name, "reason": reason},
        )
    return True


def api_tokens_revoke_for_user(*, user: User, reason: str, actor: Actor = None) -> int:
    """Revoke every live API token of `user` (his password, status or roles changed); return how many.

    Called by accounts' services inside their own transaction, so the revocation commits with the change.
    Audited as one `accounts.api_token_revoke` event listing the tokens and the reason when there was any.
    """
    with transaction.atomic():
        ids = list(
            ApiToken.objects.select_for_update()
            .filter(user=user, revoked_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now(), revoked_reason=reason)
        audit_record(
            actor=actor,
            action="accounts.api_token_revoke",
            target=user,
            data={"tokens": ids, "reason": reason},
        )
    return len(ids)


class HashedTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <secret>` or `Bearer <secret>`, looked up by the secret's SHA-256.

    An unknown, expired or revoked token, or one whose user is inactive, answers 401 with a code of its own;
    a request without such a header is left to the next authentication class.
    """

    keywords = (b"token", b"bearer")

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be 'Token' and one secret."), code=ErrorCode.TOKEN_INVALID
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = (
            ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
            if secret
            else None
        )
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid."), code=ErrorCode.TOKEN_INVALID
            )
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API token was revoked; make a new one."), code=ErrorCode.TOKEN_REVOKED
            )
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This API token has expired; make a new one."), code=ErrorCode.TOKEN_EXPIRED
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account of this API token is inactive."), code=ErrorCode.TOKEN_USER_INACTIVE
            )
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            # A conditional update: of two requests in the same minute only one writes.
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A value here makes DRF answer 401 (not 403) to an unauthenticated request.
        return "Token"


class HashedTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describe HashedTokenAuthentication in the API schema."""

    target_class = "charter.accounts.tokens.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_('Token-based authentication: "Token <secret>" or "Bearer <secret>".')),
        }
