"""Reads of cases: what each user may see, the work queues, the tracking page, timelines and team figures.

Every list a user sees starts from `case_list_visible_to`, so scope is decided in one place; an object
outside it is answered like a missing one (404). List queries join what each row shows (customer, team,
assignee, service, category) so their number of queries does not grow with the rows.
"""

import contextlib
import dataclasses
import datetime as dt
import hmac
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.selectors import (
    customer_find_by_email,
    customer_find_by_phone,
    scope_team_ids,
    team_list_led_by,
)
from charter.cases.clocks import WORKING_TIME, ClockTarget, calendar_for, clock_target, time_between
from charter.cases.errors import ErrorCode
from charter.cases.models import (
    OPEN_STATUSES,
    CannedResponse,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseClock,
    CaseEvent,
    CaseLink,
    CaseMessage,
    CaseOutcome,
    CaseStatus,
)
from charter.cases.permissions import (
    AnyUser,
    can_see_all_cases,
    can_see_internal_notes,
    can_view_case_stats,
    is_case_staff,
)
from charter.cases.services._common import token_hash
from charter.common.dates import day_end
from charter.common.errors import DomainError
from charter.common.vocabulary import CaseKind
from charter.sla.deadlines import Calendar
from charter.sla.selectors import BUILT_IN_CALENDAR, sla_config_pinned

QUEUES = ("all", "mine", "my_teams", "unassigned", "due_today", "due_soon", "breached")
# The queues the desk home counts (`case_queue_counts`).
COUNTED_QUEUES = ("mine", "my_teams", "unassigned", "due_today", "breached")
ORDERS = {
    "deadline": (F("next_deadline_at").asc(nulls_last=True), "created_at", "pk"),
    "-deadline": (F("next_deadline_at").desc(nulls_last=True), "-created_at", "-pk"),
    "created": ("created_at",),
    "-created": ("-created_at",),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
    "priority": ("-priority_rank", F("next_deadline_at").asc(nulls_last=True)),
    "number": ("number",),
    "-number": ("-number",),
}
FILTERS = (
    "status",
    "kind",
    "priority",
    "channel",
    "team",
    "assignee",
    "service",
    "category",
    "customer",
    "open",
)
DUE_SOON = dt.timedelta(hours=4)


def _with_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("customer", "team", "assignee", "service", "category")


def case_list_visible_to(*, user: AnyUser) -> QuerySet[Case]:
    """Return the cases `user` may see.

    Administrators (cases.view_all_cases): all. Staff who work cases: the cases of their teams and of the
    teams under the units they lead (`team_list_led_by`), and those assigned to them, never a complaint that
    names them. A signed-in customer: his own cases. Everyone else: none.
    """
    if not user.is_authenticated or not isinstance(user, User):
        return Case.objects.none()
    if is_case_staff(user):
        if can_see_all_cases(user):
            return Case.objects.all()
        scope = Q(team_id__in=sorted(scope_team_ids(user))) | Q(assignee=user)
        return _not_naming(user).filter(scope)
    if user.is_staff_member:
        return Case.objects.none()
    return Case.objects.filter(customer__user=user)


def _not_naming(user: User) -> QuerySet[Case]:
    """Every case but the complaints that name `user` (he may never see those)."""
    naming = Case.named_staff.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    return Case.objects.exclude(Q(kind="complaint") & Exists(naming))


def case_get_visible(*, user: AnyUser, pk: object) -> Case | None:
    """Return case `pk` when `user` may see it, else None (answer 404 either way)."""
    try:
        key = int(str(pk))
    except (TypeError, ValueError):
        return None
    # The complaint's named staff come with it: every permission check of the page asks about them.
    return _with_rows(case_list_visible_to(user=user)).prefetch_related("named_staff").filter(pk=key).first()


def _end_of_today(now: dt.datetime) -> dt.datetime:
    """The coming midnight in the current time zone (the reader's)."""
    return day_end(timezone.localtime(now).date())


def _queue_condition(*, user: User, queue: str, now: dt.datetime) -> Q:
    """The condition a case meets to be in `queue` of `user` (among the cases he may see): the one rule that
    both lists a queue (`case_queue`) and counts it (`case_queue_counts`)."""
    is_open = Q(status__in=OPEN_STATUSES)
    if queue == "mine":
        return is_open & Q(assignee=user)
    if queue == "my_teams":
        return is_open & Q(team_id__in=sorted(scope_team_ids(user)))
    if queue == "unassigned":
        return is_open & Q(assignee__isnull=True)
    if queue == "due_today":
        return is_open & Q(next_deadline_at__gte=now, next_deadline_at__lt=_end_of_today(now))
    if queue == "due_soon":
        return is_open & Q(next_deadline_at__isnull=False, next_deadline_at__lte=now + DUE_SOON)
    if queue == "breached":
        late = CaseClock.objects.filter(
            case_id=OuterRef("pk"), status__in=(CaseClock.Status.RUNNING, CaseClock.Status.PAUSED)
        ).filter(Q(breached_at__isnull=False) | Q(status=CaseClock.Status.RUNNING, due_at__lt=now))
        return is_open & Q(Exists(late))
    return Q()


