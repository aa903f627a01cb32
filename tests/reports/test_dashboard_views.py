"""The dashboard page: who may open it, what scope each reader gets, the filters, and the tiles' links."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case, CaseStatus
from charter.reports.rollups import rollup_refresh
from charter.reports.views_dashboard import period_bounds
from tests.conftest import client_for
from tests.reports.conftest import local

pytestmark = pytest.mark.django_db

URL = "/desk/dashboard/"
NOW = local(2026, 3, 20, 12)
_numbers = itertools.count(1)


def open_case(customer: Customer, team: Team, kind: str, received_at: dt.datetime) -> Case:
    return Case.objects.create(
        number=f"V-{next(_numbers):06d}",
        kind=kind,
        channel="web",
        title="账单疑问",
        description="金额不对。",
        customer=customer,
        team=team,
        status=CaseStatus.IN_PROGRESS,
        received_at=received_at,
    )


@pytest.fixture
def figures(customer: Customer, team: Team, other_team: Team) -> None:
    """Two complaints in the supervisor's team and seven in another this month, rolled up."""
    for day in (2, 3):
        open_case(customer, team, "complaint", local(2026, 3, day, 9))
    for day in range(4, 11):
        open_case(customer, other_team, "complaint", local(2026, 3, day, 9))
    rollup_refresh(at=NOW, full=True)


def tile(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</", html.index("<strong", start))]


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_sees_his_teams_only(figures: None, supervisor: User) -> None:
    response = client_for(supervisor).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert tile(html, "tile-complaints").endswith(">2")
    assert tile(html, "tile-backlog").endswith(">2")
    assert 'data-testid="chart-dash-categories"' in html


@time_machine.travel(NOW, tick=False)
def test_an_administrator_sees_the_whole_organisation(figures: None, administrator: User) -> None:
    html = client_for(administrator).get(URL).content.decode()

    assert tile(html, "tile-complaints").endswith(">9")


@time_machine.travel(NOW, tick=False)
def test_a_unit_narrows_to_its_teams(figures: None, administrator: User, other_team: Team) -> None:
    html = client_for(administrator).get(URL, {"unit": other_team.unit_id}).content.decode()

    assert tile(html, "tile-complaints").endswith(">7")
    assert f"team={other_team.pk}" in html  # the tiles' links carry the one team


@time_machine.travel(NOW, tick=False)
def test_a_unit_outside_the_scope_is_refused(figures: None, supervisor: User, other_team: Team) -> None:
    response = client_for(supervisor).get(URL, {"unit": other_team.unit_id})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dashboard-errors"' in html
    assert tile(html, "tile-complaints").endswith(">2")  # his own scope, never the other unit's 7


@time_machine.travel(NOW, tick=False)
def test_last_month_and_a_custom_range(figures: None, administrator: User) -> None:
    client = client_for(administrator)

    last_month = client.get(URL, {"period": "last_month"}).content.decode()
    custom = client.get(
        URL, {"period": "custom", "since": "2026-03-01", "until": "2026-03-03"}
    ).content.decode()
    backwards = client.get(URL, {"period": "custom", "since": "2026-03-05", "until": "2026-03-01"})

    assert tile(last_month, "tile-complaints").endswith(">0")
    assert tile(custom, "tile-complaints").endswith(">2")
    assert 'data-testid="dashboard-errors"' in backwards.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_tiles_link_to_the_lists_with_their_filters(figures: None, administrator: User) -> None:
    html = client_for(administrator).get(URL).content.decode()

    assert f'href="{reverse("cases:desk_queue")}?queue=all&amp;kind=complaint"' in html
    assert f'href="{reverse("conduct:violation_list")}?since=2026-03-01&amp;until=2026-03-31"' in html
    assert f"{reverse('survey_results:dashboard')}?date_from=2026-03-01&amp;date_to=2026-03-31" in html
    assert f'href="{reverse("improvement:action_list")}?status=active"' in html


def test_the_page_says_when_nothing_was_computed_yet(supervisor: User) -> None:
    html = client_for(supervisor).get(URL).content.decode()

    assert 'data-testid="dashboard-refreshed"' in html
    assert 'data-testid="tile-received"' in html


@pytest.mark.parametrize("who", ["member", "customer_user"])
def test_agents_and_customers_are_refused(who: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(who)

    assert client_for(user).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: object) -> None:
    response = client.get(URL)  # type: ignore[attr-defined]

    assert response.status_code == 302
    assert "next=/desk/dashboard/" in response["Location"]


def test_the_menu_offers_the_dashboard_to_those_who_may_open_it(supervisor: User, member: User) -> None:
    assert URL in client_for(supervisor).get("/desk/").content.decode()
    assert URL not in client_for(member).get("/desk/").content.decode()


def test_periods() -> None:
    today = dt.date(2026, 2, 14)

    assert period_bounds("this_month", today) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert period_bounds("last_month", today) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert period_bounds("this_quarter", today) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert period_bounds("last_quarter", today) == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert period_bounds("this_year", today) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert period_bounds("last_12_months", today) == (dt.date(2025, 3, 1), dt.date(2026, 3, 1))


@time_machine.travel(NOW, tick=False)
def test_a_reader_without_survey_results_sees_no_satisfaction_figures(
    figures: None, administrator: User
) -> None:
    from django.contrib.auth.models import Permission

    from tests.accounts.factories import UserFactory

    reader = UserFactory.create(username="dash-only")
    reader.user_permissions.add(
        Permission.objects.get(codename="view_dashboard", content_type__app_label="reports")
    )

    denied = client_for(reader).get(URL).content.decode()
    allowed = client_for(administrator).get(URL).content.decode()

    for testid in ("tile-csat", "tile-nps", "tile-good-bad", "chart-dash-trend-nps"):
        assert f'data-testid="{testid}"' not in denied
        assert f'data-testid="{testid}"' in allowed
    assert 'data-testid="dashboard-surveys-denied"' in denied
    assert 'data-testid="dashboard-surveys-denied"' not in allowed
    assert 'data-testid="tile-complaints"' in denied


@time_machine.travel(local(2026, 3, 31, 20), tick=False)  # 31 March in Shanghai
def test_the_periods_are_those_of_the_organisations_zone(figures: None, administrator: User) -> None:
    administrator.time_zone = "Pacific/Auckland"  # already 1 April there
    administrator.save()

    html = client_for(administrator).get(URL).content.decode()

    assert tile(html, "tile-complaints").endswith(">9")  # still March, the organisation's month
