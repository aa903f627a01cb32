"""Who may do what with calendars and SLA policies. Views, the API and the services call these predicates."""

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser


def can_view_sla(user: AnyUser) -> bool:
    """True for a member of staff who may read calendars and SLA policies (every staff role)."""
    return isinstance(user, User) and user.is_active and user.has_perm("sla.view_businesscalendar")


def can_edit_sla(user: AnyUser) -> bool:
    """True for a user who may change calendars, holidays, assignments and SLA policies (administrators)."""
    return isinstance(user, User) and user.is_active and user.has_perm("sla.manage_sla")
