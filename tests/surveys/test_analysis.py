"""Survey analysis on a handful of hand-made responses: headline figures, trends, breakdowns, filters, the
lowest-rated services, and a number of queries that does not grow with the data."""

import datetime as dt
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from charter.accounts.models import Customer, Team, User
from charter.catalog.models import Service
from charter.surveys import analysis
from charter.surveys.analysis import (
    ResultFilter,
    invitation_response_rate,
    response_breakdown,
    response_scores,
    response_trend,
    results_dashboard,
    service_lowest_rated,
)
from charter.surveys.models import Invitation, Response
from tests.accounts.factories import UserFactory
from tests.cases.conftest import new_case
from tests.surveys.factories import InvitationFactory, ResponseFactory, published_service

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
AT = dt.datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai


def everything(**kwargs: Any) -> ResultFilter:
    return ResultFilter(tz=SHANGHAI, **kwargs)


def respond(at: dt.datetime = AT, **fields: Any) -> Response:
    fields.setdefault("channel", "web")
    fields.setdefault("kind", "inquiry")
    return ResponseFactory.create(submitted_at=at, **fields)


@pytest.fixture
def water(db: None) -> Service:
    return published_service("water", "供水", "Water supply")


@pytest.fixture
def billing(db: None) -> Service:
    return published_service("billing", "账单查询", "Billing")


def test_headline_figures_follow_the_formulas(water: Service, team: Team) -> None:
    # given five responses; some questions left unanswered
    respond(csat=5, nps=10, ces=7, service=water, team=team)
    respond(csat=4, nps=9, ces=5)
    respond(csat=3, nps=7, ces=None)
    respond(csat=2, nps=3, ces=2)
    respond(csat=None, nps=0, ces=None, comment="只填了推荐")

    # when
    scores = response_scores(everything())

    # then CSAT 2 of 4, NPS (2 − 2) / 5, CES (7 + 5 + 2) / 3
    assert scores.responses == 5
    assert (scores.csat.value, scores.csat.n) == (Fraction(1, 2), 4)
    assert (scores.nps.value, scores.nps.n) == (Fraction(0), 5)
    assert (scores.ces.value, scores.ces.n) == (Fraction(14, 3), 3)
    assert scores.ces.low is not None and 1 <= scores.ces.low < Fraction(14, 3) < scores.ces.high <= 7  # type: ignore[operator]


def test_no_responses_gives_no_values() -> None:
    scores = response_scores(everything())

    assert scores.responses == 0
    assert scores.csat.value is None and scores.nps.value is None and scores.ces.value is None
    assert results_dashboard(everything(), with_themes=False).weekly == []


def test_response_rate_counts_sent_invitations_and_the_answered_ones() -> None:
    # given three invitations sent, one answered, and one still scheduled (not sent)
    respond(csat=5)
    InvitationFactory.create_batch(2, send_at=AT)
    InvitationFactory.create(status=Invitation.Status.SCHEDULED, sent_at=None)

    rate = invitation_response_rate(everything())

    assert (rate.value, rate.n) == (Fraction(1, 3), 3)


def test_each_agent_of_a_response_gets_its_score(member: User, teammate: User) -> None:
    # given alice and bob both wrote to the first customer; only alice to the second
    respond(csat=5, nps=10, agents=[member, teammate])
    respond(csat=1, nps=0, agents=[member])
    respond(csat=4, nps=9)

    groups = {group.key: group for group in response_breakdown(everything(), by="agent")}

    assert groups[member.pk].label == str(member)
    assert (groups[member.pk].scores.csat.value, groups[member.pk].scores.responses) == (Fraction(1, 2), 2)
    assert (groups[teammate.pk].scores.csat.value, groups[teammate.pk].scores.responses) == (Fraction(1), 1)
    assert groups[None].scores.responses == 1 and groups[None].label == gettext("No member of staff")


def test_agent_filter_keeps_the_responses_attributed_to_that_agent(member: User, teammate: User) -> None:
    respond(csat=5, agents=[member, teammate])
    respond(csat=1, agents=[member])
    respond(csat=4)

    filtered = everything(agent_id=teammate.pk)

    assert response_scores(filtered).responses == 1
    assert response_scores(everything(agent_id=member.pk)).csat.value == Fraction(1, 2)
    # a breakdown by agent under an agent filter shows that agent only, counted once per response
    assert [(group.key, group.scores.responses) for group in response_breakdown(filtered, by="agent")] == [
        (teammate.pk, 1)
    ]


