"""Every write of accounts: users, the organisation tree, teams and customers. Each one is audited."""

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, overload

from django.contrib.auth import password_validation
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _

from charter.accounts.errors import TEXT_CODES, ErrorCode
from charter.accounts.models import (
    Customer,
    CustomerOrganisation,
    OrgUnit,
    Qualification,
    Team,
    TeamMembership,
    User,
)
from charter.accounts.permissions import (
    can_grant_superuser,
    can_manage_org_units,
    can_manage_people,
    can_manage_roles,
    can_manage_teams,
    can_record_customer,
)
from charter.accounts.roles import STAFF_ROLES, Role
from charter.accounts.tokens import RevokeReason, api_tokens_revoke_for_user
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.inserts import PreparedInsert
from charter.common.policy import require
from charter.common.text import clean_column_text

# None is the system (the demo, a command, the public intake); a signed-in or anonymous actor is asked the
# predicates of charter/accounts/permissions.py, so a page calling these services cannot skip them.
Actor = User | AnonymousUser | None

# Higher apps (training: onboarding courses) hear of each new member of staff once his creation commits;
# accounts never imports them.
StaffCreatedListener = Callable[[User], None]
_staff_created_listeners: list[StaffCreatedListener] = []


def staff_created_listener_register(fn: StaffCreatedListener) -> None:
    """Call `fn(user)` once the creation of a user with a staff role commits (robustly: a failing listener is
    logged and stops neither the others nor the creation). Registering twice keeps one."""
    if fn not in _staff_created_listeners:
        _staff_created_listeners.append(fn)


