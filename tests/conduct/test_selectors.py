"""Who sees which violations: the staff member his own, a supervisor his teams', administrators all."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from charter.accounts.models import Team, User
from charter.conduct.selectors import violation_get_visible, violation_list_of, violation_list_visible_to
from charter.conduct.services import violation_appeal, violation_approve, violation_decide, violation_respond
from charter.standards.models import StandardVersion
from charter.standards.services import standard_version_acknowledge
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.conduct.conftest import Recorder, step
from tests.conftest import client_for

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
    olga = UserFactory.create(username="olga", roles=["supervisor"])
    TeamMembershipFactory.create(team=other_team, user=olga, is_lead=True)

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


@pytest.fixture
def hr(db: None) -> User:
    """A user whose only group holds conduct.approve_discipline (no staff role, not an administrator)."""
    group = Group.objects.create(name="hr-approvers")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="conduct", codename="approve_discipline")
    )
    user = UserFactory.create(username="hannah")
    user.groups.add(group)
    return User.objects.get(pk=user.pk)


def test_an_approver_sees_what_awaits_approval_the_appeals_and_what_he_approved(
    record: Recorder,
    supervisor: User,
    member: User,
    teammate: User,
    hr: User,
    acknowledged: StandardVersion,
) -> None:
    pending = record(severity="serious")
    violation_decide(actor=supervisor, violation=pending, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=pending, text="请从轻。")
    approved = record(severity="serious")
    violation_decide(actor=supervisor, violation=approved, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=approved, text="……")
    violation_approve(actor=hr, violation=approved)
    standard_version_acknowledge(user=teammate, version=acknowledged)
    appealed = record(staff=teammate)
    violation_decide(actor=supervisor, violation=appealed, step=step("education"))
    violation_respond(actor=teammate, violation=appealed, text="……")
    violation_appeal(actor=teammate, violation=appealed, text="申诉")
    recorded = record()

    visible = set(violation_list_visible_to(user=hr).values_list("pk", flat=True))

    assert visible == {pending.pk, approved.pk, appealed.pk}
    assert violation_get_visible(user=hr, pk=pending.pk) is not None
    assert violation_get_visible(user=hr, pk=recorded.pk) is None
    assert client_for(hr).get(f"/desk/conduct/violations/{pending.pk}/").status_code == 200
    assert client_for(hr).get(f"/desk/conduct/violations/{recorded.pk}/").status_code == 404
    listed = client_for(hr).get("/desk/conduct/violations/").content.decode()
    assert f"/desk/conduct/violations/{pending.pk}/" in listed
    assert f"/desk/conduct/violations/{recorded.pk}/" not in listed
    assert set(violation_list_visible_to(user=teammate).values_list("pk", flat=True)) == {appealed.pk}
