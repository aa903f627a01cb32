"""API tokens: hashed at rest, shown once, named, expiring, revoked when their user's password, status or
roles change, and listed and revoked by their holder (never another's)."""

import hashlib
import importlib
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from charter.accounts.models import ApiToken, User
from charter.accounts.roles import Role
from charter.accounts.services import role_permissions_set, user_password_set, user_roles_set, user_update
from charter.accounts.tokens import api_token_create, token_digest
from charter.audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.conftest import api_client_for, browser_post, client_for

pytestmark = pytest.mark.django_db


def _every_stored_text() -> str:
    """Every value of every table, as text: what someone who copies the database can read."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            values.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(values)


def _client(secret: str, keyword: str = "Token") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def test_the_token_endpoint_issues_a_named_expiring_token_kept_only_as_its_hash(member: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "correct horse battery", "name": "reports script"},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    secret = body["token"]
    assert body["name"] == "reports script"
    token = ApiToken.objects.get(user=member)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    assert secret not in _every_stored_text()
    assert AuditEvent.objects.filter(action="accounts.api_token_create", target_id=str(member.pk)).exists()


def test_each_sign_in_makes_a_new_token_and_the_secret_is_never_shown_again(member: User) -> None:
    first = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery"}
    )
    second = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery"}
    )

    assert first.json()["token"] != second.json()["token"]
    listing = _client(first.json()["token"]).get("/api/v1/auth/tokens/")
    assert listing.status_code == 200
    assert first.json()["token"] not in listing.content.decode()
    assert second.json()["token"] not in listing.content.decode()
    assert [row["state"] for row in listing.json()["results"]] == ["active", "active"]


def test_a_token_authenticates_with_the_token_and_the_bearer_keyword(member: User) -> None:
    _token, secret = api_token_create(user=member, name="cli")

    for keyword in ("Token", "Bearer", "bearer"):
        me = _client(secret, keyword).get("/api/v1/me/")
        assert me.status_code == 200, keyword
        assert me.json()["username"] == "alice"


def test_an_unknown_token_answers_401_json() -> None:
    response = _client("cht_nothing-like-this").get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "account_token_invalid"
    assert response["WWW-Authenticate"] == "Token"


def test_an_expiry_above_the_longest_allowed_is_refused(member: User) -> None:
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "correct horse battery", "expires_in_days": 5000},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "account_token_expiry_invalid"
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(member: User) -> None:
    _token, secret = api_token_create(user=member, name="short", expires_in_days=1)

    assert _client(secret).get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1), tick=False):
        response = _client(secret).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "account_token_expired"


def test_last_use_is_written_at_most_once_a_minute(member: User) -> None:
    token, secret = api_token_create(user=member, name="cli")
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        _client(secret).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        _client(secret).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        _client(secret).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def _assert_revoked(secret: str, reason: str) -> None:
    response = _client(secret).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "account_token_revoked"
    assert ApiToken.objects.get(digest=token_digest(secret)).revoked_reason == reason


def test_a_password_change_revokes_every_token(member: User, administrator: User) -> None:
    _one, first = api_token_create(user=member, name="one")
    _two, second = api_token_create(user=member, name="two")

    user_password_set(actor=administrator, user=member, password="a brand new passphrase")

    _assert_revoked(first, "password_changed")
    _assert_revoked(second, "password_changed")
    [event] = AuditEvent.objects.filter(action="accounts.api_token_revoke")
    assert event.data["reason"] == "password_changed" and len(event.data["tokens"]) == 2


def test_a_password_reset_revokes_every_token(member: User) -> None:
    _token, secret = api_token_create(user=member, name="one")
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    client = Client()
    page = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(member)}/", follow=True)
    assert page.status_code == 200

    response = browser_post(
        client,
        page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a brand new passphrase")
    _assert_revoked(secret, "password_changed")


def test_deactivation_revokes_every_token(member: User, administrator: User) -> None:
    _token, secret = api_token_create(user=member, name="one")

    user_update(actor=administrator, user=member, is_active=False)

    _assert_revoked(secret, "deactivated")


def test_a_role_change_revokes_every_token(member: User, administrator: User) -> None:
    _token, secret = api_token_create(user=member, name="one")

    user_roles_set(
        actor=administrator, user=member, groups=[Group.objects.get_or_create(name=Role.SUPERVISOR)[0]]
    )

    _assert_revoked(secret, "roles_changed")


def test_making_someone_admin_staff_revokes_his_tokens(member: User, administrator: User) -> None:
    _token, secret = api_token_create(user=member, name="one")

    user_update(actor=administrator, user=member, is_staff=True)

    _assert_revoked(secret, "roles_changed")


def test_making_someone_a_superuser_revokes_his_tokens(member: User) -> None:
    root = UserFactory.create(username="root", is_superuser=True, is_staff=True)
    _token, secret = api_token_create(user=member, name="one")

    user_update(actor=root, user=member, is_superuser=True)

    _assert_revoked(secret, "roles_changed")


def test_changing_a_roles_permissions_revokes_the_tokens_of_everyone_holding_it(
    member: User, teammate: User
) -> None:
    root = UserFactory.create(username="root", is_superuser=True, is_staff=True)
    role = Group.objects.get(name=Role.AGENT)
    outsider = UserFactory.create(username="dora", roles=[Role.SUPERVISOR])
    _one, alices = api_token_create(user=member, name="one")
    _two, bobs = api_token_create(user=teammate, name="two")
    _three, doras = api_token_create(user=outsider, name="three")
    added = Permission.objects.get(content_type__app_label="privacy", codename="reveal_personal_data")

    role_permissions_set(actor=root, role=role, permissions=[*role.permissions.all(), added])

    _assert_revoked(alices, "roles_changed")
    _assert_revoked(bobs, "roles_changed")
    assert _client(doras).get("/api/v1/me/").status_code == 200


def test_other_changes_keep_the_tokens(member: User, administrator: User) -> None:
    _token, secret = api_token_create(user=member, name="one")

    user_update(actor=administrator, user=member, display_name="Alice W.")
    user_roles_set(actor=administrator, user=member, groups=list(member.groups.all()))

    assert _client(secret).get("/api/v1/me/").status_code == 200


def test_an_inactive_users_token_is_refused_even_if_not_revoked(member: User) -> None:
    _token, secret = api_token_create(user=member, name="one")
    User.objects.filter(pk=member.pk).update(is_active=False)  # as a direct database change would

    response = _client(secret).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "account_token_user_inactive"


def test_a_user_lists_and_revokes_only_his_own_tokens(member: User, teammate: User) -> None:
    mine, secret = api_token_create(user=member, name="mine")
    theirs, their_secret = api_token_create(user=teammate, name="theirs")
    client = api_client_for(member)

    listing = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [(row["id"], row["name"], row["prefix"]) for row in listing] == [(mine.pk, "mine", mine.prefix)]
    assert "digest" not in listing[0]

    assert client.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert _client(their_secret).get("/api/v1/me/").status_code == 200

    assert client.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 204
    assert client.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 204
    _assert_revoked(secret, "revoked")
    assert AuditEvent.objects.filter(action="accounts.api_token_revoke").count() == 1


def test_the_tokens_page_shows_a_new_secret_once_and_revokes(member: User, teammate: User) -> None:
    client = client_for(member)
    theirs, _their_secret = api_token_create(user=teammate, name="theirs")

    made = browser_post(client, "/accounts/tokens/", {"name": "nightly export", "expires_in_days": "30"})

    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    token = ApiToken.objects.get(user=member)
    secret = made.context["secret"]
    assert token.digest == token_digest(secret) and secret in made.content.decode()
    assert token.name == "nightly export" and token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    again = client.get("/accounts/tokens/")
    assert secret not in again.content.decode() and "nightly export" in again.content.decode()
    assert "theirs" not in again.content.decode()

    assert browser_post(client, "/accounts/tokens/", {"revoke": str(theirs.pk)}).status_code == 404
    revoked = browser_post(client, "/accounts/tokens/", {"revoke": str(token.pk)})
    assert revoked.status_code == 302
    token.refresh_from_db()
    theirs.refresh_from_db()
    assert token.revoked_at is not None and theirs.revoked_at is None


def test_the_tokens_page_refuses_an_expiry_it_does_not_offer(member: User) -> None:
    response = browser_post(client_for(member), "/accounts/tokens/", {"name": "x", "expires_in_days": "9999"})

    assert response.status_code == 200
    assert response.context["form"].errors["expires_in_days"]
    assert not ApiToken.objects.exists()


def test_the_tokens_page_needs_a_sign_in() -> None:
    response = Client().get("/accounts/tokens/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_migration_turns_clear_drf_keys_into_hashes_and_forgets_the_keys(member: User) -> None:
    migration = importlib.import_module("charter.accounts.migrations.0005_api_tokens_from_drf")
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone, "
            "user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, timezone.now() - timedelta(days=400), member.pk],
        )
    try:
        # The migration reads only the editor's connection; SQLite refuses a real editor inside a test.
        migration.tokens_from_drf(apps, SimpleNamespace(connection=connection))

        token = ApiToken.objects.get(user=member)
        assert (token.name, token.digest) == ("migrated", token_digest(key))
        assert token.expires_at is not None and token.expires_at > timezone.now()
        assert key not in _every_stored_text()
        assert _client(key).get("/api/v1/me/").status_code == 200
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")


def test_the_migration_revokes_the_drf_keys_of_everyone_who_needs_a_second_factor(member: User) -> None:
    migration = importlib.import_module("charter.accounts.migrations.0005_api_tokens_from_drf")
    reveal = Permission.objects.get(content_type__app_label="privacy", codename="reveal_personal_data")
    direct = UserFactory.create(username="direct", roles=[Role.AGENT])
    direct.user_permissions.add(reveal)
    revealers = Group.objects.create(name="revealers")
    revealers.permissions.add(reveal)
    by_role = UserFactory.create(username="byrole", roles=[Role.AGENT])
    by_role.groups.add(revealers)
    flagged = [
        UserFactory.create(username="root", is_superuser=True),
        UserFactory.create(username="staff", is_staff=True),
        UserFactory.create(username="admin", roles=[Role.ADMINISTRATOR]),
        UserFactory.create(username="supervisor", roles=[Role.SUPERVISOR]),
        direct,
        by_role,
    ]
    keys = {user.pk: f"{user.pk:040d}" for user in [member, *flagged]}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone, "
            "user_id integer NOT NULL)"
        )
        for user_id, key in keys.items():
            cursor.execute(
                "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                [key, timezone.now(), user_id],
            )
    try:
        migration.tokens_from_drf(apps, SimpleNamespace(connection=connection))

        assert _client(keys[member.pk]).get("/api/v1/me/").status_code == 200
        for user in flagged:
            token = ApiToken.objects.get(user=user)
            assert token.revoked_at is not None, user.username
            assert token.revoked_reason == "second_factor_required"
            assert _client(keys[user.pk]).get("/api/v1/me/").status_code == 401
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")


def test_someone_who_needs_a_second_factor_gets_no_token_for_a_password_alone(settings: Any) -> None:
    settings.CHARTER_SECOND_FACTOR_REQUIRED = True
    UserFactory.create(
        username="root", password="correct horse battery", roles=[Role.ADMINISTRATOR], is_staff=True
    )

    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token/", {"username": "root", "password": "correct horse battery"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "account_second_factor_required"
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.signin").exists()
