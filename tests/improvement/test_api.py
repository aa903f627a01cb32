"""The corrective-actions API: scope (404 outside it), opening, the error codes, items, the check."""

import datetime as dt

import pytest
import time_machine

from charter.accounts.models import Customer, Team, User
from charter.improvement.models import ActionStatus, CorrectiveAction
from charter.improvement.services import action_item_add, action_item_complete
from tests.conftest import api_client_for
from tests.improvement.conftest import START, complaint, open_cluster_action

DAY = dt.timedelta(days=1)
URL = "/api/v1/corrective-actions/"


def _version(action: CorrectiveAction) -> int:
    """The action's version as stored now: what a client that has just read it would send."""
    return CorrectiveAction.objects.values_list("version", flat=True).get(pk=action.pk)


@pytest.fixture
def action(supervisor: User, member: User, team: Team, customer: Customer) -> CorrectiveAction:
    cases = [complaint(customer, team=team, received_at=START - n * DAY) for n in range(1, 3)]
    return open_cluster_action(supervisor, member, cases, team=team)


def test_list_is_scoped(action: CorrectiveAction, member: User, outsider: User, administrator: User) -> None:
    for user, expected in ((member, [action.number]), (outsider, []), (administrator, [action.number])):
        response = api_client_for(user).get(URL)
        assert response.status_code == 200
        assert [row["number"] for row in response.json()["results"]] == expected


def test_an_action_outside_the_scope_is_404(action: CorrectiveAction, outsider: User) -> None:
    client = api_client_for(outsider)
    assert client.get(f"{URL}{action.pk}/").status_code == 404
    response = client.post(f"{URL}{action.pk}/transitions/", {"to": "in_progress"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_retrieve_shows_items_timeline_and_measure(action: CorrectiveAction, member: User) -> None:
    body = api_client_for(member).get(f"{URL}{action.pk}/").json()
    assert body["number"] == action.number
    assert len(body["cases"]) == 2
    assert body["timeline"][0]["kind"] == "opened"
    assert body["measure"]["before_count"] == 2
    assert body["measure"]["after_count"] is None


def test_an_agent_may_not_open_one(member: User, teammate: User) -> None:
    response = api_client_for(member).post(
        URL,
        {"title": "A", "source_kind": "other", "source_reference": "x", "problem": "p", "owner": teammate.pk},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "improvement_open_denied"


def test_a_supervisor_opens_one_from_a_cluster(
    supervisor: User, member: User, team: Team, customer: Customer
) -> None:
    cases = [complaint(customer, team=team, received_at=START - n * DAY) for n in range(1, 4)]
    response = api_client_for(supervisor).post(
        URL,
        {
            "title": "抄表错误引起的投诉",
            "source_kind": "complaint_cluster",
            "root_cause": "process",
            "cases": [case.pk for case in cases],
            "problem": "多起投诉",
            "owner": member.pk,
            "team": team.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["cases"]) == sorted(case.number for case in cases)


def test_opening_with_a_case_out_of_scope_is_refused(
    supervisor: User, member: User, other_team: Team, customer: Customer
) -> None:
    theirs = complaint(customer, team=other_team)
    response = api_client_for(supervisor).post(
        URL,
        {
            "title": "A",
            "source_kind": "complaint_cluster",
            "root_cause": "process",
            "cases": [theirs.pk],
            "problem": "p",
            "owner": member.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "cases" in response.json()["fields"]


def test_an_invalid_transition_is_409(action: CorrectiveAction, supervisor: User) -> None:
    response = api_client_for(supervisor).post(
        f"{URL}{action.pk}/transitions/", {"to": "closed", "version": _version(action)}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_stale_version_is_409(action: CorrectiveAction, supervisor: User) -> None:
    client = api_client_for(supervisor)
    assert client.patch(f"{URL}{action.pk}/", {"version": 1, "title": "新"}, format="json").status_code == 200
    response = client.patch(f"{URL}{action.pk}/", {"version": 1, "title": "更新"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_teammate_sees_nothing_and_an_item_owner_completes_only_his_item(
    action: CorrectiveAction, supervisor: User, teammate: User, member: User
) -> None:
    client = api_client_for(supervisor)
    response = client.post(
        f"{URL}{action.pk}/items/",
        {"description": "修订流程", "owner": teammate.pk, "due_on": "2026-03-31"},
        format="json",
    )
    assert response.status_code == 201
    item_id = response.json()["id"]
    teammate_client = api_client_for(teammate)
    # The item's owner now sees the action, but may not change it.
    assert teammate_client.get(f"{URL}{action.pk}/").status_code == 200
    refused = teammate_client.post(
        f"{URL}{action.pk}/transitions/", {"to": "in_progress", "version": _version(action)}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "improvement_manage_denied"
    done = teammate_client.post(
        f"{URL}{action.pk}/items/{item_id}/complete/", {"note": "完成"}, format="json"
    )
    assert done.status_code == 200
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.AWAITING_CHECK


def test_the_check_and_closure_by_someone_other_than_the_owner(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=member, due_on=START.date()
    )
    action_item_complete(actor=member, item=item, at=START)
    with time_machine.travel(START + 91 * DAY, tick=False):
        checked = api_client_for(supervisor).post(
            f"{URL}{action.pk}/check/",
            {"verdict": "effective", "note": "投诉下降", "version": _version(action)},
            format="json",
        )
        assert checked.status_code == 200, checked.json()
        assert checked.json()["checks"][0]["verdict"] == "effective"
        by_owner = api_client_for(member).post(
            f"{URL}{action.pk}/transitions/", {"to": "closed", "version": _version(action)}, format="json"
        )
        assert by_owner.status_code == 403
        assert by_owner.json()["code"] == "improvement_closure_by_owner"
        closed = api_client_for(supervisor).post(
            f"{URL}{action.pk}/transitions/", {"to": "closed", "version": _version(action)}, format="json"
        )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_a_check_before_it_is_due_is_refused(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=member, due_on=START.date()
    )
    action_item_complete(actor=member, item=item)
    response = api_client_for(supervisor).post(
        f"{URL}{action.pk}/check/", {"verdict": "effective", "version": _version(action)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "improvement_check_not_due"


def test_anonymous_is_refused(action: CorrectiveAction, api_client: object) -> None:
    assert api_client.get(URL).status_code in (401, 403)  # type: ignore[attr-defined]


def test_list_queries_do_not_grow_with_the_rows(
    supervisor: User, member: User, team: Team, django_assert_max_num_queries: object
) -> None:
    from charter.improvement.services import corrective_action_open

    def make(count: int) -> None:
        for n in range(count):
            corrective_action_open(
                actor=supervisor,
                title=f"措施{n}",
                source_kind="other",
                source_reference="巡检",
                problem="p",
                owner=member,
                team=team,
            )

    client = api_client_for(supervisor)
    make(2)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert len(client.get(URL).json()["results"]) == 2
    make(15)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert len(client.get(URL).json()["results"]) == 17


@pytest.mark.parametrize("to_other_team", [True, False])
def test_the_owner_may_not_move_his_action_to_another_team(
    action: CorrectiveAction, member: User, team: Team, other_team: Team, to_other_team: bool
) -> None:
    response = api_client_for(member).patch(
        f"{URL}{action.pk}/",
        {"version": action.version, "team": other_team.pk if to_other_team else None},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "improvement_team_denied"
    assert CorrectiveAction.objects.get(pk=action.pk).team == team
