from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from charter.accounts.errors import ErrorCode
from charter.accounts.models import Customer, OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.accounts.selectors import org_unit_subtree, team_list_led_by
from charter.accounts.services import (
    customer_create,
    org_unit_create,
    org_unit_delete,
    org_unit_move,
    role_create,
    role_delete,
    team_create,
    team_member_add,
    team_member_remove,
    team_update,
    user_create,
    user_password_set,
    user_roles_set,
    user_update,
)
from charter.accounts.tokens import api_token_create, api_token_revoke
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory.create(username="root", is_staff=True, is_superuser=True)


def test_user_create_gives_roles_and_audits(administrator: User) -> None:
    user = user_create(
        actor=administrator, username="newbie", password="a long passphrase", roles=[Role.AGENT]
    )

    assert user.has_role(Role.AGENT)
    assert user.is_staff_member
    assert user.check_password("a long passphrase")
    assert AuditEvent.objects.filter(action="accounts.user_create", target_id=str(user.pk)).exists()


def test_user_create_refuses_a_taken_username_case_insensitively(administrator: User) -> None:
    with pytest.raises(DomainError) as caught:
        user_create(actor=administrator, username="ADMIN", password=None)
    assert caught.value.field == "username"
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_customer_role_is_not_staff(customer_user: User) -> None:
    assert not customer_user.is_staff_member


def test_roles_exist_as_groups_with_their_permissions() -> None:
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {str(role) for role in Role} <= names
    assert Group.objects.get(name="administrator").permissions.filter(codename="view_audit_trail").exists()
    assert not Group.objects.get(name="agent").permissions.filter(codename="reveal_personal_data").exists()


def test_org_tree_paths_make_subtrees_at_any_depth(administrator: User) -> None:
    root = org_unit_create(actor=administrator, code="root", name_zh="总公司", kind=OrgUnit.Kind.ORGANISATION)
    branch = org_unit_create(
        actor=administrator, code="b1", name_zh="分公司", kind=OrgUnit.Kind.BRANCH, parent=root
    )
    deep = org_unit_create(actor=administrator, code="d1", name_zh="营业厅", kind="department", parent=branch)
    other = org_unit_create(actor=administrator, code="b2", name_zh="另一分公司", kind="branch", parent=root)

    assert set(org_unit_subtree(unit=branch)) == {branch, deep}
    assert set(org_unit_subtree(unit=root)) == {root, branch, deep, other}
    assert deep.path == f"/{root.pk}/{branch.pk}/{deep.pk}/"


def test_team_lead_scope_covers_teams_in_units_below(administrator: User, member: User) -> None:
    root = org_unit_create(actor=administrator, code="root", name_zh="总公司", kind="organisation")
    branch = org_unit_create(actor=administrator, code="b1", name_zh="分公司", kind="branch", parent=root)
    hall = org_unit_create(actor=administrator, code="h1", name_zh="营业厅", kind="department", parent=branch)
    led: Team = team_create(actor=administrator, unit=branch, code="branch-office", name_zh="分公司办公室")
    below = team_create(actor=administrator, unit=hall, code="hall-team", name_zh="营业厅班组")
    elsewhere = team_create(actor=administrator, unit=root, code="hq-team", name_zh="总部班组")

    team_member_add(actor=administrator, team=led, user=member, is_lead=True)

    assert set(team_list_led_by(user=member)) == {led, below}
    assert elsewhere not in team_list_led_by(user=member)


def test_moving_a_unit_moves_the_scope_of_the_leads_above_it(administrator: User, member: User) -> None:
    root = org_unit_create(actor=administrator, code="root", name_zh="总公司", kind="organisation")
    north = org_unit_create(actor=administrator, code="north", name_zh="北区", kind="branch", parent=root)
    south = org_unit_create(actor=administrator, code="south", name_zh="南区", kind="branch", parent=root)
    hall = org_unit_create(actor=administrator, code="hall", name_zh="厅", kind="department", parent=north)
    led = team_create(actor=administrator, unit=south, code="south-office", name_zh="南区办公室")
    hall_team = team_create(actor=administrator, unit=hall, code="hall-team", name_zh="营业厅班组")
    team_member_add(actor=administrator, team=led, user=member, is_lead=True)
    assert hall_team not in team_list_led_by(user=member)

    org_unit_move(actor=administrator, unit=hall, parent=south)

    assert hall_team in team_list_led_by(user=member)
    event = AuditEvent.objects.get(action="accounts.org_unit_move")
    assert event.data == {"parent": {"before": north.pk, "after": south.pk}}


