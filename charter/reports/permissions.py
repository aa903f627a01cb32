"""Who may do what with the published figures. Views and services call these predicates."""

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser


def can_manage_disclosure(user: AnyUser) -> bool:
    """True for a user who may choose which performance figures the public charter shows (administrators)."""
    return isinstance(user, User) and user.is_active and user.has_perm("reports.manage_disclosure")
