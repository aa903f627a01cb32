"""Who may do what with the service catalogue. Views, the API and the services call these same predicates.

The public reads published versions without signing in; these predicates cover the desk and the writes.
"""

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser


def can_view_catalog_desk(user: AnyUser) -> bool:
    """True for a member of staff who may see the catalogue desk, drafts included (every staff role)."""
    return isinstance(user, User) and user.is_staff_member and user.has_perm("catalog.view_serviceversion")


def can_edit_catalog(user: AnyUser) -> bool:
    """True for a user who may create services and categories and edit drafts (administrators)."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.has_perm("catalog.change_service")
        and user.has_perm("catalog.change_serviceversion")
    )


def can_publish_service_version(user: AnyUser) -> bool:
    """True for a user who may publish a draft so that it takes effect (administrators)."""
    return can_edit_catalog(user) and user.has_perm("catalog.publish_serviceversion")
