"""The corrective action desk: scope, forms wired to the services, clusters, the report and its exports."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, Team, User
from charter.improvement.models import ActionStatus, CorrectiveAction
from charter.improvement.services import action_item_add, action_item_complete, corrective_action_open
from tests.conftest import client_for
from tests.improvement.conftest import START, complaint, open_cluster_action

DAY = dt.timedelta(days=1)


@pytest.fixture
def action(supervisor: User, member: User, team: Team, customer: Customer) -> CorrectiveAction:
    cases = [complaint(customer, team=team, received_at=START - n * DAY) for n in range(1, 3)]
    return open_cluster_action(supervisor, member, cases, team=team)


def _more_actions(supervisor: User, member: User, team: Team, count: int) -> None:
    for n in range(count):
        made = corrective_action_open(
            actor=supervisor,
            title=f"措施{n}",
            source_kind="other",
            source_reference="巡检",
            problem="p",
            owner=member,
            team=team,
        )
        action_item_add(actor=supervisor, action=made, description="做", owner=member, due_on=START.date())


def test_list_is_scoped(action: CorrectiveAction, member: User, outsider: User) -> None:
    assert action.number in client_for(member).get("/desk/improvement/actions/").content.decode()
    assert action.number not in client_for(outsider).get("/desk/improvement/actions/").content.decode()


def test_list_filters_by_source_and_overdue(action: CorrectiveAction, supervisor: User) -> None:
    client = client_for(supervisor)
    assert (
        action.number
        in client.get("/desk/improvement/actions/?source_kind=complaint_cluster").content.decode()
    )
    assert action.number not in client.get("/desk/improvement/actions/?source_kind=qa_trend").content.decode()
    assert action.number not in client.get("/desk/improvement/actions/?overdue=on").content.decode()


def test_list_queries_do_not_grow_with_the_rows(
    supervisor: User, member: User, team: Team, django_assert_max_num_queries: object
) -> None:
    client = client_for(supervisor)
    _more_actions(supervisor, member, team, 2)
    client.get("/desk/improvement/actions/")
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        small = client.get("/desk/improvement/actions/")
    _more_actions(supervisor, member, team, 12)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        large = client.get("/desk/improvement/actions/")
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count("措施") >= 14


def test_an_action_outside_the_scope_is_404(action: CorrectiveAction, outsider: User) -> None:
    assert client_for(outsider).get(f"/desk/improvement/actions/{action.pk}/").status_code == 404
    assert client_for(outsider).get(f"/desk/improvement/actions/{action.pk}/edit/").status_code == 404


def test_customers_and_agents_without_permission_are_refused(customer_user: User, member: User) -> None:
    assert client_for(customer_user).get("/desk/improvement/actions/").status_code == 403
    for path in (
        "/desk/improvement/actions/new/",
        "/desk/improvement/clusters/",
        "/desk/improvement/reports/",
    ):
        assert client_for(member).get(path).status_code == 403


def test_the_detail_page_shows_the_action_and_its_measure(action: CorrectiveAction, member: User) -> None:
    page = client_for(member).get(f"/desk/improvement/actions/{action.pk}/").content.decode()
    assert action.number in page
    assert action.problem in page
    assert "TS-2026-" in page


def test_items_are_added_and_completed_on_the_page(
    action: CorrectiveAction, supervisor: User, member: User
) -> None:
    url = f"/desk/improvement/actions/{action.pk}/"
    response = client_for(supervisor).post(
        url, {"do": "item", "description": "修订抄表复核流程", "owner": member.pk, "due_on": "2026-03-31"}
    )
    assert response.status_code == 302
    item = action.items.get()
    response = client_for(member).post(url, {"do": "done", "item": item.pk, "note": "已完成"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.AWAITING_CHECK


def test_an_item_form_with_errors_is_shown_again(action: CorrectiveAction, supervisor: User) -> None:
    response = client_for(supervisor).post(f"/desk/improvement/actions/{action.pk}/", {"do": "item"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not action.items.exists()


def test_check_and_closure_on_the_page(action: CorrectiveAction, supervisor: User, member: User) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=member, due_on=START.date()
    )
    action_item_complete(actor=member, item=item, at=START)
    url = f"/desk/improvement/actions/{action.pk}/"
    with time_machine.travel(START + 91 * DAY, tick=False):
        assert 'class="notice"' in client_for(supervisor).get("/desk/improvement/actions/").content.decode()
        assert (
            action.number
            in client_for(supervisor).get("/desk/improvement/actions/checks-due/").content.decode()
        )
        version = CorrectiveAction.objects.get(pk=action.pk).version
        response = client_for(supervisor).post(
            url, {"do": "check", "verdict": "effective", "version": version}
        )
        assert response.status_code == 302
        version = CorrectiveAction.objects.get(pk=action.pk).version
        # The owner is not offered closure; posting it anyway is refused.
        response = client_for(member).post(
            url, {"do": "transition", "to_status": "closed", "version": version}
        )
        assert response.status_code == 200
        assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.AWAITING_CHECK
        response = client_for(supervisor).post(
            url, {"do": "transition", "to_status": "closed", "version": version}
        )
    assert response.status_code == 302
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.CLOSED


def test_a_stale_form_shows_the_conflict(action: CorrectiveAction, supervisor: User) -> None:
    url = f"/desk/improvement/actions/{action.pk}/"
    response = client_for(supervisor).post(
        url, {"do": "transition", "to_status": "in_progress", "version": 99}
    )
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_the_cluster_page_links_to_a_prefilled_form(supervisor: User, customer: Customer, team: Team) -> None:
    cases = [complaint(customer, team=team, received_at=dt.datetime.now(dt.UTC) - n * DAY) for n in range(3)]
    page = client_for(supervisor).get("/desk/improvement/clusters/").content.decode()
    assert "root_cause=process" in page
    form = client_for(supervisor).get(
        "/desk/improvement/actions/new/?root_cause=process" + "".join(f"&case={case.pk}" for case in cases)
    )
    body = form.content.decode()
    for case in cases:
        assert case.number in body


def test_opening_from_the_form(supervisor: User, member: User, customer: Customer, team: Team) -> None:
    cases = [complaint(customer, team=team) for _ in range(2)]
    response = client_for(supervisor).post(
        "/desk/improvement/actions/new/",
        {
            "kind": "corrective",
            "title": "抄表错误引起的投诉",
            "source_kind": "complaint_cluster",
            "root_cause": "process",
            "case_numbers": " ".join(case.number for case in cases),
            "problem": "多起投诉",
            "owner": member.pk,
            "team": team.pk,
            "check_after_days": 90,
        },
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    assert set(action.cases.all()) == set(cases)


def test_opening_with_an_unknown_case_shows_an_error(supervisor: User, member: User) -> None:
    response = client_for(supervisor).post(
        "/desk/improvement/actions/new/",
        {
            "kind": "corrective",
            "title": "A",
            "source_kind": "complaint_cluster",
            "root_cause": "process",
            "case_numbers": "TS-0000-000000",
            "problem": "p",
            "owner": member.pk,
            "check_after_days": 90,
        },
    )
    assert response.status_code == 200
    assert "TS-0000-000000" in response.content.decode()
    assert not CorrectiveAction.objects.exists()


def test_the_edit_form_saves_changes(action: CorrectiveAction, supervisor: User, member: User) -> None:
    response = client_for(supervisor).post(
        f"/desk/improvement/actions/{action.pk}/edit/",
        {
            "kind": "corrective",
            "title": "新标题",
            "problem": action.problem,
            "owner": member.pk,
            "check_after_days": 60,
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.check_after_days) == ("新标题", 60)


def test_the_report_page_and_its_exports(
    action: CorrectiveAction,
    supervisor: User,
    member: User,
    team: Team,
    django_assert_max_num_queries: object,
) -> None:
    client = client_for(supervisor)
    _more_actions(supervisor, member, team, 5)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = client.get("/desk/improvement/reports/?since=2026-01-01&until=2026-12-31")
    assert page.status_code == 200
    assert str(team) in page.content.decode()
    csv = client.get("/desk/improvement/reports/?since=2026-01-01&until=2026-12-31&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert str(team) in csv.content.decode("utf-8-sig")
    xlsx = client.get("/desk/improvement/reports/?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_the_cluster_page_shows_only_cases_in_scope(
    supervisor: User, customer: Customer, other_team: Team
) -> None:
    theirs = [
        complaint(customer, team=other_team, received_at=dt.datetime.now(dt.UTC) - n * DAY) for n in range(3)
    ]
    page = client_for(supervisor).get("/desk/improvement/clusters/").content.decode()
    assert theirs[0].number not in page
    assert "root_cause=process" not in page


def test_the_owner_is_not_offered_the_team_and_cannot_post_it(
    action: CorrectiveAction, member: User, supervisor: User, team: Team, other_team: Team
) -> None:
    url = f"/desk/improvement/actions/{action.pk}/edit/"
    assert "team" not in client_for(member).get(url).context["form"].fields
    offered = client_for(supervisor).get(url).context["form"].fields["team"].queryset
    assert list(offered) == [team]
    data = {
        "version": action.version,
        "kind": action.kind,
        "title": action.title,
        "problem": action.problem,
        "owner": member.pk,
        "team": other_team.pk,
        "check_after_days": action.check_after_days,
    }
    client_for(member).post(url, data)
    assert CorrectiveAction.objects.get(pk=action.pk).team == team


def test_the_detail_page_queries_do_not_grow_with_the_items(
    administrator: User, supervisor: User, member: User, team: Team
) -> None:
    # Opened by someone else, so whether the supervisor manages it depends on the teams he leads.
    action = corrective_action_open(
        actor=administrator,
        title="巡检",
        source_kind="other",
        source_reference="巡检",
        problem="p",
        owner=member,
        team=team,
    )

    def add(count: int) -> None:
        for n in range(count):
            action_item_add(
                actor=administrator, action=action, description=f"事项{n}", owner=member, due_on=START.date()
            )

    url = f"/desk/improvement/actions/{action.pk}/"
    add(2)
    client = client_for(supervisor)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("事项") >= 12
    assert len(large.captured_queries) == len(small.captured_queries)
