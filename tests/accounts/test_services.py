import pytest

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.accounts.selectors import org_unit_subtree, team_list_led_by
from charter.accounts.services import org_unit_create, team_create, team_member_add, user_create
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError

pytestmark = pytest.mark.django_db


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
