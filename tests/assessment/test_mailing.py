"""The mail to the people an assessment step waits for: each exists in both languages, reaches the right
people in their own language once the change commits, never tells a party of a scorecard to decide its
appeal, and the reminder before a step's end goes out once per step."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group

from charter.accounts.roles import Role
from charter.assessment import cycles
from charter.assessment.mailing import KEYS, cycle_reminders_send
from charter.assessment.models import Appeal, Cycle, Scorecard
from charter.mail.models import OutboundMessage
from charter.mail.rendering import template_default, template_preview
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.assessment.test_cycles import OPENED, World, _card, _open, _published, _scheme

# The grades of the scheme of tests/assessment/test_cycles.py: (Chinese, English).
NAMES = {
    "excellent": ("优秀", "Excellent"),
    "good": ("良好", "Good"),
    "pass": ("合格", "Pass"),
    "fail": ("不合格", "Fail"),
}


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def world(db: None) -> World:
    """A team led by wang.lead with three agents under the agent scheme of tests/assessment/test_cycles.py;
    the head administers (and approves), sun.qa reviews quality (and decides appeals)."""
    team = TeamFactory.create(unit=OrgUnitFactory.create())
    lead = UserFactory.create(username="wang.lead", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=team, user=lead, is_lead=True)
    agents = [UserFactory.create(username=f"agent{index}", roles=[Role.AGENT]) for index in range(3)]
    for agent in agents:
        TeamMembershipFactory.create(team=team, user=agent)
    head = UserFactory.create(username="head", roles=[Role.ADMINISTRATOR])
    decider = UserFactory.create(username="sun.qa", roles=[Role.QA_REVIEWER])
    return World(_scheme(team, head), team, lead, agents, head, decider)


def _sent(kind: str) -> dict[str, OutboundMessage]:
    """The messages queued from template `kind`, by recipient address."""
    messages = OutboundMessage.objects.filter(template=KEYS[kind]).order_by("pk")
    found = {message.recipient: message for message in messages}
    assert len(found) == messages.count(), "one message per recipient"
    return found


@pytest.mark.parametrize("key", sorted(KEYS.values()))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_mail_renders_in_both_languages(key: str, language: str) -> None:
    subject, body = template_default(key, language)

    rendered = template_preview(key, subject, body)

    assert rendered.subject and "{{" not in rendered.body and "{%" not in rendered.body


def test_opening_asks_everyone_covered_for_his_self_assessment_in_his_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    english = world.agents[0]
    english.language = "en"
    english.save()

    with django_capture_on_commit_callbacks(execute=True):
        cycle = _open(world)

    sent = _sent("cycle_opened")
    assert set(sent) == {world.lead.email, *(agent.email for agent in world.agents)}
    due = cycle.step_due_at.astimezone(OPENED.tzinfo).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    mail = sent[english.email]
    assert mail.language == "en" and mail.subject.startswith(f"Write your self-assessment by {due}")
    assert f"/desk/assessment/scorecards/{_card(cycle, english).pk}/" in mail.body
    chinese = sent[world.agents[1].email]
    assert chinese.language == "zh-hans" and chinese.subject.startswith(f"请在 {due} 前完成自评")
    assert f"/desk/assessment/scorecards/{_card(cycle, world.agents[1]).pk}/" in chinese.body


def test_nothing_is_sent_for_an_opening_that_rolled_back(world: World) -> None:
    # Without the commit (the test's transaction never commits), the on-commit mail never runs.
    _open(world)

    assert not OutboundMessage.objects.exists()


def test_scoring_tells_each_assessor_how_many_people_he_scores(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    cycle = _open(world)

    with time_machine.travel(OPENED), django_capture_on_commit_callbacks(execute=True):
        cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)

    # The lead assesses the three agents; nobody assesses the lead (those who run cycles score him).
    sent = _sent("scoring_open")
    assert list(sent) == [world.lead.email]
    assert "3 名员工" in sent[world.lead.email].body
    assert f"/desk/assessment/team/?cycle={cycle.pk}" in sent[world.lead.email].body


def test_publication_tells_each_person_his_grade_and_until_when_he_may_appeal(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    english = world.agents[2]
    english.language = "en"
    english.save()

    with time_machine.travel(OPENED), django_capture_on_commit_callbacks(execute=True):
        cycle = _published(world)

    sent = _sent("published")
    assert set(sent) == {world.lead.email, *(agent.email for agent in world.agents)}
    card = _card(cycle, english)
    due = card.appeal_due_at.astimezone(OPENED.tzinfo).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    mail = sent[english.email]
    assert mail.subject.startswith(f"Your scorecard is published: {NAMES[card.grade][1]}")
    assert f"appeal once until {due}" in mail.body
    assert f"/desk/assessment/scorecards/{card.pk}/" in mail.body
    chinese = _card(cycle, world.agents[0]).grade
    assert sent[world.agents[0].email].subject.startswith(f"您的考核结果已公布：{NAMES[chinese][0]}")


def test_an_appeal_reaches_only_those_who_may_decide_it_and_its_decision_the_person(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # The appellant and his assessor also hold the right to decide appeals, and the head (who approved the
    # cycle) holds it as an administrator: all three are parties, so only the QA reviewer is told.
    reviewers = Group.objects.get(name=Role.QA_REVIEWER)
    appellant = world.agents[1]
    for party in (appellant, world.lead):
        party.groups.add(reviewers)
    with time_machine.travel(OPENED):
        cycle = _published(world)
    card = _card(cycle, appellant)

    with time_machine.travel(OPENED), django_capture_on_commit_callbacks(execute=True):
        appeal = cycles.appeal_file(
            actor=appellant, scorecard=card, reason="质检评分有误。", expected_version=card.lock_version
        )

    sent = _sent("appeal_filed")
    assert list(sent) == [world.decider.email]
    assert f"/desk/assessment/appeals/{appeal.pk}/" in sent[world.decider.email].body
    assert str(appellant) in sent[world.decider.email].subject

    with time_machine.travel(OPENED), django_capture_on_commit_callbacks(execute=True):
        cycles.appeal_decide(
            actor=world.decider,
            appeal=appeal,
            status=Appeal.Status.PARTLY,
            decision="部分属实",
            new_grade="good",
            expected_version=appeal.lock_version,
        )

    decided = _sent("appeal_decided")
    assert list(decided) == [appellant.email]
    assert decided[appellant.email].subject == "考核申诉处理结果：部分成立"
    assert "处理后的等级为：良好" in decided[appellant.email].body


def test_the_reminder_goes_once_per_step_to_those_whose_part_is_still_open(world: World) -> None:
    cycle = _open(world)
    writer = world.agents[0]
    card = _card(cycle, writer)
    with time_machine.travel(OPENED):
        cycles.scorecard_self_submit(
            actor=writer, scorecard=card, ratings={"reflection": 80}, expected_version=card.lock_version
        )
    self_due = cycle.step_due_at
    assert self_due is not None

    assert cycle_reminders_send(now=OPENED) == 0  # three working days ahead: too early
    assert cycle_reminders_send(now=self_due - dt.timedelta(hours=2)) == 1
    assert cycle_reminders_send(now=self_due - dt.timedelta(hours=1)) == 0  # once per step

    reminded = _sent("self_reminder")
    assert set(reminded) == {world.lead.email, world.agents[1].email, world.agents[2].email}
    assert Cycle.objects.get(pk=cycle.pk).reminded_step == Cycle.Status.SELF

    with time_machine.travel(self_due - dt.timedelta(hours=1)):
        cycle = cycles.cycle_advance(actor=world.head, cycle=cycle, expected_version=cycle.lock_version)
        scored = _card(cycle, world.agents[1])
        cycles.scorecard_score(
            actor=world.lead,
            scorecard=scored,
            ratings={"attitude": 90},
            comment="好",
            expected_version=scored.lock_version,
        )
    scoring_due = cycle.step_due_at
    assert scoring_due is not None

    assert cycle_reminders_send(now=scoring_due - dt.timedelta(hours=2)) == 1
    assert cycle_reminders_send(now=scoring_due - dt.timedelta(hours=1)) == 0

    scoring = _sent("scoring_reminder")
    assert list(scoring) == [world.lead.email]
    assert "还有 2 名员工尚未评分" in scoring[world.lead.email].body
    assert len(_sent("self_reminder")) == 3  # the self step is not reminded again
    assert Scorecard.objects.filter(cycle=cycle, status=Scorecard.Status.SUPERVISOR).count() == 3
