"""The desk home: each person's waiting work counted in tiles that the apps above accounts register, each
count the length of the list it opens, cheap to draw."""

import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from charter.accounts.demo import demo_load
from charter.accounts.models import Customer, OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.accounts.tiles import DeskTile, DeskTiles, Tone, desk_tiles
from charter.cases.models import Case, CaseStatus, TeamRouting
from charter.cases.selectors import case_queue
from charter.cases.services import case_assign
from tests.accounts.factories import (
    CustomerFactory,
    OrgUnitFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import client_for, not_none

pytestmark = pytest.mark.django_db

DEMO_STAFF = ("admin", "wang.supervisor", "li.agent", "sun.qa", "zhou.trainer")


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create(name="刘晓梅")


@pytest.fixture
def manual_team(team: Team) -> Team:
    """`team` as the default team, where nobody is assigned until someone assigns the case."""
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.MANUAL, is_default=True)
    return team


def _tiles(user: User) -> dict[str, DeskTile]:
    return {tile.key: tile for tile in desk_tiles.collect(user)}


def _page_tiles(html: str) -> dict[str, tuple[str, int, str]]:
    """The tiles the page draws: key -> (classes, count, href)."""
    found = re.findall(
        r'<a class="desk-tile ([^"]+)" href="([^"]+)" data-testid="tile-([a-z-]+)" data-count="(\d+)">', html
    )
    return {key: (classes, int(count), href.replace("&amp;", "&")) for classes, href, key, count in found}


# The cases' queues ----------------------------------------------------------------------------------------


def test_an_agent_sees_his_queues_counted_each_count_the_length_of_the_queue_it_opens(
    frozen: Any, manual_team: Team, member: User, teammate: User, supervisor: User, customer: Customer
) -> None:
    cases = [new_case(None, customer) for _ in range(3)]
    case_assign(actor=supervisor, case=cases[0], assignee=member)
    case_assign(actor=supervisor, case=cases[1], assignee=teammate)
    # An hour before the first deadline, on its day (the reader's time zone is the site's).
    deadlines = sorted(not_none(at) for at in Case.objects.values_list("next_deadline_at", flat=True))
    frozen.move_to(deadlines[0] - dt.timedelta(hours=1))
    midnight = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time())
    )
    due_today = sum(1 for deadline in deadlines if timezone.now() <= deadline < midnight)

    tiles = _tiles(member)

    assert tiles["cases-mine"].count == 1
    assert tiles["cases-my-teams"].count == 3
    assert tiles["cases-unassigned"].count == 1
    assert tiles["cases-due-today"].count == due_today > 0
    assert tiles["cases-breached"].count == 0
    assert tiles["cases-appeals"].count == 0
    for key, queue, filters in (
        ("cases-mine", "mine", {}),
        ("cases-my-teams", "my_teams", {}),
        ("cases-unassigned", "unassigned", {}),
        ("cases-due-today", "due_today", {}),
        ("cases-breached", "breached", {}),
        ("cases-appeals", "mine", {"status": CaseStatus.RECONSIDERATION}),
    ):
        assert tiles[key].count == case_queue(user=member, queue=queue, filters=filters).count(), key
        assert tiles[key].url.startswith(f"/desk/cases/?queue={queue}")
        assert client_for(member).get(tiles[key].url).status_code == 200

    frozen.move_to(MONDAY + dt.timedelta(days=10))
    tiles = _tiles(member)

    assert tiles["cases-breached"].count == 3 == case_queue(user=member, queue="breached").count()
    assert tiles["cases-due-today"].count == 0


def test_a_supervisor_counts_the_open_cases_of_every_team_under_the_unit_he_leads(
    frozen: Any, organisation: OrgUnit, customer: Customer
) -> None:
    branch = OrgUnitFactory.create(parent=organisation, code="branch")
    own = TeamFactory.create(unit=branch, code="branch-office")
    hall = TeamFactory.create(unit=OrgUnitFactory.create(parent=branch, code="hall"), code="hall-team")
    elsewhere = TeamFactory.create(
        unit=OrgUnitFactory.create(parent=organisation, code="other"), code="other-team"
    )
    boss = UserFactory.create(username="boss", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=own, user=boss, is_lead=True)
    new_case(None, customer, team=hall)
    new_case(None, customer, team=hall)
    new_case(None, customer, team=elsewhere)

    tiles = _tiles(boss)

    assert tiles["cases-my-teams"].count == 2
    assert tiles["cases-unassigned"].count == 2
    assert tiles["cases-mine"].count == 0


# The page -------------------------------------------------------------------------------------------------


