"""Who may do what in accounts. Views, the API and services call these same predicates."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from charter.accounts.roles import Role

AnyUser = AbstractBaseUser | AnonymousUser


def is_staff_member(user: AnyUser) -> bool:
    """True for a signed-in member of staff (any staff role, or a superuser)."""
    return bool(user.is_authenticated and getattr(user, "is_staff_member", False))


def is_administrator(user: AnyUser) -> bool:
    """True for an administrator or a superuser."""
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR)))  # type: ignore[union-attr]


def can_manage_customers(user: AnyUser) -> bool:
    """True for staff allowed to record and edit customers."""
    return bool(user.is_authenticated and user.has_perm("accounts.change_customer"))
