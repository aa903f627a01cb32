"""Who may read the audit trail."""

from django.contrib.auth.models import AbstractUser, AnonymousUser


def can_view_audit_trail(user: AbstractUser | AnonymousUser) -> bool:
    """True for a signed-in user holding audit.view_audit_trail (administrators)."""
    return bool(user.is_authenticated and user.has_perm("audit.view_audit_trail"))
