"""Who may read the audit trail."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def can_view_audit_trail(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True for a signed-in user holding audit.view_audit_trail (administrators)."""
    return bool(user.is_authenticated and user.has_perm("audit.view_audit_trail"))
