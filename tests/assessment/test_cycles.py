"""A cycle from opening to final: the snapshot (bounded queries), every step's predicate and workflow, the
quota, approval and publication, acknowledgement, the one appeal decided by someone else, the ledger, the
recalculation that records its differences, and stale forms refused."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment import cycles
from charter.assessment.models import (
    Appeal,
    Cycle,
    LedgerEntry,
    OutcomeRule,
    Scheme,
    SchemeAdjustment,
    SchemeItem,
    SchemeVersion,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
)
from charter.assessment.permissions import can_see_result, can_view_scorecard
from charter.audit.models import AuditEvent
from charter.common.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from charter.common.versioning import version_publish
from charter.surveys.models import Response
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.surveys.factories import ResponseFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = dt.date(2026, 3, 1)
IN_MARCH = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
OPENED = dt.datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI)
GRADES = [
    {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "minimum": "90"},
    {"code": "good", "name_zh": "良好", "name_en": "Good", "minimum": "80"},
    {"code": "pass", "name_zh": "合格", "name_en": "Pass", "minimum": "60"},
    {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "minimum": None},
]


@dataclass
class World:
    scheme: Scheme
    team: Team
    lead: User
    agents: list[User]
    head: User
    decider: User


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"


def _scheme(team: Team, head: User, *, quota: bool = True, affects_pay: bool = True) -> Scheme:
    scheme = Scheme.objects.create(code="agents", name_zh="坐席考核", name_en="Agents")
    scheme.teams.add(team)
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=1,
        grades=GRADES,
        quota_grade="excellent" if quota else "",
        quota_share=Decimal(20) if quota else None,
        affects_pay=affects_pay,
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
    SchemeAdjustment.objects.create(
        version=version,
        kind="deduction",
        code="upheld",
        name_zh="有效投诉",
        indicator="upheld_complaints_per_100",
        points_each=Decimal("0.5"),
        cap=Decimal(10),
    )
    OutcomeRule.objects.create(
        version=version, grade="excellent", bonus_coefficient=Decimal("1.20"), points=10
    )
    OutcomeRule.objects.create(
        version=version, grade="fail", bonus_coefficient=Decimal("0.80"), interview=True
    )
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI)):
        version_publish(version=version, actor=head)
    return scheme


@pytest.fixture
def world(db: None) -> World:
    unit = OrgUnitFactory.create()
    team = TeamFactory.create(unit=unit)
    lead = UserFactory.create(username="wang.lead", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=team, user=lead, is_lead=True)
    agents = [UserFactory.create(username=f"agent{index}", roles=[Role.AGENT]) for index in range(3)]
    for agent in agents:
        TeamMembershipFactory.create(team=team, user=agent)
    head = UserFactory.create(username="head", roles=[Role.ADMINISTRATOR])
    decider = UserFactory.create(username="sun.qa", roles=[Role.QA_REVIEWER])
    return World(_scheme(team, head), team, lead, agents, head, decider)


def _respond(handler: User, csat: int) -> Response:
    with time_machine.travel(IN_MARCH):
        response: Response = ResponseFactory.create(handler=handler, csat=csat)
    return response


def _open(world: World) -> Cycle:
    with time_machine.travel(OPENED):
        return cycles.cycle_open(actor=world.head, scheme=world.scheme, period_start=MARCH)


def _card(cycle: Cycle, person: User) -> Scorecard:
    return Scorecard.objects.select_related("cycle").get(cycle=cycle, person=person)


def _through_scoring(world: World, cycle: Cycle, ratings: dict[User, int]) -> Cycle:
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    for person, points in ratings.items():
        card = _card(cycle, person)
        cycles.scorecard_score(
            actor=world.head if person == world.lead else world.lead,
            scorecard=card,
            ratings={"attitude": points},
            comment="好",
            expected_version=card.lock_version,
        )
    return cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)


def _published(world: World) -> Cycle:
    cycle = _open(world)
    cycle = _through_scoring(world, cycle, dict.fromkeys(world.agents, 95) | {world.lead: 70})
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    return cycles.cycle_approve(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)


def test_opening_snapshots_every_covered_person_with_an_assessor(world: World) -> None:
    _respond(world.agents[0], 5)
    _respond(world.agents[0], 2)
    cycle = _open(world)
    cards = {card.person_id: card for card in cycle.scorecards.all()}
    assert set(cards) == {world.lead.pk, *(agent.pk for agent in world.agents)}
    assert cards[world.agents[0].pk].assessor_id == world.lead.pk
    # The lead leads his own team and nobody above him: nobody assesses him but those who run cycles.
    assert cards[world.lead.pk].assessor_id is None
    line = ScorecardLine.objects.get(scorecard=cards[world.agents[0].pk], code="csat_satisfied")
    assert (line.value, line.sample) == (Decimal("50.00"), 2)
    assert line.points == Decimal("0.00")  # 50% is the floor
    assert cycle.period_end == dt.date(2026, 3, 31)
    assert AuditEvent.objects.filter(action="assessment.cycle_open").count() == 1
    assert ScorecardEvent.objects.filter(action="open").count() == 4


def test_opening_takes_the_same_number_of_queries_for_more_people(world: World) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            cycle = _open(world)
        Cycle.objects.filter(pk=cycle.pk).delete()
        return len(captured)

    queries()  # warms the per-process caches (calendars, content types)
    few = queries()
    for index in range(12):
        TeamMembershipFactory.create(
            team=world.team, user=UserFactory.create(username=f"more{index}", roles=[Role.AGENT])
        )
    assert queries() == few


def test_a_pay_scheme_applies_only_to_periods_after_its_publication(world: World) -> None:
    with time_machine.travel(OPENED), pytest.raises(DomainError) as refused:
        cycles.cycle_open(actor=world.head, scheme=world.scheme, period_start=dt.date(2026, 1, 1))
    assert refused.value.code == "assessment_scheme_not_in_force"
    with time_machine.travel(OPENED), pytest.raises(DomainError) as refused:
        cycles.cycle_open(actor=world.head, scheme=world.scheme, period_start=dt.date(2026, 3, 2))
    assert refused.value.code == "assessment_period_invalid"


def test_only_those_who_run_cycles_open_one(world: World) -> None:
    with time_machine.travel(OPENED), pytest.raises(PermissionDeniedError) as refused:
        cycles.cycle_open(actor=world.lead, scheme=world.scheme, period_start=MARCH)
    assert refused.value.code == "assessment_run_denied"
    assert not Cycle.objects.exists()


def test_self_assessment_is_the_persons_own_and_feeds_the_score(world: World) -> None:
    cycle = _open(world)
    card = _card(cycle, world.agents[0])
    with pytest.raises(PermissionDeniedError):
        cycles.scorecard_self_submit(
            actor=world.lead, scorecard=card, ratings={"reflection": 80}, expected_version=card.lock_version
        )
    with pytest.raises(NotFoundError):  # another agent does not even see it
        cycles.scorecard_self_submit(
            actor=world.agents[1],
            scorecard=card,
            ratings={"reflection": 80},
            expected_version=card.lock_version,
        )
    with pytest.raises(DomainError) as refused:
        cycles.scorecard_self_submit(
            actor=world.agents[0],
            scorecard=card,
            ratings={"reflection": 180},
            expected_version=card.lock_version,
        )
    assert refused.value.field == "rating_reflection"
    card = cycles.scorecard_self_submit(
        actor=world.agents[0],
        scorecard=card,
        ratings={"reflection": 80},
        comment="本月处理了很多来电。",
        expected_version=card.lock_version,
    )
    assert card.status == Scorecard.Status.SUPERVISOR
    assert ScorecardLine.objects.get(scorecard=card, code="reflection").points == Decimal(80)


def test_nobody_scores_himself_and_only_his_supervisor_scores(world: World) -> None:
    cycle = _open(world)
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    assert ScorecardEvent.objects.filter(action="self_missed").count() == 4
    lead_card = _card(cycle, world.lead)
    with pytest.raises(PermissionDeniedError) as refused:
        cycles.scorecard_score(
            actor=world.lead,
            scorecard=lead_card,
            ratings={"attitude": 90},
            expected_version=lead_card.lock_version,
        )
    assert refused.value.code == "assessment_self_assessment"
    agent_card = _card(cycle, world.agents[0])
    with pytest.raises(NotFoundError):
        cycles.scorecard_score(
            actor=world.agents[1],
            scorecard=agent_card,
            ratings={"attitude": 90},
            expected_version=agent_card.lock_version,
        )
    with pytest.raises(DomainError) as invalid:
        cycles.scorecard_score(
            actor=world.lead, scorecard=agent_card, ratings={}, expected_version=agent_card.lock_version
        )
    assert invalid.value.field == "rating_attitude"
    # The head scores the lead, whom nobody leads.
    cycles.scorecard_score(
        actor=world.head,
        scorecard=lead_card,
        ratings={"attitude": 90},
        expected_version=lead_card.lock_version,
    )


def test_scoring_combines_indicators_ratings_and_awards(world: World) -> None:
    for score in (5, 5, 5, 4):
        _respond(world.agents[0], score)
    cycle = _open(world)
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    card = _card(cycle, world.agents[0])
    card = cycles.scorecard_score(
        actor=world.lead,
        scorecard=card,
        ratings={"attitude": 80},
        awards={"star": 2},
        expected_version=card.lock_version,
    )
    # CSAT 100% → 100 points (weight 50); attitude 80 (weight 30); no self-assessment: re-normalised over 80.
    assert card.weighted_score == Decimal("92.50")
    assert card.bonus == Decimal(5)  # two stars of 5 points, capped at 5
    assert card.total == Decimal("97.50")
    assert card.grade == "excellent"


def test_the_quota_moves_the_lowest_excess_down_with_the_rule_stated(world: World) -> None:
    cycle = _open(world)
    cycle = _through_scoring(
        world, cycle, {world.agents[0]: 100, world.agents[1]: 99, world.agents[2]: 98, world.lead: 97}
    )
    assert cycle.status == Cycle.Status.CALIBRATION
    grades = {card.person_id: card.grade for card in cycle.scorecards.all()}
    # 20% of a team of 4 is 0.8 → 1 place of 优秀: the best keeps it, the others move to 良好.
    assert grades[world.agents[0].pk] == "excellent"
    assert {grades[world.agents[1].pk], grades[world.agents[2].pk], grades[world.lead.pk]} == {"good"}
    moved = _card(cycle, world.agents[2])
    assert "20%" in moved.grade_reason
    assert ScorecardEvent.objects.filter(action="quota").count() == 3


def test_calibration_needs_a_reason_and_never_touches_ones_own(world: World) -> None:
    cycle = _open(world)
    cycle = _through_scoring(world, cycle, dict.fromkeys(world.agents, 70) | {world.lead: 70})
    card = _card(cycle, world.agents[0])
    with pytest.raises(DomainError) as refused:
        cycles.scorecard_calibrate(
            actor=world.head, scorecard=card, grade="good", reason=" ", expected_version=card.lock_version
        )
    assert refused.value.code == "assessment_reason_required"
    card = cycles.scorecard_calibrate(
        actor=world.head,
        scorecard=card,
        grade="good",
        reason="跨班组校准",
        expected_version=card.lock_version,
    )
    assert card.grade == "good"
    with pytest.raises(PermissionDeniedError):
        cycles.scorecard_calibrate(
            actor=world.lead,
            scorecard=card,
            grade="excellent",
            reason="x",
            expected_version=card.lock_version,
        )


def test_supervisor_step_ends_only_when_everyone_is_scored(world: World) -> None:
    cycle = _open(world)
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    with pytest.raises(DomainError) as refused:
        cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    assert refused.value.code == "invalid_transition"
    assert "4" in str(refused.value.message)


def test_nobody_approves_a_cycle_that_assesses_him(world: World) -> None:
    cycle = _open(world)
    cycle = _through_scoring(world, cycle, dict.fromkeys(world.agents, 95) | {world.lead: 70})
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    world.lead.groups.add(world.head.groups.get())
    lead = User.objects.get(pk=world.lead.pk)
    with pytest.raises(PermissionDeniedError) as refused:
        cycles.cycle_approve(actor=lead, cycle=cycle, expected_version=cycle.lock_version)
    assert refused.value.code == "assessment_self_assessment"


def test_the_person_sees_his_result_only_once_published(world: World) -> None:
    cycle = _open(world)
    card = _card(cycle, world.agents[0])
    assert can_view_scorecard(world.agents[0], card)
    assert not can_see_result(world.agents[0], card)
    assert not can_view_scorecard(world.agents[1], card)
    assert can_see_result(world.lead, card)


def test_publication_acknowledgement_and_an_appeal_decided_by_someone_else(world: World) -> None:
    with time_machine.travel(OPENED):
        cycle = _published(world)
    card = _card(cycle, world.agents[1])
    assert card.status == Scorecard.Status.PUBLISHED and card.appeal_due_at is not None
    assert can_see_result(world.agents[1], card)
    with time_machine.travel(OPENED + dt.timedelta(hours=1)):
        card = cycles.scorecard_acknowledge(
            actor=world.agents[1], scorecard=card, expected_version=card.lock_version
        )
        appeal = cycles.appeal_file(
            actor=world.agents[1], scorecard=card, reason="质检评分有误。", expected_version=card.lock_version
        )
        card.refresh_from_db()
        with pytest.raises(PermissionDeniedError) as refused:
            cycles.appeal_file(
                actor=world.agents[1], scorecard=card, reason="again", expected_version=card.lock_version
            )
        assert refused.value.code == "assessment_appeal_twice"
        for party in (world.lead, world.head):  # he scored it; he approved it
            with pytest.raises(PermissionDeniedError) as refused:
                cycles.appeal_decide(
                    actor=party,
                    appeal=appeal,
                    status="upheld",
                    decision="x",
                    new_grade="excellent",
                    expected_version=1,
                )
        with pytest.raises(DomainError) as invalid:
            cycles.appeal_decide(
                actor=world.decider,
                appeal=appeal,
                status="upheld",
                decision="属实",
                new_grade="",
                expected_version=1,
            )
        assert invalid.value.field == "new_grade"
        previous = card.grade
        appeal = cycles.appeal_decide(
            actor=world.decider,
            appeal=appeal,
            status="upheld",
            decision="属实",
            new_grade="excellent",
            expected_version=1,
        )
    assert appeal.previous_grade == previous and appeal.new_grade == "excellent"
    card.refresh_from_db()
    assert (card.status, card.grade) == (Scorecard.Status.FINAL, "excellent")
    assert LedgerEntry.objects.filter(
        scorecard=card, kind=LedgerEntry.Kind.COEFFICIENT
    ).get().coefficient == Decimal("1.20")


def test_an_appeal_after_the_window_is_refused_and_closing_waits_for_it(world: World) -> None:
    with time_machine.travel(OPENED):
        cycle = _published(world)
    card = _card(cycle, world.agents[2])
    with time_machine.travel(OPENED + dt.timedelta(days=2)), pytest.raises(DomainError) as refused:
        cycles.cycle_close(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    assert refused.value.code == "assessment_appeal_window_open"
    with time_machine.travel(OPENED + dt.timedelta(days=30)):
        with pytest.raises(PermissionDeniedError) as refused:
            cycles.appeal_file(
                actor=world.agents[2], scorecard=card, reason="迟了", expected_version=card.lock_version
            )
        assert refused.value.code == "assessment_appeal_closed"
        cycle = cycles.cycle_close(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    assert cycle.status == Cycle.Status.FINAL
    assert set(cycle.scorecards.values_list("status", flat=True)) == {Scorecard.Status.FINAL}
    assert LedgerEntry.objects.filter(cycle=cycle).exists()
    assert not Appeal.objects.exists()


def test_a_recalculation_records_what_changed(world: World) -> None:
    _respond(world.agents[0], 5)
    cycle = _open(world)
    _respond(world.agents[0], 1)  # a late answer in the period, found after opening
    with time_machine.travel(OPENED + dt.timedelta(days=1)):
        changed = cycles.cycle_recalculate(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    assert changed == 1
    line = ScorecardLine.objects.get(
        scorecard__cycle=cycle, scorecard__person=world.agents[0], code="csat_satisfied"
    )
    assert (line.value, line.sample) == (Decimal("50.00"), 2)
    event = ScorecardEvent.objects.get(action="recalculate")
    assert event.data["differences"]["csat_satisfied"]["from"] == "100.00"
    assert AuditEvent.objects.filter(action="assessment.cycle_recalculate").get().data["changed_lines"] == 1
    # Every computed line carries the time of the recalculation, changed or not; ratings carry none.
    times = set(
        ScorecardLine.objects.filter(scorecard__cycle=cycle, kind="indicator").values_list(
            "calculated_at", flat=True
        )
    )
    assert times == {OPENED + dt.timedelta(days=1)}
    assert not ScorecardLine.objects.filter(
        scorecard__cycle=cycle, kind="qualitative", calculated_at__isnull=False
    )


def test_a_stale_form_is_refused_and_changes_nothing(world: World) -> None:
    cycle = _open(world)
    card = _card(cycle, world.agents[0])
    cycles.scorecard_self_submit(
        actor=world.agents[0], scorecard=card, ratings={"reflection": 70}, expected_version=card.lock_version
    )
    with pytest.raises(ConflictError):
        cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version + 5)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SELF


# --- Found in review ---------------------------------------------------------------------------------------


def test_a_formula_naming_an_item_opens_and_scores(world: World) -> None:
    version = world.scheme.versions.get()
    SchemeVersion._base_manager.filter(pk=version.pk).update(
        formula="attitude * 0.5 + weighted * 0.5 + bonus"
    )
    _respond(world.agents[0], 5)
    cycle = _open(world)
    card = _card(cycle, world.agents[0])
    assert card.total is not None  # the unrated item counts 0 until it is rated
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    card = _card(cycle, world.agents[0])
    card = cycles.scorecard_score(
        actor=world.lead, scorecard=card, ratings={"attitude": 80}, expected_version=card.lock_version
    )
    # weighted: CSAT 100 (50) and attitude 80 (30), no self-assessment: (5000 + 2400) / 80 = 92.5
    assert card.total == Decimal("86.25")


def test_a_recalculation_after_scoring_moves_the_grade_and_none_after_calibration(world: World) -> None:
    for _ in range(4):
        _respond(world.agents[0], 5)
    cycle = _open(world)
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    card = _card(cycle, world.agents[0])
    card = cycles.scorecard_score(
        actor=world.lead, scorecard=card, ratings={"attitude": 90}, expected_version=card.lock_version
    )
    assert card.grade == "excellent"
    for _ in range(12):
        _respond(world.agents[0], 1)  # corrections found after scoring
    cycle.refresh_from_db()
    cycles.cycle_recalculate(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    card.refresh_from_db()
    assert card.grade == card.computed_grade != "excellent"
    for person in [*world.agents[1:], world.lead]:
        other = _card(cycle, person)
        cycles.scorecard_score(
            actor=world.head if person == world.lead else world.lead,
            scorecard=other,
            ratings={"attitude": 70},
            expected_version=other.lock_version,
        )
    cycle.refresh_from_db()
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    with pytest.raises(DomainError) as refused:
        cycles.cycle_recalculate(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    assert refused.value.code == "assessment_step_closed"


def test_a_past_period_keeps_the_version_it_was_published_under(world: World) -> None:
    first = world.scheme.versions.get()
    second = SchemeVersion.objects.create(
        scheme=world.scheme, number=2, grades=GRADES, affects_pay=True, effective_from=dt.date(2026, 4, 1)
    )
    SchemeItem.objects.create(
        version=second,
        kind="indicator",
        code="csat_satisfied",
        weight=Decimal(100),
        curve={"type": "linear", "floor": "50", "target": "90", "cap": "100"},
    )
    with time_machine.travel(dt.datetime(2026, 3, 25, 9, 0, tzinfo=SHANGHAI)):
        version_publish(version=second, actor=world.head, supersede=world.scheme.versions.all())
    cycle = _open(world)
    assert cycle.version_id == first.pk


def test_only_the_assessor_scores_not_a_peer_lead(world: World) -> None:
    peer_team = TeamFactory.create(unit=world.team.unit)
    peer = UserFactory.create(username="peer.lead", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=peer_team, user=peer, is_lead=True)
    cycle = _open(world)
    cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
    card = _card(cycle, world.agents[0])
    assert card.assessor_id == world.lead.pk
    with pytest.raises(PermissionDeniedError) as refused:
        cycles.scorecard_score(
            actor=peer, scorecard=card, ratings={"attitude": 10}, expected_version=card.lock_version
        )
    assert refused.value.code == "assessment_not_assessor"
    # The lead of a team is not assessed by a peer lead of his unit.
    assert _card(cycle, world.lead).assessor_id is None


def test_calibration_cannot_give_more_of_a_limited_grade_than_the_quota(world: World) -> None:
    cycle = _open(world)
    cycle = _through_scoring(world, cycle, dict.fromkeys(world.agents, 100) | {world.lead: 97})
    holders = cycle.scorecards.filter(grade="excellent")
    assert holders.count() == 1
    other = cycle.scorecards.exclude(grade="excellent").first()
    assert other is not None
    with pytest.raises(DomainError) as refused:
        cycles.scorecard_calibrate(
            actor=world.head,
            scorecard=other,
            grade="excellent",
            reason="表现突出",
            expected_version=other.lock_version,
        )
    assert refused.value.code == "assessment_quota_full"
    event = AuditEvent.objects.filter(action="assessment.cycle_advance", data__to="calibration").get()
    assert len(event.data["quota_moves"]) == 3