def _queue_filter(cases: QuerySet[Case], *, user: User, queue: str, now: dt.datetime) -> QuerySet[Case]:
    return cases.filter(_queue_condition(user=user, queue=queue, now=now))


def case_queue_counts(*, user: AnyUser, now: dt.datetime | None = None) -> dict[str, int]:
    """Return how many cases each counted queue of `user` holds (`COUNTED_QUEUES`: mine, my_teams,
    unassigned, due_today, breached) and `appeals` (the mine queue under reconsideration: appeals he decides),
    with one query over the cases he may see, by the conditions `case_queue` lists them with.

    All zero for a user who works no cases.
    """
    keys = (*COUNTED_QUEUES, "appeals")
    if not isinstance(user, User) or not is_case_staff(user):
        return dict.fromkeys(keys, 0)
    at = now or timezone.now()
    conditions = {queue: _queue_condition(user=user, queue=queue, now=at) for queue in COUNTED_QUEUES}
    conditions["appeals"] = conditions["mine"] & Q(status=CaseStatus.RECONSIDERATION)
    rows = (
        case_list_visible_to(user=user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .aggregate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    return {key: int(rows.get(key) or 0) for key in keys}


def _apply_filters(cases: QuerySet[Case], filters: Mapping[str, Any]) -> QuerySet[Case]:
    for name, value in filters.items():
        if value in (None, "", [], ()):
            continue
        if name not in FILTERS:
            raise DomainError(
                _("Cases cannot be filtered by this."), code=ErrorCode.INVALID_FIELD, field=name
            )
        if name == "open":
            is_open = str(value).lower() in {"1", "true", "yes"}
            cases = (
                cases.filter(status__in=OPEN_STATUSES) if is_open else cases.exclude(status__in=OPEN_STATUSES)
            )
        elif name == "assignee" and value == "none":
            cases = cases.filter(assignee__isnull=True)
        elif isinstance(value, list | tuple):
            cases = cases.filter(**{f"{name}__in": list(value)})
        else:
            cases = cases.filter(**{name: value})
    return cases


def case_queue(
    *,
    user: AnyUser,
    queue: str = "all",
    filters: Mapping[str, Any] | None = None,
    order: str = "deadline",
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """Return one work queue of `user`, within his scope, filtered and ordered.

    `queue`: all, mine (assigned to him, open), my_teams (his teams' open cases), unassigned (open, nobody
    assigned), due_today (open, next deadline from now until the coming midnight in the reader's time zone),
    due_soon (open, next deadline within 4 hours or past), breached (open with a missed target).
    `filters`: status, kind, priority, channel, team, assignee ("none" for unassigned), service, category,
    customer (ids or values; a list means any of them), open (true/false). `order`: deadline (earliest next
    deadline first, the default), -deadline, created, -created, updated, -updated, priority, number, -number.
    Raises DomainError for an unknown queue, filter or order. Rows come with their customer, team,
    assignee, service and category joined.
    """
    if queue not in QUEUES:
        raise DomainError(_("There is no such queue."), code=ErrorCode.INVALID_QUEUE, field="queue")
    if order not in ORDERS:
        raise DomainError(_("Cases cannot be sorted this way."), code=ErrorCode.INVALID_ORDER, field="order")
    if (
        queue in ("mine", "my_teams")
        and isinstance(user, User)
        and is_case_staff(user)
        and not can_see_all_cases(user)
    ):
        # Both queues lie inside the user's scope by definition; leaving out the scope's OR lets the database
        # walk the open-cases index in deadline order and stop after one page.
        cases = _not_naming(user)
    else:
        cases = case_list_visible_to(user=user)
    if isinstance(user, User) and user.is_authenticated:
        cases = _queue_filter(cases, user=user, queue=queue, now=now or timezone.now())
    cases = _apply_filters(cases, filters or {})
    if order == "priority":
        cases = cases.annotate(
            priority_rank=CaseWhen(
                When(priority="urgent", then=Value(3)),
                When(priority="high", then=Value(2)),
                When(priority="normal", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    return _with_rows(cases).order_by(*ORDERS[order])


def case_get_for_tracking(*, token: str) -> Case | None:
    """Return the case whose tracking link carries `token`, or None (also for a revoked link).

    The database holds only a keyed hash of each token; the stored hash is compared again in constant time.
    A token made by `case_tracking_link_token` (the link in later e-mails) is accepted too, while the
    case's current link works.
    """
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    wanted = token_hash(token)
    case = _with_rows(Case.objects.filter(tracking_token_hash=wanted)).first()
    if case is None:
        return _case_for_signed_link(token)
    if not hmac.compare_digest(case.tracking_token_hash or "", wanted):
        return None
    return case


_SIGNED_LINK = re.compile(r"^(\d{1,18}):[A-Za-z0-9_-]{20,100}$")


def _signer(case: Case) -> signing.Signer:
    # The current link's hash is part of the key: rotating or revoking the link retires every signed one.
    return signing.Signer(salt=f"charter.cases.tracking-link:{case.tracking_token_hash}")


def case_tracking_link_token(*, case: Case) -> str:
    """Return a token for a tracking link to `case` that works exactly as long as its current link does;
    "" when the case has no link (revoked).

    The token itself is never stored, so a mail sent after the acknowledgement (a reply, the resolution)
    cannot repeat it; this token carries the case's id, signed with the secret key and the current link's
    hash, and opens the same page.
    """
    if not case.tracking_token_hash:
        return ""
    return _signer(case).sign(str(case.pk))


def _case_for_signed_link(token: str) -> Case | None:
    match = _SIGNED_LINK.match(token)
    if match is None:
        return None
    case = _with_rows(Case.objects.filter(pk=int(match.group(1)), tracking_token_hash__isnull=False)).first()
    if case is None:
        return None
    try:
        _signer(case).unsign(token)
    except signing.BadSignature:
        return None
    return case


_TYPED_NUMBER = re.compile(r"([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d{1,12})")


def case_number_normalise(number: str) -> str:
    """Return a case number as stored: full-width characters and lower case (as typed on a phone) folded,
    blanks dropped, and the serial's leading zeros put back (ts-2026-123 is TS-2026-000123)."""
    folded = re.sub(r"\s", "", unicodedata.normalize("NFKC", number or "")).upper()
    match = _TYPED_NUMBER.fullmatch(folded)
    if match is None:
        return folded
    prefix, year, serial = match.groups()
    return f"{prefix}-{year}-{int(serial):06d}"


def case_find_for_link_request(*, number: str, contact: str) -> Case | None:
    """Return the case numbered `number` when `contact` is the phone number or e-mail address its customer
    gave (compared through the blind indexes, so any common spelling of the phone matches); else None.

    The customer lookup runs whether or not the number exists, so a wrong number and a wrong contact cost
    the same queries.
    """
    contact = contact.strip()
    customers = (
        customer_find_by_email(email=contact) if "@" in contact else customer_find_by_phone(phone=contact)
    )
    case = Case.objects.filter(number=case_number_normalise(number)).select_related("customer").first()
    matching = customers.filter(pk=case.customer_id if case is not None else 0)  # 0: no customer
    return case if matching.exists() and case is not None else None


def case_number_parse(text: str) -> str | None:
    """Return the case number `text` names, as stored (`case_number_normalise`), or None when it is no case
    number (words to search for instead)."""
    number = case_number_normalise(text)
    return number if _TYPED_NUMBER.fullmatch(number) else None


def case_get_visible_by_number(*, user: AnyUser, number: str) -> Case | None:
    """Return the case numbered `number` when `user` may see it, else None (missing and out of scope alike:
    answer both the same way, so the numbers outside his scope cannot be found out)."""
    return _with_rows(case_list_visible_to(user=user)).filter(number=number).first()


def case_message_list(*, case: Case, include_internal: bool) -> QuerySet[CaseMessage]:
    """Return the messages of `case` in order, internal notes only when `include_internal`, with their
    authors and public attachments (all attachments for staff)."""
    messages = CaseMessage.objects.filter(case=case).select_related("author")
    attachments = CaseAttachment.objects.order_by("pk")
    if not include_internal:
        messages = messages.filter(is_internal=False)
        attachments = attachments.filter(is_internal=False)
    return messages.prefetch_related(Prefetch("attachments", queryset=attachments)).order_by(
        "created_at", "pk"
    )


def case_attachment_list(*, case: Case, include_internal: bool) -> QuerySet[CaseAttachment]:
    """Return the files of `case` (internal ones only when `include_internal`), oldest first."""
    attachments = CaseAttachment.objects.filter(case=case).select_related("uploaded_by")
    if not include_internal:
        attachments = attachments.filter(is_internal=False)
    return attachments.order_by("created_at", "pk")


def case_timeline(*, case: Case, include_internal: bool) -> QuerySet[CaseEvent]:
    """Return the timeline of `case`, oldest first; without `include_internal` only the events the customer
    may see (never notes, assignments, clocks or links)."""
    events = CaseEvent.objects.filter(case=case).select_related("actor", "message")
    if not include_internal:
        events = events.filter(is_internal=False).exclude(message__is_internal=True)
    return events.order_by("occurred_at", "pk")


def case_timeline_for(*, user: AnyUser, case: Case) -> QuerySet[CaseEvent]:
    """Return the timeline of `case` as `user` may see it (internal events for staff only)."""
    return case_timeline(case=case, include_internal=can_see_internal_notes(user))


def case_clock_list(*, case: Case) -> QuerySet[CaseClock]:
    """Return the clocks of `case`, the open ones first, each by start."""
    return CaseClock.objects.filter(case=case).order_by("stopped_at", "started_at", "pk")


def case_link_list(*, case: Case, user: AnyUser) -> list[Case]:
    """Return the cases linked to `case` (either direction) that `user` may see."""
    pairs = CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case)).values_list(
        "from_case_id", "to_case_id"
    )
    ids = {other for pair in pairs for other in pair} - {case.pk}
    if not ids:
        return []
    return list(case_list_visible_to(user=user).filter(pk__in=ids).order_by("number"))


def case_category_list(*, is_active_only: bool = True) -> QuerySet[CaseCategory]:
    """Return the category tree in tree order (parents before their children)."""
    categories = CaseCategory.objects.select_related("parent")
    if is_active_only:
        categories = categories.filter(is_active=True)
    return categories.order_by("path", "ordering")


def canned_response_list_for(*, user: AnyUser) -> QuerySet[CannedResponse]:
    """Return the active canned responses `user` may use: every team's, and his own teams'."""
    if not is_case_staff(user) or not isinstance(user, User):
        return CannedResponse.objects.none()
    if can_see_all_cases(user):
        return CannedResponse.objects.filter(is_active=True).order_by("code")
    return CannedResponse.objects.filter(
        Q(team__isnull=True) | Q(team_id__in=sorted(scope_team_ids(user))), is_active=True
    ).order_by("code")


def case_customer_list(*, user: User) -> QuerySet[Case]:
    """Return a signed-in customer's own cases, newest first (the portal)."""
    return _with_rows(Case.objects.filter(customer__user=user)).order_by("-created_at")


# Supervisor figures -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TeamLoad:
    team: Team
    open_cases: int
    unassigned: int
    near_breach: int
    breached: int
    escalated: int
    near_breach_only: int = 0  # near breach and nothing breached yet: open = breached + this + on track


@dataclasses.dataclass(frozen=True)
class HandlerLoad:
    user: User
    open_cases: int
    near_breach: int
    breached: int = 0
    near_breach_only: int = 0  # as in TeamLoad


@dataclasses.dataclass(frozen=True)
class CaseStats:
    teams: list[TeamLoad]
    handlers: list[HandlerLoad]
    near_breach: list[Case]
    escalated: list[Case]


def case_stats_for_supervisor(*, user: AnyUser, now: dt.datetime | None = None, limit: int = 20) -> CaseStats:
    """Return the figures of the teams `user` leads (all teams for administrators): open cases, unassigned,
    near breach (a running clock whose warning time has come), breached, escalated, per team and per handler,
    and the cases nearest to breach and the escalated ones (at most `limit` each). `near_breach_only` counts
    the near ones with no clock breached, so breached + near_breach_only + the rest make up the open cases.

    Empty for a user without cases.view_case_stats. A fixed number of queries.
    """
    empty = CaseStats(teams=[], handlers=[], near_breach=[], escalated=[])
    if not isinstance(user, User) or not can_view_case_stats(user):
        return empty
    at = now or timezone.now()
    teams = Team.objects.filter(is_active=True) if can_see_all_cases(user) else team_list_led_by(user=user)
    team_list = list(teams.order_by("code"))
    # Never a complaint that names the supervisor himself, not even as a number in a list.
    cases = _not_naming(user).filter(team__in=team_list, status__in=OPEN_STATUSES)
    near = CaseClock.objects.filter(
        case_id=OuterRef("pk"), status=CaseClock.Status.RUNNING, warn_at__lte=at, due_at__gt=at
    )
    late = CaseClock.objects.filter(case_id=OuterRef("pk"), status__in=("running", "paused")).filter(
        Q(breached_at__isnull=False) | Q(status="running", due_at__lte=at)
    )
    annotated = cases.annotate(is_near=Exists(near), is_late=Exists(late))
    per_team = {
        row["team_id"]: row
        for row in annotated.values("team_id").annotate(
            open_cases=Count("pk"),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            near_breach=Count("pk", filter=Q(is_near=True)),
            breached=Count("pk", filter=Q(is_late=True)),
            escalated=Count("pk", filter=Q(status=CaseStatus.ESCALATED)),
            near_breach_only=Count("pk", filter=Q(is_near=True, is_late=False)),
        )
    }
    loads = [
        TeamLoad(
            team=team,
            open_cases=per_team.get(team.pk, {}).get("open_cases", 0),
            unassigned=per_team.get(team.pk, {}).get("unassigned", 0),
            near_breach=per_team.get(team.pk, {}).get("near_breach", 0),
            breached=per_team.get(team.pk, {}).get("breached", 0),
            escalated=per_team.get(team.pk, {}).get("escalated", 0),
            near_breach_only=per_team.get(team.pk, {}).get("near_breach_only", 0),
        )
        for team in team_list
    ]
    per_handler = list(
        annotated.filter(assignee__isnull=False)
        .values("assignee_id")
        .annotate(
            open_cases=Count("pk"),
            near_breach=Count("pk", filter=Q(is_near=True)),
            breached=Count("pk", filter=Q(is_late=True)),
            near_breach_only=Count("pk", filter=Q(is_near=True, is_late=False)),
        )
        .order_by("assignee_id")
    )
    people = User.objects.in_bulk([row["assignee_id"] for row in per_handler])
    handlers = [
        HandlerLoad(
            user=people[row["assignee_id"]],
            open_cases=row["open_cases"],
            near_breach=row["near_breach"],
            breached=row["breached"],
            near_breach_only=row["near_breach_only"],
        )
        for row in per_handler
        if row["assignee_id"] in people
    ]
    return CaseStats(
        teams=loads,
        handlers=handlers,
        near_breach=list(
            _with_rows(annotated.filter(is_near=True)).order_by(F("next_deadline_at").asc(nulls_last=True))[
                :limit
            ]
        ),
        escalated=list(_with_rows(cases.filter(status=CaseStatus.ESCALATED)).order_by("-updated_at")[:limit]),
    )


@dataclasses.dataclass(frozen=True)
class HandlerTally:
    """One person's counts in a period: `counted` rows in the measure (of which `met` hit their target, for
    clocks) and `excluded` rows left out by the measure's stated rule."""

    counted: int = 0
    met: int = 0
    excluded: int = 0


def _case_handler(prefix: str = "") -> Coalesce:
    # The handler of a resolved case: its assignee, or the resolver where nobody was assigned. A resolved
    # case keeps its assignee (reassignment needs an open case), so this is the assignee at resolution.
    return Coalesce(f"{prefix}assignee_id", f"{prefix}resolved_by_id")


def case_resolved_tally_by_handler(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, HandlerTally]:
    """Return, per person of `people` who handled any, the cases resolved in [start_at, end_at).

    A case counts for its handler (the assignee, else the resolver) when its last resolution falls in the
    period and it stands resolved or closed (a reopened case has no resolution until resolved again).
    Cases merged into another are `excluded`: the surviving case carries the work. `met` stays 0. One query,
    whatever the number of people; people with no case are absent from the result.
    """
    rows = (
        Case.objects.filter(
            resolved_at__gte=start_at,
            resolved_at__lt=end_at,
            status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED),
        )
        .annotate(handler_pk=_case_handler())
        .filter(handler_pk__in=list(people))
        .values("handler_pk")
        .annotate(
            counted=Count("pk", filter=Q(merged_into__isnull=True)),
            excluded=Count("pk", filter=Q(merged_into__isnull=False)),
        )
        .order_by("handler_pk")
    )
    return {row["handler_pk"]: HandlerTally(counted=row["counted"], excluded=row["excluded"]) for row in rows}


def case_clock_tally_by_handler(
    *, metric: str, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, HandlerTally]:
    """Return, per person of `people`, the SLA clocks of `metric` (a `CaseClock.Metric`) stopped in
    [start_at, end_at) on the cases he handles (the assignee, else the resolver).

    `counted` are the clocks met or breached, `met` those met on time, `excluded` those cancelled (the case
    was withdrawn or merged, so the target no longer applied). A clock still running at the end of the period
    is not counted until it stops. One query, whatever the number of people.
    """
    status = CaseClock.Status
    rows = (
        CaseClock.objects.filter(metric=metric, stopped_at__gte=start_at, stopped_at__lt=end_at)
        .annotate(handler_pk=_case_handler("case__"))
        .filter(handler_pk__in=list(people))
        .values("handler_pk")
        .annotate(
            counted=Count("pk", filter=Q(status__in=(status.MET, status.BREACHED))),
            met=Count("pk", filter=Q(status=status.MET)),
            excluded=Count("pk", filter=Q(status=status.CANCELLED)),
        )
        .order_by("handler_pk")
    )
    return {
        row["handler_pk"]: HandlerTally(counted=row["counted"], met=row["met"], excluded=row["excluded"])
        for row in rows
    }


def case_upheld_complaint_tally_by_named_staff(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, HandlerTally]:
    """Return, per person of `people`, the complaints naming him that were resolved in [start_at, end_at) as
    upheld or partly upheld and stand resolved or closed.

    `counted` are those complaints; `excluded` those merged into another case (the surviving case carries
    the finding). A complaint under reconsideration counts once it is resolved again. One query, whatever
    the number of people.
    """
    rows = (
        Case.named_staff.through.objects.filter(
            user_id__in=list(people),
            case__kind=CaseKind.COMPLAINT,
            case__outcome__in=(CaseOutcome.UPHELD, CaseOutcome.PARTLY_UPHELD),
            case__status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED),
            case__resolved_at__gte=start_at,
            case__resolved_at__lt=end_at,
        )
        .values("user_id")
        .annotate(
            counted=Count("pk", filter=Q(case__merged_into__isnull=True)),
            excluded=Count("pk", filter=Q(case__merged_into__isnull=False)),
        )
        .order_by("user_id")
    )
    return {row["user_id"]: HandlerTally(counted=row["counted"], excluded=row["excluded"]) for row in rows}


# The rows behind the assessment's tallies (drill-down) and its further tallies ---------------------------
# Each `*_list_*` below returns, newest first and at most `limit`, the rows its tally above counts or
# excludes, so the figure on a scorecard and the rows shown under it come from the same filter.

EVIDENCE_LIMIT = 200
_STANDING = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def _resolved_in(start_at: dt.datetime, end_at: dt.datetime) -> QuerySet[Case]:
    return Case.objects.filter(resolved_at__gte=start_at, resolved_at__lt=end_at, status__in=_STANDING)


def case_resolved_list_of_handler(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = EVIDENCE_LIMIT
) -> list[Case]:
    """Return the cases `case_resolved_tally_by_handler` counts or excludes for `person`, newest resolution
    first: the merged ones (excluded) have `merged_into_id` set."""
    cases = _resolved_in(start_at, end_at).annotate(handler_pk=_case_handler()).filter(handler_pk=person)
    return list(cases.order_by("-resolved_at", "-pk")[:limit])


def case_clock_list_of_handler(
    *, metric: str, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = EVIDENCE_LIMIT
) -> list[CaseClock]:
    """Return the clocks of `metric` stopped in [start_at, end_at) on the cases `person` handles (met,
    breached or cancelled, as `case_clock_tally_by_handler` counts them), newest stop first, each with its
    case and the case's team and unit joined."""
    clocks = (
        CaseClock.objects.filter(metric=metric, stopped_at__gte=start_at, stopped_at__lt=end_at)
        .annotate(handler_pk=_case_handler("case__"))
        .filter(handler_pk=person)
        .select_related("case__team__unit")
    )
    return list(clocks.order_by("-stopped_at", "-pk")[:limit])


def case_upheld_complaint_list_naming(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = EVIDENCE_LIMIT
) -> list[Case]:
    """Return the complaints `case_upheld_complaint_tally_by_named_staff` counts or excludes for `person`,
    newest resolution first (the merged ones, excluded, have `merged_into_id` set)."""
    complaints = _resolved_in(start_at, end_at).filter(
        kind=CaseKind.COMPLAINT,
        outcome__in=(CaseOutcome.UPHELD, CaseOutcome.PARTLY_UPHELD),
        named_staff=person,
    )
    return list(complaints.order_by("-resolved_at", "-pk")[:limit])


def _first_contact_cases(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int], repeat_days: int, now: dt.datetime
) -> QuerySet[Case]:
    """The cases `people` handled resolved in the period, with `handler_pk`, `is_reopened`, `has_repeat`
    and `is_pending` annotated."""
    reopened = CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=CaseEvent.Kind.REOPENED)
    window = dt.timedelta(days=repeat_days)
    # The same service, a case without a service matching another without one.
    repeat = (
        Case.objects.annotate(service_key=Coalesce("service_id", Value(0)))
        .filter(
            customer_id=OuterRef("customer_id"),
            service_key=OuterRef("service_key"),
            received_at__gt=OuterRef("resolved_at"),
            received_at__lte=ExpressionWrapper(
                OuterRef("resolved_at") + window, output_field=DateTimeField()
            ),
        )
        .exclude(pk=OuterRef("pk"))
    )
    return (
        _resolved_in(start_at, end_at)
        .annotate(
            handler_pk=_case_handler(),
            service_key=Coalesce("service_id", Value(0)),
            is_reopened=Exists(reopened),
            has_repeat=Exists(repeat),
        )
        .annotate(
            is_pending=CaseWhen(
                When(resolved_at__gt=now - window, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .filter(handler_pk__in=list(people))
    )


def case_first_contact_tally_by_handler(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int], repeat_days: int, now: dt.datetime
) -> dict[int, HandlerTally]:
    """Return, per person of `people`, the cases he handled resolved in [start_at, end_at) (as in
    `case_resolved_tally_by_handler`) judged for first-contact resolution.

    `counted` are those cases, `met` those never reopened and with no case of the same customer on the same
    service received within `repeat_days` days after the resolution. `excluded`: cases merged into another,
    and cases whose `repeat_days` after resolution are not over at `now` (a repeat may still come; they
    count once the days are over). One query (the reopening and the repeat are subqueries per row).
    """
    cases = _first_contact_cases(
        start_at=start_at, end_at=end_at, people=people, repeat_days=repeat_days, now=now
    )
    kept = Q(merged_into__isnull=True, is_pending=False)
    rows = (
        # The plugin does not see the helper's annotation.
        cases.values("handler_pk")  # type: ignore[misc]
        .annotate(
            counted=Count("pk", filter=kept),
            met=Count("pk", filter=kept & Q(is_reopened=False, has_repeat=False)),
            excluded=Count("pk", filter=~kept),
        )
        .order_by("handler_pk")
    )
    return {
        row["handler_pk"]: HandlerTally(counted=row["counted"], met=row["met"], excluded=row["excluded"])
        for row in rows
    }


def case_first_contact_list_of_handler(
    *,
    start_at: dt.datetime,
    end_at: dt.datetime,
    person: int,
    repeat_days: int,
    now: dt.datetime,
    limit: int = EVIDENCE_LIMIT,
) -> list[Case]:
    """Return the cases `case_first_contact_tally_by_handler` judges for `person`, newest resolution first,
    each with `is_reopened`, `has_repeat` and `is_pending` (its days not over at `now`) annotated."""
    cases = _first_contact_cases(
        start_at=start_at, end_at=end_at, people=[person], repeat_days=repeat_days, now=now
    )
    return list(cases.order_by("-resolved_at", "-pk")[:limit])


def _praise_counted() -> Q:
    return Q(merged_into__isnull=True) & ~Q(status=CaseStatus.CANCELLED)


def case_praise_tally_by_named_staff(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, HandlerTally]:
    """Return, per person of `people`, the praise cases naming him received in [start_at, end_at).

    `counted` are those that stand; `excluded` those merged into another case (the surviving one counts) or
    cancelled. One query, whatever the number of people.
    """
    praise = Q(case__merged_into__isnull=True) & ~Q(case__status=CaseStatus.CANCELLED)
    rows = (
        Case.named_staff.through.objects.filter(
            user_id__in=list(people),
            case__kind=CaseKind.PRAISE,
            case__received_at__gte=start_at,
            case__received_at__lt=end_at,
        )
        .values("user_id")
        .annotate(counted=Count("pk", filter=praise), excluded=Count("pk", filter=~praise))
        .order_by("user_id")
    )
    return {row["user_id"]: HandlerTally(counted=row["counted"], excluded=row["excluded"]) for row in rows}


def case_praise_list_naming(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = EVIDENCE_LIMIT
) -> list[Case]:
    """Return the praise cases naming `person` received in [start_at, end_at), newest first, as
    `case_praise_tally_by_named_staff` counts them (`is_counted` annotated)."""
    cases = (
        Case.objects.filter(
            kind=CaseKind.PRAISE, named_staff=person, received_at__gte=start_at, received_at__lt=end_at
        )
        .annotate(
            is_counted=CaseWhen(
                When(_praise_counted(), then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .order_by("-received_at", "-pk")
    )
    return list(cases[:limit])


def _public_replies(start_at: dt.datetime, end_at: dt.datetime) -> QuerySet[CaseMessage]:
    return CaseMessage.objects.filter(
        author_kind=CaseMessage.AuthorKind.STAFF,
        is_internal=False,
        created_at__gte=start_at,
        created_at__lt=end_at,
    )


def case_reply_tally_by_author(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, int]:
    """Return, per person of `people` who sent any, how many public replies (not internal notes) he sent to
    customers in [start_at, end_at). One query, whatever the number of people."""
    rows = (
        _public_replies(start_at, end_at)
        .filter(author_id__in=list(people))
        .values("author_id")
        .annotate(sent=Count("pk"))
        .order_by("author_id")
    )
    return {row["author_id"]: row["sent"] for row in rows}


def case_reply_daily_tally_by_author(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int], zone: dt.tzinfo
) -> dict[tuple[int, dt.date], int]:
    """Return, per (person of `people`, day in `zone`), how many public replies he sent that day in
    [start_at, end_at): for comparisons whose windows differ from person to person (training's
    effectiveness), read in one query."""
    rows = (
        _public_replies(start_at, end_at)
        .filter(author_id__in=list(people))
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("author_id", "day")
        .annotate(sent=Count("pk"))
        .order_by("author_id", "day")
    )
    return {(row["author_id"], row["day"]): row["sent"] for row in rows}


def case_reply_list_of_author(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = EVIDENCE_LIMIT
) -> list[CaseMessage]:
    """Return the public replies `person` sent in [start_at, end_at), newest first, each with its case."""
    replies = _public_replies(start_at, end_at).filter(author_id=person).select_related("case")
    return list(replies.order_by("-created_at", "-pk")[:limit])


@dataclasses.dataclass(frozen=True)
class ClockMinutes:
    """One person's stopped clocks of one kind in a period: `counted` clocks (met or breached) that took
    `minutes` in all, and `excluded` clocks cancelled."""

    counted: int = 0
    minutes: Decimal = Decimal(0)
    excluded: int = 0


def clock_minutes_run(
    *,
    calendar: Calendar,
    basis: str,
    started_at: dt.datetime,
    stopped_at: dt.datetime | None,
    paused_seconds: int,
) -> Decimal:
    """Return the minutes, rounded to hundredths, a clock that ran from `started_at` to `stopped_at` counts
    in `basis` (working time of `calendar`, or every hour for calendar time), less `paused_seconds`; 0 for
    a clock not stopped.

    The arithmetic of `case_clock_elapsed_minutes` on plain values, for callers that read only the columns
    they need."""
    if stopped_at is None:
        return Decimal(0)
    seconds = time_between(calendar, started_at, stopped_at, basis) - paused_seconds
    return (Decimal(max(seconds, 0.0)) / 60).quantize(Decimal("0.01"))


def case_clock_elapsed_minutes(clock: CaseClock) -> Decimal:
    """Return the time a stopped clock ran, in minutes rounded to hundredths, counted as its target counts:
    working time of its calendar for a working-time target, every hour for a calendar-time one, less the
    time it spent paused (`paused_seconds`, kept in the same basis). The clock's case, team and unit should
    be loaded; call inside `sla_config_pinned` for many clocks so the calendars are read once."""
    if clock.stopped_at is None:
        return Decimal(0)
    target = clock_target(clock)
    calendar = calendar_for(clock.case.team, target) if target.basis == WORKING_TIME else BUILT_IN_CALENDAR
    return clock_minutes_run(
        calendar=calendar,
        basis=target.basis,
        started_at=clock.started_at,
        stopped_at=clock.stopped_at,
        paused_seconds=clock.paused_seconds,
    )


def _team_standing_in(team_id: int | None, unit_id: int | None, unit_path: str | None) -> Team | None:
    # `calendar_for` finds a team's calendar by its unit's path alone; this unsaved stand-in carries what it
    # reads, so the clocks' rows need not be loaded as model instances.
    if team_id is None or unit_id is None:
        return None
    return Team(pk=team_id, unit=OrgUnit(pk=unit_id, path=unit_path or ""))


def case_clock_minutes_by_handler(
    *, metric: str, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, ClockMinutes]:
    """Return, per person of `people`, the clocks of `metric` stopped in [start_at, end_at) on the cases he
    handles (the assignee, else the resolver) with the minutes they ran (`case_clock_elapsed_minutes`).

    Met and breached clocks are `counted`; cancelled ones `excluded`. One query for the clocks, plus the
    SLA configuration once when a working-time clock needs its calendar; none per person. Reads only the
    columns the minutes need, and looks each calendar up once per unit and policy calendar.
    """
    rows = list(
        CaseClock.objects.filter(
            metric=metric,
            stopped_at__gte=start_at,
            stopped_at__lt=end_at,
            status__in=(CaseClock.Status.MET, CaseClock.Status.BREACHED, CaseClock.Status.CANCELLED),
        )
        .annotate(handler_pk=_case_handler("case__"))
        .filter(handler_pk__in=list(people))
        .order_by("pk")
        .values_list(
            "handler_pk",
            "status",
            "target_basis",
            "sla_calendar_id",
            "started_at",
            "stopped_at",
            "paused_seconds",
            "case__team_id",
            "case__team__unit_id",
            "case__team__unit__path",
        )
    )
    totals: dict[int, ClockMinutes] = {}
    calendars: dict[tuple[int | None, str | None, int | None], Calendar] = {}
    # Calendar-time clocks need no calendar: the configuration is read only when a working-time one does.
    needs_calendars = any(row[2] == WORKING_TIME for row in rows)
    with sla_config_pinned() if needs_calendars else contextlib.nullcontext():
        for person, status, basis, calendar_id, started, stopped, paused, team_id, unit_id, path in rows:
            own = totals.get(person, ClockMinutes())
            if status == CaseClock.Status.CANCELLED:
                totals[person] = dataclasses.replace(own, excluded=own.excluded + 1)
                continue
            calendar = BUILT_IN_CALENDAR
            if basis == WORKING_TIME:
                # Within the pinned configuration a calendar depends only on the unit and the policy calendar.
                key = (unit_id, path, calendar_id)
                found = calendars.get(key)
                if found is None:
                    target = ClockTarget(metric, 0, "", basis, "", calendar_id=calendar_id)
                    found = calendars[key] = calendar_for(_team_standing_in(team_id, unit_id, path), target)
                calendar = found
            minutes = own.minutes + clock_minutes_run(
                calendar=calendar, basis=basis, started_at=started, stopped_at=stopped, paused_seconds=paused
            )
            totals[person] = dataclasses.replace(own, counted=own.counted + 1, minutes=minutes)
    return totals


def case_clock_minutes_list_of_handler(
    *, metric: str, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = EVIDENCE_LIMIT
) -> list[tuple[CaseClock, Decimal]]:
    """Return the clocks `case_clock_minutes_by_handler` counts or excludes for `person`, newest stop first,
    each with the minutes it ran (0 for a cancelled one, which is not counted)."""
    clocks = case_clock_list_of_handler(
        metric=metric, start_at=start_at, end_at=end_at, person=person, limit=limit
    )
    needs_calendars = any(clock.target_basis == WORKING_TIME for clock in clocks)
    with sla_config_pinned() if needs_calendars else contextlib.nullcontext():
        return [
            (
                clock,
                Decimal(0)
                if clock.status == CaseClock.Status.CANCELLED
                else case_clock_elapsed_minutes(clock),
            )
            for clock in clocks
        ]
