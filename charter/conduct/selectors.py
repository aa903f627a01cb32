"""Reads of conduct: the ladder, violations by scope, the proposal for one violation, and the reports."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from charter.accounts.models import Team, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.conduct.ladder import LadderRules, PriorRecord, step_propose
from charter.conduct.models import (
    Evidence,
    EvidenceFile,
    LadderSetting,
    LadderStep,
    Violation,
    ViolationEvent,
)
from charter.conduct.permissions import (
    can_approve_discipline,
    can_decide_violations,
    can_view_all_violations,
    can_view_own_record,
    can_view_team_violations,
)


def ladder_setting_get() -> LadderSetting:
    """Return the ladder's rules (the one row, created with defaults when missing)."""
    setting, _created = LadderSetting.objects.select_related(
        "harm_floor", "general_floor", "serious_floor"
    ).get_or_create(pk=1)
    return setting


def ladder_step_list() -> list[LadderStep]:
    """Return the steps of the ladder, mildest first."""
    return list(LadderStep.objects.order_by("position"))


def ladder_rules(*, setting: LadderSetting, steps: list[LadderStep]) -> LadderRules:
    """Return the pure rules of `setting` for `steps` (positions are indexes into `steps`)."""
    index = {step.pk: position for position, step in enumerate(steps)}
    floors = {
        "general": index.get(setting.general_floor_id) if setting.general_floor_id else None,
        "serious": index.get(setting.serious_floor_id) if setting.serious_floor_id else None,
    }
    return LadderRules(
        step_count=len(steps),
        window=setting.window,
        harm_floor=index.get(setting.harm_floor_id) if setting.harm_floor_id else None,
        severity_floors={key: value for key, value in floors.items() if value is not None},
    )


def _counted_from(record: Violation) -> dt.datetime:
    """When a record started counting on the ladder: when it took effect, or (pending) when it was decided."""
    moment = record.effective_at or record.decided_at
    assert moment is not None  # noqa: S101 (both querysets require one of them)
    return moment


@dataclass(frozen=True)
class Proposal:
    """The step the ladder proposes for a violation, and the active records it counted (in effect, or decided
    and awaiting the response window or HR approval)."""

    step: LadderStep | None
    active: list[Violation]


def violation_proposal(*, violation: Violation, at: dt.datetime | None = None) -> Proposal:
    """Return the step the ladder proposes for `violation` at `at` (default now), from the staff member's
    other records active then: those in effect, and those decided but still awaiting his response or HR
    approval (provisionally from the day of their decision). Never `violation` itself, never an overturned
    decision."""
    moment = at or timezone.now()
    steps = ladder_step_list()
    if not steps:
        return Proposal(step=None, active=[])
    setting = ladder_setting_get()
    others = Violation.objects.filter(staff_id=violation.staff_id).exclude(pk=violation.pk)
    in_effect = others.active_at(moment)
    # Decided but not yet in effect (response window, HR approval): counted from the decision, so that two
    # quick repeats climb; the pure ladder keeps only those decided within the window before `moment`.
    pending = others.pending_at(moment, window=setting.window)
    active = sorted(
        [*in_effect.select_related("step", "clause"), *pending.select_related("step", "clause")],
        key=lambda record: (_counted_from(record), record.pk),
    )
    position = {step.pk: index for index, step in enumerate(steps)}
    prior = [
        PriorRecord(position=position[record.step_id], effective_at=_counted_from(record))
        for record in active
        if record.step_id in position
    ]
    index = step_propose(
        rules=ladder_rules(setting=setting, steps=steps),
        prior=prior,
        at=moment,
        severity=violation.severity,
        has_harm=violation.has_harm,
    )
    return Proposal(step=steps[index], active=active)


def violation_team_list_for(*, user: AnyUser) -> QuerySet[Team]:
    """Return the teams whose violations `user` may see: all for administrators, those he leads for a
    supervisor, none for anyone else."""
    if not can_view_team_violations(user):
        return Team.objects.none()
    if can_view_all_violations(user):
        return Team.objects.all().order_by("code")
    assert isinstance(user, User)  # noqa: S101 (the predicate holds only for users)
    return team_list_led_by(user=user).order_by("code")


def _with_rows(violations: QuerySet[Violation]) -> QuerySet[Violation]:
    return violations.select_related(
        "staff", "team", "clause", "version__document", "step", "proposed_step", "decided_by"
    )