def _apply(obj: models.Model, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Set the fields of `obj` named in `values` (a None value leaves its field as it is) and return each one
    that changed as {"before": …, "after": …}, rows recorded by their id."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if value is None or before == value:
            continue
        changes[name] = {"before": _plain(before), "after": _plain(value)}
        setattr(obj, name, value)
    return changes


@overload
def _text(value: str, model: type[models.Model], field: str) -> str: ...
@overload
def _text(value: None, model: type[models.Model], field: str) -> None: ...
def _text(value: str | None, model: type[models.Model], field: str) -> str | None:
    """Return `value` cleaned by the common rule (`clean_text`: one line, stripped, at most as long as the
    column `field` of `model`); None (leave the field as it is) stays None. Raises DomainError on `field`
    (account_invalid_text, account_text_too_long); writes nothing."""
    if value is None:
        return None
    return clean_column_text(value, model=model, column=field, codes=TEXT_CODES, multiline=False)


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _permission_names(permissions: Iterable[Permission]) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def _permissions(queryset: "models.QuerySet[Permission]") -> list[Permission]:
    return list(queryset.select_related("content_type"))


def _forget_cached_access(user: User) -> None:
    # role_names and the team scope are cached on the object for the request; they are stale now.
    user.__dict__.pop("role_names", None)
    user.__dict__.pop("_accounts_scope_team_ids", None)


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

    A non-None `actor` must be allowed by `can_manage_people`, else PermissionDeniedError. Raises
    DomainError when the username is taken or a name holds a control character or is too long for its
    column (`_text`).
    """
    if actor is not None:
        require(can_manage_people(actor))
    username = _text(username, User, "username")
    email = _text(email, User, "email")
    display_name = _text(display_name, User, "display_name")
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
        if set(role_list) & {str(role) for role in STAFF_ROLES}:
            for listener in _staff_created_listeners:
                transaction.on_commit(partial(listener, user), robust=True)
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


def user_update(
    *,
    actor: Actor,
    user: User,
    username: str | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    display_name: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
) -> User:
    """Change a user's names, contact, preferences and status flags; a None argument leaves its field alone.

    Raises DomainError when the new username is another user's in any letter case or a name holds a
    control character or is too long for its column (`_text`), ValidationError for a value the field
    refuses. Audited as `accounts.user_update` with each changed field before and after; nothing is written
    or recorded when nothing changed. A non-None `actor` must be allowed by `can_manage_people` (a
    superuser's account only by a superuser), and by `can_grant_superuser` to change `is_superuser`;
    else PermissionDeniedError and nothing is changed. Deactivating him, or changing is_staff or
    is_superuser, revokes his API tokens (a token made under the old rights must not carry the new ones).
    """
    if actor is not None:
        require(can_manage_people(actor, user))
        if is_superuser is not None and is_superuser != user.is_superuser:
            require(can_grant_superuser(actor))
    username = _text(username, User, "username")
    email = _text(email, User, "email")
    first_name = _text(first_name, User, "first_name")
    last_name = _text(last_name, User, "last_name")
    display_name = _text(display_name, User, "display_name")
    if username is not None and User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise DomainError(_("This username is taken."), code=ErrorCode.DUPLICATE_CODE, field="username")
    changes = _apply(
        user,
        {
            "username": username,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "display_name": display_name,
            "language": language,
            "time_zone": time_zone,
            "is_active": is_active,
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    if not changes:
        return user
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changes])
    with transaction.atomic():
        user.save(update_fields=list(changes))
        audit_record(actor=actor, action="accounts.user_update", target=user, data=changes)
        if "is_active" in changes and not user.is_active:
            api_tokens_revoke_for_user(user=user, reason=RevokeReason.DEACTIVATED, actor=actor)
        elif "is_staff" in changes or "is_superuser" in changes:
            api_tokens_revoke_for_user(user=user, reason=RevokeReason.ROLES, actor=actor)
    _forget_cached_access(user)
    return user


def user_roles_set(
    *,
    actor: Actor,
    user: User,
    groups: Iterable[Group],
    permissions: Iterable[Permission] | None = None,
) -> User:
    """Give `user` exactly the role groups `groups` and, when `permissions` is given, exactly those
    permissions of his own (besides his roles').

    A non-None `actor` must be allowed by `can_manage_people` (a superuser's roles only by a superuser),
    else PermissionDeniedError. Audited as `accounts.user_roles_set` with the roles (and permissions)
    before and after; nothing is recorded when neither changed. A change revokes his API tokens.
    """
    if actor is not None:
        require(can_manage_people(actor, user))
    group_list = list(groups)
    permission_list = (
        None
        if permissions is None
        else _permissions(Permission.objects.filter(pk__in=[permission.pk for permission in permissions]))
    )
    with transaction.atomic():
        # The user's row is locked before "before" is read, so two saves at once cannot both record the
        # same before and the audit trail always chains one change onto the other.
        User.objects.select_for_update().filter(pk=user.pk).first()
        changes: dict[str, dict[str, list[str]]] = {}
        roles_before = sorted(user.groups.values_list("name", flat=True))
        roles_after = sorted(group.name for group in group_list)
        if roles_before != roles_after:
            changes["roles"] = {"before": roles_before, "after": roles_after}
        if permission_list is not None:
            permissions_before = _permission_names(_permissions(user.user_permissions.all()))
            permissions_after = _permission_names(permission_list)
            if permissions_before != permissions_after:
                changes["permissions"] = {"before": permissions_before, "after": permissions_after}
        if not changes:
            return user
        if "roles" in changes:
            user.groups.set(group_list)
        if "permissions" in changes and permission_list is not None:
            user.user_permissions.set(permission_list)
        audit_record(actor=actor, action="accounts.user_roles_set", target=user, data=changes)
        # A token made under the old roles must not keep acting with rights its holder no longer has,
        # nor be the quiet way to use new ones: he signs in again.
        api_tokens_revoke_for_user(user=user, reason=RevokeReason.ROLES, actor=actor)
    _forget_cached_access(user)
    return user


def user_password_set(*, actor: Actor, user: User, password: str | None) -> User:
    """Set `user`'s password, or with None stop him signing in by password.

    A non-None `actor` must be allowed by `can_manage_people` (a superuser's password only by a
    superuser), else PermissionDeniedError. Raises DomainError when the password validators refuse it.
    Audited as `accounts.user_password_set` with only whether a password is now usable: never the password
    or its hash. Revokes his API tokens.
    """
    if actor is not None:
        require(can_manage_people(actor, user))
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise DomainError(
                " ".join(error.messages), code=ErrorCode.PASSWORD_REFUSED, field="password"
            ) from error
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="accounts.user_password_set",
            target=user,
            data={"usable": password is not None},
        )
        api_tokens_revoke_for_user(user=user, reason=RevokeReason.PASSWORD, actor=actor)
    return user


def role_create(*, actor: Actor, name: str, permissions: Iterable[Permission] = ()) -> Group:
    """Create a role group named `name` holding `permissions`.

    A non-None `actor` must be allowed by `can_manage_roles`, else PermissionDeniedError. Raises
    DomainError when a role of that name exists or the name is refused by `_text`. Audited as
    `accounts.role_create` with its permissions.
    """
    if actor is not None:
        require(can_manage_roles(actor))
    name = _text(name, Group, "name")
    if Group.objects.filter(name=name).exists():
        raise DomainError(_("This name is already used."), code=ErrorCode.DUPLICATE_CODE, field="name")
    permission_list = list(permissions)
    with transaction.atomic():
        role = Group(name=name)
        role.full_clean()
        role.save()
        role.permissions.set(permission_list)
        audit_record(
            actor=actor,
            action="accounts.role_create",
            target=role,
            data={"permissions": _permission_names(_permissions(role.permissions.all()))},
        )
    return role


def role_permissions_set(*, actor: Actor, role: Group, permissions: Iterable[Permission]) -> Group:
    """Give the role group `role` exactly `permissions`: what everyone holding the role may do.

    A non-None `actor` must be allowed by `can_manage_roles`, else PermissionDeniedError. Audited as
    `accounts.role_permissions_set` with the permissions added and removed; nothing is recorded when none
    changed. Every holder of the role loses his API tokens (they were made under the old rights).
    """
    if actor is not None:
        require(can_manage_roles(actor))
    before = set(_permission_names(_permissions(role.permissions.all())))
    permission_list = _permissions(Permission.objects.filter(pk__in=[p.pk for p in permissions]))
    after = set(_permission_names(permission_list))
    if before == after:
        return role
    with transaction.atomic():
        role.permissions.set(permission_list)
        audit_record(
            actor=actor,
            action="accounts.role_permissions_set",
            target=role,
            data={"added": sorted(after - before), "removed": sorted(before - after)},
        )
        for member in User.objects.filter(groups=role).order_by("pk"):
            api_tokens_revoke_for_user(user=member, reason=RevokeReason.ROLES, actor=actor)
    return role


def role_delete(*, actor: Actor, role: Group) -> None:
    """Delete a role group that the product does not define; its holders lose its permissions.

    A non-None `actor` must be allowed by `can_manage_roles`, else PermissionDeniedError. Raises
    DomainError for a built-in role (see roles.Role): the product looks those up by name. Audited as
    `accounts.role_delete` with its permissions and the users who held it.
    """
    if actor is not None:
        require(can_manage_roles(actor))
    if role.name in {str(built_in) for built_in in Role}:
        raise DomainError(
            _("This role is built into the product and cannot be deleted."), code=ErrorCode.BUILT_IN_ROLE
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="accounts.role_delete",
            target=role,
            data={
                "permissions": _permission_names(_permissions(role.permissions.all())),
                "members": sorted(role.user_set.values_list("pk", flat=True)),
            },
        )
        role.delete()


def org_unit_create(
    *, actor: Actor, code: str, name_zh: str, name_en: str = "", kind: str, parent: OrgUnit | None = None
) -> OrgUnit:
    """Add a node to the organisation tree under `parent` (None for the root).

    A non-None `actor` must be allowed by `can_manage_org_units`, else PermissionDeniedError. Raises
    DomainError when the code is taken or a text is refused by `_text`. Audited as
    `accounts.org_unit_create`.
    """
    if actor is not None:
        require(can_manage_org_units(actor))
    code = _text(code, OrgUnit, "code")
    name_zh = _text(name_zh, OrgUnit, "name_zh")
    name_en = _text(name_en, OrgUnit, "name_en")
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


def org_unit_update(
    *,
    actor: Actor,
    unit: OrgUnit,
    code: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    kind: str | None = None,
) -> OrgUnit:
    """Change a unit's code, names or kind; a None argument leaves its field alone (`org_unit_move` moves it).

    Raises DomainError when the code is another unit's or a text is refused by `_text`. Audited as
    `accounts.org_unit_update` with each changed field before and after; nothing is recorded when nothing
    changed. A non-None `actor` must be allowed by `can_manage_org_units`, else PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_org_units(actor))
    code = _text(code, OrgUnit, "code")
    name_zh = _text(name_zh, OrgUnit, "name_zh")
    name_en = _text(name_en, OrgUnit, "name_en")
    if code is not None and OrgUnit.objects.filter(code=code).exclude(pk=unit.pk).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    changes = _apply(unit, {"code": code, "name_zh": name_zh, "name_en": name_en, "kind": kind})
    if not changes:
        return unit
    unit.full_clean(exclude=["path", "parent"])
    with transaction.atomic():
        unit.save(update_fields=list(changes))
        audit_record(actor=actor, action="accounts.org_unit_update", target=unit, data=changes)
    return unit


def org_unit_move(*, actor: Actor, unit: OrgUnit, parent: OrgUnit | None) -> OrgUnit:
    """Put `unit`, with everything under it, under `parent` (None: at the root).

    The moved units' paths are rewritten, so every scope that reads the tree (the teams a lead oversees)
    follows at once. Raises DomainError when `parent` is the unit itself or under it. Audited as
    `accounts.org_unit_move` with the parent before and after; nothing is recorded when it stays put. A
    non-None `actor` must be allowed by `can_manage_org_units`, else PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_org_units(actor))
    if parent is not None and parent.path.startswith(unit.path):
        raise DomainError(
            _("A unit cannot be put under itself or under a unit below it."),
            code=ErrorCode.INVALID_PARENT,
            field="parent",
        )
    if parent == unit.parent:
        return unit
    before = unit.parent_id
    old_path = unit.path
    new_path = f"{parent.path if parent else '/'}{unit.pk}/"
    with transaction.atomic():
        subtree = list(OrgUnit.objects.select_for_update().filter(path__startswith=old_path))
        for node in subtree:
            node.path = new_path + node.path[len(old_path) :]
            if node.pk == unit.pk:
                node.parent = parent
        OrgUnit.objects.bulk_update(subtree, ["path", "parent"])
        unit.parent, unit.path = parent, new_path
        audit_record(
            actor=actor,
            action="accounts.org_unit_move",
            target=unit,
            data={"parent": {"before": before, "after": parent.pk if parent else None}},
        )
    return unit


def org_unit_delete(*, actor: Actor, unit: OrgUnit) -> None:
    """Delete a unit that has no units or teams under it and that nothing else refers to.

    Raises DomainError otherwise. Audited as `accounts.org_unit_delete` with its parent. A non-None
    `actor` must be allowed by `can_manage_org_units`, else PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_org_units(actor))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="accounts.org_unit_delete",
            target=unit,
            data={"code": unit.code, "parent": unit.parent_id},
        )
        _delete(unit)


def _delete(obj: models.Model) -> None:
    try:
        obj.delete()  # the collector refuses before it deletes anything
    except (ProtectedError, RestrictedError) as error:
        raise DomainError(
            _("This is still in use elsewhere and cannot be deleted."), code=ErrorCode.IN_USE
        ) from error


def team_create(
    *, actor: Actor, unit: OrgUnit, code: str, name_zh: str, name_en: str = "", is_active: bool = True
) -> Team:
    """Create a team inside `unit`.

    A non-None `actor` must be allowed by `can_manage_teams`, else PermissionDeniedError. Raises
    DomainError when the code is taken or a text is refused by `_text`. Audited as `accounts.team_create`.
    """
    if actor is not None:
        require(can_manage_teams(actor))
    code = _text(code, Team, "code")
    name_zh = _text(name_zh, Team, "name_zh")
    name_en = _text(name_en, Team, "name_en")
    if Team.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    with transaction.atomic():
        team = Team(unit=unit, code=code, name_zh=name_zh, name_en=name_en, is_active=is_active)
        team.full_clean()
        team.save()
        audit_record(
            actor=actor,
            action="accounts.team_create",
            target=team,
            data={"unit": unit.pk, "is_active": is_active},
        )
    return team


def team_update(
    *,
    actor: Actor,
    team: Team,
    unit: OrgUnit | None = None,
    code: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    is_active: bool | None = None,
) -> Team:
    """Change a team's unit, code, names or whether it is active; a None argument leaves its field as it is.

    Moving a team to another unit changes which leads oversee it. Raises DomainError when the code is
    another team's. Audited as `accounts.team_update` with each changed field before and after (the unit
    by id); nothing is recorded when nothing changed. Texts are cleaned by `_text`. A non-None `actor`
    must be allowed by `can_manage_teams`, else PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_teams(actor))
    code = _text(code, Team, "code")
    name_zh = _text(name_zh, Team, "name_zh")
    name_en = _text(name_en, Team, "name_en")
    if code is not None and Team.objects.filter(code=code).exclude(pk=team.pk).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    changes = _apply(
        team, {"unit": unit, "code": code, "name_zh": name_zh, "name_en": name_en, "is_active": is_active}
    )
    if not changes:
        return team
    team.full_clean()
    with transaction.atomic():
        team.save(update_fields=list(changes))
        audit_record(actor=actor, action="accounts.team_update", target=team, data=changes)
    return team


def team_delete(*, actor: Actor, team: Team) -> None:
    """Delete a team that nothing else refers to (no cases, violations, actions…), with its memberships.

    Raises DomainError otherwise. Audited as `accounts.team_delete` with its unit, members and leads. A
    non-None `actor` must be allowed by `can_manage_teams`, else PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_teams(actor))
    memberships = list(team.memberships.order_by("user_id"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="accounts.team_delete",
            target=team,
            data={
                "code": team.code,
                "unit": team.unit_id,
                "members": [m.user_id for m in memberships],
                "leads": [m.user_id for m in memberships if m.is_lead],
            },
        )
        _delete(team)


def team_member_add(*, actor: Actor, team: Team, user: User, is_lead: bool = False) -> TeamMembership:
    """Put `user` in `team`, as its lead when `is_lead`.

    For someone already in the team this is `team_lead_set`. Audited as `accounts.team_member_add` with the
    user and the lead flag. A non-None `actor` must be allowed by `can_manage_teams`, else
    PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_teams(actor))
    membership = TeamMembership.objects.filter(team=team, user=user).first()
    if membership is not None:
        return team_lead_set(actor=actor, team=team, user=user, is_lead=is_lead)
    with transaction.atomic():
        membership = TeamMembership.objects.create(team=team, user=user, is_lead=is_lead)
        audit_record(
            actor=actor,
            action="accounts.team_member_add",
            target=team,
            data={"user": user.pk, "is_lead": is_lead},
        )
    _forget_cached_access(user)
    return membership


def team_member_remove(*, actor: Actor, team: Team, user: User) -> None:
    """Take `user` out of `team` (and so out of its lead).

    Raises DomainError when he is not in it. Audited as `accounts.team_member_remove` with the user and
    whether he led the team. A non-None `actor` must be allowed by `can_manage_teams`, else
    PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_teams(actor))
    membership = TeamMembership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise DomainError(_("This person is not a member of the team."), code=ErrorCode.NOT_A_MEMBER)
    with transaction.atomic():
        membership.delete()
        audit_record(
            actor=actor,
            action="accounts.team_member_remove",
            target=team,
            data={"user": user.pk, "is_lead": membership.is_lead},
        )
    _forget_cached_access(user)


