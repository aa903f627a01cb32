"""Who may do what with the standards. Views, the API and services call these same predicates."""

from django.contrib.auth.models import AbstractUser, AnonymousUser

AnyUser = AbstractUser | AnonymousUser


def can_view_standards(user: AnyUser) -> bool:
    """True for a signed-in user who may read the staff pages of the standards (every staff role).

    Published versions are public policy and need no permission; this guards the desk pages.
    """
    return bool(user.is_authenticated and user.has_perm("standards.view_standarddocument"))


def can_edit_standards(user: AnyUser) -> bool:
    """True for a user who may create documents, write drafts and publish them (administrators)."""
    return bool(user.is_authenticated and user.has_perm("standards.manage_standards"))


def can_acknowledge_standards(user: AnyUser) -> bool:
    """True for a member of staff who may acknowledge published versions of the code of conduct."""
    return bool(user.is_authenticated and user.has_perm("standards.add_standardacknowledgement"))


def can_view_acknowledgement_report(user: AnyUser) -> bool:
    """True for a user who may see who has acknowledged a version (supervisors and administrators).

    Which people the report covers is scoped by `acknowledgement_report_user_list`.
    """
    return bool(user.is_authenticated and user.has_perm("standards.view_acknowledgement_report"))


def can_view_everyone_in_report(user: AnyUser) -> bool:
    """True for a user whose acknowledgement report covers all staff, not only his teams (administrators)."""
    return can_edit_standards(user) or bool(user.is_authenticated and user.is_superuser)
