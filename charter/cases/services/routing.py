"""Routing: which team receives a new case, and which member of it handles it (per the team's mode).

A case is handed only to members holding the qualifications its service requires
(`Service.required_qualification`) and the team's routing requires (`TeamRouting.required_qualification`,
for complaints only when `qualification_for_complaints_only`). Holding one means a valid grant now
(`accounts.selectors.qualified_user_ids`), so an expired certificate stops routing at once, without waiting
for any sweep. `routing_exclusions` tells the desk who was left out and why.
"""

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.accounts.models import OrgUnit, Qualification, QualificationGrant, Team, TeamMembership, User
from charter.accounts.selectors import qualification_last_grant, qualified_user_ids
from charter.cases.errors import ErrorCode
from charter.cases.models import OPEN_STATUSES, Case, TeamRouting
from charter.catalog.models import Service
from charter.common.locking import row_lock_values, row_set
from charter.common.policy import ALLOWED, Decision, refuse
from charter.common.stamps import StampedCache
from charter.common.vocabulary import CaseKind


@dataclass(frozen=True)
class _TeamRule:
    """What routing needs of one team: the team (its unit loaded), its routing's requirement, and its active
    members as (user id, is lead) by user id. (The mode is read from the locked row when a case is handed
    out, with the round robin's last turn.)"""

    team: Team
    required_qualification_id: int | None
    qualification_for_complaints_only: bool
    members: tuple[tuple[int, bool], ...]


@dataclass(frozen=True)
class _Routing:
    """The routing configuration, as of one value of the `routing` change stamp: the team each service is
    routed to, each unit's first active team, the units' parents, the default team, and every team's rule."""

    by_service: dict[int, int]
    first_team_of_unit: dict[int, int]
    unit_parent: dict[int, int | None]
    default_team_id: int | None
    teams: dict[int, _TeamRule]


def _routing_load() -> _Routing:
    """Read the routing configuration (five queries, at each change of the stamp)."""
    teams = {team.pk: team for team in Team.objects.select_related("unit").order_by("code")}
    routings = {
        row["team_id"]: row
        for row in TeamRouting.objects.order_by("pk").values(
            "pk",
            "team_id",
            "mode",
            "is_default",
            "required_qualification_id",
            "qualification_for_complaints_only",
        )
    }
    members: dict[int, list[tuple[int, bool]]] = {}
    for team_id, user_id, is_lead in (
        TeamMembership.objects.filter(user__is_active=True)
        .order_by("user_id")
        .values_list("team_id", "user_id", "is_lead")
    ):
        members.setdefault(team_id, []).append((user_id, is_lead))
    by_service: dict[int, int] = {}
    through = TeamRouting.services.through.objects.values_list("teamrouting__team_id", "service_id")
    for team_id, service_id in sorted(through, key=lambda pair: teams[pair[0]].code):
        if teams[team_id].is_active:
            by_service.setdefault(service_id, team_id)
    first_team_of_unit: dict[int, int] = {}
    for team in teams.values():  # by code
        if team.is_active:
            first_team_of_unit.setdefault(team.unit_id, team.pk)
    # The first default by the routing's id, as `.first()` on the rows would give it.
    default = min(
        (r for r in routings.values() if r["is_default"] and teams[r["team_id"]].is_active),
        key=lambda r: r["pk"],
        default=None,
    )
    no_routing: dict[str, Any] = {}
    rules = {
        team_id: _TeamRule(
            team=team,
            required_qualification_id=routings.get(team_id, no_routing).get("required_qualification_id"),
            qualification_for_complaints_only=bool(
                routings.get(team_id, no_routing).get("qualification_for_complaints_only")
            ),
            members=tuple(members.get(team_id, ())),
        )
        for team_id, team in teams.items()
    }
    return _Routing(
        by_service=by_service,
        first_team_of_unit=first_team_of_unit,
        unit_parent=dict(OrgUnit.objects.values_list("pk", "parent_id")),
        default_team_id=default["team_id"] if default is not None else None,
        teams=rules,
    )


# Routing is read on every intake and changes rarely: kept per process while the `routing` stamp, which
# triggers replace on any change of teams, units, memberships, routings or users' active flag, stays.
ROUTING_CONFIG: StampedCache[_Routing] = StampedCache("routing", _routing_load)


