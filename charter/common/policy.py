"""Permission decisions: each rule is one predicate answering "allowed" or a refusal carrying its error code.

A predicate in an app's `permissions.py` returns a `Decision`. Its truth value is the answer, so views and
templates ask it as before (`if can_resolve(user, case):`, `{% if can_resolve %}`), and services raise from
the very same answer with `require(can_resolve(actor, case))`: the page, the API and the service cannot
disagree, and the refusal names its code and reason in the user's language. The models are Wagtail's
permission policies and Zulip's `access_*` functions.

    def can_decide(user: AnyUser, violation: Violation) -> Decision:
        \"\"\"...\"\"\"
        if not holds(user, "conduct.decide_violation"):
            return refuse(ErrorCode.DECIDE_DENIED, _("You may not decide violations."))
        if violation.staff_id == user.pk:
            return refuse(ErrorCode.SELF_DECISION, _("Nobody decides a violation recorded against himself."))
        return ALLOWED

A refusal with `hidden=True` means the object is outside the user's scope: a service raises `NotFoundError`
(404, exactly like a missing object) instead of `PermissionDeniedError` (403), so a probe learns nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import Promise

from charter.common.errors import DomainError, NotFoundError, PermissionDeniedError


class Allowed:
    """The single "yes" answer (`ALLOWED`)."""

    __slots__ = ()

    def __bool__(self) -> Literal[True]:
        return True

    def __repr__(self) -> str:
        return "ALLOWED"


ALLOWED: Final = Allowed()


@dataclass(frozen=True, slots=True)
class Refusal:
    """A "no", with the machine-readable code and the reason people read."""

    code: str
    message: str | Promise
    hidden: bool = False

    def __bool__(self) -> Literal[False]:
        return False

    def error(self) -> DomainError:
        """Return the exception a service raises for this refusal (404 when hidden, else 403)."""
        if self.hidden:
            return NotFoundError(self.message, code=self.code)
        return PermissionDeniedError(self.message, code=self.code)


Decision: TypeAlias = Allowed | Refusal


def refuse(code: str, message: str | Promise, *, hidden: bool = False) -> Refusal:
    """Return a refusal with `code` and `message`; `hidden` when the object is outside the user's scope."""
    return Refusal(code=str(code), message=message, hidden=hidden)


def allow_if(condition: bool, code: str, message: str | Promise) -> Decision:
    """Return `ALLOWED` when `condition` holds, else a refusal with `code` and `message`."""
    return ALLOWED if condition else refuse(code, message)


def first_refusal(*checks: Callable[[], Decision]) -> Decision:
    """Ask `checks` in order and return the first refusal, or `ALLOWED` when every one allows.

    Each check is a callable so the later (often costlier) ones run only when the earlier ones allow.
    """
    for check in checks:
        decision = check()
        if isinstance(decision, Refusal):
            return decision
    return ALLOWED


def require(decision: Decision) -> None:
    """Raise the refusal's error when `decision` refuses; do nothing when it allows.

    Services call this first, with the same predicate the page and the API ask, before they read or write.
    """
    if isinstance(decision, Refusal):
        raise decision.error()


def page_require(decision: Decision) -> None:
    """The page's `require`: raise Http404 when `decision` hides the object (outside the reader's scope, as
    if it did not exist), PermissionDenied (403, the refusal's words) when it refuses; nothing when it allows.
    """
    if isinstance(decision, Refusal):
        if decision.hidden:
            raise Http404
        raise PermissionDenied(str(decision.message))


def holds(user: object, permission: str) -> bool:
    """True when `user` is an active, signed-in account holding the Django `permission` ("app.codename").

    The one place outside `permissions.py` modules where `has_perm` is asked; predicates build on it.
    """
    if user is None or isinstance(user, AnonymousUser):
        return False
    is_active = getattr(user, "is_active", False)
    has_perm = getattr(user, "has_perm", None)
    return bool(is_active and getattr(user, "is_authenticated", False) and has_perm and has_perm(permission))
