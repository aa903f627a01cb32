"""Who sees which violations: the staff member his own, a supervisor his teams', administrators all."""

import pytest
from django.contrib.auth.models import AnonymousUser

from charter.accounts.models import Team, User
from charter.conduct.selectors import violation_get_visible, violation_list_of, violation_list_visible_to
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.conduct.conftest import Recorder

pytestmark = pytest.mark.django_db


def test_each_role_sees_exactly_its_scope(
    record: Recorder,
    member: User,
    teammate: User,
    outsider: User,
    supervisor: User,
    administrator: User,
    other_team: Team,
) -> None:
    alice = record()
    bob = record(staff=teammate)
    charlie = record(actor=administrator, staff=outsider)
    olga = UserFactory(username="olga", roles=["supervisor"])
    TeamMembershipFactory(team=other_team, user=olga, is_lead=True)

    def visible(user: object) -> set[int]:
        return set(violation_list_visible_to(user=user).values_list("pk", flat=True))  # type: ignore[arg-type]

    assert visible(member) == {alice.pk}
    assert visible(supervisor) == {alice.pk, bob.pk}
    assert visible(olga) == {charlie.pk}
    assert visible(administrator) == {alice.pk, bob.pk, charlie.pk}
    assert visible(AnonymousUser()) == set()
    assert violation_get_visible(user=olga, pk=alice.pk) is None
    assert violation_get_visible(user=olga, pk="not a number") is None
    assert list(violation_list_of(user=supervisor)) == []