def team_lead_set(*, actor: Actor, team: Team, user: User, is_lead: bool) -> TeamMembership:
    """Make the member `user` a lead of `team`, or no longer one: a lead oversees the team and every team
    in the units under its unit.

    Raises DomainError when he is not in the team. Audited as `accounts.team_lead_set` with the user and
    the flag before and after; nothing is recorded when it does not change. A non-None `actor` must be
    allowed by `can_manage_teams`, else PermissionDeniedError.
    """
    if actor is not None:
        require(can_manage_teams(actor))
    membership = TeamMembership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise DomainError(_("This person is not a member of the team."), code=ErrorCode.NOT_A_MEMBER)
    if membership.is_lead == is_lead:
        return membership
    with transaction.atomic():
        membership.is_lead = is_lead
        membership.save(update_fields=["is_lead"])
        audit_record(
            actor=actor,
            action="accounts.team_lead_set",
            target=team,
            data={"user": user.pk, "is_lead": {"before": not is_lead, "after": is_lead}},
        )
    _forget_cached_access(user)
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
    """Record a customer. Personal data is encrypted at rest; the audit event holds none of it.

    A signed-in `actor` must be staff who may (`can_record_customer`); None is the public intake or a
    mailbox recording its sender. Needs a name; texts are cleaned by `_text` (a NUL, a control character or
    a line break is refused as account_invalid_text).
    """
    return customer_prepared_save(
        customer_prepare(
            actor=actor,
            name=name,
            phone=phone,
            email=email,
            id_number=id_number,
            organisation=organisation,
            user=user,
            language=language,
        )
    )


