"""Reads of improvement: the actions each user may see, their timeline, the queues, complaint clusters, the
measure of an effectiveness check, and the report figures.

The complaint figures read `cases.Case` directly (read-only): cases.selectors has no count of complaints by
root cause over a period, and these counts are organisation-wide measures, not a list shown to a user. The
complaint clusters a user browses start from `case_list_visible_to`, so he sees only cases in his scope.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.cases.models import Case, RootCause
from charter.cases.selectors import case_list_visible_to
from charter.catalog.models import Service
from charter.common.vocabulary import CaseKind
from charter.improvement.measure import rate_change, rate_per_30_days
from charter.improvement.models import (
    ACTIVE_STATUSES,
    ActionEvent,
    ActionItem,
    ActionStatus,
    CorrectiveAction,
    EffectivenessCheck,
    SourceKind,
    Verdict,
)
from charter.improvement.permissions import can_manage_all, can_manage_teams, can_open


def _with_rows(actions: QuerySet[CorrectiveAction]) -> QuerySet[CorrectiveAction]:
    return actions.select_related("owner", "team", "service", "opened_by")


def corrective_action_list_visible_to(*, user: AnyUser) -> QuerySet[CorrectiveAction]:
    """Return the corrective actions `user` may see: all for administrators; for anyone else those he owns,
    opened or holds an item of, and for a supervisor those of the teams he leads."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return CorrectiveAction.objects.none()
    if can_manage_all(user):
        return _with_rows(CorrectiveAction.objects.all())
    holds_item = ActionItem.objects.filter(action_id=OuterRef("pk"), owner_id=user.pk)
    scope: Q = Q(owner=user) | Q(opened_by=user) | Q(Exists(holds_item))
    if can_manage_teams(user):
        scope |= Q(team__in=team_list_led_by(user=user))
    return _with_rows(CorrectiveAction.objects.filter(scope))


def corrective_action_get_visible(*, user: AnyUser, pk: object) -> CorrectiveAction | None:
    """Return action `pk` when `user` may see it, else None (answer 404 either way)."""
    try:
        key = int(str(pk))
    except (TypeError, ValueError):
        return None
    return corrective_action_list_visible_to(user=user).filter(pk=key).first()


