"""Training records read for people and pages: a person's own training, the assignments a reader may see,
the overdue work of a supervisor's teams, the training matrix, hours of training in a year, the link to an
assignment's source, and the effectiveness of a course on the quality of the work it teaches.

Every function reads a bounded number of queries whatever the number of people or courses (lists are built
in memory from a few grouped reads), so the desk home, the matrix and the assessment indicators stay cheap
with thousands of staff.

Hours of training in a calendar year (in the person's time zone) are the hours credited by his completions
in that year, plus the hours credited by the sessions he attended in that year; a session of a course he
completed in the same year on or after the session's start is not counted again, since that completion
already credits the training (the session led to it).

A certificate reads "valid", "expiring soon" (within its course's `renewal_notice_days` of its expiry),
"expired" or "revoked".
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from charter.accounts.models import OrgUnit, Team, TeamMembership, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import led_team_ids, org_unit_subtree, staff_list
from charter.cases.selectors import case_reply_daily_tally_by_author
from charter.common.dates import day_end, day_start
from charter.common.pages import may_open
from charter.common.versioning import VersionStatus
from charter.quality.models import Finding, Review, ReviewScore
from charter.quality.scoring import value_fraction
from charter.training.models import (
    Assignment,
    Certificate,
    Completion,
    Course,
    CourseVersion,
    Enrolment,
)
from charter.training.permissions import can_view_all_records

HUNDREDTH = Decimal("0.01")
YEAR_DAYS = 365


def _round(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def user_zone(user: User) -> dt.tzinfo:
    """The time zone `user` reads times in: his own, else the organisation's."""
    return ZoneInfo(user.time_zone or settings.TIME_ZONE)


# Certificates -------------------------------------------------------------------------------------------


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"


def certificate_status(certificate: Certificate, *, today: dt.date, notice_days: int) -> CertificateStatus:
    """Revoked, expired (after its `expires_on`), expiring (within `notice_days` of it) or valid."""
    if certificate.revoked_at is not None:
        return CertificateStatus.REVOKED
    if certificate.expires_on is None:
        return CertificateStatus.VALID
    if certificate.expires_on < today:
        return CertificateStatus.EXPIRED
    if certificate.expires_on <= today + dt.timedelta(days=notice_days):
        return CertificateStatus.EXPIRING
    return CertificateStatus.VALID


# Source links -------------------------------------------------------------------------------------------


def page_link(user: AnyUser, url_name: str, *args: object) -> str | None:
    """The address of `url_name` when it exists and its page rule lets `user` open it, else None (also for
    a page that declares no page rule: a menu never guesses)."""
    try:
        url = reverse(url_name, args=args)
        if not may_open(user, url_name, *args):
            return None
    except (NoReverseMatch, ImproperlyConfigured):
        return None
    return url


def _object_link(user: AnyUser, url_name: str, *args: object) -> str | None:
    """The address of an object's page, once the caller asked the object's own predicate: the page's rule
    is asked too when it declares one (a detail page often declares none and asks the same predicate)."""
    try:
        url = reverse(url_name, args=args)
        if not may_open(user, url_name, *args):
            return None
    except NoReverseMatch:
        return None
    except ImproperlyConfigured:
        return url
    return url


def source_link(assignment: Assignment, user: AnyUser) -> str | None:
    """The desk address of what caused `assignment` (a QA review, a violation, a standard's version, a
    training batch) when `user` may open it, else None (the page shows the reason as plain text)."""
    kind, pk = assignment.source_type, assignment.source_id
    if kind == "quality.review":
        from charter.quality.permissions import can_view_review

        review = Review.objects.filter(pk=pk).first()
        if review is None or not can_view_review(user, review):
            return None
        return _object_link(user, "quality:review_detail", pk)
    if kind == "conduct.violation":
        from charter.conduct.models import Violation
        from charter.conduct.permissions import can_view

        violation = Violation.objects.filter(pk=pk).select_related("staff").first()
        if violation is None or not can_view(user, violation):
            return None
        return _object_link(user, "conduct:violation_detail", pk)
    if kind == "standards.version":
        from charter.standards.models import StandardVersion

        version = StandardVersion.objects.filter(pk=pk).exclude(status=VersionStatus.DRAFT).first()
        if version is None or not getattr(user, "is_staff_member", False):
            return None
        # The standards version page asks only for a member of staff.
        return _object_link(user, "standards:version_detail", version.document_id, version.number)
    if kind == "training.batch":
        return page_link(user, "training:batch_detail", pk)
    return None


