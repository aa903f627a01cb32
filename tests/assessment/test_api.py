"""The assessment API: each resource for the right role, 404 outside the scope and 403 with the predicate's
code, a stale lock_version answered 409 `conflict`, bad input 400 with nothing written, no total for the
person before publication, and evidence links only to what the reader may see."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment import cycles
from charter.assessment.models import (
    Appeal,
    Cycle,
    LedgerEntry,
    Scheme,
    Scorecard,
    ScorecardLine,
)
from tests.accounts.factories import CustomerFactory, TeamMembershipFactory, UserFactory
from tests.assessment.test_cycles import _scheme
from tests.assessment.test_indicators import resolved_case
from tests.conftest import api_client_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = "2026-03-01"
MID_MARCH = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
OPENED = dt.datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI)
URL = "/api/v1/assessment/"


@pytest.fixture(autouse=True)
def in_april(settings: Any) -> Iterator[None]:
    """The organisation's zone, and a clock in the days after March (the period every test assesses)."""
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(OPENED, tick=False):
        yield


@pytest.fixture
def head(db: None) -> User:
    """An administrator: runs cycles, approves them, sees everything."""
    return UserFactory.create(username="head", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def decider(db: None) -> User:
    """A QA reviewer, who decides appeals."""
    return UserFactory.create(username="sun.qa", roles=[Role.QA_REVIEWER])


@pytest.fixture
def scheme(team: Team, head: User) -> Scheme:
    """A pay scheme covering `team`, published in January: csat, a rating, a self-assessment, a star awarded
    by hand and a deduction counted from upheld complaints (the cycle tests' scheme)."""
    return _scheme(team, head)


@pytest.fixture
def cycle(scheme: Scheme, head: User, member: User, teammate: User, supervisor: User) -> Cycle:
    """The March cycle of `scheme`, at self-assessment: member and teammate (assessed by supervisor) and
    the supervisor himself."""
    return cycles.cycle_open(actor=head, scheme=scheme, period_start=dt.date(2026, 3, 1))


def _card(cycle: Cycle, person: User) -> Scorecard:
    return Scorecard.objects.select_related("cycle").get(cycle=cycle, person=person)


def _post(user: User, path: str, data: dict[str, Any]) -> Any:
    return api_client_for(user).post(f"{URL}{path}", data, format="json")


def _to_calibration(cycle: Cycle, head: User, supervisor: User, ratings: dict[User, int]) -> Cycle:
    """Advance to scoring, score everyone (the supervisor by the head), advance to calibration."""
    cycle = cycles.cycle_advance(actor=head, cycle=cycle, expected_version=cycle.lock_version)
    for person, points in ratings.items():
        card = _card(cycle, person)
        cycles.scorecard_score(
            actor=head if person == supervisor else supervisor,
            scorecard=card,
            ratings={"attitude": points},
            expected_version=card.lock_version,
        )
    return cycles.cycle_advance(actor=head, cycle=cycle, expected_version=cycle.lock_version)


def _published(cycle: Cycle, head: User, supervisor: User, people: list[User]) -> Cycle:
    cycle = _to_calibration(cycle, head, supervisor, dict.fromkeys(people, 95))
    cycle = cycles.cycle_advance(actor=head, cycle=cycle, expected_version=cycle.lock_version)
    return cycles.cycle_approve(actor=head, cycle=cycle, expected_version=cycle.lock_version)


# Schemes ------------------------------------------------------------------------------------------------


def test_staff_read_a_scheme_with_the_rules_of_its_version_in_force(scheme: Scheme, member: User) -> None:
    client = api_client_for(member)

    listed = client.get(f"{URL}schemes/").json()["results"]
    body = client.get(f"{URL}schemes/{scheme.pk}/").json()

    assert [(row["code"], row["version_in_force"]) for row in listed] == [("agents", 1)]
    version = body["version"]
    assert [(item["code"], item["weight"]) for item in version["items"]] == [
        ("csat_satisfied", "50.00"),
        ("attitude", "30.00"),
        ("reflection", "20.00"),
    ]
    assert version["items"][0]["curve"]["target"] == "90"
    assert [grade["code"] for grade in version["grades"]] == ["excellent", "good", "pass", "fail"]
    assert (version["quota_grade"], version["quota_share"]) == ("excellent", "20.00")
    assert {rule["code"] for rule in version["adjustments"]} == {"star", "upheld"}
    assert {rule["grade"] for rule in version["outcome_rules"]} == {"excellent", "fail"}


def test_schemes_are_for_staff_only_and_a_missing_one_is_404(scheme: Scheme, customer_user: User) -> None:
    refused = api_client_for(customer_user).get(f"{URL}schemes/")
    missing = api_client_for(UserFactory.create(roles=[Role.AGENT])).get(f"{URL}schemes/{scheme.pk + 99}/")

    assert refused.status_code == 403
    assert refused.json()["code"] == "assessment_view_denied"
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_schemes_are_read_only(scheme: Scheme, head: User) -> None:
    response = _post(head, "schemes/", {"code": "new"})

    assert response.status_code == 405
    assert Scheme.objects.count() == 1


# Cycles -------------------------------------------------------------------------------------------------


def test_those_who_run_cycles_open_one(scheme: Scheme, head: User, member: User, supervisor: User) -> None:
    response = _post(head, "cycles/", {"scheme": scheme.pk, "period_start": MARCH})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["period_end"]) == ("self", "2026-03-31")
    assert body["counts"] == {"total": 2, "by_status": {"self": 2}}


