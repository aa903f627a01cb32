import factory
from django.contrib.auth.models import Group

from charter.accounts.models import Customer, OrgUnit, Team, TeamMembership, User

# The post-generation hooks are functions of the object built, not methods: factory_boy calls them with that
# object as first argument, so typing it as the factory (`self`) would be wrong.


def _user_roles_add(user: User, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
    for role in extracted or []:
        user.groups.add(Group.objects.get(name=role))


def _unit_path_set(unit: OrgUnit, create: bool, extracted: object, **kwargs: object) -> None:
    unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    if create:
        unit.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.django.Password("correct horse battery")
    roles = factory.post_generation(_user_roles_add)


class OrgUnitFactory(factory.django.DjangoModelFactory[OrgUnit]):
    class Meta:
        model = OrgUnit
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"unit-{n}")
    name_zh = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.DEPARTMENT
    path = ""
    set_path = factory.post_generation(_unit_path_set)


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    unit = factory.SubFactory(OrgUnitFactory)
    code = factory.Sequence(lambda n: f"team-{n}")
    name_zh = factory.Sequence(lambda n: f"班组{n}")
    name_en = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory[TeamMembership]):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    name = "张三丰"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    id_number = "110101199003071234"