@dataclasses.dataclass(frozen=True)
class PreparedCustomer:
    """A customer checked and his row compiled, personal data encrypted (`customer_prepare`), to be recorded
    by `customer_prepared_save`."""

    actor: Actor
    insert: PreparedInsert[Customer]

    @property
    def customer(self) -> Customer:
        """The customer (no id until he is saved): a case prepared in the same transaction may name him."""
        return self.insert.rows[0]


def customer_prepare(
    *,
    actor: Actor,
    name: str,
    phone: str = "",
    email: str = "",
    id_number: str = "",
    organisation: CustomerOrganisation | None = None,
    user: User | None = None,
    language: str = "zh-hans",
) -> PreparedCustomer:
    """Check and build a customer as `customer_create` records him, before the transaction: his personal
    data is encrypted here, not while the transaction holds its locks. Nothing is written."""
    if isinstance(actor, User):
        require(can_record_customer(actor))
    name = _text(name, Customer, "name")
    if not name:
        raise DomainError(
            _("Enter the customer's name."), code=ErrorCode.CUSTOMER_NAME_REQUIRED, field="name"
        )
    customer = Customer(
        name=name,
        phone=_text(phone, Customer, "phone"),
        email=_text(email, Customer, "email"),
        id_number=_text(id_number, Customer, "id_number"),
        organisation=organisation,
        user=user,
        language=language,
    )
    customer.full_clean()
    return PreparedCustomer(actor=actor, insert=PreparedInsert([customer]))


