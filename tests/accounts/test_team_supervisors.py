"""`team_supervisor_list` is the inverse of `team_list_led_by`: who has a team in his scope as supervisor."""

import pytest

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.accounts.selectors import team_list_led_by, team_supervisor_list, team_supervisors_by_depth
from tests.accounts.factories import OrgUnitFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _lead(username: str, team: Team, *, is_active: bool = True) -> User:
    user: User = UserFactory.create(username=username, roles=[Role.SUPERVISOR], is_active=is_active)
    TeamMembershipFactory.create(team=team, user=user, is_lead=True)
    return user


def test_the_supervisors_of_a_team_are_the_leads_of_its_unit_and_of_every_unit_above(
    organisation: OrgUnit, team: Team, other_team: Team
) -> None:
    # given a team two levels down, with a sibling team in its unit and teams in units beside and above
    deep = TeamFactory.create(unit=OrgUnitFactory.create(parent=team.unit), code="deep")
    sibling = TeamFactory.create(unit=deep.unit, code="sibling")
    own, beside, above = _lead("own", deep), _lead("beside", other_team), _lead("above", team)
    same_unit = _lead("same-unit", sibling)
    top = _lead("top", TeamFactory.create(unit=organisation, code="hq"))
    _lead("gone", deep, is_active=False)
    TeamMembershipFactory.create(team=deep, user=UserFactory.create(username="member"))

    supervisors = team_supervisor_list(team=deep)

    assert supervisors == sorted([own, same_unit, above, top], key=lambda user: user.pk)
    assert beside not in supervisors
    for user in User.objects.filter(is_active=True):
        assert (user in supervisors) == team_list_led_by(user=user).filter(pk=deep.pk).exists(), user


def test_supervisors_by_depth_are_the_same_people_nearest_first(
    organisation: OrgUnit, team: Team, other_team: Team
) -> None:
    deep = TeamFactory.create(unit=OrgUnitFactory.create(parent=team.unit), code="deep")
    sibling = TeamFactory.create(unit=deep.unit, code="sibling")
    own, same_unit, above = _lead("own", deep), _lead("same-unit", sibling), _lead("above", team)
    top = _lead("top", TeamFactory.create(unit=organisation, code="hq"))
    _lead("beside", other_team)
    _lead("gone", deep, is_active=False)
    teams = list(Team.objects.select_related("unit").filter(pk__in=[deep.pk, team.pk]))

    by_depth = team_supervisors_by_depth(teams=teams)

    for row in teams:
        flattened = sorted(user for users in by_depth[row.pk].values() for user in users)
        assert flattened == [user.pk for user in team_supervisor_list(team=row)]
    nearest_first = [by_depth[deep.pk][depth] for depth in sorted(by_depth[deep.pk], reverse=True)]
    assert nearest_first == [sorted([own.pk, same_unit.pk]), [above.pk], [top.pk]]
