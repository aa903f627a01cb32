"""Every write of accounts: users, the organisation tree, teams and customers. Each one is audited."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.errors import ErrorCode
from charter.accounts.models import Customer, CustomerOrganisation, OrgUnit, Team, TeamMembership, User
from charter.accounts.roles import Role
from charter.audit.services import audit_record
from charter.common.errors import DomainError

Actor = User | AnonymousUser | None


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    email: str = "",
    display_name: str = "",
    roles: Iterable[Role] = (),
    language: str = "",
    time_zone: str = "",
) -> User:
    """Create a user with the given roles; a None password leaves the account unable to sign in by password.

    Raises DomainError when the username is taken.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), code=ErrorCode.DUPLICATE_CODE, field="username")
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            display_name=display_name,
            language=language,
            time_zone=time_zone,
            is_staff=Role.ADMINISTRATOR in set(roles),
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        role_list = sorted(str(role) for role in roles)
        for role in role_list:
            group, _created = Group.objects.get_or_create(name=role)
            user.groups.add(group)
        audit_record(actor=actor, action="accounts.user_create", target=user, data={"roles": role_list})
    return user


def user_preferences_update(*, user: User, language: str | None = None, time_zone: str | None = None) -> User:
    """Set the user's own language and/or time zone. Raises ValidationError for unknown values."""
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if time_zone is not None:
        user.time_zone = time_zone
        fields.append("time_zone")
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in fields])
    with transaction.atomic():
        user.save(update_fields=fields)
        audit_record(
            actor=user,
            action="accounts.preferences_update",
            target=user,
            data={field: getattr(user, field) for field in fields},
        )
    return user


def org_unit_create(
    *, actor: Actor, code: str, name_zh: str, name_en: str = "", kind: str, parent: OrgUnit | None = None
) -> OrgUnit:
    """Add a node to the organisation tree under `parent` (None for the root)."""
    if OrgUnit.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    with transaction.atomic():
        unit = OrgUnit(code=code, name_zh=name_zh, name_en=name_en, kind=kind, parent=parent, path="")
        unit.full_clean(exclude=["path"])
        unit.save()
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
        audit_record(
            actor=actor,
            action="accounts.org_unit_create",
            target=unit,
            data={"parent": parent.pk if parent else None},
        )
    return unit


def team_create(*, actor: Actor, unit: OrgUnit, code: str, name_zh: str, name_en: str = "") -> Team:
    """Create a team inside `unit`."""
    if Team.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    with transaction.atomic():
        team = Team(unit=unit, code=code, name_zh=name_zh, name_en=name_en)
        team.full_clean()
        team.save()
        audit_record(actor=actor, action="accounts.team_create", target=team, data={"unit": unit.pk})
    return team


def team_member_add(*, actor: Actor, team: Team, user: User, is_lead: bool = False) -> TeamMembership:
    """Put `user` in `team` (as its lead when `is_lead`); adding an existing member updates the lead flag."""
    with transaction.atomic():
        membership, _created = TeamMembership.objects.update_or_create(
            team=team, user=user, defaults={"is_lead": is_lead}
        )
        audit_record(
            actor=actor,
            action="accounts.team_member_add",
            target=team,
            data={"user": user.pk, "is_lead": is_lead},
        )
    return membership


def customer_create(
    *,
    actor: Actor,
    name: str,
    phone: str = "",
    email: str = "",
    id_number: str = "",
    organisation: CustomerOrganisation | None = None,
    user: User | None = None,
    language: str = "zh-hans",
) -> Customer:
    """Record a customer. Personal data is encrypted at rest; the audit event holds none of it."""
    name = name.strip()
    if not name:
        raise DomainError(
            _("Enter the customer's name."), code=ErrorCode.CUSTOMER_NAME_REQUIRED, field="name"
        )
    customer = Customer(
        name=name,
        phone=phone.strip(),
        email=email.strip(),
        id_number=id_number.strip(),
        organisation=organisation,
        user=user,
        language=language,
    )
    customer.full_clean()
    # No savepoint: inside a caller's transaction (the intake) the customer stands or falls with it.
    with transaction.atomic(savepoint=False):
        customer.save()
        audit_record(
            actor=actor,
            action="accounts.customer_create",
            target=customer,
            data={"organisation": organisation.pk if organisation else None},
        )
    return customer


def customer_organisation_create(
    *, actor: Actor, name: str, unified_social_credit_code: str = ""
) -> CustomerOrganisation:
    """Record a customer organisation."""
    with transaction.atomic():
        organisation = CustomerOrganisation(name=name, unified_social_credit_code=unified_social_credit_code)
        organisation.full_clean()
        organisation.save()
        audit_record(actor=actor, action="accounts.customer_organisation_create", target=organisation)
    return organisation