def test_a_unit_cannot_move_under_itself_or_below_it(administrator: User) -> None:
    root = org_unit_create(actor=administrator, code="root", name_zh="总公司", kind="organisation")
    branch = org_unit_create(actor=administrator, code="b1", name_zh="分公司", kind="branch", parent=root)

    for parent in (root, branch):
        with pytest.raises(DomainError) as caught:
            org_unit_move(actor=administrator, unit=root, parent=parent)
        assert caught.value.code == ErrorCode.INVALID_PARENT
    assert OrgUnit.objects.get(pk=root.pk).path == f"/{root.pk}/"


def test_a_unit_with_a_team_is_in_use_and_not_deleted(administrator: User, team: Team) -> None:
    with pytest.raises(DomainError) as caught:
        org_unit_delete(actor=administrator, unit=team.unit)

    assert caught.value.code == ErrorCode.IN_USE
    assert OrgUnit.objects.filter(pk=team.unit_id).exists()
    assert not AuditEvent.objects.filter(action="accounts.org_unit_delete").exists()


def test_user_update_refuses_another_users_name_in_any_case_and_records_only_changes(
    administrator: User, member: User
) -> None:
    with pytest.raises(DomainError) as caught:
        user_update(actor=administrator, user=member, username="ADMIN")
    assert caught.value.code == ErrorCode.DUPLICATE_CODE

    user_update(actor=administrator, user=member, username=member.username, display_name="Alice Li")
    user_update(actor=administrator, user=member, display_name="Alice Li")

    events = AuditEvent.objects.filter(action="accounts.user_update")
    assert [event.data for event in events] == [{"display_name": {"before": "Alice", "after": "Alice Li"}}]


def test_a_password_is_validated_and_never_recorded(administrator: User, member: User) -> None:
    with pytest.raises(DomainError) as caught:
        user_password_set(actor=administrator, user=member, password="123")
    assert caught.value.code == ErrorCode.PASSWORD_REFUSED

    user_password_set(actor=administrator, user=member, password="a long new passphrase")
    user_password_set(actor=administrator, user=member, password=None)

    member.refresh_from_db()
    assert not member.has_usable_password()
    events = AuditEvent.objects.filter(action="accounts.user_password_set").order_by("sequence")
    assert [event.data for event in events] == [{"usable": True}, {"usable": False}]


def test_roles_set_records_the_roles_before_and_after_and_nothing_when_unchanged(
    administrator: User, member: User
) -> None:
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    agent = Group.objects.get(name=Role.AGENT)

    user_roles_set(actor=administrator, user=member, groups=[agent, supervisor])
    user_roles_set(actor=administrator, user=member, groups=[supervisor, agent])

    assert member.has_role(Role.SUPERVISOR)
    events = AuditEvent.objects.filter(action="accounts.user_roles_set")
    assert [event.data for event in events] == [
        {"roles": {"before": ["agent"], "after": ["agent", "supervisor"]}}
    ]


def test_a_built_in_role_is_not_deleted(superuser: User) -> None:
    # Roles are changed by whoever holds auth.change_group: the administrator role does not, a superuser does.
    with pytest.raises(DomainError) as caught:
        role_delete(actor=superuser, role=Group.objects.get(name=Role.AGENT))

    assert caught.value.code == ErrorCode.BUILT_IN_ROLE
    assert Group.objects.filter(name=Role.AGENT).exists()


def test_adding_an_existing_member_sets_his_lead_flag_and_removing_a_stranger_is_refused(
    administrator: User, team: Team, member: User, outsider: User
) -> None:
    team_member_add(actor=administrator, team=team, user=member, is_lead=True)
    team_member_add(actor=administrator, team=team, user=member, is_lead=True)

    assert team.memberships.get(user=member).is_lead
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["accounts.team_lead_set"]
    with pytest.raises(DomainError) as caught:
        team_member_remove(actor=administrator, team=team, user=outsider)
    assert caught.value.code == ErrorCode.NOT_A_MEMBER


def test_text_with_a_nul_or_longer_than_its_column_is_refused_and_nothing_written(
    administrator: User, team: Team
) -> None:
    with pytest.raises(DomainError) as nul:
        customer_create(actor=None, name="王\x00五", phone="13800000000")
    with pytest.raises(DomainError) as too_long:
        team_update(actor=administrator, team=team, name_zh="组" * 201)

    assert (nul.value.code, nul.value.field) == (ErrorCode.INVALID_TEXT, "name")
    assert (too_long.value.code, too_long.value.field) == (ErrorCode.TEXT_TOO_LONG, "name_zh")
    assert "200" in str(too_long.value.message)
    assert not Customer.objects.exists()
    team.refresh_from_db()
    assert team.name_zh != "组" * 201
    refused = AuditEvent.objects.filter(action__in=["accounts.customer_create", "accounts.team_update"])
    assert not refused.exists()


