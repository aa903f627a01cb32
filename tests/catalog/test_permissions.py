import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.catalog.permissions import can_edit_catalog, can_publish_service_version, can_view_catalog_desk
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # permission caches are per instance


def test_anonymous_visitors_have_no_desk_rights() -> None:
    visitor = AnonymousUser()

    assert not can_view_catalog_desk(visitor)
    assert not can_edit_catalog(visitor)
    assert not can_publish_service_version(visitor)


def test_customers_have_no_desk_rights(customer_user: User) -> None:
    assert not can_view_catalog_desk(customer_user)
    assert not can_edit_catalog(customer_user)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.QA_REVIEWER, Role.TRAINER])
def test_every_staff_role_views_but_does_not_edit(role: Role) -> None:
    user = _fresh(UserFactory.create(roles=[role]))

    assert can_view_catalog_desk(user)
    assert not can_edit_catalog(user)
    assert not can_publish_service_version(user)


def test_personas(member: User, outsider: User, supervisor: User) -> None:
    for user in (member, outsider, supervisor):
        assert can_view_catalog_desk(user) and not can_edit_catalog(user)


def test_administrators_edit_and_publish(administrator: User) -> None:
    assert can_view_catalog_desk(administrator)
    assert can_edit_catalog(administrator)
    assert can_publish_service_version(administrator)


def test_superusers_may_do_everything(db: None) -> None:
    root = UserFactory.create(username="root", is_superuser=True)

    assert can_view_catalog_desk(root) and can_edit_catalog(root) and can_publish_service_version(root)


def test_inactive_administrators_may_not_edit(administrator: User) -> None:
    administrator.is_active = False
    administrator.save()

    assert not can_edit_catalog(_fresh(administrator))


def test_publishing_is_its_own_permission(db: None) -> None:
    group = Group.objects.create(name="catalogue-editors")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="catalog").exclude(
            codename="publish_serviceversion"
        )
    )
    user = UserFactory.create(roles=[Role.AGENT])
    user.groups.add(group)
    user = _fresh(user)

    assert can_edit_catalog(user)
    assert not can_publish_service_version(user)


def test_roles_hold_the_granted_permissions(db: None) -> None:
    administrator = set(
        Group.objects.get(name=Role.ADMINISTRATOR)
        .permissions.filter(content_type__app_label="catalog")
        .values_list("codename", flat=True)
    )
    agent = set(
        Group.objects.get(name=Role.AGENT)
        .permissions.filter(content_type__app_label="catalog")
        .values_list("codename", flat=True)
    )

    assert {
        "add_service",
        "change_serviceversion",
        "delete_feeitem",
        "publish_serviceversion",
    } <= administrator
    assert agent == {
        "view_servicecategory",
        "view_service",
        "view_serviceversion",
        "view_feeitem",
        "view_servicecommitment",
    }
    assert (
        not Group.objects.get(name=Role.CUSTOMER)
        .permissions.filter(content_type__app_label="catalog")
        .exists()
    )