# Assignments --------------------------------------------------------------------------------------------


def _members_of(team_ids: Iterable[int]) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(team_id__in=list(team_ids))


def assignment_list_visible_to(
    *, user: User, status: str | None = None, person_id: int | None = None, overdue_only: bool = False
) -> QuerySet[Assignment]:
    """The assignments `user` may read: his own; a supervisor's also those of the people of the teams he
    leads; a holder of `view_training_records` everyone's. Filtered by `status`, person and overdue (open
    and past the due date), ordered by due date, each with its course and person."""
    assignments = Assignment.objects.select_related("course", "person")
    if not can_view_all_records(user):
        led = led_team_ids(user)
        assignments = assignments.filter(
            Q(person_id=user.pk) | Q(person_id__in=_members_of(led).values("user_id"))
        )
    if status:
        assignments = assignments.filter(status=status)
    if person_id is not None:
        assignments = assignments.filter(person_id=person_id)
    if overdue_only:
        assignments = assignments.filter(status=Assignment.Status.OPEN, due_on__lt=timezone.localdate())
    return assignments.order_by("due_on", "pk")


def overdue_for_supervisor(*, user: User) -> QuerySet[Assignment]:
    """The open assignments past their due date of the people of the teams `user` leads (not his own),
    the oldest due first; empty for someone who leads no team."""
    led = led_team_ids(user)
    return (
        Assignment.objects.filter(
            status=Assignment.Status.OPEN,
            due_on__lt=timezone.localdate(),
            person_id__in=_members_of(led).values("user_id"),
        )
        .exclude(person_id=user.pk)
        .select_related("course", "person")
        .order_by("due_on", "pk")
    )


# Hours --------------------------------------------------------------------------------------------------


def hours_in_year(*, person: User, year: int) -> Decimal:
    """Hours of training `person` earned in calendar `year` of his time zone (module docstring: completions
    plus attended sessions, a session leading to a completion of its course in the year counted once)."""
    zone = user_zone(person)
    start_at, end_at = day_start(dt.date(year, 1, 1), zone), day_end(dt.date(year, 12, 31), zone)
    completions = list(
        Completion.objects.filter(person=person, completed_at__gte=start_at, completed_at__lt=end_at).values(
            "course_id", "completed_at", "hours"
        )
    )
    total = sum((row["hours"] for row in completions), Decimal(0))
    enrolments = Enrolment.objects.filter(
        person=person,
        attendance=Enrolment.Attendance.PRESENT,
        session__starts_at__gte=start_at,
        session__starts_at__lt=end_at,
    ).values("hours", "session__hours", "session__course_id", "session__starts_at")
    for row in enrolments:
        led_to_completion = any(
            done["course_id"] == row["session__course_id"]
            and done["completed_at"] >= row["session__starts_at"]
            for done in completions
        )
        if not led_to_completion:
            total += row["hours"] or row["session__hours"] or Decimal(0)
    return total


# My training --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentView:
    assignment: Assignment
    is_overdue: bool
    link: str | None


@dataclass(frozen=True)
class CertificateView:
    certificate: Certificate
    status: CertificateStatus


@dataclass(frozen=True)
class MyTraining:
    """A person's training as his page shows it."""

    open: list[AssignmentView]
    done: list[Completion]
    certificates: list[CertificateView]
    hours_this_year: Decimal
    year: int

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.open if row.is_overdue)


def my_training(*, person: User, reader: User | None = None, today: dt.date | None = None) -> MyTraining:
    """`person`'s open assignments (the earliest due first, overdue flagged, with the reason and the link to
    its source when `reader`, by default the person, may open it), what he completed in the last year, his
    certificates (the newest first, with their status) and his hours this calendar year."""
    reader = reader or person
    zone = user_zone(person)
    today = today or timezone.localdate(timezone=zone)
    open_rows = [
        AssignmentView(assignment=row, is_overdue=row.due_on < today, link=source_link(row, reader))
        for row in Assignment.objects.filter(person=person, status=Assignment.Status.OPEN)
        .select_related("course")
        .order_by("due_on", "pk")
    ]
    year_ago = day_start(today - dt.timedelta(days=YEAR_DAYS), zone)
    done = list(
        Completion.objects.filter(person=person, completed_at__gte=year_ago)
        .select_related("course", "version")
        .order_by("-completed_at", "-pk")
    )
    certificates = [
        CertificateView(
            certificate=row,
            status=certificate_status(row, today=today, notice_days=row.course.renewal_notice_days),
        )
        for row in Certificate.objects.filter(person=person)
        .select_related("course")
        .order_by("-issued_on", "-pk")
    ]
    return MyTraining(
        open=open_rows,
        done=done,
        certificates=certificates,
        hours_this_year=hours_in_year(person=person, year=today.year),
        year=today.year,
    )


