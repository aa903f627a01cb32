"""The demo's corrective action story runs through to closure with time passing between its steps."""

import datetime as dt

from charter.accounts.models import Customer, Team, User
from charter.improvement.demo import corrective_action_story
from charter.improvement.models import ActionEvent, ActionStatus, Verdict
from tests.improvement.conftest import START, complaint

DAY = dt.timedelta(days=1)


def test_the_story_is_closed_by_someone_other_than_the_owner_after_an_effective_check(
    supervisor: User, member: User, teammate: User, administrator: User, customer: Customer, team: Team
) -> None:
    opened_at = START - 200 * DAY
    cases = [complaint(customer, team=team, received_at=opened_at - n * 10 * DAY) for n in range(1, 7)]
    complaint(customer, team=team, received_at=opened_at + 30 * DAY)

    action = corrective_action_story(
        opener=supervisor,
        owner=member,
        item_owner=teammate,
        closer=administrator,
        cases=cases,
        root_cause="process",
        team=team,
        opened_at=opened_at,
    )

    assert (action.status, action.verdict, action.closed_by) == (
        ActionStatus.CLOSED,
        Verdict.EFFECTIVE,
        administrator,
    )
    check = action.checks.get()
    assert (check.complaints_before, check.complaints_after) == (6, 1)
    assert check.checked_at == opened_at + 13 * DAY + 90 * DAY
    kinds = list(action.events.values_list("kind", flat=True))
    assert kinds.count(ActionEvent.Kind.ITEM_DONE) == 2
    assert action.closed_at is not None and action.closed_at < START


def test_the_story_runs_when_the_opener_owns_the_action_the_closer_checks_it(
    supervisor: User, teammate: User, administrator: User, customer: Customer, team: Team
) -> None:
    # As the site demo tells it: the supervisor opens and owns the action, so he may not check it.
    opened_at = START - 200 * DAY
    cases = [complaint(customer, team=team, received_at=opened_at - n * 10 * DAY) for n in range(1, 4)]

    action = corrective_action_story(
        opener=supervisor,
        owner=supervisor,
        item_owner=teammate,
        closer=administrator,
        cases=cases,
        root_cause="process",
        team=team,
        opened_at=opened_at,
    )

    assert (action.status, action.closed_by) == (ActionStatus.CLOSED, administrator)
    assert action.checks.get().checked_by == administrator