def corrective_action_team_list_for(*, user: AnyUser) -> QuerySet[Team]:
    """Return the teams `user` may file actions under: all for administrators and QA reviewers who open
    actions, the teams he leads for a supervisor, none for anyone else (a plain owner of an action)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if can_manage_all(user) or (can_open(user) and not can_manage_teams(user)):
        return Team.objects.filter(is_active=True).order_by("code")
    if can_manage_teams(user):
        return team_list_led_by(user=user).order_by("code")
    return Team.objects.none()


def corrective_action_filter(
    actions: QuerySet[CorrectiveAction],
    *,
    status: str = "",
    source_kind: str = "",
    is_overdue: bool = False,
    items_due_for: User | None = None,
    today: dt.date | None = None,
) -> QuerySet[CorrectiveAction]:
    """Narrow `actions` by status ("active" for any not finished), source, overdue items, and items of
    `items_due_for` due by `today` (those `action_item_due_count` counts)."""
    if status == "active":
        actions = actions.filter(status__in=ACTIVE_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    if source_kind:
        actions = actions.filter(source_kind=source_kind)
    if is_overdue:
        actions = actions.filter(_overdue_exists(today or timezone.localdate()), status__in=ACTIVE_STATUSES)
    if items_due_for is not None:
        due = ActionItem.objects.due_for(items_due_for.pk, today or timezone.localdate())
        actions = actions.filter(Exists(due.filter(action_id=OuterRef("pk"))))
    return actions


def action_item_due_count(*, user: AnyUser, today: dt.date) -> int:
    """Return how many items `user` owns that are not done and due by `today` (his local date), in actions
    not yet finished; one query."""
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return ActionItem.objects.due_for(user.pk, today).count()


def _overdue_exists(today: dt.date) -> Exists:
    return Exists(ActionItem.objects.filter(action_id=OuterRef("pk")).overdue(today))


def corrective_action_list_annotated(
    actions: QuerySet[CorrectiveAction], *, today: dt.date
) -> QuerySet[CorrectiveAction]:
    """Annotate each action with its item counts and whether an item is overdue (one query for a page)."""
    return actions.annotate(
        item_count=Count("items", distinct=True),
        items_done=Count("items", filter=Q(items__done_at__isnull=False), distinct=True),
        has_overdue=_overdue_exists(today),
    )


def corrective_action_checks_due(*, user: AnyUser, now: dt.datetime) -> QuerySet[CorrectiveAction]:
    """Return the actions `user` may see whose effectiveness check is due, the longest waiting first."""
    return (
        corrective_action_list_visible_to(user=user)
        .filter(status=ActionStatus.AWAITING_CHECK, check_due_at__lte=now)
        .order_by("check_due_at", "pk")
    )


def action_item_list(*, action: CorrectiveAction) -> QuerySet[ActionItem]:
    """Return the items of `action` by due date, with their owners."""
    return action.items.select_related("owner", "done_by").order_by("due_on", "pk")


def action_timeline(*, action: CorrectiveAction) -> QuerySet[ActionEvent]:
    """Return the timeline of `action`, oldest first."""
    return action.events.select_related("actor").order_by("occurred_at", "pk")


def effectiveness_check_list(*, action: CorrectiveAction) -> QuerySet[EffectivenessCheck]:
    """Return the checks of `action`, newest first."""
    return action.checks.select_related("checked_by").order_by("-checked_at", "-pk")


# Complaint figures ---------------------------------------------------------------------------------------


def complaint_count(
    *, root_cause: str, service_id: int | None, since: dt.datetime, until: dt.datetime
) -> int:
    """Count the complaints with `root_cause` (and the service, when given) received in [since, until).

    Merged duplicates are not counted twice. Reads cases.Case directly (read-only).
    """
    complaints = Case.objects.filter(
        kind=CaseKind.COMPLAINT,
        root_cause=root_cause,
        merged_into__isnull=True,
        received_at__gte=since,
        received_at__lt=until,
    )
    if service_id is not None:
        complaints = complaints.filter(service_id=service_id)
    return complaints.count()


@dataclass(frozen=True)
class Measure:
    """Complaints of the action's root cause before it was opened and after its items were done."""

    window_days: int
    before_since: dt.datetime
    before_until: dt.datetime
    before_count: int
    after_since: dt.datetime | None
    after_until: dt.datetime | None
    after_count: int | None
    is_complete: bool

    @property
    def rate_before(self) -> Decimal:
        return rate_per_30_days(self.before_count, self.window_days)

    @property
    def rate_after(self) -> Decimal | None:
        if self.after_count is None or self.after_since is None or self.after_until is None:
            return None
        days = max((self.after_until - self.after_since).days, 1)
        return rate_per_30_days(self.after_count, days)

    @property
    def change(self) -> Decimal | None:
        """The relative change in percent (negative: fewer complaints), None when it cannot be computed."""
        if self.after_count is None or self.after_since is None or self.after_until is None:
            return None
        return rate_change(
            before=self.before_count,
            before_days=self.window_days,
            after=self.after_count,
            after_days=max((self.after_until - self.after_since).days, 1),
        )


def complaint_cluster_measure(*, action: CorrectiveAction, at: dt.datetime) -> Measure | None:
    """Return the complaint measure of a complaint-cluster action as it stands at `at`, else None.

    The window is the action's waiting period (`check_after_days`): the window before ends when the action
    was opened; the window after starts when its items were all done and ends at `at` or the window's end,
    whichever comes first (`is_complete` tells which). Computed from stored timestamps only.
    """
    if not action.is_complaint_cluster or not action.root_cause:
        return None
    window = dt.timedelta(days=action.check_after_days)
    before_since, before_until = action.opened_at - window, action.opened_at
    before = complaint_count(
        root_cause=action.root_cause, service_id=action.service_id, since=before_since, until=before_until
    )
    after_since = action.items_done_at
    if after_since is None or at <= after_since:
        return Measure(action.check_after_days, before_since, before_until, before, None, None, None, False)
    after_until = min(at, after_since + window)
    after = complaint_count(
        root_cause=action.root_cause, service_id=action.service_id, since=after_since, until=after_until
    )
    return Measure(
        window_days=action.check_after_days,
        before_since=before_since,
        before_until=before_until,
        before_count=before,
        after_since=after_since,
        after_until=after_until,
        after_count=after,
        is_complete=after_until >= after_since + window,
    )


@dataclass
class ComplaintCluster:
    """Complaints of one root cause (and service) in the period, enough of them to act on."""

    root_cause: str
    service: Service | None
    case_ids: list[int] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.case_ids)

    @property
    def root_cause_label(self) -> str:
        return str(RootCause(self.root_cause).label)