def customer_prepared_save(prepared: PreparedCustomer) -> Customer:
    """Record the customer `customer_prepare` built, with his audit event, in the caller's transaction (or
    one of its own)."""
    # No savepoint: inside a caller's transaction (the intake) the customer stands or falls with it.
    with transaction.atomic(savepoint=False):
        (customer,) = prepared.insert.run()
        audit_record(
            actor=prepared.actor,
            action="accounts.customer_create",
            target=customer,
            data={"organisation": customer.organisation_id},
        )
    return customer


def customer_update(
    *,
    actor: Actor,
    customer: Customer,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    id_number: str | None = None,
) -> list[str]:
    """Correct a customer's personal data (a None value leaves its field as it is); return the names of the
    fields that changed. Blind indexes follow their fields on save.

    The caller decides who may: privacy's correction of a data-subject request (`privacy.requests`) is the
    one path, checked there. Texts are cleaned by `_text`; a blank name is refused
    (account_customer_name_required). Audited as `accounts.customer_update` with the changed fields' names
    only: the audit trail holds no personal data.
    """
    cleaned = {
        "name": _text(name, Customer, "name"),
        "phone": _text(phone, Customer, "phone"),
        "email": _text(email, Customer, "email"),
        "id_number": _text(id_number, Customer, "id_number"),
    }
    if cleaned["name"] == "":
        raise DomainError(
            _("Enter the customer's name."), code=ErrorCode.CUSTOMER_NAME_REQUIRED, field="name"
        )
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        changed = sorted(_apply(customer, cleaned))
        if changed:
            customer.full_clean()
            customer.save()
            audit_record(
                actor=actor, action="accounts.customer_update", target=customer, data={"fields": changed}
            )
    return changed


