"""The safeguards a review found missing: the check and the closure are independent of everyone who owned
the action, the waiting period cannot be shortened once the items are done, only those who file actions move
them between teams, the number's year is the site's, and an "effective" verdict the figures do not bear out
is explained."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.common.errors import DomainError, PermissionDeniedError
from charter.improvement.errors import ErrorCode
from charter.improvement.models import ActionStatus, CorrectiveAction, Verdict
from charter.improvement.selectors import corrective_action_team_list_for
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    corrective_action_close,
    corrective_action_open,
    corrective_action_update,
    effectiveness_check_record,
)
from tests.improvement.conftest import START, complaint, open_cluster_action

DAY = dt.timedelta(days=1)


def _open_other(actor: User, owner: User, team: Team | None, **overrides: object) -> CorrectiveAction:
    values: dict[str, Any] = {
        "title": "巡检发现的问题",
        "source_kind": "other",
        "source_reference": "巡检",
        "problem": "抄表复核未执行",
        "owner": owner,
        "team": team,
        "at": START,
    }
    values.update(overrides)
    return corrective_action_open(actor=actor, **values)


def _done(action: CorrectiveAction, actor: User, owner: User, at: dt.datetime = START) -> CorrectiveAction:
    item = action_item_add(actor=actor, action=action, description="修订流程", owner=owner, due_on=at.date())
    action_item_complete(actor=owner, item=item, note="已修订", at=at)
    return CorrectiveAction.objects.get(pk=action.pk)


# 1. Independence of the check and the closure ------------------------------------------------------------


def test_the_owner_may_not_record_his_own_check(supervisor: User, member: User, team: Team) -> None:
    action = _done(_open_other(supervisor, member, team), supervisor, member)
    with pytest.raises(PermissionDeniedError) as error:
        effectiveness_check_record(actor=member, action=action, is_effective=True, at=action.check_due_at)
    assert error.value.code == ErrorCode.CHECK_BY_OWNER
    assert not action.checks.exists()


def test_handing_the_action_over_does_not_let_its_former_owner_check_or_close_it(
    supervisor: User, member: User, team: Team, administrator: User
) -> None:
    # Sam opens and owns the action, does the work, then hands it to Alice.
    action = _done(_open_other(supervisor, supervisor, team), supervisor, supervisor)
    action = corrective_action_update(actor=supervisor, action=action, owner=member)
    assert action.owner == member
    with pytest.raises(PermissionDeniedError) as error:
        effectiveness_check_record(actor=supervisor, action=action, is_effective=True, at=action.check_due_at)
    assert error.value.code == ErrorCode.CHECK_BY_OWNER
    # Someone independent checks; Sam may still not close it, the checker may.
    effectiveness_check_record(actor=administrator, action=action, is_effective=True, at=action.check_due_at)
    with pytest.raises(PermissionDeniedError) as error:
        corrective_action_close(actor=supervisor, action=action)
    assert error.value.code == ErrorCode.CLOSURE_BY_OWNER
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.AWAITING_CHECK
    closed = corrective_action_close(actor=administrator, action=action)
    assert (closed.status, closed.closed_by) == (ActionStatus.CLOSED, administrator)


def test_the_waiting_period_cannot_be_shortened_once_the_items_are_done(
    supervisor: User, member: User, team: Team
) -> None:
    action = _open_other(supervisor, member, team, check_after_days=90)
    # Before the items are done it may change either way.
    action = corrective_action_update(actor=supervisor, action=action, check_after_days=60)
    action = _done(action, supervisor, member)
    due = action.check_due_at
    with pytest.raises(DomainError) as error:
        corrective_action_update(actor=supervisor, action=action, check_after_days=1)
    assert (error.value.code, error.value.field) == (ErrorCode.CHECK_PERIOD_LOCKED, "check_after_days")
    assert CorrectiveAction.objects.get(pk=action.pk).check_due_at == due
    # A longer wait is still allowed.
    longer = corrective_action_update(actor=supervisor, action=action, check_after_days=120)
    assert longer.check_due_at == START + 120 * DAY


# 2. Moving an action between teams -----------------------------------------------------------------------


def test_a_plain_owner_files_under_no_team(member: User, supervisor: User, team: Team) -> None:
    assert not corrective_action_team_list_for(user=member).exists()
    assert list(corrective_action_team_list_for(user=supervisor)) == [team]


@pytest.mark.parametrize("new_team", ["other", None])
def test_the_owner_may_not_move_the_action_out_of_his_supervisors_scope(
    supervisor: User, member: User, team: Team, other_team: Team, new_team: str | None
) -> None:
    action = _open_other(supervisor, member, team)
    with pytest.raises(DomainError) as error:
        corrective_action_update(actor=member, action=action, team=other_team if new_team else None)
    assert error.value.field == "team"
    assert CorrectiveAction.objects.get(pk=action.pk).team == team
    # He may still change what he is there to change.
    corrective_action_update(actor=member, action=action, cause_analysis="未执行复核")


def test_a_supervisor_moves_an_action_only_between_teams_he_leads(
    supervisor: User, member: User, team: Team, other_team: Team, administrator: User
) -> None:
    action = _open_other(supervisor, member, team)
    with pytest.raises(DomainError):
        corrective_action_update(actor=supervisor, action=action, team=other_team)
    moved = corrective_action_update(actor=administrator, action=action, team=other_team)
    assert moved.team == other_team


# 3. The number's year is the site's -----------------------------------------------------------------------


def test_the_number_year_is_the_sites_whatever_the_users_zone(
    supervisor: User, member: User, team: Team
) -> None:
    # 2027-01-01 01:00 in Shanghai (the site), still 2026-12-31 in New York (the user).
    new_year = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)
    with timezone.override("America/New_York"):
        action = _open_other(supervisor, member, team, at=new_year)
    assert action.number == "CA-2027-0001"


# 4. The verdict and its measure ---------------------------------------------------------------------------


def _cluster_action(
    supervisor: User, member: User, team: Team, customer: Customer, *, before: int, after: int
) -> CorrectiveAction:
    cases = [complaint(customer, team=team, received_at=START - (n + 1) * DAY) for n in range(before)]
    action = open_cluster_action(supervisor, member, cases, team=team)
    action = _done(action, supervisor, member)
    for n in range(after):
        complaint(customer, team=team, received_at=START + (n + 1) * DAY)
    return action


@pytest.mark.parametrize(("before", "after"), [(2, 2), (2, 3), (0, 1)])
def test_effective_when_complaints_did_not_fall_needs_a_note(
    supervisor: User, member: User, team: Team, customer: Customer, before: int, after: int
) -> None:
    action = _cluster_action(supervisor, member, team, customer, before=before, after=after)
    with pytest.raises(DomainError) as error:
        effectiveness_check_record(actor=supervisor, action=action, is_effective=True, at=action.check_due_at)
    assert (error.value.code, error.value.field) == (ErrorCode.VERDICT_UNSUPPORTED, "note")
    assert not action.checks.exists()
    check = effectiveness_check_record(
        actor=supervisor,
        action=action,
        is_effective=True,
        note="投诉来自另一片区的新小区，与本措施无关。",
        at=action.check_due_at,
    )
    assert check.verdict == Verdict.EFFECTIVE


def test_effective_when_complaints_fell_needs_no_note(
    supervisor: User, member: User, team: Team, customer: Customer
) -> None:
    action = _cluster_action(supervisor, member, team, customer, before=3, after=1)
    check = effectiveness_check_record(
        actor=supervisor, action=action, is_effective=True, at=action.check_due_at
    )
    assert check.verdict == Verdict.EFFECTIVE
