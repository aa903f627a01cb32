"""The team load page's charts: open cases per team and handler, split into breached, near, on track."""

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import translation

from charter.accounts.models import Customer, Team, User
from charter.cases.charts import load_charts
from charter.cases.models import Case, CaseClock
from charter.cases.selectors import case_stats_for_supervisor
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import client_for

HOUR = dt.timedelta(hours=1)


def _four_cases(customer: Customer) -> dict[str, Case]:
    """Four open cases: on track, near breach, breached, and near on one clock and breached on the other."""
    cases = {name: new_case(None, customer) for name in ("on_track", "near", "breached", "both")}
    CaseClock.objects.filter(case__in=cases.values()).update(
        status=CaseClock.Status.RUNNING, warn_at=MONDAY + HOUR, due_at=MONDAY + 2 * HOUR, breached_at=None
    )
    for name, case in cases.items():
        first, second = list(case.clocks.order_by("pk"))[:2]
        if name in ("near", "both"):
            CaseClock.objects.filter(pk=first.pk).update(warn_at=MONDAY - HOUR)
        if name == "breached":
            CaseClock.objects.filter(pk=first.pk).update(warn_at=MONDAY - 2 * HOUR, due_at=MONDAY - HOUR)
        if name == "both":
            CaseClock.objects.filter(pk=second.pk).update(breached_at=MONDAY - HOUR)
    return cases


def test_the_load_splits_open_cases_into_breached_near_and_on_track(
    frozen: Any, routed_team: Team, supervisor: User, customer: Customer
) -> None:
    cases = _four_cases(customer)

    stats = case_stats_for_supervisor(user=User.objects.get(pk=supervisor.pk), now=MONDAY)

    load = next(row for row in stats.teams if row.team == routed_team)
    assert (load.open_cases, load.breached, load.near_breach, load.near_breach_only) == (4, 2, 2, 1)
    handlers = {row.user.pk: row for row in stats.handlers}
    for row in handlers.values():
        mine = [case for case in cases.values() if case.assignee_id == row.user.pk]
        names = {name for name, case in cases.items() if case in mine}
        assert row.breached == len(names & {"breached", "both"})
        assert row.near_breach_only == len(names & {"near"})
        assert row.open_cases == len(mine)


def test_the_charts_stack_the_three_parts_with_their_numbers(
    frozen: Any, routed_team: Team, supervisor: User, customer: Customer
) -> None:
    _four_cases(customer)
    stats = case_stats_for_supervisor(user=User.objects.get(pk=supervisor.pk), now=MONDAY)

    with translation.override("en"):
        charts = load_charts(stats)
        team = str(routed_team)

    teams = str(charts["teams"])
    assert teams.startswith('<figure class="chart-figure" data-testid="chart-load-teams">')
    assert f"{team}: 4 (Breached 2, Near breach 1, On track 1)" in teams
    assert f"<title>{team} · Breached: 2</title>" in teams
    assert 'data-testid="chart-load-handlers"' in str(charts["handlers"])


def test_the_page_shows_the_charts_above_the_tables(
    frozen: Any, routed_team: Team, supervisor: User, member: User, customer: Customer
) -> None:
    _four_cases(customer)

    html = client_for(supervisor).get(reverse("cases:desk_supervisor")).content.decode()

    assert html.index('data-testid="chart-load-teams"') < html.index('data-testid="load-teams-table"')
    assert html.index('data-testid="chart-load-handlers"') < html.index('data-testid="load-handlers-table"')
    assert "各班组未办结工单" in html and 'role="img"' in html
    assert not re.search(r"\sstyle=", html)
    assert client_for(member).get(reverse("cases:desk_supervisor")).status_code == 403


def test_a_supervisor_without_open_cases_reads_a_sentence(supervisor: User) -> None:
    html = client_for(supervisor).get(reverse("cases:desk_supervisor")).content.decode()

    assert '<p class="muted chart-empty">没有未办结的工单。</p>' in html