def violation_list_visible_to(*, user: AnyUser) -> QuerySet[Violation]:
    """Return the violations `user` may see, newest act first: all for administrators, those of the staff of
    the teams he leads (and his own) for a supervisor, his own for any other member of staff, none for
    anyone else. Second approvers (conduct.approve_discipline, whatever their group) also see the violations
    awaiting approval, those appealed, and those they approved."""
    approver = can_approve_discipline(user)
    if not (can_view_own_record(user) or approver):
        return Violation.objects.none()
    assert isinstance(user, User)  # noqa: S101 (the predicates hold only for users)
    if can_view_all_violations(user):
        return _with_rows(Violation.objects.all())
    scope = Q(staff=user) if can_view_own_record(user) else Q(pk__in=[])
    if can_view_team_violations(user):
        teams = team_list_led_by(user=user)
        staff = User.objects.filter(memberships__team__in=teams).exclude(pk=user.pk)
        scope |= Q(staff__in=staff)
    if approver:
        scope |= Q(status__in=[Violation.Status.AWAITING_APPROVAL, Violation.Status.APPEALED]) | Q(
            approved_by=user
        )
    return _with_rows(Violation.objects.filter(scope))


def violation_work_counts(*, user: AnyUser) -> dict[str, int]:
    """Return how many violations wait for `user`, counted with one query among those he may see:
    `to_decide` (recorded, for a decider, never his own), `to_approve` (awaiting the second approval, for an
    approver who neither is the staff member nor decided), `appeals` (appealed, for a decider or an approver
    who had no part in the step) and `to_respond` (his own, decided and awaiting his response).

    The services still check each one (scope, independence); these counts are what the lists filtered by
    status show, less the rows that are not his to act on.
    """
    counts = dict.fromkeys(("to_decide", "to_approve", "appeals", "to_respond"), 0)
    if not isinstance(user, User):
        return counts
    S = Violation.Status
    mine = Q(staff=user)
    conditions = {"to_respond": mine & Q(status=S.AWAITING_RESPONSE)}
    if can_decide_violations(user):
        conditions["to_decide"] = ~mine & Q(status=S.RECORDED)
    if can_approve_discipline(user):
        conditions["to_approve"] = ~mine & ~Q(decided_by=user) & Q(status=S.AWAITING_APPROVAL)
    if can_decide_violations(user) or can_approve_discipline(user):
        conditions["appeals"] = ~mine & ~Q(decided_by=user) & ~Q(approved_by=user) & Q(status=S.APPEALED)
    rows = (
        violation_list_visible_to(user=user)
        .order_by()
        .aggregate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    counts.update({key: int(value or 0) for key, value in rows.items()})
    return counts


def violation_list_of(*, user: AnyUser) -> QuerySet[Violation]:
    """Return `user`'s own violations, newest act first (his record, active and expired)."""
    if not can_view_own_record(user):
        return Violation.objects.none()
    return _with_rows(Violation.objects.filter(staff_id=user.pk))


def violation_get_visible(*, user: AnyUser, pk: object) -> Violation | None:
    """Return violation `pk` with its evidence and timeline when `user` may see it, else None (404 either
    way)."""
    try:
        key = int(str(pk))
    except (TypeError, ValueError):
        return None
    return (
        violation_list_visible_to(user=user)
        .select_related("approved_by", "appeal_decided_by", "recorded_by", "original_step")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related(
                    "case", "finding__clause", "review__case", "survey_response", "added_by"
                ).prefetch_related("files"),
            ),
            Prefetch("events", queryset=ViolationEvent.objects.select_related("actor")),
        )
        .filter(pk=key)
        .first()
    )


def evidence_file_get_visible(*, user: AnyUser, violation_pk: object, pk: object) -> EvidenceFile | None:
    """Return evidence file `pk` of violation `violation_pk` when `user` may see the violation, else None."""
    violation = violation_get_visible(user=user, pk=violation_pk)
    if violation is None:
        return None
    try:
        key = int(str(pk))
    except (TypeError, ValueError):
        return None
    return EvidenceFile.objects.filter(pk=key, evidence__violation=violation).first()


@dataclass(frozen=True)
class ReportRow:
    label: str
    count: int