# The matrix ---------------------------------------------------------------------------------------------


class CellState(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class Cell:
    state: CellState
    due_on: dt.date | None = None
    expires_on: dt.date | None = None


@dataclass
class MatrixRow:
    person: User
    teams: list[str]
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class Matrix:
    courses: list[Course]
    rows: list[MatrixRow]


def matrix_people(*, user: User, team: Team | None = None, unit: OrgUnit | None = None) -> QuerySet[User]:
    """The staff whose training `user` may see in the matrix (everyone for record holders, the people of
    his teams for a supervisor), narrowed to `team` or to the teams of `unit` and the units under it."""
    people = staff_list()
    if not can_view_all_records(user):
        people = people.filter(pk__in=_members_of(led_team_ids(user)).values("user_id"))
    if team is not None:
        people = people.filter(pk__in=TeamMembership.objects.filter(team=team).values("user_id"))
    if unit is not None:
        units = org_unit_subtree(unit=unit).values("pk")
        people = people.filter(pk__in=TeamMembership.objects.filter(team__unit__in=units).values("user_id"))
    return people


def cell_state(
    *,
    today: dt.date,
    open_due: dt.date | None,
    last_completed: dt.datetime | None,
    certificate: dict[str, Any] | None,
) -> Cell:
    """The state of one person's training in one course.

    An open assignment decides first (overdue past its due date, else due); then the latest certificate: not
    valid (expired or revoked) and no completion after the one that earned it: expired; then any valid
    certificate or completion: done; else not required.
    """
    if open_due is not None:
        return Cell(CellState.OVERDUE if open_due < today else CellState.DUE, due_on=open_due)
    if certificate is not None:
        valid = certificate["revoked_at"] is None and (
            certificate["expires_on"] is None or certificate["expires_on"] >= today
        )
        newer = last_completed is not None and last_completed > certificate["completion__completed_at"]
        if not valid and not newer:
            return Cell(CellState.EXPIRED, expires_on=certificate["expires_on"])
        if valid:
            return Cell(CellState.DONE, expires_on=certificate["expires_on"])
    if last_completed is not None:
        return Cell(CellState.DONE)
    return Cell(CellState.NOT_REQUIRED)


def training_matrix(
    *,
    user: User,
    team: Team | None = None,
    unit: OrgUnit | None = None,
    today: dt.date | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Matrix:
    """People × required courses, each cell a `CellState`; the rows from `offset`, at most `limit` of them
    (all when None), by username.

    The required courses are the active courses with an open or completed assignment of any of the people
    (all of them, not only the rows asked for, so every page has the same columns), and every onboarding or
    standard-linked active course. Six queries whatever the size: people, their teams, courses, open
    assignments, latest completions, certificates.
    """
    today = today or timezone.localdate()
    everyone = matrix_people(user=user, team=team, unit=unit)
    people = list(everyone[offset : offset + limit] if limit is not None else everyone[offset:])
    ids = [person.pk for person in people]
    all_filter = Q(person_id__in=everyone.values("pk"))
    person_filter = Q(person_id__in=ids) if limit is not None else all_filter
    assigned = Assignment.objects.filter(
        all_filter, status__in=(Assignment.Status.OPEN, Assignment.Status.COMPLETED)
    ).values("course_id")
    courses = list(
        Course.objects.filter(Q(pk__in=assigned) | Q(is_onboarding=True) | Q(standard__isnull=False))
        .filter(is_active=True)
        .order_by("code")
    )
    course_ids = [course.pk for course in courses]
    teams: dict[int, list[str]] = defaultdict(list)
    for membership in (
        TeamMembership.objects.filter(user_id__in=ids).select_related("team").order_by("team__code")
    ):
        teams[membership.user_id].append(str(membership.team))
    open_due: dict[tuple[int, int], dt.date] = {}
    for due_row in Assignment.objects.filter(
        person_filter, course_id__in=course_ids, status=Assignment.Status.OPEN
    ).values("person_id", "course_id", "due_on"):
        key = (due_row["person_id"], due_row["course_id"])
        open_due[key] = min(open_due.get(key, due_row["due_on"]), due_row["due_on"])
    last_completed: dict[tuple[int, int], dt.datetime] = {}
    for done_row in (
        Completion.objects.filter(person_filter, course_id__in=course_ids)
        .values("person_id", "course_id")
        .annotate(last=Max("completed_at"))
    ):
        last_completed[(done_row["person_id"], done_row["course_id"])] = done_row["last"]
    latest_certificate: dict[tuple[int, int], dict[str, Any]] = {}
    for cert_row in (
        Certificate.objects.filter(person_filter, course_id__in=course_ids)
        .order_by("issued_on", "pk")
        .values("person_id", "course_id", "expires_on", "revoked_at", "completion__completed_at")
    ):
        latest_certificate[(cert_row["person_id"], cert_row["course_id"])] = dict(
            cert_row
        )  # the last one read is the newest
    rows = []
    for person in people:
        matrix_row = MatrixRow(person=person, teams=teams.get(person.pk, []))
        for course in courses:
            key = (person.pk, course.pk)
            matrix_row.cells.append(
                cell_state(
                    today=today,
                    open_due=open_due.get(key),
                    last_completed=last_completed.get(key),
                    certificate=latest_certificate.get(key),
                )
            )
        rows.append(matrix_row)
    return Matrix(courses=courses, rows=rows)


# Effectiveness ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """One group's figures in one window: the mean QA criterion score (% of the scale's best answer) over
    `scores` scores of `scored_people` people, and reply-check findings per 100 replies (`findings` over
    `replies`, of `replying_people` people)."""

    qa_mean: Decimal | None
    scores: int
    scored_people: int
    findings: int
    replies: int
    replying_people: int

    @property
    def findings_per_100(self) -> Decimal | None:
        return _round(Decimal(100) * self.findings / self.replies) if self.replies else None


@dataclass(frozen=True)
class Group:
    people: int
    before: Window
    after: Window


@dataclass(frozen=True)
class Effectiveness:
    """The before/after comparison of one course (see `effectiveness`)."""

    course: Course
    version: CourseVersion | None
    clauses: list[tuple[str, str]]  # (standard's code, clause number)
    days: int
    since: dt.date
    until: dt.date
    split_on: dt.date | None
    trained: Group
    untrained: Group


_EMPTY_WINDOW = Window(qa_mean=None, scores=0, scored_people=0, findings=0, replies=0, replying_people=0)


@dataclass
class _Tally:
    score_sum: Decimal = Decimal(0)
    scores: int = 0
    scored: set[int] = field(default_factory=set)
    findings: int = 0
    replies: int = 0
    replying: set[int] = field(default_factory=set)

    def window(self) -> Window:
        mean = _round(self.score_sum / self.scores) if self.scores else None
        return Window(
            qa_mean=mean,
            scores=self.scores,
            scored_people=len(self.scored),
            findings=self.findings,
            replies=self.replies,
            replying_people=len(self.replying),
        )


def _clause_filter(prefix: str, clauses: Sequence[tuple[int, str]]) -> Q:
    condition = Q(pk__in=[])
    for document_id, number in clauses:
        condition |= Q(**{f"{prefix}__version__document_id": document_id, f"{prefix}__number": number})
    return condition


@dataclass(frozen=True)
class _Span:
    start_at: dt.datetime
    end_at: dt.datetime
    zone: dt.tzinfo
    people: set[int]
    clauses: list[tuple[int, str]]


Classify = Callable[[int, dt.date], "tuple[str, str] | None"]


def _tally_scores(span: _Span, classify: Classify, tallies: dict[tuple[str, str], _Tally]) -> None:
    settled = (Review.Status.SUBMITTED, Review.Status.ACKNOWLEDGED, Review.Status.DECIDED)
    scores = ReviewScore.objects.filter(
        _clause_filter("criterion__clause", span.clauses),
        value__isnull=False,
        review__status__in=settled,
        review__agent_id__in=span.people,
        review__submitted_at__gte=span.start_at,
        review__submitted_at__lt=span.end_at,
    ).values_list("review__agent_id", "review__submitted_at", "criterion__scale", "value")
    for person_id, submitted_at, scale, value in scores:
        key = classify(person_id, timezone.localtime(submitted_at, span.zone).date())
        if key and value is not None:
            tally = tallies[key]
            fraction = value_fraction(scale, value)
            tally.score_sum += Decimal(100) * fraction.numerator / fraction.denominator
            tally.scores += 1
            tally.scored.add(person_id)


def _tally_findings(span: _Span, classify: Classify, tallies: dict[tuple[str, str], _Tally]) -> None:
    findings = Finding.objects.filter(
        _clause_filter("clause", span.clauses),
        agent_id__in=span.people,
        replied_at__gte=span.start_at,
        replied_at__lt=span.end_at,
    ).values_list("agent_id", "replied_at")
    for person_id, replied_at in findings:
        key = classify(person_id, timezone.localtime(replied_at, span.zone).date())
        if key:
            tallies[key].findings += 1


def _tally_replies(span: _Span, classify: Classify, tallies: dict[tuple[str, str], _Tally]) -> None:
    """Public replies per person and day (cases' `case_reply_daily_tally_by_author`: the windows differ by
    person, so the replies are counted by day in one query)."""
    daily = case_reply_daily_tally_by_author(
        start_at=span.start_at, end_at=span.end_at, people=list(span.people), zone=span.zone
    )
    for (person_id, day), sent in daily.items():
        key = classify(person_id, day)
        if key:
            tallies[key].replies += sent
            tallies[key].replying.add(person_id)


def effectiveness(
    *, course: Course, days: int = 90, since: dt.date | None = None, until: dt.date | None = None
) -> Effectiveness:
    """Compare the quality of the work the course teaches before and after training, for the trained and
    for staff not trained over the same calendar windows. An association, never a proof of cause.

    The clauses are those the course's published version cites, matched in any version of their standard by
    document and clause number. The trained are the staff whose first completion of the course falls from
    `since` (default: a year before `until`) to `until` (default: `days` days ago, so every "after" window
    is over). For each, "before" is the `days` days before the day of completion and "after" the `days` days
    after it (the day itself in neither). The untrained (staff with no completion of the course) are read
    over the same windows around the median completion day of the trained.

    The QA figure is the mean of the settled reviews' scores (submitted, acknowledged or decided) on
    criteria citing those clauses, each as a % of its scale's best answer; the reply figure is reply-check
    findings on those clauses per 100 public replies. Days are the organisation's. Seven queries, whatever
    the number of people.
    """
    zone = timezone.get_default_timezone()
    today = timezone.localdate(timezone=zone)
    until = until or today - dt.timedelta(days=days)
    since = since or until - dt.timedelta(days=YEAR_DAYS)
    version = course.versions.filter(status=VersionStatus.PUBLISHED).first()
    clause_rows = (
        list(
            version.clauses.order_by("sort_key").values_list(
                "version__document_id", "number", "version__document__code"
            )
        )
        if version
        else []
    )
    clauses = [(row[0], row[1]) for row in clause_rows]
    first_done: dict[int, dt.date] = {}
    for person_id, completed_at in (
        Completion.objects.filter(course=course)
        .order_by("completed_at")
        .values_list("person_id", "completed_at")
    ):
        first_done.setdefault(person_id, timezone.localtime(completed_at, zone).date())
    trained = {pid: day for pid, day in first_done.items() if since <= day <= until}
    split_on = statistics.median_low(sorted(trained.values())) if trained else None
    untrained_people = staff_list().exclude(
        pk__in=Completion.objects.filter(course=course).values("person_id")
    )
    delta = dt.timedelta(days=days)

    def side(day: dt.date, at: dt.date) -> str | None:
        if at - delta <= day < at:
            return "before"
        if at < day <= at + delta:
            return "after"
        return None

    tallies = {(group, when): _Tally() for group in ("trained", "untrained") for when in ("before", "after")}
    if not clauses or split_on is None:
        empty = Group(people=len(trained), before=_EMPTY_WINDOW, after=_EMPTY_WINDOW)
        return Effectiveness(
            course=course,
            version=version,
            clauses=[(row[2], row[1]) for row in clause_rows],
            days=days,
            since=since,
            until=until,
            split_on=split_on,
            trained=empty,
            untrained=Group(people=0, before=_EMPTY_WINDOW, after=_EMPTY_WINDOW),
        )
    start_at = day_start(min(min(trained.values()), split_on) - delta, zone)
    end_at = day_end(max(max(trained.values()), split_on) + delta, zone)
    trained_ids = list(trained)
    untrained_ids = set(untrained_people.values_list("pk", flat=True))
    people_ids = set(trained_ids) | untrained_ids

    def classify(person_id: int, day: dt.date) -> tuple[str, str] | None:
        if person_id in trained:
            when = side(day, trained[person_id])
            return ("trained", when) if when else None
        if person_id in untrained_ids:
            when = side(day, split_on)
            return ("untrained", when) if when else None
        return None

    window = _Span(start_at=start_at, end_at=end_at, zone=zone, people=people_ids, clauses=clauses)
    _tally_scores(window, classify, tallies)
    _tally_findings(window, classify, tallies)
    _tally_replies(window, classify, tallies)
    return Effectiveness(
        course=course,
        version=version,
        clauses=[(row[2], row[1]) for row in clause_rows],
        days=days,
        since=since,
        until=until,
        split_on=split_on,
        trained=Group(
            people=len(trained),
            before=tallies[("trained", "before")].window(),
            after=tallies[("trained", "after")].window(),
        ),
        untrained=Group(
            people=len(untrained_ids),
            before=tallies[("untrained", "before")].window(),
            after=tallies[("untrained", "after")].window(),
        ),
    )


# For the assessment indicators --------------------------------------------------------------------------


@dataclass(frozen=True)
class DueAssignment:
    """An assignment due in a period, as the "training completed on time" indicator reads it."""

    pk: int
    person_id: int
    course: str
    due_on: dt.date
    status: str
    completed_at: dt.datetime | None
    on_time: bool
    not_due_yet: bool


def assignments_due_in(
    *, start: dt.date, end: dt.date, people: Sequence[int], today: dt.date | None = None
) -> list[DueAssignment]:
    """The assignments of `people` due from `start` to `end` (both included), waived ones among them (the
    indicator leaves them out), each saying whether it was completed by the end of its due day (in the
    organisation's time zone) and whether it is still open and not yet due today. One query."""
    zone = timezone.get_default_timezone()
    today = today or timezone.localdate(timezone=zone)
    rows = (
        Assignment.objects.filter(person_id__in=list(people), due_on__gte=start, due_on__lte=end)
        .select_related("course")
        .order_by("due_on", "pk")
    )
    result = []
    for row in rows:
        on_time = (
            row.status == Assignment.Status.COMPLETED
            and row.completed_at is not None
            and row.completed_at < day_end(row.due_on, zone)
        )
        result.append(
            DueAssignment(
                pk=row.pk,
                person_id=row.person_id,
                course=str(row.course),
                due_on=row.due_on,
                status=row.status,
                completed_at=row.completed_at,
                on_time=on_time,
                not_due_yet=row.status == Assignment.Status.OPEN and row.due_on >= today,
            )
        )
    return result


@dataclass(frozen=True)
class RequiredCertificate:
    """A qualification-granting course assigned to a person, and his certificate valid on the day."""

    person_id: int
    course_id: int
    course: str
    assignment_id: int
    certificate_id: int | None
    certificate_number: str


def certificates_required(*, on: dt.date, people: Sequence[int]) -> list[RequiredCertificate]:
    """For each of `people`, the qualification-granting courses assigned to him (not waived) by the end of
    `on`, each with a certificate of that course valid on `on` (issued by then, not expired, not revoked by
    then) when he holds one. Two queries."""
    zone = timezone.get_default_timezone()
    end_at = day_end(on, zone)
    assignments = (
        Assignment.objects.filter(
            person_id__in=list(people), course__qualification__isnull=False, created_at__lt=end_at
        )
        .exclude(status=Assignment.Status.WAIVED)
        .select_related("course")
        .order_by("person_id", "course_id", "pk")
    )
    required: dict[tuple[int, int], Assignment] = {}
    for assignment in assignments:
        required.setdefault((assignment.person_id, assignment.course_id), assignment)
    valid: dict[tuple[int, int], tuple[int, str]] = {}
    certificates = (
        Certificate.objects.filter(
            person_id__in=list(people),
            course_id__in={course_id for _person, course_id in required},
            issued_on__lte=on,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end_at))
        .order_by("issued_on", "pk")
        .values_list("person_id", "course_id", "pk", "number")
    )
    for person_id, course_id, pk, number in certificates:
        valid[(person_id, course_id)] = (pk, number)
    return [
        RequiredCertificate(
            person_id=key[0],
            course_id=key[1],
            course=str(assignment.course),
            assignment_id=assignment.pk,
            certificate_id=valid[key][0] if key in valid else None,
            certificate_number=valid[key][1] if key in valid else "",
        )
        for key, assignment in required.items()
    ]
