"""Routing: which team receives a new case, and which member of it handles it (per the team's mode).

A case is handed only to members holding the qualifications its service requires
(`Service.required_qualification`) and the team's routing requires (`TeamRouting.required_qualification`,
for complaints only when `qualification_for_complaints_only`). Holding one means a valid grant now
(`accounts.selectors.qualified_user_ids`), so an expired certificate stops routing at once, without waiting
for any sweep. `routing_exclusions` tells the desk who was left out and why.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.accounts.models import Qualification, QualificationGrant, Team, TeamMembership, User
from charter.accounts.selectors import qualification_last_grant, qualified_user_ids
from charter.cases.errors import ErrorCode
from charter.cases.models import OPEN_STATUSES, Case, TeamRouting
from charter.catalog.models import Service
from charter.common.policy import ALLOWED, Decision, refuse
from charter.common.vocabulary import CaseKind


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


def _loaded_routing(team: Team) -> TeamRouting | None:
    """The team's routing as `select_related` loaded it (None when the team has none)."""
    try:
        return team.case_routing
    except TeamRouting.DoesNotExist:
        return None


_NO_ROUTING = TeamRouting()


def routing_required_qualification_ids(
    *, team: Team | None, service: Service | None, kind: str = "", routing: TeamRouting | None = None
) -> set[int]:
    """Return the ids of the qualifications a handler of a case of `kind` about `service` in `team` must hold:
    the service's, and the team routing's (for complaints only, when the routing says so). No query when the
    service and the routing are loaded (`routing` defaults to the team's, read once)."""
    wanted: set[int] = set()
    if service is not None and service.required_qualification_id is not None:
        wanted.add(service.required_qualification_id)
    if routing is None:
        routing = TeamRouting.objects.filter(team=team).first() if team is not None else None
    elif routing is _NO_ROUTING:
        routing = None
    if routing is not None and routing.required_qualification_id is not None:
        if not routing.qualification_for_complaints_only or kind == CaseKind.COMPLAINT:
            wanted.add(routing.required_qualification_id)
    return wanted


def eligible_handlers(
    *,
    team: Team,
    excluded: Iterable[int] = (),
    service: Service | None = None,
    kind: str = "",
    at: dt.datetime | None = None,
) -> list[User]:
    """Return the active members of `team` who may be handed a case of `kind` about `service`, by user id:
    those holding the qualifications it requires (one query for the qualified set, however many members);
    members who are not leads come first in every mode, leads only when nobody else is left."""
    # The team's routing rides along in the same query (its qualification fields), so the check costs only
    # the one query for the qualified set, and none when nothing is required.
    memberships = list(
        TeamMembership.objects.filter(team=team, user__is_active=True)
        .exclude(user_id__in=list(excluded))
        .select_related("user", "team__case_routing")
        .order_by("user_id")
    )
    if not memberships:
        return []
    routing = _loaded_routing(memberships[0].team) or _NO_ROUTING
    wanted = routing_required_qualification_ids(team=team, service=service, kind=kind, routing=routing)
    if wanted:
        qualified = qualified_user_ids(
            qualification_ids=wanted, user_ids=[m.user_id for m in memberships], at=at
        )
        memberships = [m for m in memberships if m.user_id in qualified]
    members = [m for m in memberships if not m.is_lead] or [m for m in memberships if m.is_lead]
    return [m.user for m in members]


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
                routing=routings.get(case.team_id or 0) or _NO_ROUTING,
            )
        )
        if wanted not in held:
            held[wanted] = qualified_user_ids(qualification_ids=wanted, user_ids=people, at=at)
        result[case.pk] = held[wanted]
    return result


def handler_pick(
    *,
    team: Team,
    excluded: Iterable[int] = (),
    force: bool = False,
    service: Service | None = None,
    kind: str = "",
) -> User | None:
    """Return the member of `team` who gets the next case of `kind` about `service` under the team's mode,
    or None for manual mode (unless `force`, which picks by the least open load) or when nobody is eligible
    (qualified among them).

    Round robin and least-open load lock the team's routing row, so concurrent intakes take turns.
    """
    # Who may take it is read before the row is locked: the lock lasts until the commit and every other
    # intake for the team waits for it, so as little as possible happens while it is held.
    candidates = eligible_handlers(team=team, excluded=excluded, service=service, kind=kind)
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
