"""Who may do what in accounts. Views, the API and services call these same predicates."""

from django.contrib.auth.models import AnonymousUser

from charter.accounts.models import User
from charter.accounts.roles import Role

AnyUser = User | AnonymousUser


def is_staff_member(user: AnyUser) -> bool:
    """True for a signed-in member of staff (any staff role, or a superuser)."""
    return isinstance(user, User) and user.is_staff_member


def is_administrator(user: AnyUser) -> bool:
    """True for an administrator or a superuser."""
    return isinstance(user, User) and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def can_manage_customers(user: AnyUser) -> bool:
    """True for staff allowed to record and edit customers."""
    return bool(user.is_authenticated and user.has_perm("accounts.change_customer"))
