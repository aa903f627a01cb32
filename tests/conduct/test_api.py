"""The violations API: scoped like the desk, actions through the services, refusals as {code, detail}."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.conduct.models import Violation
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import standard_version_draft_create
from tests.conduct.conftest import DAY, NOW, Recorder
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/violations/"


def test_an_agent_lists_only_his_own_violations(record: Recorder, member: User, teammate: User) -> None:
    own = record()
    record(staff=teammate)

    response = api_client_for(member).get(URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_a_supervisor_sees_his_teams_and_not_other_teams(
    record: Recorder, supervisor: User, outsider: User, administrator: User, teammate: User
) -> None:
    mine = record()
    theirs = record(actor=administrator, staff=outsider)

    client = api_client_for(supervisor)

    ids = [row["id"] for row in client.get(URL).json()["results"]]
    assert mine.pk in ids and theirs.pk not in ids
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api_client_for(teammate).get(f"{URL}{mine.pk}/").status_code == 404
    assert api_client_for(administrator).get(f"{URL}{theirs.pk}/").status_code == 200


def test_retrieve_shows_the_proposal_evidence_and_timeline(record: Recorder, member: User) -> None:
    violation = record()

    body = api_client_for(member).get(f"{URL}{violation.pk}/").json()

    assert body["proposal"]["code"] == "education"
    assert body["evidence"][0]["kind"] == "observation"
    assert [event["kind"] for event in body["events"]] == ["recorded", "evidence_added"]


def test_create_refuses_a_clause_of_an_unpublished_version(
    frozen: Any,
    supervisor: User,
    member: User,
    conduct: StandardDocument,
    code_v1: StandardVersion,
    administrator: User,
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct)
    payload = {
        "staff": member.pk,
        "clause": draft.clauses.get(number="2.3").pk,
        "occurred_at": (NOW - DAY).isoformat(),
        "severity": "minor",
        "description": "不当用语",
    }

    response = api_client_for(supervisor).post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "conduct_clause_not_published"
    assert not Violation.objects.exists()


def test_create_records_with_evidence(
    frozen: Any, supervisor: User, member: User, clause: StandardClause
) -> None:
    payload = {
        "staff": member.pk,
        "clause": clause.pk,
        "occurred_at": (NOW - DAY).isoformat(),
        "severity": "general",
        "description": "不当用语",
        "evidence": [{"kind": "observation", "text": "现场听到"}],
    }

    response = api_client_for(supervisor).post(URL, payload, format="json")

    assert response.status_code == 201
    assert response.json()["evidence"][0]["text"] == "现场听到"


def test_an_agent_cannot_record(frozen: Any, member: User, teammate: User, clause: StandardClause) -> None:
    payload = {
        "staff": teammate.pk,
        "clause": clause.pk,
        "occurred_at": (NOW - DAY).isoformat(),
        "severity": "minor",
        "description": "x",
    }

    response = api_client_for(member).post(URL, payload, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "conduct_record_denied"


def test_decide_without_acknowledgement_is_refused(record: Recorder, supervisor: User) -> None:
    violation = record()

    response = api_client_for(supervisor).post(
        f"{URL}{violation.pk}/decide/", {"step": "education"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "conduct_not_acknowledged"


def test_the_staff_member_cannot_decide_and_others_get_404(
    record: Recorder, member: User, outsider: User, acknowledged: StandardVersion
) -> None:
    violation = record()

    own = api_client_for(member).post(f"{URL}{violation.pk}/decide/", {"step": "education"}, format="json")
    other = api_client_for(outsider).post(
        f"{URL}{violation.pk}/decide/", {"step": "education"}, format="json"
    )

    assert own.status_code == 403
    assert other.status_code == 404


def test_self_decision_has_its_code(
    record: Recorder, supervisor: User, administrator: User, code_v1: StandardVersion
) -> None:
    from charter.standards.services import standard_version_acknowledge

    standard_version_acknowledge(user=supervisor, version=code_v1)
    violation = record(actor=administrator, staff=supervisor)

    response = api_client_for(supervisor).post(
        f"{URL}{violation.pk}/decide/", {"step": "education"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "conduct_self_decision"


def test_full_due_process_and_a_second_appeal(
    record: Recorder,
    supervisor: User,
    member: User,
    administrator: User,
    acknowledged: StandardVersion,
    frozen: Any,
) -> None:
    violation = record()
    staff = api_client_for(member)

    assert (
        api_client_for(supervisor).post(f"{URL}{violation.pk}/decide/", {"step": "education"}).status_code
        == 200
    )
    assert staff.post(f"{URL}{violation.pk}/respond/", {"text": "接受"}).json()["status"] == "in_effect"
    assert staff.post(f"{URL}{violation.pk}/appeal/", {"text": "申诉"}).json()["status"] == "appealed"
    second = staff.post(f"{URL}{violation.pk}/appeal/", {"text": "再次申诉"})
    decided = api_client_for(administrator).post(
        f"{URL}{violation.pk}/appeal-decision/", {"outcome": "upheld", "reason": "维持"}
    )

    assert second.status_code == 400
    assert second.json()["code"] == "conduct_second_appeal"
    assert decided.status_code == 200
    assert decided.json()["appeal_outcome"] == "upheld"


def test_a_late_response_has_the_deadline_code(
    record: Recorder, supervisor: User, member: User, acknowledged: StandardVersion, frozen: Any
) -> None:
    violation = record()
    api_client_for(supervisor).post(f"{URL}{violation.pk}/decide/", {"step": "education"})
    frozen.move_to(NOW + 6 * DAY)

    response = api_client_for(member).post(f"{URL}{violation.pk}/respond/", {"text": "迟了"})

    assert response.status_code == 400
    assert response.json()["code"] == "conduct_deadline_passed"


def test_only_hr_approves(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(severity="serious")
    api_client_for(supervisor).post(f"{URL}{violation.pk}/decide/", {"step": "demotion", "reason": "严重"})
    api_client_for(member).post(f"{URL}{violation.pk}/respond/", {"text": "……"})

    denied = api_client_for(supervisor).post(f"{URL}{violation.pk}/approve/", {"is_approved": True})
    approved = api_client_for(administrator).post(f"{URL}{violation.pk}/approve/", {"is_approved": True})

    assert denied.status_code == 403
    assert approved.json()["status"] == "in_effect"


def test_anonymous_callers_are_refused(record: Recorder, api_client: Any) -> None:
    record()

    assert api_client.get(URL).status_code in {401, 403}


def test_list_queries_do_not_grow_with_rows(
    record: Recorder, supervisor: User, django_assert_max_num_queries: Any
) -> None:
    record()
    client = api_client_for(supervisor)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    for _ in range(8):
        record()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)

    assert len(response.json()["results"]) == 9


def test_an_unknown_step_or_case_is_refused_in_the_users_language(
    record: Recorder, supervisor: User, member: User, clause: StandardClause, acknowledged: StandardVersion
) -> None:
    violation = record()
    payload = {
        "staff": member.pk,
        "clause": clause.pk,
        "occurred_at": (NOW - DAY).isoformat(),
        "severity": "general",
        "description": "不当用语",
        "evidence": [{"kind": "case", "case_number": "NOPE"}],
    }

    step = api_client_for(supervisor).post(f"{URL}{violation.pk}/decide/", {"step": "nope"}, format="json")
    case = api_client_for(supervisor).post(URL, payload, format="json")

    assert step.status_code == 400
    assert "没有此处理等级。" in str(step.json())
    assert case.status_code == 400
    assert "未找到。" in str(case.json())
    assert Violation.objects.count() == 1