def complaint_cluster_list(
    *, user: AnyUser, since: dt.datetime, until: dt.datetime, threshold: int, by_service: bool
) -> list[ComplaintCluster]:
    """Return the complaints `user` may see received in [since, until), grouped by root cause (and service
    when `by_service`), the groups of at least `threshold` complaints, largest first. Two queries."""
    rows = (
        case_list_visible_to(user=user)
        .filter(
            kind=CaseKind.COMPLAINT,
            merged_into__isnull=True,
            received_at__gte=since,
            received_at__lt=until,
        )
        .exclude(root_cause="")
        .order_by("received_at", "pk")
        .values_list("pk", "number", "root_cause", "service_id")
    )
    groups: dict[tuple[str, int | None], ComplaintCluster] = {}
    service_ids: dict[tuple[str, int | None], int | None] = {}
    grouped: defaultdict[tuple[str, int | None], list[tuple[int, str]]] = defaultdict(list)
    for pk, number, root_cause, service_id in rows:
        key = (root_cause, service_id if by_service else None)
        grouped[key].append((pk, number))
        service_ids[key] = service_id if by_service else None
    wanted = {key: cases for key, cases in grouped.items() if len(cases) >= threshold}
    services = Service.objects.in_bulk([sid for key in wanted if (sid := service_ids[key]) is not None])
    for key, cases in wanted.items():
        wanted_service = service_ids[key]
        groups[key] = ComplaintCluster(
            root_cause=key[0],
            service=services.get(wanted_service) if wanted_service is not None else None,
            case_ids=[pk for pk, _number in cases],
            case_numbers=[number for _pk, number in cases],
        )
    return sorted(groups.values(), key=lambda cluster: (-cluster.count, cluster.root_cause))


# Reports -------------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    """The figures of one group (a source kind, a team, or everything) over the period."""

    label: str
    opened: int = 0
    closed: int = 0
    active: int = 0
    overdue: int = 0
    effective: int = 0
    ineffective: int = 0


@dataclass
class CorrectiveActionReport:
    since: dt.datetime
    until: dt.datetime
    total: ReportRow
    by_source: list[ReportRow]
    by_team: list[ReportRow]


def _report_rows(
    actions: QuerySet[CorrectiveAction],
    checks: QuerySet[EffectivenessCheck],
    *,
    group: str,
    since: dt.datetime,
    until: dt.datetime,
    today: dt.date,
) -> dict[object, ReportRow]:
    figures = (
        actions.order_by()
        .values(group)
        .annotate(
            opened=Count("pk", filter=Q(opened_at__gte=since, opened_at__lt=until)),
            closed=Count("pk", filter=Q(closed_at__gte=since, closed_at__lt=until)),
            active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
            overdue=Count("pk", filter=Q(_overdue_exists(today), status__in=ACTIVE_STATUSES)),
        )
    )
    rows: dict[object, ReportRow] = {}
    for figure in figures:
        rows[figure[group]] = ReportRow(
            label="",
            opened=figure["opened"],
            closed=figure["closed"],
            active=figure["active"],
            overdue=figure["overdue"],
        )
    verdicts = (
        checks.order_by()
        .values(f"action__{group}")
        .annotate(
            effective=Count("pk", filter=Q(verdict=Verdict.EFFECTIVE)),
            ineffective=Count("pk", filter=Q(verdict=Verdict.INEFFECTIVE)),
        )
    )
    for verdict in verdicts:
        row = rows.setdefault(verdict[f"action__{group}"], ReportRow(label=""))
        row.effective, row.ineffective = verdict["effective"], verdict["ineffective"]
    return rows


def corrective_action_report(
    *, user: AnyUser, since: dt.datetime, until: dt.datetime, today: dt.date | None = None
) -> CorrectiveActionReport:
    """Return the figures of the actions `user` may see: opened and closed in [since, until), active and
    overdue now, and the checks recorded in the period by verdict; in total, by source and by team.
    A fixed number of queries."""
    today = today or timezone.localdate()
    actions = corrective_action_list_visible_to(user=user)
    checks = EffectivenessCheck.objects.filter(
        action__in=actions.values("pk"), checked_at__gte=since, checked_at__lt=until
    )
    by_source = _report_rows(actions, checks, group="source_kind", since=since, until=until, today=today)
    by_team = _report_rows(actions, checks, group="team", since=since, until=until, today=today)
    total = ReportRow(label="")
    for row in by_source.values():
        for name in ("opened", "closed", "active", "overdue", "effective", "ineffective"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    source_rows = []
    for value, label in SourceKind.choices:
        if value in by_source:
            by_source[value].label = str(label)
            source_rows.append(by_source[value])
    teams = Team.objects.in_bulk([pk for pk in by_team if pk is not None])
    team_rows = []
    for pk, row in by_team.items():
        row.label = str(teams[pk]) if pk is not None and pk in teams else ""
        team_rows.append(row)
    team_rows.sort(key=lambda row: (row.label == "", row.label))
    return CorrectiveActionReport(
        since=since, until=until, total=total, by_source=source_rows, by_team=team_rows
    )
