"""The cycle pages: the assessment home, cycles, one cycle and its actions, calibration, rankings and appeals;
each for the right role in Chinese and English, refused (403) or hidden (404) for the wrong one, and every
action a form carrying the row's version, a stale one answered with the message to reload."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment import cycles
from charter.assessment.models import (
    Appeal,
    Cycle,
    Scheme,
    SchemeAdjustment,
    SchemeItem,
    SchemeVersion,
    Scorecard,
)
from charter.common.versioning import version_publish
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.conftest import client_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = dt.date(2026, 3, 1)
OPENED = dt.datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI)
GRADES = [
    {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "minimum": "90"},
    {"code": "good", "name_zh": "良好", "name_en": "Good", "minimum": "80"},
    {"code": "pass", "name_zh": "合格", "name_en": "Pass", "minimum": "60"},
    {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "minimum": None},
]
STALE_EN = "Someone else changed this assessment in the meantime; reload it and try again."


@dataclass
class World:
    scheme: Scheme
    team: Team
    lead: User
    agents: list[User]
    other_lead: User
    other_agent: User
    head: User
    decider: User
    outsider: User


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"


def _scheme(teams: list[Team], head: User) -> Scheme:
    scheme = Scheme.objects.create(code="agents", name_zh="坐席考核", name_en="Agents")
    scheme.teams.add(*teams)
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=1,
        grades=GRADES,
        quota_grade="excellent",
        quota_share=Decimal(20),
        effective_from=dt.date(2026, 2, 1),
    )
    SchemeItem.objects.create(
        version=version,
        kind="indicator",
        code="csat_satisfied",
        weight=Decimal(50),
        curve={"type": "linear", "floor": "50", "target": "90", "cap": "100"},
    )
    SchemeItem.objects.create(
        version=version, kind="qualitative", code="attitude", name_zh="服务态度", weight=Decimal(30)
    )
    SchemeItem.objects.create(
        version=version, kind="self", code="reflection", name_zh="自评", weight=Decimal(20)
    )
    SchemeAdjustment.objects.create(
        version=version, kind="bonus", code="star", name_zh="服务之星", points_each=Decimal(5), cap=Decimal(5)
    )
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI)):
        version_publish(version=version, actor=head)
    return scheme


@pytest.fixture
def world(db: None) -> World:
    unit = OrgUnitFactory.create()
    team = TeamFactory.create(unit=unit)
    other_team = TeamFactory.create(unit=OrgUnitFactory.create())
    lead = UserFactory.create(username="wang.lead", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=team, user=lead, is_lead=True)
    agents = [UserFactory.create(username=f"agent{index}", roles=[Role.AGENT]) for index in range(3)]
    for agent in agents:
        TeamMembershipFactory.create(team=team, user=agent)
    other_lead = UserFactory.create(username="li.lead", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=other_team, user=other_lead, is_lead=True)
    other_agent = UserFactory.create(username="zhao.agent", roles=[Role.AGENT])
    TeamMembershipFactory.create(team=other_team, user=other_agent)
    head = UserFactory.create(username="head", roles=[Role.ADMINISTRATOR])
    decider = UserFactory.create(username="sun.qa", roles=[Role.QA_REVIEWER])
    outsider = UserFactory.create(username="outsider", roles=[Role.AGENT])
    for user in (lead, *agents, other_lead, other_agent, head, decider, outsider):
        user.language = "en"
        user.save(update_fields=["language"])
    return World(
        _scheme([team, other_team], head),
        team,
        lead,
        agents,
        other_lead,
        other_agent,
        head,
        decider,
        outsider,
    )


def _open(world: World) -> Cycle:
    with time_machine.travel(OPENED):
        return cycles.cycle_open(actor=world.head, scheme=world.scheme, period_start=MARCH)


def _advance(world: World, cycle: Cycle) -> Cycle:
    return cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)


def _scored(world: World) -> Cycle:
    """The cycle at supervisor scoring with every scorecard scored (agents 95, leads 70)."""
    cycle = _advance(world, _open(world))
    for card in Scorecard.objects.filter(cycle=cycle).select_related("cycle", "assessor", "person"):
        leads = card.person in (world.lead, world.other_lead)
        cycles.scorecard_score(
            actor=card.assessor or world.head,
            scorecard=card,
            ratings={"attitude": 70 if leads else 95},
            expected_version=card.lock_version,
        )
    return Cycle.objects.get(pk=cycle.pk)


def _at_calibration(world: World) -> Cycle:
    return _advance(world, _scored(world))


def _published(world: World) -> Cycle:
    cycle = _advance(world, _at_calibration(world))
    return cycles.cycle_approve(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)


def _appealed(world: World) -> Appeal:
    cycle = _published(world)
    card = Scorecard.objects.select_related("cycle").get(cycle=cycle, person=world.agents[1])
    return cycles.appeal_file(
        actor=world.agents[1], scorecard=card, reason="质检评分有误。", expected_version=card.lock_version
    )


def _client(user: User, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


def _html(response: Any) -> str:
    return str(response.content.decode())


# --- Each page for the right role, in both languages -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", {"home": "当前待办", "detail": "周期步骤", "calibration": "校准", "rankings": "排名"}),
        (
            "en",
            {
                "home": "What to do now",
                "detail": "Steps of the cycle",
                "calibration": "Calibration",
                "rankings": "Rank",
            },
        ),
    ],
)
def test_every_page_opens_for_the_head_in_both_languages(
    world: World, language: str, words: dict[str, str]
) -> None:
    appeal = _appealed(world)
    cycle = appeal.scorecard.cycle
    client = _client(world.head, language)
    pages = {
        "home": reverse("assessment:home"),
        "list": reverse("assessment:cycle_list"),
        "open": reverse("assessment:cycle_open"),
        "detail": reverse("assessment:cycle_detail", args=[cycle.pk]),
        "calibration": reverse("assessment:calibration", args=[cycle.pk]),
        "rankings": reverse("assessment:rankings", args=[cycle.pk]),
        "appeals": reverse("assessment:appeal_list"),
        "appeal": reverse("assessment:appeal_detail", args=[appeal.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        if name in words:
            assert words[name] in _html(response), name
    detail = _html(client.get(pages["detail"]))
    assert 'data-testid="chart-scores-team-' in detail
    assert "质检评分有误。" in _html(client.get(pages["appeal"]))


def test_the_decider_sees_the_appeal_with_its_form_and_the_appellant_without(world: World) -> None:
    appeal = _appealed(world)
    url = reverse("assessment:appeal_detail", args=[appeal.pk])
    decider_page = _client(world.decider, "zh-hans").get(url)
    assert decider_page.status_code == 200
    assert 'data-testid="appeal-decide"' in _html(decider_page)
    assert "appeals-to-decide" in _html(_client(world.decider).get(reverse("assessment:appeal_list")))
    own = _client(world.agents[1]).get(url)
    assert own.status_code == 200
    assert 'data-testid="appeal-decide"' not in _html(own)


# --- Wrong users -------------------------------------------------------------------------------------------


def test_an_agent_sees_only_his_own_scorecard_in_a_cycle_and_no_result_before_publication(
    world: World,
) -> None:
    cycle = _scored(world)
    page = _client(world.agents[0]).get(reverse("assessment:cycle_detail", args=[cycle.pk]))
    assert page.status_code == 200
    html = _html(page)
    assert 'data-person="agent0"' in html
    assert 'data-person="agent1"' not in html
    assert "Shown once published" in html
    assert "score-charts" not in html  # no team charts for someone who sees only himself


def test_an_agent_is_refused_calibration_and_rankings(world: World) -> None:
    cycle = _at_calibration(world)
    client = _client(world.agents[0])
    assert client.get(reverse("assessment:calibration", args=[cycle.pk])).status_code == 403
    assert client.get(reverse("assessment:rankings", args=[cycle.pk])).status_code == 403
    card = Scorecard.objects.get(cycle=cycle, person=world.agents[1])
    response = client.post(
        reverse("assessment:calibration", args=[cycle.pk]),
        {
            "do": "calibrate",
            "card": card.pk,
            f"card-{card.pk}-version": card.lock_version,
            f"card-{card.pk}-grade": "fail",
            f"card-{card.pk}-reason": "x",
        },
    )
    assert response.status_code == 403
    card.refresh_from_db()
    assert card.grade != "fail"


def test_another_persons_appeal_and_a_cycle_outside_scope_are_not_found(world: World) -> None:
    appeal = _appealed(world)
    cycle = appeal.scorecard.cycle
    assert (
        _client(world.agents[0]).get(reverse("assessment:appeal_detail", args=[appeal.pk])).status_code == 404
    )
    appeals = _client(world.agents[0]).get(reverse("assessment:appeal_list"))
    assert f"#{appeal.pk}<" not in _html(appeals)
    outsider = _client(world.outsider)
    assert outsider.get(reverse("assessment:cycle_detail", args=[cycle.pk])).status_code == 404
    assert outsider.get(reverse("assessment:calibration", args=[cycle.pk])).status_code == 403
    listing = outsider.get(reverse("assessment:cycle_list"))
    assert reverse("assessment:cycle_detail", args=[cycle.pk]) not in _html(listing)


def test_a_lead_ranks_his_own_team_only(world: World) -> None:
    cycle = _published(world)
    page = _client(world.lead).get(reverse("assessment:rankings", args=[cycle.pk]))
    assert page.status_code == 200
    html = _html(page)
    assert 'data-person="agent0"' in html
    assert 'data-person="zhao.agent"' not in html
    every = _html(_client(world.head).get(reverse("assessment:rankings", args=[cycle.pk])))
    assert 'data-person="zhao.agent"' in every


def test_only_those_who_run_cycles_open_one(world: World) -> None:
    assert _client(world.lead).get(reverse("assessment:cycle_open")).status_code == 403
    client = _client(world.head)
    with time_machine.travel(OPENED):
        response = client.post(
            reverse("assessment:cycle_open"), {"scheme": world.scheme.pk, "period_start": "2026-03-01"}
        )
        cycle = Cycle.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("assessment:cycle_detail", args=[cycle.pk])
        again = client.post(
            reverse("assessment:cycle_open"), {"scheme": world.scheme.pk, "period_start": "2026-03-01"}
        )
    assert again.status_code == 200
    assert "A cycle is already open for this period." in _html(again)
    assert Cycle.objects.count() == 1


# --- Actions -----------------------------------------------------------------------------------------------


def test_advancing_moves_the_cycle_and_a_stale_form_asks_to_reload(world: World) -> None:
    cycle = _open(world)
    url = reverse("assessment:cycle_detail", args=[cycle.pk])
    refused = _client(world.lead).post(url, {"do": "advance", "version": cycle.lock_version})
    assert refused.status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SELF
    client = _client(world.head)
    stale_version = cycle.lock_version
    moved = client.post(url, {"do": "advance", "version": stale_version})
    assert moved.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SUPERVISOR
    stale = client.post(url, {"do": "advance", "version": stale_version})
    assert stale.status_code == 409
    assert STALE_EN in _html(stale)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SUPERVISOR


def test_advancing_before_everyone_is_scored_says_how_many_wait(world: World) -> None:
    cycle = _advance(world, _open(world))
    response = _client(world.head).post(
        reverse("assessment:cycle_detail", args=[cycle.pk]), {"do": "advance", "version": cycle.lock_version}
    )
    assert response.status_code == 409
    assert "scorecards are not scored yet" in _html(response)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SUPERVISOR


def test_the_head_returns_with_a_reason_then_approves(world: World) -> None:
    cycle = _advance(world, _at_calibration(world))
    url = reverse("assessment:cycle_detail", args=[cycle.pk])
    client = _client(world.head)
    page = _html(client.get(url))
    assert 'value="approve"' in page and 'value="return"' in page
    no_reason = client.post(url, {"do": "return", "version": cycle.lock_version, "reason": ""})
    assert no_reason.status_code == 200
    assert "Say why the cycle goes back." in _html(no_reason)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.APPROVAL
    returned = client.post(url, {"do": "return", "version": cycle.lock_version, "reason": "优秀过多"})
    assert returned.status_code == 302
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert cycle.status == Cycle.Status.CALIBRATION
    client.post(url, {"do": "advance", "version": cycle.lock_version})
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert client.post(url, {"do": "approve", "version": cycle.lock_version}).status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED


def test_a_calibration_without_reason_shows_the_error_and_changes_nothing(world: World) -> None:
    cycle = _at_calibration(world)
    card = Scorecard.objects.get(cycle=cycle, person=world.agents[0])
    before = card.grade
    url = reverse("assessment:calibration", args=[cycle.pk])
    client = _client(world.head)
    page = _html(client.get(url))
    assert 'data-testid="quota-rule"' in page
    assert "at most 20% of the team" in page
    data = {
        "do": "calibrate",
        "card": card.pk,
        f"card-{card.pk}-version": card.lock_version,
        f"card-{card.pk}-grade": "fail",
        f"card-{card.pk}-reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Say why the grade changes." in _html(response)
    card.refresh_from_db()
    assert card.grade == before
    moved = client.post(url, {**data, f"card-{card.pk}-reason": "服务态度问题"})
    assert moved.status_code == 302
    card.refresh_from_db()
    assert (card.grade, card.grade_reason) == ("fail", "服务态度问题")
    stale = client.post(url, {**data, f"card-{card.pk}-grade": "good", f"card-{card.pk}-reason": "再议"})
    assert stale.status_code == 409
    assert STALE_EN in _html(stale)
    card.refresh_from_db()
    assert card.grade == "fail"


def test_the_quota_rule_reads_naturally_in_chinese(world: World) -> None:
    cycle = _at_calibration(world)
    page = _html(_client(world.head, "zh-hans").get(reverse("assessment:calibration", args=[cycle.pk])))
    assert "优秀不超过班组人数的 20%，按四舍五入计，不足一人按一人计" in page


def test_deciding_an_appeal_needs_the_new_grade_and_is_refused_to_a_party(world: World) -> None:
    appeal = _appealed(world)
    url = reverse("assessment:appeal_detail", args=[appeal.pk])
    data = {"do": "decide", "version": appeal.lock_version, "status": "upheld", "decision": "复核属实"}
    party = _client(world.lead).post(url, {**data, "new_grade": "excellent"})
    assert party.status_code == 403
    client = _client(world.decider)
    missing = client.post(url, data)
    assert missing.status_code == 200
    assert "Give the grade after the decision." in _html(missing)
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.PENDING
    decided = client.post(url, {**data, "new_grade": "excellent"})
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.new_grade) == (Appeal.Status.UPHELD, "excellent")
    assert appeal.scorecard.status == Scorecard.Status.FINAL


# --- Home, desk tile and menu ------------------------------------------------------------------------------


def test_the_home_lists_the_work_and_the_desk_shows_it(world: World) -> None:
    cycle = _advance(world, _open(world))
    client = _client(world.lead)
    home = _html(client.get(reverse("assessment:home")))
    assert 'data-testid="todo-score"' in home
    assert "Score 3 people" in home
    desk = _html(client.get(reverse("accounts:desk")))
    assert 'data-testid="tile-assessment-score"' in desk
    assert f'href="{reverse("assessment:home")}"' in desk
    assert reverse("assessment:cycle_detail", args=[cycle.pk]) in home


def test_the_home_shows_no_result_before_publication(world: World) -> None:
    _scored(world)
    before = _html(_client(world.agents[0]).get(reverse("assessment:home")))
    assert "own-rank" not in before
    assert "shown once the scorecard is published" in before


def test_the_home_shows_the_rank_once_published(world: World) -> None:
    _published(world)
    after = _html(_client(world.agents[0], "zh-hans").get(reverse("assessment:home")))
    assert "第 1 名 / 共 4 人（班组）" in after
    assert "todo-acknowledge" in after


def test_the_desk_tiles_count_own_work_and_appeals_for_their_decider_only(world: World) -> None:
    appeal = _appealed(world)
    decider_desk = _html(_client(world.decider).get(reverse("accounts:desk")))
    assert 'data-testid="tile-assessment-appeals" data-count="1"' in decider_desk
    head_desk = _html(_client(world.head).get(reverse("accounts:desk")))
    assert "tile-assessment-appeals" not in head_desk  # he approved the cycle: a party to the scorecard
    own_desk = _html(_client(world.agents[0]).get(reverse("accounts:desk")))
    assert 'data-testid="tile-assessment-own" data-count="1"' in own_desk  # published, to acknowledge
    appellant_desk = _html(_client(world.agents[1]).get(reverse("accounts:desk")))
    assert "tile-assessment-own" not in appellant_desk  # appealed, nothing to acknowledge
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.PENDING