@dataclass(frozen=True)
class ViolationReport:
    """Violations recorded in a period, by clause, by decided step, by team and by month (every month of the
    period in order, labelled YYYY-MM in the reader's time zone, none left out for having no violation)."""

    total: int
    by_clause: list[ReportRow]
    by_step: list[ReportRow]
    by_team: list[ReportRow]
    by_month: list[ReportRow] = field(default_factory=list)


def _months(since: dt.datetime, until: dt.datetime) -> list[str]:
    """The months from `since` to just before `until`, as YYYY-MM in the current time zone."""
    first = timezone.localtime(since).date().replace(day=1)
    last = timezone.localtime(until - dt.timedelta(microseconds=1)).date()
    months = []
    while first <= last:
        months.append(f"{first:%Y-%m}")
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def violation_report(*, user: AnyUser, since: dt.datetime, until: dt.datetime) -> ViolationReport:
    """Return the counts of the violations `user` may see whose act fell in [since, until), by clause, step,
    team and month."""
    violations = violation_list_visible_to(user=user).filter(occurred_at__gte=since, occurred_at__lt=until)
    english = (get_language() or "").startswith("en")
    by_clause = []
    for row in (
        violations.values("clause__number", "clause__title_zh", "clause__title_en")
        .annotate(count=Count("pk"))
        .order_by("-count", "clause__number")
    ):
        title = (row["clause__title_en"] if english else "") or row["clause__title_zh"] or ""
        by_clause.append(ReportRow(f"{row['clause__number']} {title}".strip(), row["count"]))
    steps = {step.pk: str(step) for step in ladder_step_list()}
    by_step = [
        ReportRow(steps.get(row["step"], "—") if row["step"] else "—", row["count"])
        for row in violations.values("step").annotate(count=Count("pk")).order_by("-count", "step")
    ]
    teams = {team.pk: str(team) for team in Team.objects.filter(pk__in=violations.values("team"))}
    by_team = [
        ReportRow(teams.get(row["team"], "—") if row["team"] else "—", row["count"])
        for row in violations.values("team").annotate(count=Count("pk")).order_by("-count", "team")
    ]
    per_month = {
        f"{timezone.localtime(row['month']):%Y-%m}": row["count"]
        for row in violations.annotate(
            month=TruncMonth("occurred_at", tzinfo=timezone.get_current_timezone())
        )
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    }
    by_month = [ReportRow(month, per_month.get(month, 0)) for month in _months(since, until)]
    return ViolationReport(
        total=violations.count(), by_clause=by_clause, by_step=by_step, by_team=by_team, by_month=by_month
    )


@dataclass(frozen=True)
class ViolationTally:
    """One staff member's violations of one severity decided in a period: `standing` (the decided step
    stands) and `excluded` (overturned on appeal, or not yet in effect while awaiting his response or HR)."""

    standing: int = 0
    excluded: int = 0


def violation_tally_by_staff(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[tuple[int, str], ViolationTally]:
    """Return, per (staff member of `people`, severity), the violations decided in [start_at, end_at).

    A violation stands as `Violation.objects.in_effect()` says (in effect, appealed or closed, and not
    overturned); the others decided in the period are `excluded`. Violations recorded but not decided are
    absent. One query, whatever the number of people.
    """
    standing = Q(pk__in=Violation.objects.in_effect().values("pk"))
    rows = (
        Violation.objects.filter(
            staff_id__in=list(people), decided_at__gte=start_at, decided_at__lt=end_at, step__isnull=False
        )
        .values("staff_id", "severity")
        .annotate(standing=Count("pk", filter=standing), excluded=Count("pk", filter=~standing))
        .order_by("staff_id", "severity")
    )
    return {
        (row["staff_id"], row["severity"]): ViolationTally(standing=row["standing"], excluded=row["excluded"])
        for row in rows
    }


def violation_list_of_staff_decided(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, severity: str, limit: int = 200
) -> list[Violation]:
    """Return the violations of `severity` decided against `person` in [start_at, end_at) that
    `violation_tally_by_staff` counts or excludes, newest decision first, each with `is_standing`
    annotated (the decided step stands)."""
    standing = Q(pk__in=Violation.objects.in_effect().values("pk"))
    violations = (
        Violation.objects.filter(
            staff_id=person,
            severity=severity,
            decided_at__gte=start_at,
            decided_at__lt=end_at,
            step__isnull=False,
        )
        .annotate(
            is_standing=Case(
                When(standing, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("-decided_at", "-pk")
    )
    return list(violations[:limit])