def customer_organisation_create(
    *, actor: Actor, name: str, unified_social_credit_code: str = ""
) -> CustomerOrganisation:
    """Record a customer organisation; texts are cleaned by `_text`. Audited as
    `accounts.customer_organisation_create`."""
    name = _text(name, CustomerOrganisation, "name")
    credit_code = _text(unified_social_credit_code, CustomerOrganisation, "unified_social_credit_code")
    with transaction.atomic():
        organisation = CustomerOrganisation(name=name, unified_social_credit_code=credit_code)
        organisation.full_clean()
        organisation.save()
        audit_record(actor=actor, action="accounts.customer_organisation_create", target=organisation)
    return organisation


def qualification_create(*, actor: Actor, code: str, name_zh: str, name_en: str = "") -> Qualification:
    """Create a qualification routing may require (granted by the certificates of a course that names it).

    A non-None `actor` must be allowed by `can_manage_roles` (qualifications decide who is routed what, as
    roles decide who may do what), else PermissionDeniedError. Raises DomainError when the code is taken or
    a text is refused. Audited as `accounts.qualification_create`.
    """
    if actor is not None:
        require(can_manage_roles(actor))
    code = _text(code, Qualification, "code")
    name_zh = _text(name_zh, Qualification, "name_zh")
    name_en = _text(name_en, Qualification, "name_en")
    if Qualification.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    with transaction.atomic():
        qualification = Qualification(code=code, name_zh=name_zh, name_en=name_en)
        qualification.full_clean()
        qualification.save()
        audit_record(actor=actor, action="accounts.qualification_create", target=qualification, data={})
    return qualification
