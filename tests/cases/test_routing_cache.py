"""The routing configuration is cached per process behind the `routing` change stamp (charter.common.stamps).

Each test warms the cache, changes the configuration the way an administrator or a bulk update would, and
checks that the next routing sees the change: the database's triggers replace the stamp, whatever made the
change. The round robin's own bookkeeping and a sign-in leave the stamp (and the cache) alone.
"""

from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import Team, TeamMembership, User
from charter.cases.models import TeamRouting
from charter.cases.services.routing import (
    ROUTING_CONFIG,
    eligible_handler_ids,
    handler_pick_id,
    team_route,
)
from charter.catalog.models import Service, ServiceCategory
from charter.common.stamps import stamp_read, stamps_pinned
from charter.sla.selectors import SLA_CONFIG
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_member_is_routed_cases_at_once(routed_team: Team, member: User, teammate: User) -> None:
    assert eligible_handler_ids(team=routed_team) == [member.pk, teammate.pk]
    newcomer = UserFactory.create(username="carol")
    TeamMembership.objects.create(team=routed_team, user=newcomer)

    assert eligible_handler_ids(team=routed_team) == [member.pk, teammate.pk, newcomer.pk]


def test_a_member_deactivated_by_a_bulk_update_is_no_longer_routed(
    routed_team: Team, member: User, teammate: User
) -> None:
    assert eligible_handler_ids(team=routed_team) == [member.pk, teammate.pk]
    User.objects.filter(pk=member.pk).update(is_active=False)  # no signal: only the trigger sees it

    assert eligible_handler_ids(team=routed_team) == [teammate.pk]


def test_a_member_who_left_and_a_new_lead_are_seen(routed_team: Team, member: User, teammate: User) -> None:
    assert eligible_handler_ids(team=routed_team) == [member.pk, teammate.pk]
    TeamMembership.objects.filter(user=teammate).delete()
    assert eligible_handler_ids(team=routed_team) == [member.pk]
    TeamMembership.objects.filter(user=member).update(is_lead=True)

    assert eligible_handler_ids(team=routed_team) == [member.pk]  # a lead, when nobody else is left
    assert eligible_handler_ids(team=routed_team, excluded=[member.pk]) == []


def test_a_service_routed_to_another_team_goes_there(
    routed_team: Team, other_team: Team, member: User
) -> None:
    category = ServiceCategory.objects.create(slug="water", name_zh="供水", name_en="Water")
    service = Service.objects.create(slug="water-connection", category=category)
    assert team_route(service=service) == routed_team  # the default team
    routing = TeamRouting.objects.create(team=other_team, mode=TeamRouting.Mode.MANUAL)
    routing.services.add(service)
    assert team_route(service=service) == other_team

    Team.objects.filter(pk=other_team.pk).update(is_active=False)
    assert team_route(service=service) == routed_team


def test_a_team_handed_out_is_a_copy_with_its_unit(routed_team: Team) -> None:
    first, second = team_route(service=None), team_route(service=None)
    assert first == second == routed_team
    assert first is not second
    assert first is not None and first.unit.pk == routed_team.unit_id


def test_the_round_robin_turn_and_a_sign_in_keep_the_stamp(
    routed_team: Team, member: User, teammate: User
) -> None:
    before = stamp_read("routing")
    assert before is not None
    assert handler_pick_id(team=routed_team) == member.pk
    assert handler_pick_id(team=routed_team) == teammate.pk
    User.objects.filter(pk=member.pk).update(last_login=timezone.now())

    assert stamp_read("routing") == before
    TeamRouting.objects.filter(team=routed_team).update(mode=TeamRouting.Mode.MANUAL)
    assert stamp_read("routing") != before
    assert handler_pick_id(team=routed_team) is None


def test_pinned_caches_read_their_stamps_in_one_query(
    routed_team: Team, member: User, teammate: User, django_assert_num_queries: Any
) -> None:
    ROUTING_CONFIG.get(), SLA_CONFIG.get()  # warm
    with django_assert_num_queries(1), stamps_pinned(ROUTING_CONFIG, SLA_CONFIG):
        assert team_route(service=None) == routed_team
        assert eligible_handler_ids(team=routed_team) == [member.pk, teammate.pk]
        SLA_CONFIG.get()