def test_zero_is_shown_quietly_and_work_stands_out(
    frozen: Any, manual_team: Team, member: User, customer: Customer
) -> None:
    new_case(None, customer)
    frozen.move_to(MONDAY + dt.timedelta(days=10))

    drawn = _page_tiles(client_for(member).get("/desk/").content.decode())

    assert drawn["cases-mine"][:2] == ("tile-zero", 0)
    assert drawn["cases-unassigned"][:2] == ("tile-action", 1)
    assert drawn["cases-breached"][:2] == ("tile-alert", 1)
    assert drawn["cases-appeals"][2] == "/desk/cases/?queue=mine&status=reconsideration"
    assert drawn["standards-acknowledge"][0] == "tile-zero"


def test_each_role_gets_the_tiles_of_its_work_and_no_others(member: User, supervisor: User) -> None:
    qa = UserFactory.create(username="qa", roles=[Role.QA_REVIEWER])
    trainer = UserFactory.create(username="trainer", roles=[Role.TRAINER])

    agent_keys, supervisor_keys = set(_tiles(member)), set(_tiles(supervisor))
    qa_keys, trainer_keys = set(_tiles(qa)), set(_tiles(trainer))

    assert {"cases-mine", "violations-respond", "action-items-due", "standards-acknowledge"} <= agent_keys
    assert not agent_keys & {"qa-reviews", "violations-decide", "recovery"}
    assert {
        "qa-reviews",
        "qa-disputes",
        "violations-decide",
        "violations-appeals",
        "recovery",
    } <= supervisor_keys
    assert "violations-approve" not in supervisor_keys
    assert {"qa-reviews", "qa-disputes"} <= qa_keys
    assert not any(key.startswith("cases-") for key in qa_keys | trainer_keys)
    assert trainer_keys == {"violations-respond", "action-items-due", "standards-acknowledge"}


@pytest.mark.parametrize("username", DEMO_STAFF)
def test_every_tile_of_each_demo_role_opens_its_list(username: str) -> None:
    demo_load()
    user = User.objects.get(username=username)
    client = client_for(user)

    drawn = _page_tiles(client.get("/desk/").content.decode())

    assert drawn
    for key, (_classes, _count, href) in drawn.items():
        assert client.get(href).status_code == 200, (username, key, href)


def test_the_desk_home_costs_the_same_few_queries_however_much_work_waits(
    frozen: Any, manual_team: Team, member: User, supervisor: User, customer: Customer
) -> None:
    administrator = UserFactory.create(username="root", roles=[Role.ADMINISTRATOR], is_staff=True)
    client = client_for(administrator)
    client.get("/desk/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as empty:
        assert client.get("/desk/").status_code == 200
    for _ in range(4):
        case_assign(actor=supervisor, case=new_case(None, customer), assignee=member)

    with CaptureQueriesContext(connection) as busy:
        page = client.get("/desk/")

    assert len(busy) == len(empty)
    # Sign-in and scope (7), then one count per app that has tiles: cases, surveys (2), conduct, improvement,
    # training, standards (2), assessment (2), privacy's open data requests.
    assert len(busy) <= 18, [query["sql"] for query in busy]
    assert _page_tiles(page.content.decode())["cases-unassigned"][1] == 0  # assigned, not unassigned
    assert len([tile for tile in _page_tiles(page.content.decode()) if tile.startswith("cases-")]) == 6


def test_the_desk_home_is_cheap_for_an_agent(
    frozen: Any, manual_team: Team, member: User, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    new_case(None, customer)
    client = client_for(member)
    client.get("/desk/")

    with django_assert_max_num_queries(16):
        client.get("/desk/")


# The registry ---------------------------------------------------------------------------------------------


def test_tiles_come_in_order_and_a_function_registered_twice_counts_once(member: User) -> None:
    registry = DeskTiles()

    def late(user: User) -> list[DeskTile]:
        return [DeskTile(key="late", label="late", count=0, url="/")]

    def early(user: User) -> list[DeskTile]:
        return [DeskTile(key="early", label="early", count=2, url="/", tone=Tone.ALERT)]

    registry.register(late, order=50)
    registry.register(early, order=10)
    registry.register(late, order=50)

    tiles = registry.collect(member)
    assert [tile.key for tile in tiles] == ["early", "late"]
    assert [tile.css_class for tile in tiles] == ["tile-alert", "tile-zero"]


def test_accounts_never_imports_the_apps_above_it() -> None:
    allowed = ("charter.common", "charter.accounts", "charter.audit", "charter.privacy")
    for path in Path(settings.BASE_DIR, "charter", "accounts").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("charter."):
                    assert name.startswith(allowed), f"{path}: imports {name}"


def test_the_desk_home_is_for_staff_only(customer_user: User) -> None:
    assert client_for(customer_user).get(reverse("accounts:desk")).status_code == 403
