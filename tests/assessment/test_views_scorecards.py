"""The scorecard pages: a scorecard explained line by line with the rows behind each number (linked only for a
reader who may see them, excluded rows with their reason, a later correction shown as a difference), the
result hidden from the person until published, 404 outside the reader's scope, the self-assessment and scoring
forms (a bad rating is a field error that changes nothing, a stale form a 409), my scorecards with my rank and
trends, my teams' scorecards, in Chinese and English."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment import cycles
from charter.assessment.evidence import evidence_links
from charter.assessment.indicators import INDICATORS, Period
from charter.assessment.models import Cycle, Scorecard, ScorecardLine
from charter.cases.models import Case
from charter.surveys.models import AssessmentExclusion, Response
from tests.accounts.factories import (
    CustomerFactory,
    OrgUnitFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.assessment.test_cycles import IN_MARCH, OPENED, World, _card, _open, _published, _scheme
from tests.assessment.test_indicators import resolved_case
from tests.conftest import client_for
from tests.surveys.factories import ResponseFactory

MARCH_START, MARCH_END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def world(db: None) -> World:
    """A team led by wang.lead with three agents under the agent scheme of tests/assessment/test_cycles.py
    (CSAT, a rated attitude item, a self-assessment, 服务之星 by hand, upheld complaints deducted)."""
    team = TeamFactory.create(unit=OrgUnitFactory.create())
    lead = UserFactory.create(username="wang.lead", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=team, user=lead, is_lead=True)
    agents = [UserFactory.create(username=f"agent{index}", roles=[Role.AGENT]) for index in range(3)]
    for agent in agents:
        TeamMembershipFactory.create(team=team, user=agent)
    head = UserFactory.create(username="head", roles=[Role.ADMINISTRATOR])
    decider = UserFactory.create(username="sun.qa", roles=[Role.QA_REVIEWER])
    return World(_scheme(team, head), team, lead, agents, head, decider)


def _url(card: Scorecard) -> str:
    return reverse("assessment:scorecard_detail", args=[card.pk])


def _case_elsewhere(world: World) -> Case:
    """A case of another team, so the person who answered its survey does not see the case itself."""
    elsewhere: Team = TeamFactory.create(unit=world.team.unit)
    return resolved_case(CustomerFactory.create(), at=IN_MARCH, team=elsewhere)


def _answer(handler: User, csat: int, *, case: Case | None = None, excluded: str = "") -> Response:
    with time_machine.travel(IN_MARCH):
        response: Response = ResponseFactory.create(handler=handler, csat=csat, case=case)
    if excluded:
        response.assessment_excluded_at = IN_MARCH
        response.assessment_exclusion = excluded
        response.save(update_fields=["assessment_excluded_at", "assessment_exclusion"])
    return response


def _self_line(card: Scorecard) -> ScorecardLine:
    return card.lines.get(kind=ScorecardLine.Kind.SELF)


def test_a_line_drills_down_to_a_case_linked_for_a_reader_who_may_see_it_and_plain_for_one_who_may_not(
    world: World,
) -> None:
    agent = world.agents[0]
    case = _case_elsewhere(world)
    _answer(agent, 5, case=case)
    card = _card(_open(world), agent)
    case_url = reverse("cases:desk_case", args=[case.number])
    rows = INDICATORS["csat_satisfied"].evidence(Period(MARCH_START, MARCH_END), agent.pk)
    # What the page shows is what the evidence helpers answer for each reader.
    assert evidence_links(rows, world.head) == [case_url]
    assert evidence_links(rows, agent) == [None]

    as_head = client_for(world.head).get(_url(card))
    as_agent = client_for(agent).get(_url(card))

    assert as_head.status_code == as_agent.status_code == 200
    assert f'href="{case_url}"' in as_head.content.decode()
    # A row the reader may not open is masked: no number, no link, only that it exists and counted.
    assert case.number not in as_agent.content.decode() and case_url not in as_agent.content.decode()
    assert f'href="{case_url}"' not in as_agent.content.decode()


def test_each_indicator_line_shows_its_formula_exclusions_value_curve_and_weight(world: World) -> None:
    agent = world.agents[0]
    _answer(agent, 5)
    _answer(agent, 2)
    card = _card(_open(world), agent)

    page = client_for(world.lead).get(_url(card)).content.decode()

    indicator = INDICATORS["csat_satisfied"]
    assert str(indicator.formula_text) in page
    assert str(indicator.exclusions_text) in page
    assert "50.00%" in page  # one satisfied answer of two
    assert "<details" in page
    assert "目标 90%" in page  # the curve in words: floor 50, target 90, cap 100


def test_a_review_excluded_after_its_appeal_is_shown_as_not_counted_with_the_reason(world: World) -> None:
    agent = world.agents[0]
    _answer(agent, 5)
    _answer(agent, 1, excluded=AssessmentExclusion.APPEAL_UPHELD)
    card = _card(_open(world), agent)
    line = card.lines.get(code="csat_satisfied")
    assert (line.value, line.sample, line.excluded) == (Decimal("100.00"), 1, 1)

    page = client_for(agent).get(_url(card)).content.decode()

    assert "不计入考核：申诉成立" in page


def test_a_correction_after_the_snapshot_shows_as_a_difference(world: World) -> None:
    agent = world.agents[0]
    _answer(agent, 5)
    card = _card(_open(world), agent)
    _answer(agent, 1)  # arrives late, answered within the period

    page = client_for(world.lead).get(_url(card)).content.decode()

    assert 'data-testid="snapshot-differs"' in page
    assert card.lines.get(code="csat_satisfied").sample == 1  # the snapshot stays as it was


def test_the_person_sees_no_total_before_publication_but_his_self_assessment_form(world: World) -> None:
    agent = world.agents[0]
    card = _card(_open(world), agent)
    Scorecard.objects.filter(pk=card.pk).update(total=Decimal("87.65"), computed_grade="good")

    page = client_for(agent).get(_url(card)).content.decode()

    assert 'data-testid="result-pending"' in page
    assert 'data-testid="scorecard-result"' not in page
    assert "87.65" not in page
    assert 'data-testid="self-form"' in page
    assert 'data-testid="score-form"' not in page


def test_another_agent_gets_404_and_an_agent_not_the_team_page(world: World) -> None:
    card = _card(_open(world), world.agents[0])
    other = client_for(world.agents[1])

    assert other.get(_url(card)).status_code == 404
    assert other.post(_url(card), {"do": "self", "version": card.lock_version}).status_code == 404
    assert other.get(reverse("assessment:team_scorecards")).status_code == 403


def test_the_self_assessment_form_sends_the_scorecard_to_the_supervisor(world: World) -> None:
    agent = world.agents[0]
    card = _card(_open(world), agent)
    client = client_for(agent)

    response = client.post(
        _url(card),
        {
            "do": "self",
            "version": card.lock_version,
            "rating_reflection": "88.5",
            "comment_reflection": "耐心解答",
            "comment": "本月处理工单较多。",
        },
    )

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == Scorecard.Status.SUPERVISOR
    assert _self_line(card).self_points == Decimal("88.50")
    assert card.self_comment == "本月处理工单较多。"


def test_a_bad_self_rating_is_a_field_error_that_keeps_the_input_and_changes_nothing(world: World) -> None:
    agent = world.agents[0]
    card = _card(_open(world), agent)
    version = card.lock_version

    response = client_for(agent).post(
        _url(card),
        {"do": "self", "version": version, "rating_reflection": "150", "comment": "我的总结"},
    )

    assert response.status_code == 400
    form = response.context["self_form"]
    assert "rating_reflection" in form.errors
    assert form.errors["rating_reflection"][0] in response.content.decode()
    assert 'value="150"' in response.content.decode()
    card.refresh_from_db()
    assert (card.status, card.lock_version, card.self_comment) == (Scorecard.Status.SELF, version, "")
    assert _self_line(card).self_points is None


def _at_scoring(world: World) -> Cycle:
    cycle = _open(world)
    return cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)


def test_the_supervisor_scores_with_the_form_and_a_bad_rating_changes_nothing(world: World) -> None:
    agent = world.agents[0]
    card = _card(_at_scoring(world), agent)
    client = client_for(world.lead)
    page = client.get(_url(card))
    assert 'data-testid="score-form"' in page.content.decode()

    refused = client.post(
        _url(card),
        {"do": "score", "version": card.lock_version, "rating_attitude": "-3", "award_star": "1"},
    )
    assert refused.status_code == 400
    assert "rating_attitude" in refused.context["score_form"].errors
    card.refresh_from_db()
    assert card.status == Scorecard.Status.SUPERVISOR

    done = client.post(
        _url(card),
        {
            "do": "score",
            "version": card.lock_version,
            "rating_attitude": "90",
            "comment_attitude": "态度好",
            "award_star": "1",
            "comment": "继续保持",
        },
    )

    assert done.status_code == 302
    card.refresh_from_db()
    assert card.status == Scorecard.Status.SCORED
    assert card.supervisor_comment == "继续保持"
    assert card.lines.get(code="attitude").points == Decimal("90.00")
    assert card.lines.get(code="star").points == Decimal("5.00")


def test_a_stale_form_is_answered_409_with_a_message_to_reload(world: World) -> None:
    agent = world.agents[0]
    card = _card(_open(world), agent)

    response = client_for(agent).post(
        _url(card),
        {"do": "self", "version": card.lock_version + 5, "rating_reflection": "80"},
    )

    assert response.status_code == 409
    assert "重新加载" in response.content.decode() or "reload" in response.content.decode()
    card.refresh_from_db()
    assert card.status == Scorecard.Status.SELF


def test_once_published_the_person_sees_his_result_rank_and_may_acknowledge(world: World) -> None:
    cycle = _published(world)
    agent = world.agents[0]
    card = _card(cycle, agent)
    client = client_for(agent)

    page = client.get(_url(card)).content.decode()
    assert 'data-testid="scorecard-result"' in page
    assert str(card.total) in page
    assert 'data-testid="acknowledge-form"' in page
    assert 'data-testid="appeal-form"' in page
    mine = client.get(reverse("assessment:my_scorecards")).content.decode()
    assert str(card.total) in mine
    assert "班组内第" in mine  # his rank in the team

    done = client.post(_url(card), {"do": "acknowledge", "version": card.lock_version})

    assert done.status_code == 302
    card.refresh_from_db()
    assert card.status == Scorecard.Status.ACKNOWLEDGED


def test_my_scorecards_before_publication_shows_no_score_and_draws_the_trends(world: World) -> None:
    agent = world.agents[0]
    _answer(agent, 5)
    card = _card(_open(world), agent)
    Scorecard.objects.filter(pk=card.pk).update(total=Decimal("87.65"))

    page = client_for(agent).get(reverse("assessment:my_scorecards")).content.decode()

    assert _url(card) in page
    assert "87.65" not in page
    assert "<svg" in page


def test_the_lead_sees_his_team_and_filters_by_cycle(world: World) -> None:
    cycle = _published(world)
    client = client_for(world.lead)

    page = client.get(reverse("assessment:team_scorecards"), {"cycle": cycle.pk}).content.decode()

    for agent in world.agents:
        assert _url(_card(cycle, agent)) in page
    assert _url(_card(cycle, world.lead)) not in page  # his own is on his own page
    elsewhere = TeamFactory.create(unit=world.team.unit)
    narrowed = client.get(reverse("assessment:team_scorecards"), {"team": elsewhere.pk})
    assert narrowed.status_code == 200  # a team he may not choose is a form error, never everything
    assert _url(_card(cycle, world.agents[0])) not in narrowed.content.decode()


def test_the_pages_render_in_chinese_and_in_english(world: World) -> None:
    cycle = _published(world)
    card = _card(cycle, world.agents[0])
    chinese = Client()
    chinese.force_login(world.lead)
    assert "指标" in chinese.get(_url(card)).content.decode()

    world.lead.language = "en"
    world.lead.save(update_fields=["language"])
    english = client_for(world.lead)
    page = english.get(_url(card)).content.decode()
    assert "Indicators" in page
    assert "Timeline" in page
    assert english.get(reverse("assessment:team_scorecards")).status_code == 200
    with time_machine.travel(OPENED + dt.timedelta(days=40)):
        assert client_for(world.agents[0]).get(reverse("assessment:my_scorecards")).status_code == 200


def test_before_publication_nothing_tells_the_person_his_result(world: World) -> None:
    from tests.assessment.test_cycles import _through_scoring

    cycle = _open(world)
    # The lead leads the team: at calibration he sees the others' grades, never his own.
    cycle = _through_scoring(world, cycle, dict.fromkeys(world.agents, 100) | {world.lead: 99})
    own = _card(cycle, world.lead)
    page = client_for(world.lead).get(reverse("assessment:calibration", args=[cycle.pk])).content.decode()
    other = _card(cycle, world.agents[0])
    assert f'id="card-{other.pk}"' in page
    assert f'id="card-{own.pk}"' not in page
    # An agent moved down by the quota sees neither the move nor his awards before publication.
    moved = cycle.scorecards.filter(grade="good", person__in=world.agents).first()
    assert moved is not None
    ScorecardLine.objects.filter(scorecard=moved, code="star").update(value=Decimal(1), sample=1)
    detail = client_for(moved.person).get(_url(moved)).content.decode()
    assert "20%" not in detail and moved.grade_reason not in detail
    api = client_for(moved.person).get(f"/api/v1/assessment/scorecards/{moved.pk}/").json()
    star = next(line for line in api["lines"] if line["code"] == "star")
    assert star["value"] is None and api["total"] is None