def _team_copy(rule: _TeamRule) -> Team:
    """The rule's team for one caller: a copy (the cached one is shared by every request of the process)."""
    return copy.copy(rule.team)


def team_route(*, service: Service | None) -> Team | None:
    """Return the team a new case about `service` goes to (its unit loaded).

    In order: an active team whose routing lists the service (the first by code); the first active team of
    the service's organisational unit, or of the nearest unit above it that has one; the default team; None.
    One query (the change stamp) while the routing configuration is unchanged.
    """
    routing = ROUTING_CONFIG.get()
    team_id: int | None = None
    if service is not None:
        team_id = routing.by_service.get(service.pk)
        unit_id = service.org_unit_id
        seen: set[int] = set()
        while team_id is None and unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            team_id = routing.first_team_of_unit.get(unit_id)
            unit_id = routing.unit_parent.get(unit_id)
    if team_id is None:
        team_id = routing.default_team_id
    return _team_copy(routing.teams[team_id]) if team_id is not None else None


def routing_required_qualification_ids(
    *,
    team: Team | None,
    service: Service | None,
    kind: str = "",
    routing: "TeamRouting | _TeamRule | None" = None,
) -> set[int]:
    """Return the ids of the qualifications a handler of a case of `kind` about `service` in `team` must hold:
    the service's, and the team routing's (for complaints only, when the routing says so). No query when the
    service is loaded and the routing is given or cached (`routing` defaults to the team's)."""
    wanted: set[int] = set()
    if service is not None and service.required_qualification_id is not None:
        wanted.add(service.required_qualification_id)
    required: int | None = None
    for_complaints_only = False
    if routing is not None:
        required, for_complaints_only = (
            routing.required_qualification_id,
            routing.qualification_for_complaints_only,
        )
    elif team is not None:
        rule = ROUTING_CONFIG.get().teams.get(team.pk)
        if rule is not None:
            required, for_complaints_only = (
                rule.required_qualification_id,
                rule.qualification_for_complaints_only,
            )
    if required is not None and (not for_complaints_only or kind == CaseKind.COMPLAINT):
        wanted.add(required)
    return wanted


def eligible_handler_ids(
    *,
    team: Team,
    excluded: Iterable[int] = (),
    service: Service | None = None,
    kind: str = "",
    at: dt.datetime | None = None,
) -> list[int]:
    """Return the ids of the active members of `team` who may be handed a case of `kind` about `service`, in
    id order: those holding the qualifications it requires; members who are not leads in every mode, leads
    only when nobody else is left. No query but the change stamp's when nothing is required, one more for
    the qualified set when something is."""
    rule = ROUTING_CONFIG.get().teams.get(team.pk)
    if rule is None:
        return []
    left_out = set(excluded)
    members = [(user_id, is_lead) for user_id, is_lead in rule.members if user_id not in left_out]
    if not members:
        return []
    wanted = routing_required_qualification_ids(team=team, service=service, kind=kind, routing=rule)
    if wanted:
        qualified = qualified_user_ids(
            qualification_ids=wanted, user_ids=[user_id for user_id, _lead in members], at=at
        )
        members = [(user_id, is_lead) for user_id, is_lead in members if user_id in qualified]
    chosen = [user_id for user_id, is_lead in members if not is_lead] or [
        user_id for user_id, is_lead in members if is_lead
    ]
    return chosen


def eligible_handlers(
    *,
    team: Team,
    excluded: Iterable[int] = (),
    service: Service | None = None,
    kind: str = "",
    at: dt.datetime | None = None,
) -> list[User]:
    """The people `eligible_handler_ids` names, in its order (one query more)."""
    ids = eligible_handler_ids(team=team, excluded=excluded, service=service, kind=kind, at=at)
    people = User.objects.in_bulk(ids) if ids else {}
    return [people[pk] for pk in ids if pk in people]


