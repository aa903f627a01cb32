"""The dashboard's rollups against direct counts: days in Shanghai time, every measure, scoping by team,
refreshing twice, the hourly window, and a constant number of queries."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case, CaseCategory, CaseClock, CaseStatus
from charter.catalog.models import Service
from charter.reports.dashboard import dashboard_figures, trend_months
from charter.reports.figures import Nps, Ratio, from_json, to_json
from charter.reports.models import DailyFact, MonthlyFact, RollupState, SnapshotFact
from charter.reports.periods import zone
from charter.reports.permissions import dashboard_team_ids
from charter.reports.rollups import rollup_refresh
from charter.surveys.models import SurveyVersion
from tests.reports.conftest import local, make_response

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
NOW = local(2026, 3, 20, 12)


def case(
    customer: Customer,
    *,
    team: Team | None,
    kind: str = "inquiry",
    received_at: dt.datetime,
    service: Service | None = None,
    category: CaseCategory | None = None,
    status: str = CaseStatus.IN_PROGRESS,
    resolved_at: dt.datetime | None = None,
    root_cause: str = "",
) -> Case:
    return Case.objects.create(
        number=f"D-{next(_numbers):06d}",
        kind=kind,
        channel="web",
        title="账单疑问",
        description="金额不对。",
        customer=customer,
        team=team,
        service=service,
        category=category,
        status=status,
        received_at=received_at,
        resolved_at=resolved_at,
        root_cause=root_cause,
    )


def clock(target: Case, *, met_at: dt.datetime | None = None, breached_at: dt.datetime | None = None) -> None:
    CaseClock.objects.create(
        case=target,
        metric="resolution",
        status=CaseClock.Status.MET if met_at else CaseClock.Status.BREACHED,
        target_amount=2,
        target_unit="working_days",
        target_basis="working_time",
        started_at=target.received_at,
        met_at=met_at,
        breached_at=breached_at,
    )


@pytest.fixture
def world(
    customer: Customer,
    team: Team,
    other_team: Team,
    service: Service,
    survey_version: SurveyVersion,
) -> dict[str, object]:
    """March 2026 in two teams: cases on both sides of local midnight, clocks met and missed, answers."""
    billing = CaseCategory.objects.create(name_zh="账单", name_en="Billing")
    # 1 March 00:30 in Shanghai is still 28 February in UTC: it belongs to March.
    early = case(
        customer, team=team, kind="complaint", received_at=local(2026, 3, 1, 0, 30), category=billing
    )
    # 28 February 23:30 in Shanghai: February, although it is in March nowhere.
    case(customer, team=team, kind="complaint", received_at=local(2026, 2, 28, 23, 30), category=billing)
    late = case(
        customer,
        team=team,
        kind="complaint",
        received_at=local(2026, 3, 5, 9),
        service=service,
        status=CaseStatus.RESOLVED,
        resolved_at=local(2026, 3, 6, 10),
        root_cause="communication",
    )
    case(customer, team=team, received_at=local(2026, 3, 19, 9), service=service)
    theirs = case(customer, team=other_team, kind="complaint", received_at=local(2026, 3, 10, 9))
    case(customer, team=None, received_at=local(2026, 3, 11, 9))
    case(customer, team=team, received_at=local(2026, 1, 1, 9))  # open for more than 30 days
    clock(early, met_at=local(2026, 3, 2, 10))
    clock(late, breached_at=local(2026, 3, 7, 10))
    clock(theirs, met_at=local(2026, 3, 12, 10))
    for csat, nps in ((5, 10), (4, 8), (3, 6), (1, 0)):
        response = make_response(
            survey_version, customer, service, csat=csat, submitted_at=local(2026, 3, 15, 10)
        )
        response.team = team
        response.nps = nps
        response.save()
    excluded = make_response(survey_version, customer, service, csat=2, submitted_at=local(2026, 3, 15, 11))
    excluded.team = team
    excluded.assessment_excluded_at = local(2026, 3, 16)
    excluded.save()
    other = make_response(survey_version, customer, None, csat=1, submitted_at=local(2026, 3, 15, 10))
    other.team = other_team
    other.save()
    return {"billing": billing}


def march(team_ids: frozenset[int] | None) -> tuple[dt.date, dt.date, frozenset[int] | None]:
    return dt.date(2026, 3, 1), dt.date(2026, 4, 1), team_ids


def test_the_rollup_counts_what_a_direct_count_finds(world: dict[str, object], team: Team) -> None:
    rollup_refresh(at=NOW, full=True)

    figures = dashboard_figures(
        team_ids=frozenset({team.pk}), start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1)
    )

    direct = (
        Case.objects.filter(team=team)
        .annotate(day=TruncDate("received_at", tzinfo=zone()))
        .filter(day__gte=dt.date(2026, 3, 1), day__lt=dt.date(2026, 4, 1))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert figures.received == sum(row["n"] for row in direct) == 3
    assert figures.complaints == 2
    assert figures.resolved == 1
    assert [(row.label, row.count) for row in figures.complaints_by_category] == [
        ("账单", 1),
        ("No category", 1),
    ] or [(row.count) for row in figures.complaints_by_category] == [1, 1]
    assert [(row.key, row.count) for row in figures.complaints_by_root_cause] == [("communication", 1)]
    assert figures.sla == Ratio(part=1, whole=2)
    assert [(row.key, row.ratio) for row in figures.sla_by_kind] == [("complaint", Ratio(1, 2))]
    assert {row.key: row.ratio for row in figures.sla_by_service} == {
        "": Ratio(1, 1),
        "water-connection": Ratio(0, 1),
    }
    assert figures.csat == Ratio(part=2, whole=5)
    assert figures.nps == Nps(promoters=1, passives=1, detractors=2)
    # 好差评: the bad review ruled not valid is left out; 基本满意 (3) counts as good.
    assert figures.good_bad == Ratio(part=3, whole=4)
    assert figures.backlog_open == 4
    assert {row.key: row.count for row in figures.backlog_ageing} == {
        "0-1d": 0,
        "1-3d": 1,
        "3-7d": 0,
        "7-30d": 2,
        "30d+": 1,
    }
    assert figures.computed_at == NOW
    assert figures.training is None


def test_odd_days_and_whole_months_add_up(world: dict[str, object]) -> None:
    rollup_refresh(at=NOW, full=True)

    # 28 February from the daily facts, March from the monthly sums, 1 April (nothing) from the daily again.
    spanning = dashboard_figures(team_ids=None, start=dt.date(2026, 2, 28), end=dt.date(2026, 4, 2))
    days_only = dashboard_figures(team_ids=None, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 20))

    assert spanning.received == 6
    assert spanning.complaints == 4
    assert spanning.sla == Ratio(part=2, whole=3)
    assert days_only.received == 4  # 5, 10, 11 and 19 March
    assert MonthlyFact.objects.filter(month=dt.date(2026, 3, 1), measure="received").exists()


def test_a_supervisor_sees_only_his_subtree(
    world: dict[str, object], team: Team, other_team: Team, supervisor: User, administrator: User
) -> None:
    rollup_refresh(at=NOW, full=True)
    start, end = dt.date(2026, 3, 1), dt.date(2026, 4, 1)

    mine = dashboard_figures(team_ids=dashboard_team_ids(supervisor), start=start, end=end)
    everything = dashboard_figures(team_ids=dashboard_team_ids(administrator), start=start, end=end)

    assert dashboard_team_ids(supervisor) == frozenset({team.pk})
    assert dashboard_team_ids(administrator) is None
    assert mine.received == 3
    assert mine.csat.whole == 5  # the other team's 1 is not his
    # The whole organisation: both teams and the case with no team.
    assert everything.received == 5
    assert everything.complaints == 3
    assert everything.csat == Ratio(part=2, whole=6)
    assert everything.backlog_open == 6


def test_nobody_in_scope_sees_nothing(world: dict[str, object]) -> None:
    rollup_refresh(at=NOW, full=True)

    figures = dashboard_figures(team_ids=frozenset(), start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))

    assert (figures.received, figures.backlog_open, figures.csat.whole) == (0, 0, 0)


def test_refreshing_twice_gives_the_same_table(world: dict[str, object]) -> None:
    rollup_refresh(at=NOW, full=True)
    first = sorted(DailyFact.objects.values_list("day", "team_id", "measure", "dimension", "count", "part"))
    snapshot = sorted(SnapshotFact.objects.values_list("team_id", "measure", "dimension", "count"))

    rollup_refresh(at=NOW, full=True)
    rollup_refresh(at=NOW)

    assert (
        sorted(DailyFact.objects.values_list("day", "team_id", "measure", "dimension", "count", "part"))
        == first
    )
    assert sorted(SnapshotFact.objects.values_list("team_id", "measure", "dimension", "count")) == snapshot


def test_the_hourly_refresh_recomputes_its_window_and_keeps_older_days(
    world: dict[str, object], customer: Customer, team: Team
) -> None:
    rollup_refresh(at=NOW, full=True)
    january = dashboard_figures(team_ids=None, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1)).received
    case(customer, team=team, received_at=local(2026, 3, 20, 9))
    # A change to a day outside the window waits for the nightly full refresh.
    case(customer, team=team, received_at=local(2026, 1, 2, 9))

    result = rollup_refresh(at=NOW + dt.timedelta(hours=1), days=10)

    assert result.first_day == dt.date(2026, 3, 11)
    march_figures = dashboard_figures(team_ids=None, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))
    assert march_figures.received == 6
    assert (
        dashboard_figures(team_ids=None, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1)).received
        == january
    )
    assert RollupState.objects.get(name="daily").first_day == dt.date(2026, 1, 1)


def test_an_older_refresh_does_not_overwrite_a_newer_one(world: dict[str, object]) -> None:
    rollup_refresh(at=NOW, full=True)

    result = rollup_refresh(at=NOW - dt.timedelta(hours=2))

    assert not result.written
    assert RollupState.objects.get(name="daily").refreshed_at == NOW


def test_an_older_full_refresh_neither_overwrites_a_newer_one_nor_moves_its_time_back(
    world: dict[str, object], customer: Customer, team: Team
) -> None:
    rollup_refresh(at=NOW)
    newer = sorted(DailyFact.objects.values_list("day", "team_id", "measure", "dimension", "count", "part"))
    case(customer, team=team, received_at=local(2026, 3, 20, 9))  # not yet seen by the newer refresh

    result = rollup_refresh(at=NOW - dt.timedelta(hours=2), full=True)

    assert not result.written
    assert RollupState.objects.get(name="daily").refreshed_at == NOW
    assert RollupState.objects.get(name="snapshot").refreshed_at == NOW
    after = sorted(DailyFact.objects.values_list("day", "team_id", "measure", "dimension", "count", "part"))
    assert after == newer


def test_a_duplicate_merged_into_another_case_is_not_counted(
    world: dict[str, object], customer: Customer, team: Team
) -> None:
    rollup_refresh(at=NOW, full=True)
    march = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    before = dashboard_figures(team_ids=None, start=march[0], end=march[1])
    kept = case(customer, team=team, kind="complaint", received_at=local(2026, 3, 19, 9))
    duplicate = case(
        customer,
        team=team,
        kind="complaint",
        received_at=local(2026, 3, 19, 10),
        status=CaseStatus.CLOSED,
        resolved_at=local(2026, 3, 19, 11),
    )
    duplicate.merged_into = kept
    duplicate.save(update_fields=["merged_into"])
    clock(duplicate, met_at=local(2026, 3, 19, 11))

    rollup_refresh(at=NOW + dt.timedelta(minutes=1), full=True)

    after = dashboard_figures(team_ids=None, start=march[0], end=march[1])
    assert after.received == before.received + 1
    assert after.complaints == before.complaints + 1
    assert after.resolved == before.resolved
    assert after.sla.whole == before.sla.whole


def test_the_trend_is_the_twelve_months_ending_with_the_period(world: dict[str, object]) -> None:
    rollup_refresh(at=NOW, full=True)

    figures = dashboard_figures(team_ids=None, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))

    assert [point.month for point in figures.trend] == trend_months(dt.date(2026, 4, 1))
    assert figures.trend[0].month == dt.date(2025, 4, 1)
    by_month = {point.month: point for point in figures.trend}
    assert by_month[dt.date(2026, 3, 1)].received == 5
    assert by_month[dt.date(2026, 2, 1)].received == 1
    assert by_month[dt.date(2026, 1, 1)].received == 1
    assert by_month[dt.date(2026, 3, 1)].csat == Ratio(2, 6)


def test_the_figures_survive_json(world: dict[str, object], team: Team) -> None:
    rollup_refresh(at=NOW, full=True)
    figures = dashboard_figures(
        team_ids=frozenset({team.pk}), start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1)
    )

    assert from_json(to_json(figures)) == figures


def test_the_queries_do_not_grow_with_the_cases(
    world: dict[str, object], customer: Customer, team: Team, other_team: Team
) -> None:
    with CaptureQueriesContext(connection) as few:
        rollup_refresh(at=NOW, full=True)
    for day in range(1, 20):
        case(
            customer,
            team=team if day % 2 else other_team,
            kind="complaint",
            received_at=local(2026, 3, day, 9),
        )

    with CaptureQueriesContext(connection) as many:
        rollup_refresh(at=NOW, full=True)
    with CaptureQueriesContext(connection) as reading:
        figures = dashboard_figures(team_ids=None, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))

    assert len(many) == len(few)
    assert len(reading) <= 10
    assert figures.received == 24


def test_qa_average_is_a_decimal() -> None:
    from charter.reports.dashboard import _average

    assert _average(Decimal("250"), 3) == Decimal("83.3")
    assert _average(Decimal("0"), 0) is None
