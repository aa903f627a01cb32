"""Who may do what with the service catalogue. Views, the API and the services call these same predicates.

The public reads published versions without signing in; these predicates cover the desk and the writes.
Each answers a `Decision` (charter/common/policy.py): the services raise from it, pages and the API ask it.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.permissions import AnyUser, is_staff_member
from charter.catalog.errors import ErrorCode
from charter.common.policy import ALLOWED, Decision, first_refusal, holds, refuse


def can_view_catalog_desk(user: AnyUser) -> Decision:
    """Decide whether `user` may see the catalogue desk, drafts included: staff holding
    catalog.view_serviceversion (every staff role; else `catalog_view_denied`)."""
    if is_staff_member(user) and holds(user, "catalog.view_serviceversion"):
        return ALLOWED
    return refuse(ErrorCode.VIEW_DENIED, _("You may not see the catalogue desk."))


def can_edit_catalog(user: AnyUser) -> Decision:
    """Decide whether `user` may create services and categories and edit drafts: holders of
    catalog.change_service and catalog.change_serviceversion (administrators; else `catalog_edit_denied`)."""
    if holds(user, "catalog.change_service") and holds(user, "catalog.change_serviceversion"):
        return ALLOWED
    return refuse(ErrorCode.EDIT_DENIED, _("You may not change the service catalogue."))


def can_publish_service_version(user: AnyUser) -> Decision:
    """Decide whether `user` may publish a draft so that it takes effect: an editor of the catalogue
    (`can_edit_catalog`) holding catalog.publish_serviceversion (administrators; else
    `catalog_publish_denied`)."""
    return first_refusal(
        lambda: can_edit_catalog(user),
        lambda: (
            ALLOWED
            if holds(user, "catalog.publish_serviceversion")
            else refuse(ErrorCode.PUBLISH_DENIED, _("You may not publish service versions."))
        ),
    )