def test_revoking_an_api_token_ends_it_once_and_records_it_once(administrator: User, member: User) -> None:
    token, _secret = api_token_create(user=member, name="script")

    assert api_token_revoke(actor=administrator, token=token) is True
    assert api_token_revoke(actor=administrator, token=token) is False

    token.refresh_from_db()
    assert token.revoked_at is not None
    [event] = AuditEvent.objects.filter(action="accounts.api_token_revoke")
    assert (event.actor, event.target_id) == (administrator, str(member.pk))


def test_staff_without_the_permissions_are_refused_every_change_of_people_and_nothing_changes(
    supervisor: User, member: User, team: Team
) -> None:
    token, _secret = api_token_create(user=member, name="script")
    refusals: dict[ErrorCode, list[Callable[[], object]]] = {
        ErrorCode.USERS_DENIED: [
            lambda: user_create(actor=supervisor, username="mole", password=None, roles=[Role.ADMINISTRATOR]),
            lambda: user_update(actor=supervisor, user=supervisor, is_staff=True, display_name="Boss"),
            lambda: user_roles_set(
                actor=supervisor, user=supervisor, groups=[Group.objects.get(name=Role.ADMINISTRATOR)]
            ),
            lambda: user_password_set(actor=supervisor, user=member, password="a long new passphrase"),
            lambda: api_token_revoke(actor=supervisor, token=token),
        ],
        ErrorCode.ROLES_DENIED: [
            lambda: role_create(actor=supervisor, name="helpers"),
            lambda: role_delete(actor=supervisor, role=Group.objects.get(name=Role.AGENT)),
        ],
        ErrorCode.ORG_UNITS_DENIED: [
            lambda: org_unit_create(actor=supervisor, code="x", name_zh="某部门", kind="branch"),
            lambda: org_unit_delete(actor=supervisor, unit=team.unit),
        ],
        ErrorCode.TEAMS_DENIED: [
            lambda: team_create(actor=supervisor, unit=team.unit, code="mine", name_zh="我的班组"),
            lambda: team_update(actor=supervisor, team=team, name_zh="改名"),
            lambda: team_member_add(actor=supervisor, team=team, user=member, is_lead=True),
            lambda: team_member_remove(actor=supervisor, team=team, user=member),
        ],
    }

    for code, calls in refusals.items():
        for call in calls:
            with pytest.raises(PermissionDeniedError) as caught:
                call()
            assert caught.value.code == code

    supervisor.refresh_from_db()
    member.refresh_from_db()
    team.refresh_from_db()
    assert not supervisor.is_staff and supervisor.display_name != "Boss"
    assert not supervisor.has_role(Role.ADMINISTRATOR)
    assert member.check_password("correct horse battery")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not team.memberships.get(user=member).is_lead
    assert team.name_zh != "改名"
    assert not User.objects.filter(username="mole").exists()
    assert not Group.objects.filter(name="helpers").exists()
    assert not OrgUnit.objects.filter(code="x").exists() and OrgUnit.objects.filter(pk=team.unit_id).exists()
    assert not Team.objects.filter(code="mine").exists()
    assert (
        not AuditEvent.objects.filter(action__startswith="accounts.")
        .exclude(action="accounts.api_token_create")
        .exists()
    )


def test_anonymous_is_refused_and_the_system_actor_is_not(team: Team) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        team_update(actor=AnonymousUser(), team=team, name_zh="匿名改名")
    assert caught.value.code == ErrorCode.TEAMS_DENIED

    team_update(actor=None, team=team, name_zh="系统改名")

    team.refresh_from_db()
    assert team.name_zh == "系统改名"


def test_only_a_superuser_makes_a_superuser_or_changes_one(
    administrator: User, superuser: User, member: User
) -> None:
    with pytest.raises(PermissionDeniedError) as raised:
        user_update(actor=administrator, user=administrator, is_superuser=True)
    with pytest.raises(PermissionDeniedError) as demoted:
        user_update(actor=administrator, user=superuser, is_active=False)
    with pytest.raises(PermissionDeniedError) as password:
        user_password_set(actor=administrator, user=superuser, password="a long new passphrase")
    with pytest.raises(PermissionDeniedError) as roles:
        user_roles_set(actor=administrator, user=superuser, groups=[])

    codes = {error.value.code for error in (raised, demoted, password, roles)}
    assert codes == {ErrorCode.SUPERUSER_ONLY}
    administrator.refresh_from_db()
    superuser.refresh_from_db()
    assert not administrator.is_superuser
    assert superuser.is_active and superuser.check_password("a long new passphrase") is False
    assert not AuditEvent.objects.filter(action__startswith="accounts.user_").exists()

    # The administrator still manages everyone else, and a superuser grants the status.
    user_update(actor=administrator, user=member, display_name="Alice Li")
    user_update(actor=superuser, user=member, is_superuser=True)
    member.refresh_from_db()
    assert member.is_superuser and member.display_name == "Alice Li"
