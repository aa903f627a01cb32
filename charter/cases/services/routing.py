"""Routing: which team receives a new case, and which member of it handles it (per the team's mode)."""

from collections.abc import Iterable

from django.db.models import Count, Q

from charter.accounts.models import Team, TeamMembership, User
from charter.cases.models import OPEN_STATUSES, TeamRouting
from charter.catalog.models import Service


def team_route(*, service: Service | None) -> Team | None:
    """Return the team a new case about `service` goes to.

    In order: an active team whose routing lists the service; the first active team of the service's
    organisational unit, or of the nearest unit above it that has one; the default team; None.
    """
    if service is not None:
        routing = (
            TeamRouting.objects.filter(services=service, team__is_active=True)
            .select_related("team__unit")
            .order_by("team__code")
            .first()
        )
        if routing is not None:
            return routing.team
        if service.org_unit_id is not None:
            unit = service.org_unit
            while unit is not None:
                team = Team.objects.filter(unit=unit, is_active=True).order_by("code").first()
                if team is not None:
                    return team
                unit = unit.parent
    # With the team's unit: the team's calendar, which the new case's clocks count in, is found from it.
    default = (
        TeamRouting.objects.filter(is_default=True, team__is_active=True).select_related("team__unit").first()
    )
    return default.team if default is not None else None


def eligible_handlers(*, team: Team, excluded: Iterable[int] = ()) -> list[User]:
    """Return the active members of `team` who may be handed a case, by user id; members who are not
    leads come first in every mode, leads only when nobody else is left."""
    memberships = (
        TeamMembership.objects.filter(team=team, user__is_active=True)
        .exclude(user_id__in=list(excluded))
        .select_related("user")
        .order_by("user_id")
    )
    members = [m for m in memberships if not m.is_lead] or [m for m in memberships if m.is_lead]
    return [m.user for m in members]


def handler_pick(*, team: Team, excluded: Iterable[int] = (), force: bool = False) -> User | None:
    """Return the member of `team` who gets the next case under the team's mode, or None for manual mode
    (unless `force`, which picks by the least open load) or when nobody is eligible.

    Round robin and least-open load lock the team's routing row, so concurrent intakes take turns.
    """
    # Who may take it is read before the row is locked: the lock lasts until the commit and every other
    # intake for the team waits for it, so as little as possible happens while it is held.
    candidates = eligible_handlers(team=team, excluded=excluded)
    routing = TeamRouting.objects.select_for_update().filter(team=team).first()
    mode = routing.mode if routing is not None else TeamRouting.Mode.MANUAL
    if mode == TeamRouting.Mode.MANUAL and not force:
        return None
    if not candidates:
        return None
    if mode == TeamRouting.Mode.ROUND_ROBIN and routing is not None:
        last = routing.last_assigned_id or 0
        chosen = next((user for user in candidates if user.pk > last), candidates[0])
    else:
        loads = dict(
            User.objects.filter(pk__in=[user.pk for user in candidates])
            .annotate(open_count=Count("assigned_cases", filter=Q(assigned_cases__status__in=OPEN_STATUSES)))
            .values_list("pk", "open_count")
        )
        chosen = min(candidates, key=lambda user: (loads.get(user.pk, 0), user.pk))
    if routing is not None:
        routing.last_assigned = chosen
        routing.save(update_fields=["last_assigned"])
    return chosen