def routing_exclusions(
    *, team: Team, service: Service | None = None, kind: str = "", at: dt.datetime | None = None
) -> list[tuple[User, Qualification, QualificationGrant | None]]:
    """Say why members of `team` are not routed cases of `kind` about `service`: for each active member and
    each required qualification he does not hold now, (member, qualification, his last grant or None). The
    desk shows it as "not routed cases needing X: certificate expired on D / no certificate"."""
    wanted = routing_required_qualification_ids(team=team, service=service, kind=kind)
    if not wanted:
        return []
    members = [
        m.user
        for m in TeamMembership.objects.filter(team=team, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]
    qualifications = list(Qualification.objects.filter(pk__in=wanted).order_by("code"))
    result: list[tuple[User, Qualification, QualificationGrant | None]] = []
    for qualification in qualifications:
        holders = qualified_user_ids(
            qualification_ids=[qualification.pk], user_ids=[user.pk for user in members], at=at
        )
        for user in members:
            if user.pk not in holders:
                last = qualification_last_grant(user_id=user.pk, qualification_id=qualification.pk)
                result.append((user, qualification, last))
    return result


def can_be_routed(
    user: User, case: Case, *, team: Team | None = None, at: dt.datetime | None = None
) -> Decision:
    """Decide whether `user` holds, at `at` (now), every qualification a handler of `case` in `team` (default:
    its own) must hold: the requirements `eligible_handlers` reads (`routing_required_qualification_ids`).

    Every path that puts a named person on a case (an explicit or bulk assignment, the SLA's reassignment to
    the lead, the appeal's lead, an edit that makes a complaint of the case) asks it, so an expired or revoked
    certificate stops them all as it stops routing. The refusal names the first qualification he lacks and
    why ("X lacks the qualification Y: certificate expired on D"). No query when nothing is required.
    """
    team = team if team is not None else case.team
    if team is None:
        return ALLOWED
    wanted = routing_required_qualification_ids(team=team, service=case.service, kind=case.kind)
    if not wanted or user.pk in qualified_user_ids(qualification_ids=wanted, user_ids=[user.pk], at=at):
        return ALLOWED
    for qualification in Qualification.objects.filter(pk__in=wanted).order_by("code"):
        if not qualified_user_ids(qualification_ids=[qualification.pk], user_ids=[user.pk], at=at):
            last = qualification_last_grant(user_id=user.pk, qualification_id=qualification.pk)
            return refuse(ErrorCode.UNQUALIFIED, routing_exclusion_text(qualification, last, person=user))
    return ALLOWED  # pragma: no cover - the grant ended between the two reads


def routable_user_ids(
    *, cases: Sequence[Case], user_ids: Iterable[int], at: dt.datetime | None = None
) -> dict[int, set[int]]:
    """For each of `cases` (by id), those of `user_ids` who may be handed it in its team: `can_be_routed`'s
    rule for many cases at once, for sweeps that must not query per case (one query for the teams'
    routings, one for the services, one per distinct set of requirements; none when nothing is required)."""
    people = set(user_ids)
    team_ids = {case.team_id for case in cases if case.team_id is not None}
    routings = {r.team_id: r for r in TeamRouting.objects.filter(team_id__in=team_ids)} if team_ids else {}
    service_ids = {case.service_id for case in cases if case.service_id is not None}
    services = Service.objects.in_bulk(list(service_ids)) if service_ids else {}
    held: dict[frozenset[int], set[int]] = {}
    result: dict[int, set[int]] = {}
    for case in cases:
        wanted = frozenset(
            routing_required_qualification_ids(
                team=None,
                service=services.get(case.service_id) if case.service_id is not None else None,
                kind=case.kind,
                routing=routings.get(case.team_id or 0),
            )
        )
        if wanted not in held:
            held[wanted] = qualified_user_ids(qualification_ids=wanted, user_ids=people, at=at)
        result[case.pk] = held[wanted]
    return result


def handler_pick_id(
    *,
    team: Team,
    excluded: Iterable[int] = (),
    force: bool = False,
    service: Service | None = None,
    kind: str = "",
) -> int | None:
    """Return the id of the member of `team` who gets the next case of `kind` about `service` under the
    team's mode, or None for manual mode (unless `force`, which picks by the least open load) or when nobody
    is eligible (qualified among them).

    Round robin and least-open load lock the team's routing row, so concurrent intakes take turns.
    """
    # Who may take it is read before the row is locked: the lock lasts until the commit and every other
    # intake for the team waits for it, so as little as possible happens while it is held.
    candidates = eligible_handler_ids(team=team, excluded=excluded, service=service, kind=kind)
    return handler_turn(team=team, candidates=candidates, force=force)


def handler_turn(*, team: Team, candidates: Sequence[int], force: bool = False) -> int | None:
    """Return which of `candidates` (ids from `eligible_handler_ids`, ascending) gets the team's next case
    under its mode, or None (manual mode unless `force`; nobody eligible). Round robin and least-open load
    lock the team's routing row until the commit: call inside `transaction.atomic`, as late as possible."""
    locked = row_lock_values(TeamRouting, ("id", "mode", "last_assigned"), team=team.pk)
    mode = locked[1] if locked is not None else TeamRouting.Mode.MANUAL
    if mode == TeamRouting.Mode.MANUAL and not force:
        return None
    if not candidates:
        return None
    if mode == TeamRouting.Mode.ROUND_ROBIN and locked is not None:
        last = locked[2] or 0
        chosen = next((pk for pk in candidates if pk > last), candidates[0])
    else:
        loads = dict(
            User.objects.filter(pk__in=candidates)
            .annotate(open_count=Count("assigned_cases", filter=Q(assigned_cases__status__in=OPEN_STATUSES)))
            .values_list("pk", "open_count")
        )
        chosen = min(candidates, key=lambda pk: (loads.get(pk, 0), pk))
    if locked is not None:
        # Only `last_assigned`: the routing stamp's triggers do not fire for it.
        row_set(TeamRouting, locked[0], last_assigned=chosen)
    return chosen


def handler_pick(
    *,
    team: Team,
    excluded: Iterable[int] = (),
    force: bool = False,
    service: Service | None = None,
    kind: str = "",
) -> User | None:
    """The person `handler_pick_id` picks (one query more), or None."""
    chosen = handler_pick_id(team=team, excluded=excluded, force=force, service=service, kind=kind)
    return User.objects.filter(pk=chosen).first() if chosen is not None else None


def routing_exclusion_text(
    qualification: Qualification, last: QualificationGrant | None, *, person: User | None = None
) -> str:
    """The desk's words for one exclusion: "not routed cases needing X: certificate expired on D", "…:
    certificate revoked on D" or "…: no certificate" (dates in the organisation's time zone). With `person`,
    the words of a refused assignment instead: "P lacks the qualification X: certificate expired on D"."""
    name = str(qualification)
    values = {"qualification": name, "person": str(person) if person is not None else ""}
    if (
        last is None
        or last.valid_from > timezone.now()
        or (last.revoked_at is None and last.valid_until is None)
    ):
        if person is not None:
            return _("%(person)s lacks the qualification %(qualification)s: no certificate") % values
        return _("Not routed cases needing %(qualification)s: no certificate") % values
    if last.revoked_at is not None:
        values["date"] = timezone.localtime(last.revoked_at, ZoneInfo(settings.TIME_ZONE)).date().isoformat()
        if person is not None:
            return (
                _("%(person)s lacks the qualification %(qualification)s: certificate revoked on %(date)s")
                % values
            )
        return _("Not routed cases needing %(qualification)s: certificate revoked on %(date)s") % values
    # A grant ends at the start of the day after the certificate's last day.
    ends = last.valid_until or timezone.now()  # set: an open, unrevoked grant said "no certificate" above
    last_day = timezone.localtime(ends - dt.timedelta(microseconds=1), ZoneInfo(settings.TIME_ZONE))
    values["date"] = last_day.date().isoformat()
    if person is not None:
        return (
            _("%(person)s lacks the qualification %(qualification)s: certificate expired on %(date)s")
            % values
        )
    return _("Not routed cases needing %(qualification)s: certificate expired on %(date)s") % values


def routing_exclusions_of(*, user: User, at: dt.datetime | None = None) -> list[tuple[Qualification, str]]:
    """The qualifications the routing of `user`'s teams requires (the teams' own and those of the services
    routed to them) that he does not hold now, each with the desk's words for why: what his desk home tells
    him so he knows why no such cases reach him (one query when nothing is required)."""
    # One query: the teams' own requirement and those of the services routed to them.
    pairs = TeamRouting.objects.filter(team__memberships__user=user, team__is_active=True).values_list(
        "required_qualification_id", "services__required_qualification_id"
    )
    wanted = {pk for pair in pairs for pk in pair if pk is not None}
    if not wanted:
        return []
    result: list[tuple[Qualification, str]] = []
    for qualification in Qualification.objects.filter(pk__in=wanted).order_by("code"):
        if not qualified_user_ids(qualification_ids=[qualification.pk], user_ids=[user.pk], at=at):
            last = qualification_last_grant(user_id=user.pk, qualification_id=qualification.pk)
            result.append((qualification, routing_exclusion_text(qualification, last)))
    return result
