"""The admin changes people, roles, teams and leads only through the audited services.

Each test drives the Django admin with the test client as a superuser, and checks that the change left exactly
the audit rows of the service (the admin's own change log is not the record), and that a refusal of a service
undoes the whole save.
"""

from typing import Any

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client

from charter.accounts.models import CustomerOrganisation, OrgUnit, Team, TeamMembership, User
from charter.accounts.roles import Role
from charter.accounts.tokens import api_token_create
from charter.audit.models import AuditEvent
from tests.accounts.factories import (
    CustomerFactory,
    OrgUnitFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> User:
    return UserFactory.create(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def browser(root: User) -> Client:
    return client_for(root)


def _new_events(since: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    rows = AuditEvent.objects.filter(sequence__gt=since).order_by("sequence")
    return [(e.action, e.target_type, e.target_id, e.data) for e in rows]


def _last_sequence() -> int:
    event = AuditEvent.objects.order_by("-sequence").first()
    return event.sequence if event is not None else 0


def _user_data(user: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
        "display_name": user.display_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def _team_data(team: Team, rows: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": team.unit_id,
        "code": team.code,
        "name_zh": team.name_zh,
        "name_en": team.name_en,
        "is_active": "on" if team.is_active else "",
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
        data[f"memberships-{index}-team"] = team.pk
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def _errors(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def test_adding_a_user_goes_through_the_service(browser: Client) -> None:
    since = _last_sequence()

    response = browser.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.check_password("a long passphrase 42")
    assert _new_events(since) == [("accounts.user_create", "accounts.user", str(user.pk), {"roles": []})]


def test_changing_a_users_roles_records_them_before_and_after(browser: Client) -> None:
    user = UserFactory.create(username="bob", roles=[Role.AGENT])
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    since = _last_sequence()

    response = browser.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_data(user, groups=[supervisor.pk])
    )

    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == ["supervisor"]
    assert _new_events(since) == [
        (
            "accounts.user_roles_set",
            "accounts.user",
            str(user.pk),
            {"roles": {"before": ["agent"], "after": ["supervisor"]}},
        )
    ]


def test_deactivating_a_user_records_the_flag_before_and_after(browser: Client) -> None:
    user = UserFactory.create(username="bob")
    since = _last_sequence()

    browser.post(f"/admin/accounts/user/{user.pk}/change/", _user_data(user, is_active="", is_staff="on"))

    user.refresh_from_db()
    assert not user.is_active
    assert _new_events(since) == [
        (
            "accounts.user_update",
            "accounts.user",
            str(user.pk),
            {"is_active": {"before": True, "after": False}, "is_staff": {"before": False, "after": True}},
        )
    ]


def test_a_refused_user_change_keeps_nothing_of_the_save(browser: Client) -> None:
    UserFactory.create(username="alice")
    user = UserFactory.create(username="bob", roles=[Role.AGENT])
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    since, log_entries = _last_sequence(), LogEntry.objects.count()

    response = browser.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _user_data(user, username="ALICE", display_name="Bobby", groups=[supervisor.pk]),
        follow=True,
    )

    assert len(_errors(response)) == 1
    user.refresh_from_db()
    assert (user.username, user.display_name) == ("bob", "Bob")
    assert list(user.groups.values_list("name", flat=True)) == ["agent"]
    assert _new_events(since) == []
    assert LogEntry.objects.count() == log_entries


def test_setting_a_password_is_recorded_without_the_password(browser: Client) -> None:
    user = UserFactory.create(username="bob")
    since = _last_sequence()

    response = browser.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "another passphrase 7", "password2": "another passphrase 7"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another passphrase 7")
    assert _new_events(since) == [
        ("accounts.user_password_set", "accounts.user", str(user.pk), {"usable": True})
    ]


def test_users_cannot_be_deleted_in_the_admin(browser: Client) -> None:
    user = UserFactory.create(username="bob")

    assert browser.get(f"/admin/accounts/user/{user.pk}/delete/").status_code == 403


def test_changing_a_roles_permissions_records_what_was_added_and_removed(browser: Client) -> None:
    role = Group.objects.get(name=Role.TRAINER)
    held = list(role.permissions.values_list("pk", flat=True))
    added = Permission.objects.get(content_type__app_label="accounts", codename="delete_team")
    assert not role.permissions.filter(pk=added.pk).exists()
    since = _last_sequence()

    response = browser.post(
        f"/admin/auth/group/{role.pk}/change/", {"permissions": [*held, added.pk], "_save": "Save"}
    )

    assert response.status_code == 302
    assert role.permissions.filter(pk=added.pk).exists()
    assert _new_events(since) == [
        (
            "accounts.role_permissions_set",
            "auth.group",
            str(role.pk),
            {"added": ["accounts.delete_team"], "removed": []},
        )
    ]


def test_a_built_in_role_cannot_be_deleted_and_another_one_is_deleted_audited(browser: Client) -> None:
    built_in = Group.objects.get(name=Role.AGENT)
    custom = Group.objects.create(name="night shift")
    since = _last_sequence()

    assert browser.get(f"/admin/auth/group/{built_in.pk}/delete/").status_code == 403
    response = browser.post(f"/admin/auth/group/{custom.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Group.objects.filter(name="night shift").exists()
    assert [event[:3] for event in _new_events(since)] == [
        ("accounts.role_delete", "auth.group", str(custom.pk))
    ]


def test_adding_a_team_goes_through_the_service(browser: Client) -> None:
    unit = OrgUnitFactory.create()
    since = _last_sequence()

    response = browser.post(
        "/admin/accounts/team/add/",
        _team_data(Team(unit=unit, code="night", name_zh="夜班", name_en="Night shift"), []),
    )

    assert response.status_code == 302
    team = Team.objects.get(code="night")
    assert _new_events(since) == [
        ("accounts.team_create", "accounts.team", str(team.pk), {"unit": unit.pk, "is_active": True})
    ]


def test_adding_setting_as_lead_and_removing_a_member_are_each_recorded(browser: Client) -> None:
    team = TeamFactory.create()
    user = UserFactory.create(username="bob", roles=[Role.AGENT])
    url = f"/admin/accounts/team/{team.pk}/change/"

    since = _last_sequence()
    browser.post(url, _team_data(team, [{"id": "", "user": user.pk, "is_lead": ""}]))
    membership = TeamMembership.objects.get(team=team, user=user)
    assert not membership.is_lead
    assert _new_events(since) == [
        ("accounts.team_member_add", "accounts.team", str(team.pk), {"user": user.pk, "is_lead": False})
    ]

    since = _last_sequence()
    browser.post(url, _team_data(team, [{"id": membership.pk, "user": user.pk, "is_lead": "on"}]))
    membership.refresh_from_db()
    assert membership.is_lead
    assert _new_events(since) == [
        (
            "accounts.team_lead_set",
            "accounts.team",
            str(team.pk),
            {"user": user.pk, "is_lead": {"before": False, "after": True}},
        )
    ]

    since = _last_sequence()
    browser.post(
        url, _team_data(team, [{"id": membership.pk, "user": user.pk, "is_lead": "on", "DELETE": "on"}])
    )
    assert not TeamMembership.objects.filter(team=team).exists()
    assert _new_events(since) == [
        ("accounts.team_member_remove", "accounts.team", str(team.pk), {"user": user.pk, "is_lead": True})
    ]


def test_renaming_a_team_and_moving_it_records_the_fields_before_and_after(browser: Client) -> None:
    team = TeamFactory.create(name_zh="旧名")
    other_unit = OrgUnitFactory.create()
    since = _last_sequence()

    browser.post(
        f"/admin/accounts/team/{team.pk}/change/", _team_data(team, [], name_zh="新名", unit=other_unit.pk)
    )

    assert _new_events(since) == [
        (
            "accounts.team_update",
            "accounts.team",
            str(team.pk),
            {
                "unit": {"before": team.unit_id, "after": other_unit.pk},
                "name_zh": {"before": "旧名", "after": "新名"},
            },
        )
    ]


def test_deleting_a_team_records_its_members_and_leads(browser: Client) -> None:
    team = TeamFactory.create()
    lead = TeamMembershipFactory.create(team=team, is_lead=True).user
    agent = TeamMembershipFactory.create(team=team).user
    since = _last_sequence()

    response = browser.post(f"/admin/accounts/team/{team.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    assert _new_events(since) == [
        (
            "accounts.team_delete",
            "accounts.team",
            str(team.pk),
            {
                "code": team.code,
                "unit": team.unit_id,
                "members": sorted([lead.pk, agent.pk]),
                "leads": [lead.pk],
            },
        )
    ]


def test_the_bulk_delete_action_deletes_teams_one_by_one_through_the_service(browser: Client) -> None:
    teams = [TeamFactory.create(), TeamFactory.create()]
    since = _last_sequence()

    response = browser.post(
        "/admin/accounts/team/",
        {"action": "delete_selected", "_selected_action": [team.pk for team in teams], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Team.objects.filter(pk__in=[team.pk for team in teams]).exists()
    assert sorted(event[:3] for event in _new_events(since)) == sorted(
        ("accounts.team_delete", "accounts.team", str(team.pk)) for team in teams
    )


def test_moving_a_unit_rewrites_the_paths_under_it_and_is_recorded(browser: Client) -> None:
    root = OrgUnitFactory.create(code="root")
    branch = OrgUnitFactory.create(code="branch", parent=root)
    hall = OrgUnitFactory.create(code="hall", parent=branch)
    other = OrgUnitFactory.create(code="other", parent=root)
    since = _last_sequence()

    response = browser.post(
        f"/admin/accounts/orgunit/{branch.pk}/change/",
        {
            "code": "branch",
            "name_zh": branch.name_zh,
            "name_en": branch.name_en,
            "kind": branch.kind,
            "parent": other.pk,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    hall.refresh_from_db()
    assert hall.path == f"/{root.pk}/{other.pk}/{branch.pk}/{hall.pk}/"
    assert _new_events(since) == [
        (
            "accounts.org_unit_move",
            "accounts.orgunit",
            str(branch.pk),
            {"parent": {"before": root.pk, "after": other.pk}},
        )
    ]


def test_a_unit_put_under_its_own_child_is_refused_and_nothing_of_the_save_is_kept(browser: Client) -> None:
    root = OrgUnitFactory.create(code="root", name_zh="总部")
    branch = OrgUnitFactory.create(code="branch", parent=root)
    since, log_entries = _last_sequence(), LogEntry.objects.count()

    response = browser.post(
        f"/admin/accounts/orgunit/{root.pk}/change/",
        {
            "code": "root",
            "name_zh": "新总部",
            "name_en": root.name_en,
            "kind": root.kind,
            "parent": branch.pk,
            "_save": "Save",
        },
        follow=True,
    )

    assert len(_errors(response)) == 1
    root.refresh_from_db()
    assert (root.name_zh, root.parent_id, root.path) == ("总部", None, f"/{root.pk}/")
    assert OrgUnit.objects.get(pk=branch.pk).path == f"/{root.pk}/{branch.pk}/"
    assert _new_events(since) == []
    assert LogEntry.objects.count() == log_entries


def test_a_customer_organisation_is_added_through_the_service_and_customers_are_read_only(
    browser: Client,
) -> None:
    customer = CustomerFactory.create()
    since = _last_sequence()

    response = browser.post(
        "/admin/accounts/customerorganisation/add/",
        {"name": "示范公司", "unified_social_credit_code": "", "_save": "Save"},
    )

    assert response.status_code == 302
    organisation = CustomerOrganisation.objects.get(name="示范公司")
    assert _new_events(since) == [
        ("accounts.customer_organisation_create", "accounts.customerorganisation", str(organisation.pk), {})
    ]
    change = browser.post(f"/admin/accounts/customer/{customer.pk}/change/", {"language": "en"})
    assert change.status_code == 403
    assert browser.get("/admin/accounts/customer/add/").status_code == 403


def test_api_tokens_are_read_only_and_revoking_one_is_recorded_without_its_secret(browser: Client) -> None:
    user = UserFactory.create(username="bob")
    token, secret = api_token_create(user=user, name="script")
    since = _last_sequence()

    listing = browser.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode() and secret not in listing.content.decode()
    assert token.digest not in browser.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert browser.get("/admin/accounts/apitoken/add/").status_code == 403
    assert browser.post("/admin/accounts/apitoken/add/", {"user": user.pk}).status_code == 403
    change = browser.post(f"/admin/accounts/apitoken/{token.pk}/change/", {"name": "other"})
    assert change.status_code == 403
    assert browser.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert _new_events(since) == []

    response = browser.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk], "index": 0}
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == "revoked_by_admin"
    assert _new_events(since) == [
        (
            "accounts.api_token_revoke",
            "accounts.user",
            str(user.pk),
            {"tokens": [token.pk], "name": "script", "reason": "revoked_by_admin"},
        )
    ]
    assert secret not in str(AuditEvent.objects.values_list("data", flat=True))
