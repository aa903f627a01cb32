"""The signed-in user of a request, typed: one helper for every HTML view and API view.

It lives in accounts, not common, because it answers with accounts' `User` (common stays below accounts).
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from charter.accounts.models import User


def request_user(request: HttpRequest | Request) -> User:
    """Return the signed-in user of `request`; raise PermissionDenied (403) for an anonymous visitor.

    For views behind `login_required`, a page rule or DRF's IsAuthenticated, where it only narrows the
    type; it decides no permission (the apps' predicates do). Unlike an `assert`, it still refuses when
    Python runs with -O.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def request_staff(request: HttpRequest | Request) -> User:
    """Return the signed-in member of staff of `request` (`User.is_staff_member`); raise PermissionDenied
    (403) for anybody else. The gate of desk pages that any staff role may open; what he may do there is
    for the apps' predicates."""
    user = request_user(request)
    if not user.is_staff_member:
        raise PermissionDenied
    return user
