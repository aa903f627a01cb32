"""Reads of accounts: scopes in the organisation tree, the people who hold a role or a permission, customers
found by their personal data.

The one home of "whose work is in my scope" (`scope_team_ids`, `team_list_led_by`) and of "who are the
staff, the leads, the holders of permission X" (`staff_list`, `team_lead_list`, `user_list_with_permission`):
every app asks these instead of writing the query again.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from charter.accounts.models import Customer, OrgUnit, QualificationGrant, Team, TeamMembership, User
from charter.accounts.roles import STAFF_ROLES

_SCOPE_CACHE = "_accounts_scope_team_ids"


def org_unit_subtree(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Return `unit` and every unit under it, at any depth."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def team_list_led_by(*, user: User) -> QuerySet[Team]:
    """Return the teams `user` leads, and every team in a unit under a unit whose team he leads."""
    led_paths = list(
        OrgUnit.objects.filter(teams__memberships__user=user, teams__memberships__is_lead=True)
        .values_list("path", flat=True)
        .distinct()
    )
    if not led_paths:
        return Team.objects.none()
    scope = Q()
    for path in led_paths:
        scope |= Q(unit__path__startswith=path)
    return Team.objects.filter(scope)


_LED_CACHE = "_accounts_led_team_ids"


def led_team_ids(user: User) -> frozenset[int]:
    """Return the ids of `team_list_led_by(user=user)`, read once per user object: the desk home's tiles and
    list pages ask it for every app and row, and this keeps it to one query per request."""
    cached: frozenset[int] | None = getattr(user, _LED_CACHE, None)
    if cached is None:
        cached = (
            frozenset(team_list_led_by(user=user).values_list("pk", flat=True)) if user.pk else frozenset()
        )
        setattr(user, _LED_CACHE, cached)
    return cached


def scope_team_ids(user: User) -> frozenset[int]:
    """Return the ids of the teams whose work `user` sees as staff: the teams he belongs to, and those he
    leads with every team in a unit under a unit whose team he leads (`team_list_led_by`).

    Cached on the user object for the request; an unsaved or anonymous user has no teams.
    """
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return frozenset(cached)
    if user.pk is None:
        return frozenset()
    own = set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
    led = set(led_team_ids(user))
    ids = frozenset(own | led)
    setattr(user, _SCOPE_CACHE, ids)
    return ids


def staff_list() -> QuerySet[User]:
    """Return the active members of staff (a staff role, or a superuser; see `User.is_staff_member`), by
    username."""
    staff = Q(is_superuser=True) | Q(groups__name__in=[str(role) for role in STAFF_ROLES])
    return User.objects.filter(staff, is_active=True).distinct().order_by("username")


def user_list_with_permission(permission: str) -> QuerySet[User]:
    """Return the active users holding `permission` ("app_label.codename") through a role group or directly,
    and the active superusers (who hold every permission), by id; the same answer as `user.has_perm`."""
    app_label, codename = permission.split(".", 1)
    granted = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return User.objects.filter(Q(is_superuser=True) | granted, is_active=True).distinct().order_by("pk")


def team_lead_list(*, team_ids: Iterable[int]) -> QuerySet[TeamMembership]:
    """Return the memberships of the active leads of the teams `team_ids`, with their users, by team and
    user."""
    return (
        TeamMembership.objects.filter(team_id__in=list(team_ids), is_lead=True, user__is_active=True)
        .select_related("user")
        .order_by("team_id", "user_id")
    )


def team_supervisor_list(*, team: Team) -> list[User]:
    """Return the active users whose scope covers `team` as a supervisor: the leads of any team in its unit
    or in a unit above it (the inverse of `team_list_led_by`), by id. Two queries."""
    parts = [part for part in team.unit.path.split("/") if part]
    ancestors = ["/" + "/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]
    teams = Team.objects.filter(unit__path__in=ancestors).values_list("pk", flat=True)
    leads = {membership.user for membership in team_lead_list(team_ids=teams)}
    return sorted(leads, key=lambda user: user.pk)


def team_supervisors_by_depth(*, teams: Iterable[Team]) -> dict[int, dict[int, list[int]]]:
    """For each of `teams` (their units loaded), the ids of its supervisors as `team_supervisor_list` finds
    them (the active leads of any team in its unit or in a unit above), grouped by how near: the length of the
    path of the nearest such unit each leads a team in (longer is nearer), ids ascending. One query, whatever
    the number of teams."""
    leads = list(
        TeamMembership.objects.filter(is_lead=True, user__is_active=True)
        .values_list("user_id", "team__unit__path")
        .order_by("user_id")
    )
    result: dict[int, dict[int, list[int]]] = {}
    for team in teams:
        nearest: dict[int, int] = {}
        for user_id, path in leads:
            if team.unit.path.startswith(path):
                nearest[user_id] = max(nearest.get(user_id, 0), len(path))
        by_depth: dict[int, list[int]] = {}
        for user_id in sorted(nearest):
            by_depth.setdefault(nearest[user_id], []).append(user_id)
        result[team.pk] = by_depth
    return result


def customer_find_by_phone(*, phone: str) -> QuerySet[Customer]:
    """Return the customers with exactly this phone number (in any common spelling of it)."""
    index = Customer._meta.get_field("phone_index").index_for(phone)
    return Customer.objects.filter(phone_index=index) if index else Customer.objects.none()


def customer_find_by_email(*, email: str) -> QuerySet[Customer]:
    """Return the customers with exactly this e-mail address (case-insensitive)."""
    index = Customer._meta.get_field("email_index").index_for(email)
    return Customer.objects.filter(email_index=index) if index else Customer.objects.none()


def customer_find_by_contact(*, phone: str = "", email: str = "") -> Customer | None:
    """Return the one customer the given phone and/or e-mail name exactly (blind indexes), or None.

    When both are given they must belong to the same customer: a phone of one customer and the e-mail of
    another name nobody. None too when no contact is given or when the contacts are shared by several
    customers (ambiguous: give the other contact as well).
    """
    phone, email = phone.strip(), email.strip()
    if not phone and not email:
        return None
    found = Customer.objects.all()
    if phone:
        found = found & customer_find_by_phone(phone=phone)
    if email:
        found = found & customer_find_by_email(email=email)
    matches = list(found.order_by("pk")[:2])
    return matches[0] if len(matches) == 1 else None


def customer_list_visible_to(*, user: User) -> QuerySet[Customer]:
    """Return the customers `user` may see: all of them for staff, his own record for a customer."""
    if not user.is_authenticated:
        return Customer.objects.none()
    if user.is_staff_member:
        return Customer.objects.select_related("organisation")
    return Customer.objects.filter(user=user)


def qualified_user_ids(
    *, qualification_ids: Iterable[int], user_ids: Iterable[int], at: dt.datetime | None = None
) -> set[int]:
    """Return those of `user_ids` who hold every one of `qualification_ids` at `at` (now): a grant that has
    begun, has not ended and was not revoked. No qualification asked for: everyone qualifies."""
    wanted = set(qualification_ids)
    people = set(user_ids)
    if not wanted or not people:
        return people
    moment = at or timezone.now()
    held = (
        QualificationGrant.objects.filter(
            qualification_id__in=wanted, user_id__in=people, valid_from__lte=moment, revoked_at__isnull=True
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=moment))
        .values_list("user_id", "qualification_id")
        .distinct()
    )
    holdings: dict[int, set[int]] = {}
    for user_id, qualification_id in held:
        holdings.setdefault(user_id, set()).add(qualification_id)
    return {user_id for user_id in people if holdings.get(user_id, set()) >= wanted}


def qualification_last_grant(*, user_id: int, qualification_id: int) -> QualificationGrant | None:
    """Return the person's most recent grant of the qualification (valid or not), to say why he lacks it."""
    return (
        QualificationGrant.objects.filter(user_id=user_id, qualification_id=qualification_id)
        .order_by("-valid_from", "-pk")
        .first()
    )
