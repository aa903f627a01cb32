"""Who may do what in accounts. Views, the API and services call these same predicates.

A rule about an action answers a `Decision` (charter/common/policy.py); `is_staff_member` and
`is_administrator` are plain questions about a person.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.accounts.errors import ErrorCode
from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.common.policy import ALLOWED, Decision, holds, refuse

AnyUser = User | AnonymousUser


def is_staff_member(user: AnyUser) -> bool:
    """True for a signed-in member of staff (any staff role, or a superuser)."""
    return isinstance(user, User) and user.is_staff_member


def is_administrator(user: AnyUser) -> bool:
    """True for an administrator or a superuser."""
    return isinstance(user, User) and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


# Holding any of these gives access to discipline or to personal data beyond one's own cases (requests and
# exports, unmasked values, who looked at what, what is erased when): a second factor is required.
# accounts/migrations/0005 keeps its own copy (it decides which old DRF keys are carried forward).
SECOND_FACTOR_PERMISSIONS = (
    "conduct.decide_violation",
    "conduct.approve_discipline",
    "conduct.manage_ladder",
    "conduct.view_all_violations",
    "privacy.manage_data_requests",
    "privacy.manage_retention",
    "privacy.reveal_personal_data",
    "privacy.view_personal_data_log",
)


def requires_second_factor(user: AnyUser) -> bool:
    """True when `user` may not use the desk or the admin site without a second factor (TOTP): superusers,
    the admin site's staff (is_staff), administrators, and holders of a permission that decides discipline
    or reaches personal data (`SECOND_FACTOR_PERMISSIONS`). Such a user gets no API token for a password
    alone: the token endpoint answers 403 `account_second_factor_required` (accounts/api.py) and he makes
    tokens on his tokens page, signed in with both factors; a token he made that way keeps working."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_superuser or user.is_staff or user.has_role(Role.ADMINISTRATOR):
        return True
    if not user.is_staff_member:
        return False  # customers hold none of these rights: their pages cost no permission query
    return any(user.has_perm(permission) for permission in SECOND_FACTOR_PERMISSIONS)


def can_record_customer(user: AnyUser) -> Decision:
    """Decide whether `user` may record a customer: staff holding accounts.add_customer (agents, supervisors,
    administrators; else `account_customer_denied`). The public intake and the mailboxes record their
    senders without a signed-in actor."""
    if is_staff_member(user) and holds(user, "accounts.add_customer"):
        return ALLOWED
    return refuse(ErrorCode.CUSTOMER_DENIED, _("You may not record customers."))


def can_grant_superuser(user: AnyUser) -> Decision:
    """Decide whether `user` may make someone a superuser (or no longer one) or change a superuser's account
    or password: only an active superuser may (else `account_superuser_only`), so nobody holding
    accounts.change_user alone can raise himself above it."""
    if isinstance(user, User) and user.is_active and user.is_superuser:
        return ALLOWED
    return refuse(
        ErrorCode.SUPERUSER_ONLY, _("Only a superuser may grant superuser status or change a superuser.")
    )


def can_manage_people(user: AnyUser, target: User | None = None) -> Decision:
    """Decide whether `user` may change people's accounts (names, flags, roles, passwords, API tokens): he
    holds accounts.change_user, the permission of the admin's user pages (else `account_users_denied`);
    when `target` is a superuser, `user` must be one too (`can_grant_superuser`)."""
    if not holds(user, "accounts.change_user"):
        return refuse(ErrorCode.USERS_DENIED, _("You may not change people's accounts."))
    if target is not None and target.is_superuser:
        return can_grant_superuser(user)
    return ALLOWED


def can_manage_roles(user: AnyUser) -> Decision:
    """Decide whether `user` may create, delete or change the permissions of role groups: he holds
    auth.change_group, the permission of the admin's group pages (else `account_roles_denied`)."""
    if holds(user, "auth.change_group"):
        return ALLOWED
    return refuse(ErrorCode.ROLES_DENIED, _("You may not change roles."))


def can_manage_org_units(user: AnyUser) -> Decision:
    """Decide whether `user` may create, change, move or delete units of the organisation tree: he holds
    accounts.change_orgunit (else `account_org_units_denied`)."""
    if holds(user, "accounts.change_orgunit"):
        return ALLOWED
    return refuse(ErrorCode.ORG_UNITS_DENIED, _("You may not change the organisation tree."))


def can_manage_teams(user: AnyUser) -> Decision:
    """Decide whether `user` may create, change or delete teams and set their members and leads (who leads
    a team decides scopes): he holds accounts.change_team (else `account_teams_denied`)."""
    if holds(user, "accounts.change_team"):
        return ALLOWED
    return refuse(ErrorCode.TEAMS_DENIED, _("You may not change teams or their members."))
