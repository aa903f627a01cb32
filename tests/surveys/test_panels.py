"""The desk home's follow-up tile: the open follow-ups a supervisor may work, over every team under him."""

import datetime as dt

import pytest
from django.utils import timezone

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.accounts.tiles import desk_tiles
from charter.surveys.models import RecoveryTask
from charter.surveys.permissions import can_work_recovery
from charter.surveys.selectors import recovery_task_list_visible_to
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.conftest import client_for
from tests.surveys.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _task(team: Team | None, status: str = RecoveryTask.Status.OPEN) -> RecoveryTask:
    return RecoveryTask.objects.create(
        response=ResponseFactory.create(),
        team=team,
        reason="低分",
        status=status,
        due_at=timezone.now() + dt.timedelta(days=1),
    )


def test_a_supervisor_counts_and_works_the_follow_ups_of_every_team_under_the_unit_he_leads(
    organisation: OrgUnit, member: User
) -> None:
    branch = OrgUnitFactory.create(parent=organisation, code="branch")
    office = TeamFactory.create(unit=branch, code="office")
    hall = TeamFactory.create(unit=OrgUnitFactory.create(parent=branch, code="hall"), code="hall-team")
    elsewhere = TeamFactory.create(
        unit=OrgUnitFactory.create(parent=organisation, code="other"), code="other-team"
    )
    boss = UserFactory.create(username="boss", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=office, user=boss, is_lead=True)
    below = _task(hall)
    _task(hall, status=RecoveryTask.Status.RESOLVED)
    outside = _task(elsewhere)

    tile = {tile.key: tile for tile in desk_tiles.collect(boss)}["recovery"]

    assert tile.count == 1 == recovery_task_list_visible_to(user=boss, is_open_only=True).count()
    assert can_work_recovery(boss, below) and not can_work_recovery(boss, outside)
    page = client_for(boss).get(tile.url).content.decode()
    assert f"/desk/surveys/recovery/{below.pk}/" in page
    assert f"/desk/surveys/recovery/{outside.pk}/" not in page
    assert "recovery" not in {tile.key for tile in desk_tiles.collect(member)}