def test_an_agent_may_not_open_a_cycle(scheme: Scheme, member: User) -> None:
    response = _post(member, "cycles/", {"scheme": scheme.pk, "period_start": MARCH})

    assert response.status_code == 403
    assert response.json()["code"] == "assessment_run_denied"
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"period_start": "2026-03-02"}, "assessment_period_invalid", "period_start"),
        ({"period_start": "2026-05-01"}, "assessment_period_invalid", "period_start"),
        ({"period_start": "not a date"}, "invalid", "period_start"),
        ({"scheme": 0}, "invalid", "scheme"),
    ],
)
def test_bad_input_to_open_a_cycle_is_400_and_writes_nothing(
    scheme: Scheme, head: User, member: User, data: dict[str, Any], code: str, field: str
) -> None:
    response = _post(head, "cycles/", {"scheme": scheme.pk, "period_start": MARCH} | data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    assert field in body["fields"]
    assert not Cycle.objects.exists()


def test_a_cycle_is_seen_by_whoever_sees_one_of_its_scorecards(
    cycle: Cycle, member: User, supervisor: User, outsider: User, head: User
) -> None:
    mine = api_client_for(member).get(f"{URL}cycles/{cycle.pk}/").json()
    team = api_client_for(supervisor).get(f"{URL}cycles/").json()["results"]
    hidden = api_client_for(outsider).get(f"{URL}cycles/{cycle.pk}/")

    assert mine["counts"]["total"] == 1
    assert [(row["id"], row["counts"]["total"]) for row in team] == [(cycle.pk, 3)]
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"
    assert api_client_for(outsider).get(f"{URL}cycles/").json()["results"] == []


def test_the_cycle_steps_through_the_api(cycle: Cycle, head: User, supervisor: User, member: User) -> None:
    advanced = _post(head, f"cycles/{cycle.pk}/advance/", {"lock_version": cycle.lock_version})
    assert advanced.status_code == 200, advanced.json()
    assert advanced.json()["status"] == "supervisor"

    refused = _post(member, f"cycles/{cycle.pk}/advance/", {"lock_version": advanced.json()["lock_version"]})
    assert refused.status_code == 403
    assert refused.json()["code"] == "assessment_run_denied"

    not_scored = _post(head, f"cycles/{cycle.pk}/advance/", {"lock_version": advanced.json()["lock_version"]})
    assert not_scored.status_code == 409
    assert not_scored.json()["code"] == "invalid_transition"

    recalculated = _post(
        head, f"cycles/{cycle.pk}/recalculate/", {"lock_version": advanced.json()["lock_version"]}
    )
    assert recalculated.status_code == 200, recalculated.json()


def test_a_stale_lock_version_is_409_and_changes_nothing(cycle: Cycle, head: User) -> None:
    response = _post(head, f"cycles/{cycle.pk}/advance/", {"lock_version": cycle.lock_version + 1})

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SELF


def test_approval_and_return_are_the_heads(
    cycle: Cycle, head: User, supervisor: User, member: User, teammate: User
) -> None:
    cycle = _to_calibration(cycle, head, supervisor, {member: 95, teammate: 85, supervisor: 70})
    cycle = cycles.cycle_advance(actor=head, cycle=cycle, expected_version=cycle.lock_version)
    path = f"cycles/{cycle.pk}/"

    blank = _post(head, f"{path}return/", {"lock_version": cycle.lock_version, "reason": " "})
    by_lead = _post(supervisor, f"{path}approve/", {"lock_version": cycle.lock_version})
    returned = _post(head, f"{path}return/", {"lock_version": cycle.lock_version, "reason": "请重新校准。"})

    assert blank.status_code == 400
    assert blank.json()["code"] == "assessment_reason_required"
    assert by_lead.status_code == 403
    assert by_lead.json()["code"] == "assessment_approve_denied"
    assert returned.status_code == 200, returned.json()
    assert returned.json()["status"] == "calibration"
    again = _post(head, f"{path}advance/", {"lock_version": returned.json()["lock_version"]})
    approved = _post(head, f"{path}approve/", {"lock_version": again.json()["lock_version"]})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "published"
    assert approved.json()["counts"]["by_status"] == {"published": 3}


def test_closing_while_people_may_still_appeal_is_refused(
    cycle: Cycle, head: User, supervisor: User, member: User, teammate: User
) -> None:
    cycle = _published(cycle, head, supervisor, [member, teammate, supervisor])

    response = _post(head, f"cycles/{cycle.pk}/close/", {"lock_version": cycle.lock_version})

    assert response.status_code == 400
    assert response.json()["code"] == "assessment_appeal_window_open"
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED


# Scorecards ---------------------------------------------------------------------------------------------


def test_scorecards_are_listed_in_the_readers_scope(
    cycle: Cycle, member: User, teammate: User, supervisor: User, outsider: User
) -> None:
    def people(user: User, query: str = "") -> set[int]:
        rows = api_client_for(user).get(f"{URL}scorecards/{query}").json()["results"]
        return {row["person"] for row in rows}

    assert people(member) == {member.pk}
    assert people(supervisor) == {member.pk, teammate.pk, supervisor.pk}
    assert people(supervisor, f"?person={teammate.pk}") == {teammate.pk}
    assert people(supervisor, "?status=final") == set()
    assert people(outsider) == set()
    bad = api_client_for(supervisor).get(f"{URL}scorecards/?status=nonsense")
    assert bad.status_code == 400
    assert "status" in bad.json()["fields"]


def test_another_persons_scorecard_is_404(cycle: Cycle, member: User, teammate: User) -> None:
    card = _card(cycle, member)

    read = api_client_for(teammate).get(f"{URL}scorecards/{card.pk}/")
    written = _post(teammate, f"scorecards/{card.pk}/self-assessment/", {"lock_version": 1, "ratings": {}})

    assert read.status_code == written.status_code == 404
    assert read.json()["code"] == written.json()["code"] == "not_found"


def test_the_person_sees_no_total_before_publication(
    cycle: Cycle, head: User, member: User, teammate: User, supervisor: User
) -> None:
    cycle = _to_calibration(cycle, head, supervisor, {member: 95, teammate: 85, supervisor: 70})
    card = _card(cycle, member)
    assert card.total is not None  # scored: there is a total to hide

    own = api_client_for(member).get(f"{URL}scorecards/{card.pk}/").json()
    listed = api_client_for(member).get(f"{URL}scorecards/").json()["results"][0]
    lead = api_client_for(supervisor).get(f"{URL}scorecards/{card.pk}/").json()

    for body in (own, listed):
        assert body["is_result_visible"] is False
        assert [body[field] for field in ("weighted_score", "total", "grade", "computed_grade")] == [None] * 4
    assert own["rank"] is None
    assert lead["rank"]["team_size"] == 3
    assert (own["supervisor_comment"], lead["supervisor_comment"]) == (None, "")
    assert all(line["points"] is None for line in own["lines"])
    assert lead["total"] == f"{card.total:.2f}"

    cycle = cycles.cycle_advance(actor=head, cycle=cycle, expected_version=cycle.lock_version)
    cycles.cycle_approve(actor=head, cycle=cycle, expected_version=cycle.lock_version)
    published = api_client_for(member).get(f"{URL}scorecards/{card.pk}/").json()
    assert published["is_result_visible"] is True
    assert published["total"] is not None and published["grade"]
    assert published["rank"]["team_size"] == 3


def test_the_lines_name_each_number_and_link_its_evidence(
    cycle: Cycle, supervisor: User, member: User
) -> None:
    card = _card(cycle, member)

    lines = {
        line["code"]: line
        for line in api_client_for(supervisor).get(f"{URL}scorecards/{card.pk}/").json()["lines"]
    }

    assert set(lines) == {"csat_satisfied", "attitude", "reflection", "star", "upheld"}
    csat = lines["csat_satisfied"]
    assert csat["kind"] == "indicator" and csat["unit"] == "percent" and csat["formula_text"]
    assert csat["evidence_url"] == f"http://testserver{URL}scorecards/{card.pk}/evidence/csat_satisfied/"
    assert lines["upheld"]["evidence_url"].endswith("/evidence/upheld/")
    assert lines["attitude"]["name"] == "服务态度"
    assert lines["attitude"]["evidence_url"] is None
    assert lines["star"]["evidence_url"] is None


def test_an_evidence_link_is_null_for_a_reader_who_may_not_see_the_case(
    scheme: Scheme, head: User, team: Team, member: User, teammate: User, supervisor: User
) -> None:
    complaint = resolved_case(
        CustomerFactory.create(), at=MID_MARCH, team=team, assignee=teammate, outcome="upheld"
    )
    complaint.named_staff.add(member)
    cycle = cycles.cycle_open(actor=head, scheme=scheme, period_start=dt.date(2026, 3, 1))
    path = f"{URL}scorecards/{_card(cycle, member).pk}/evidence/upheld/"

    as_person = api_client_for(member).get(path).json()
    as_lead = api_client_for(supervisor).get(path).json()

    assert [row["label"] for row in as_person] != [complaint.number]  # masked, like the case page
    assert as_person[0]["link"] is None  # a complaint never opens for the person it names
    assert as_lead[0]["link"] == f"http://testserver/desk/cases/{complaint.number}/"
    assert (
        api_client_for(member)
        .get(f"{URL}scorecards/{_card(cycle, member).pk}/evidence/attitude/")
        .status_code
        == 404
    )
    assert api_client_for(teammate).get(path).status_code == 404


def test_the_person_self_assesses_and_bad_points_write_nothing(cycle: Cycle, member: User) -> None:
    card = _card(cycle, member)
    path = f"scorecards/{card.pk}/self-assessment/"

    bad = _post(member, path, {"lock_version": card.lock_version, "ratings": {"reflection": "180"}})
    shapeless = _post(member, path, {"lock_version": card.lock_version, "ratings": "eighty"})
    stale = _post(member, path, {"lock_version": card.lock_version + 1, "ratings": {"reflection": "80"}})

    assert bad.status_code == 400
    assert bad.json()["code"] == "assessment_points_invalid"
    assert "rating_reflection" in bad.json()["fields"]
    assert shapeless.status_code == 400 and shapeless.json()["code"] == "invalid"
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    card.refresh_from_db()
    assert (card.status, card.lock_version) == (Scorecard.Status.SELF, 1)
    assert ScorecardLine.objects.get(scorecard=card, code="reflection").points is None

    done = _post(
        member, path, {"lock_version": card.lock_version, "ratings": {"reflection": 80}, "comment": "好"}
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "supervisor"


def test_the_supervisor_scores_and_nobody_scores_himself(
    cycle: Cycle, head: User, member: User, supervisor: User
) -> None:
    cycle = cycles.cycle_advance(actor=head, cycle=cycle, expected_version=cycle.lock_version)
    card = _card(cycle, member)
    own = _card(cycle, supervisor)

    himself = _post(
        supervisor,
        f"scorecards/{own.pk}/score/",
        {"lock_version": own.lock_version, "ratings": {"attitude": 90}},
    )
    by_person = _post(
        member,
        f"scorecards/{card.pk}/score/",
        {"lock_version": card.lock_version, "ratings": {"attitude": 90}},
    )
    scored = _post(
        supervisor,
        f"scorecards/{card.pk}/score/",
        {"lock_version": card.lock_version, "ratings": {"attitude": 90}, "awards": {"star": 1}},
    )

    assert himself.status_code == 403 and himself.json()["code"] == "assessment_self_assessment"
    assert by_person.status_code == 403 and by_person.json()["code"] == "assessment_self_assessment"
    assert scored.status_code == 200, scored.json()
    assert scored.json()["status"] == "scored"
    assert scored.json()["bonus"] == "5.00"


def test_calibration_checks_the_grade(
    cycle: Cycle, head: User, member: User, teammate: User, supervisor: User
) -> None:
    cycle = _to_calibration(cycle, head, supervisor, {member: 95, teammate: 85, supervisor: 70})
    card = _card(cycle, member)
    path = f"scorecards/{card.pk}/calibrate/"

    unknown = _post(head, path, {"lock_version": card.lock_version, "grade": "genius", "reason": "x"})
    by_lead = _post(supervisor, path, {"lock_version": card.lock_version, "grade": "good", "reason": "x"})
    done = _post(head, path, {"lock_version": card.lock_version, "grade": "good", "reason": "跨班组校准"})

    assert unknown.status_code == 400 and "grade" in unknown.json()["fields"]
    assert by_lead.status_code == 403 and by_lead.json()["code"] == "assessment_run_denied"
    assert done.status_code == 200, done.json()
    assert (done.json()["grade"], done.json()["grade_reason"]) == ("good", "跨班组校准")


# Appeals and the ledger ---------------------------------------------------------------------------------


def test_an_appeal_is_filed_seen_and_decided_by_someone_independent(
    cycle: Cycle,
    head: User,
    decider: User,
    member: User,
    teammate: User,
    supervisor: User,
    outsider: User,
) -> None:
    cycle = _published(cycle, head, supervisor, [member, teammate, supervisor])
    card = _card(cycle, member)

    acknowledged = _post(member, f"scorecards/{card.pk}/acknowledge/", {"lock_version": card.lock_version})
    assert acknowledged.status_code == 200, acknowledged.json()
    filed = _post(
        member,
        f"scorecards/{card.pk}/appeal/",
        {"lock_version": acknowledged.json()["lock_version"], "reason": "质检评分有误。"},
    )
    assert filed.status_code == 201, filed.json()
    appeal = Appeal.objects.get()
    assert filed.json()["id"] == appeal.pk

    def seen(user: User) -> list[int]:
        return [row["id"] for row in api_client_for(user).get(f"{URL}appeals/").json()["results"]]

    assert seen(member) == seen(decider) == seen(supervisor) == [appeal.pk]
    assert seen(teammate) == []
    assert api_client_for(outsider).get(f"{URL}appeals/{appeal.pk}/").status_code == 404

    decide = f"appeals/{appeal.pk}/decide/"
    decision = {
        "lock_version": appeal.lock_version,
        "status": "upheld",
        "decision": "属实",
        "new_grade": "excellent",
    }
    party = _post(supervisor, decide, decision)
    stale = _post(decider, decide, decision | {"lock_version": appeal.lock_version + 1})
    no_grade = _post(decider, decide, decision | {"new_grade": ""})
    assert party.status_code == 403 and party.json()["code"] == "assessment_appeal_denied"
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert no_grade.status_code == 400 and "new_grade" in no_grade.json()["fields"]
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.PENDING

    decided = _post(decider, decide, decision)
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["status"], decided.json()["new_grade"]) == ("upheld", "excellent")
    assert _card(cycle, member).status == Scorecard.Status.FINAL


def test_the_head_who_approved_may_not_decide_the_appeal(
    cycle: Cycle, head: User, member: User, teammate: User, supervisor: User
) -> None:
    cycle = _published(cycle, head, supervisor, [member, teammate, supervisor])
    card = _card(cycle, member)
    appeal = cycles.appeal_file(
        actor=member, scorecard=card, reason="有误", expected_version=card.lock_version
    )

    response = _post(
        head, f"appeals/{appeal.pk}/decide/", {"lock_version": 1, "status": "rejected", "decision": "维持"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "assessment_appeal_party"


def test_the_ledger_is_for_hr_and_the_leads_of_the_team(
    cycle: Cycle, head: User, decider: User, member: User, teammate: User, supervisor: User, outsider: User
) -> None:
    cycle = _published(cycle, head, supervisor, [member, teammate, supervisor])
    card = _card(cycle, member)
    appeal = cycles.appeal_file(
        actor=member, scorecard=card, reason="有误", expected_version=card.lock_version
    )
    cycles.appeal_decide(
        actor=decider,
        appeal=appeal,
        status="upheld",
        decision="属实",
        new_grade="excellent",
        expected_version=1,
    )
    assert LedgerEntry.objects.filter(person=member).exists()

    def kinds(user: User, query: str = "") -> set[tuple[int, str]]:
        rows = api_client_for(user).get(f"{URL}ledger-entries/{query}").json()["results"]
        return {(row["person"], row["kind"]) for row in rows}

    assert kinds(head) == {(member.pk, "coefficient"), (member.pk, "points")}
    assert kinds(head, f"?cycle={cycle.pk}&kind=points") == {(member.pk, "points")}
    assert kinds(supervisor, f"?person={member.pk}") == {(member.pk, "coefficient"), (member.pk, "points")}
    refused = api_client_for(member).get(f"{URL}ledger-entries/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "assessment_export_denied"
    assert api_client_for(head).get(f"{URL}ledger-entries/?kind=fine").status_code == 400


def test_the_list_takes_a_bounded_number_of_queries(
    scheme: Scheme, head: User, team: Team, supervisor: User, django_assert_max_num_queries: Any
) -> None:
    for index in range(10):
        TeamMembershipFactory.create(
            team=team, user=UserFactory.create(username=f"more{index}", roles=[Role.AGENT])
        )
    cycles.cycle_open(actor=head, scheme=scheme, period_start=dt.date(2026, 3, 1))

    with django_assert_max_num_queries(8):  # not one per scorecard: each asks can_see_result
        rows = api_client_for(supervisor).get(f"{URL}scorecards/").json()["results"]

    assert len(rows) == 11