def test_breakdowns_by_service_team_channel_and_kind(water: Service, team: Team, other_team: Team) -> None:
    respond(csat=5, service=water, team=team, channel="phone", kind="complaint")
    respond(csat=2, service=water, team=other_team, channel="web", kind="complaint")
    respond(csat=4, service=None, team=None, channel="", kind="")

    by_service = {group.key: group for group in response_breakdown(everything(), by="service")}
    by_team = {group.key: group for group in response_breakdown(everything(), by="team")}
    by_channel = {group.key: group for group in response_breakdown(everything(), by="channel")}
    by_kind = {group.key: group for group in response_breakdown(everything(), by="kind")}

    assert by_service[water.pk].label == "供水" and by_service[water.pk].scores.csat.value == Fraction(1, 2)
    assert by_service[None].label == gettext("No service")
    assert by_team[team.pk].scores.csat.value == 1 and by_team[other_team.pk].scores.csat.value == 0
    assert by_channel["phone"].label == "电话" and by_channel[""].scores.responses == 1
    assert by_kind["complaint"].scores.responses == 2 and by_kind["complaint"].label == "投诉"


def test_services_are_named_in_the_active_language(water: Service, settings: Any) -> None:
    from django.utils import translation

    respond(csat=5, service=water)

    with translation.override("en"):
        groups = response_breakdown(everything(), by="service")

    assert groups[0].label == "Water supply"


def test_weeks_are_bucketed_in_the_readers_time_zone() -> None:
    # given Sunday 23:30 and Monday 00:30 in Shanghai: both on Sunday in UTC
    sunday_night = dt.datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    monday_morning = dt.datetime(2026, 11, 23, 0, 30, tzinfo=SHANGHAI)
    respond(sunday_night, csat=5, nps=10)
    respond(monday_morning, csat=1, nps=0)

    in_shanghai = response_trend(everything(), period="week")
    in_utc = response_trend(ResultFilter(tz=UTC), period="week")

    assert [(point.start, point.label, point.scores.responses) for point in in_shanghai] == [
        (dt.date(2026, 11, 16), "2026-W47", 1),
        (dt.date(2026, 11, 23), "2026-W48", 1),
    ]
    assert in_shanghai[0].scores.csat.value == 1 and in_shanghai[1].scores.nps.value == -100
    assert [(point.start, point.scores.responses) for point in in_utc] == [(dt.date(2026, 11, 16), 2)]


def test_months_are_bucketed_in_the_readers_time_zone_with_empty_months_between() -> None:
    respond(dt.datetime(2026, 9, 30, 23, 30, tzinfo=SHANGHAI), csat=5)
    respond(dt.datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI), csat=2)  # 30 November in UTC

    points = response_trend(everything(), period="month")

    assert [(point.label, point.scores.responses) for point in points] == [
        ("2026-09", 1),
        ("2026-10", 0),
        ("2026-11", 0),
        ("2026-12", 1),
    ]
    assert points[1].scores.csat.value is None


def test_period_is_whole_days_in_the_readers_time_zone() -> None:
    respond(dt.datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI), csat=5)
    respond(dt.datetime(2026, 11, 23, 0, 30, tzinfo=SHANGHAI), csat=1)

    up_to_sunday = response_scores(everything(date_to=dt.date(2026, 11, 22)))
    from_monday = response_scores(everything(date_from=dt.date(2026, 11, 23)))
    both = response_scores(everything(date_from=dt.date(2026, 11, 22), date_to=dt.date(2026, 11, 23)))

    assert (up_to_sunday.responses, up_to_sunday.csat.value) == (1, Fraction(1))
    assert (from_monday.responses, from_monday.csat.value) == (1, Fraction(0))
    assert both.responses == 2


def test_filters_by_service_team_channel_and_kind(water: Service, billing: Service, team: Team) -> None:
    respond(csat=5, service=water, team=team, channel="phone", kind="complaint")
    respond(csat=1, service=billing, team=team, channel="web", kind="inquiry")
    respond(csat=4, service=billing, channel="web", kind="complaint")

    assert response_scores(everything(service_id=water.pk)).responses == 1
    assert response_scores(everything(team_id=team.pk)).responses == 2
    assert response_scores(everything(channel="web")).csat.value == Fraction(1, 2)
    assert response_scores(everything(kind="complaint", service_id=billing.pk)).csat.value == 1


