"""Who sees which corrective actions, complaint clusters and report figures."""

import datetime as dt

import pytest

from charter.accounts.models import Customer, Team, User
from charter.catalog.models import Service
from charter.improvement.models import ActionStatus, CorrectiveAction, SourceKind
from charter.improvement.permissions import can_close, can_manage, can_open
from charter.improvement.selectors import (
    complaint_cluster_list,
    corrective_action_checks_due,
    corrective_action_filter,
    corrective_action_list_visible_to,
    corrective_action_report,
)
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    corrective_action_open,
    effectiveness_check_record,
)
from tests.improvement.conftest import START, complaint, open_cluster_action

DAY = dt.timedelta(days=1)


@pytest.fixture
def action(supervisor: User, member: User, team: Team, customer: Customer) -> CorrectiveAction:
    cases = [complaint(customer, team=team, received_at=START - n * DAY) for n in range(1, 3)]
    return open_cluster_action(supervisor, member, cases, team=team)


def _visible(user: User) -> set[str]:
    return set(corrective_action_list_visible_to(user=user).values_list("number", flat=True))


def test_scope_owner_supervisor_and_administrator_see_it(
    action: CorrectiveAction, member: User, supervisor: User, administrator: User
) -> None:
    for user in (member, supervisor, administrator):
        assert _visible(user) == {action.number}


def test_scope_an_outsider_a_teammate_and_another_teams_supervisor_do_not(
    action: CorrectiveAction, outsider: User, teammate: User, other_supervisor: User
) -> None:
    for user in (outsider, teammate, other_supervisor):
        assert _visible(user) == set()


def test_scope_an_items_owner_sees_the_action(
    action: CorrectiveAction, supervisor: User, outsider: User
) -> None:
    action_item_add(
        actor=supervisor, action=action, description="协同整改", owner=outsider, due_on=START.date()
    )
    assert _visible(outsider) == {action.number}
    assert not can_manage(outsider, action)


def test_scope_a_qa_reviewer_sees_what_he_opened(qa_reviewer: User, member: User) -> None:
    mine = corrective_action_open(
        actor=qa_reviewer, title="A", source_kind="qa_trend", source_reference="QA", problem="p", owner=member
    )
    assert _visible(qa_reviewer) == {mine.number}


def test_predicates(
    action: CorrectiveAction, member: User, supervisor: User, other_supervisor: User, qa_reviewer: User
) -> None:
    assert can_open(supervisor) and can_open(qa_reviewer) and not can_open(member)
    assert can_manage(member, action) and can_manage(supervisor, action)
    assert not can_manage(other_supervisor, action)
    assert can_close(supervisor, action) and not can_close(member, action)


def test_filters_and_checks_due(action: CorrectiveAction, supervisor: User, teammate: User) -> None:
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=teammate, due_on=START.date()
    )
    visible = corrective_action_list_visible_to(user=supervisor)
    assert corrective_action_filter(visible, is_overdue=True, today=START.date() + DAY).count() == 1
    assert corrective_action_filter(visible, is_overdue=True, today=START.date()).count() == 0
    assert corrective_action_filter(visible, source_kind="qa_trend").count() == 0
    assert corrective_action_filter(visible, status="active").count() == 1
    action_item_complete(actor=teammate, item=item, at=START)
    assert not corrective_action_checks_due(user=supervisor, now=START + 89 * DAY).exists()
    assert list(corrective_action_checks_due(user=supervisor, now=START + 90 * DAY)) == [action]


def test_clusters_group_complaints_by_root_cause_over_a_threshold(
    supervisor: User, customer: Customer, team: Team, other_team: Team, service: Service
) -> None:
    for n in range(3):
        complaint(customer, team=team, root_cause="process", service=service, received_at=START - n * DAY)
    complaint(customer, team=team, root_cause="process", received_at=START - DAY)
    for n in range(2):
        complaint(customer, team=team, root_cause="communication", received_at=START - n * DAY)
    complaint(customer, team=team, root_cause="process", received_at=START - 40 * DAY)  # too old
    complaint(customer, team=other_team, root_cause="process", received_at=START - DAY)  # not his
    complaint(customer, team=team, root_cause="process", kind="inquiry", received_at=START - DAY)

    clusters = complaint_cluster_list(
        user=supervisor, since=START - 30 * DAY, until=START + DAY, threshold=3, by_service=False
    )
    assert [(cluster.root_cause, cluster.count) for cluster in clusters] == [("process", 4)]

    by_service = complaint_cluster_list(
        user=supervisor, since=START - 30 * DAY, until=START + DAY, threshold=2, by_service=True
    )
    assert [(c.root_cause, c.service, c.count) for c in by_service] == [
        ("process", service, 3),
        ("communication", None, 2),
    ]


def test_report_counts_what_the_user_may_see(
    action: CorrectiveAction, supervisor: User, member: User, other_supervisor: User, other_team: Team
) -> None:
    corrective_action_open(
        actor=other_supervisor,
        title="B",
        source_kind="survey_theme",
        source_reference="满意度主题：等待时间",
        problem="p",
        owner=other_supervisor,
        team=other_team,
        at=START,
    )
    item = action_item_add(
        actor=supervisor, action=action, description="修订", owner=member, due_on=START.date()
    )
    action_item_complete(actor=member, item=item, at=START)
    action.refresh_from_db()
    effectiveness_check_record(actor=supervisor, action=action, is_effective=True, at=START + 90 * DAY)

    report = corrective_action_report(
        user=supervisor, since=START - DAY, until=START + 100 * DAY, today=START.date()
    )

    assert (report.total.opened, report.total.active, report.total.effective, report.total.ineffective) == (
        1,
        1,
        1,
        0,
    )
    assert [row.label for row in report.by_source] == [str(SourceKind.COMPLAINT_CLUSTER.label)]
    assert [row.opened for row in report.by_team] == [1]
    everything = corrective_action_report(
        user=other_supervisor, since=START - DAY, until=START + DAY, today=START.date()
    )
    assert everything.total.opened == 1
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.AWAITING_CHECK