def test_lowest_rated_services_need_enough_answers_and_bring_recent_comments(
    water: Service, billing: Service
) -> None:
    # given billing rated low (1 of 3 satisfied), water high (3 of 3), and repairs with one answer only
    repairs = published_service("repairs", "报修")
    for day, score in enumerate([5, 4, 5]):
        respond(AT + dt.timedelta(days=day), csat=score, service=water, comment="很好" if day == 0 else "")
    for day, (rating, comment) in enumerate(
        [(1, "账单看不懂"), (2, "多收了水费"), (4, ""), (None, "态度差")]
    ):
        respond(AT + dt.timedelta(days=day), csat=rating, service=billing, comment=comment)
    respond(csat=1, service=repairs, comment="没人来修")

    lowest = service_lowest_rated(everything(), minimum=3, limit=5, comments=2)

    assert [item.label for item in lowest] == ["账单查询", "供水"]
    assert lowest[0].scores.csat.value == Fraction(1, 3)
    # the two most recent comments, newest first; the comment without a CSAT answer counts too
    assert [comment.text for comment in lowest[0].comments] == ["态度差", "多收了水费"]
    assert [comment.text for comment in lowest[1].comments] == ["很好"]


def _dataset(count: int, services: list[Service], teams: list[Team], agents: list[User]) -> None:
    for index in range(count):
        respond(
            AT + dt.timedelta(days=index * 3),
            csat=1 + index % 5,
            nps=index % 11,
            ces=1 + index % 7,
            service=services[index % len(services)],
            team=teams[index % len(teams)],
            channel=["web", "phone", "email"][index % 3],
            kind=["inquiry", "complaint"][index % 2],
            comment=["水费账单不对", "态度很好", "bill is wrong", ""][index % 4],
            agents=agents[: 1 + index % len(agents)],
        )
    InvitationFactory.create_batch(count, send_at=AT)


def _queries(filters: ResultFilter) -> int:
    with CaptureQueriesContext(connection) as captured:
        results_dashboard(filters)
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_responses(
    team: Team, other_team: Team, monkeypatch: Any
) -> None:
    monkeypatch.setattr(analysis, "LOWEST_RATED_MINIMUM", 1)  # the lowest-rated services appear in both
    services = [published_service(f"s{i}", f"服务{i}") for i in range(3)]
    agents = [UserFactory.create(username=f"agent{i}") for i in range(3)]
    filters = everything(date_from=dt.date(2026, 1, 1), date_to=dt.date(2027, 12, 31))

    _dataset(2, services, [team, other_team], agents)
    few = _queries(filters)
    _dataset(18, services, [team, other_team], agents)
    many = _queries(filters)

    assert response_scores(filters).responses == 20
    assert results_dashboard(filters).lowest_rated
    assert few == many
    assert many <= 16


def test_response_rate_filters_on_the_invitations_case(customer: Customer, routed_team: Team) -> None:
    # given two cases handed to alice and bob by turns, both invited, the first one answered
    first, second = new_case(None, customer), new_case(None, customer)
    assert first.assignee is not None and second.assignee is not None
    answered = InvitationFactory.create(case=first, send_at=AT, status=Invitation.Status.ANSWERED)
    ResponseFactory.create(invitation=answered, case=first, csat=5, agents=[first.assignee])
    InvitationFactory.create(case=second, send_at=AT)
    InvitationFactory.create(send_at=AT)  # a campaign's: no case

    assert invitation_response_rate(everything()).n == 3
    by_team = invitation_response_rate(everything(team_id=routed_team.pk))
    assert (by_team.value, by_team.n) == (Fraction(1, 2), 2)
    assert invitation_response_rate(everything(agent_id=first.assignee.pk)).value == 1
    assert invitation_response_rate(everything(agent_id=second.assignee.pk)).value == 0
    assert invitation_response_rate(everything(channel="phone")).n == 0
    assert invitation_response_rate(everything(date_from=dt.date(2026, 11, 19))).value is None
