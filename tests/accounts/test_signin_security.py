"""One lockout for every sign-in path (desk, admin site, API token), keyed on the hashed username and the
client address as `client_ip` reads it, and every sign-in audited (issue 16, "Brute force")."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from tests.accounts.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory.create(username="root", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_site_twelve_wrong_passwords_then_the_right_one_does_not_sign_in(superuser: User) -> None:
    client = Client()
    for attempt in range(12):
        client.post("/admin/login/?next=/admin/", {"username": "root", "password": f"wrong-{attempt}"})
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert not _signed_in(client)
    assert response.status_code == 200
    assert "account_login_throttled" not in response.content.decode()  # words, not codes
    assert client.get("/admin/").status_code == 302


def test_admin_site_signs_in_with_the_right_password(superuser: User) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert _signed_in(client)
    event = AuditEvent.objects.filter(action="accounts.signin").get()
    assert event.data["path"] == "admin" and event.target_id == str(superuser.pk)


def test_desk_failures_lock_the_admin_site_too(superuser: User) -> None:
    client = Client()
    for attempt in range(5):
        client.post("/accounts/login/", {"username": "root", "password": f"wrong-{attempt}"})
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert not _signed_in(client)


def test_api_token_endpoint_shares_the_lockout(superuser: User) -> None:
    api = APIClient()
    for attempt in range(6):
        response = api.post(
            "/api/v1/auth/token/", {"username": "root", "password": f"wrong-{attempt}"}, format="json"
        )
        assert response.status_code in (400, 429)
    response = api.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "account_login_throttled"
    # …and the desk form refuses the right password as well.
    client = Client()
    client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert not _signed_in(client)


def test_api_token_wrong_password_is_audited_without_the_password(superuser: User) -> None:
    APIClient().post("/api/v1/auth/token/", {"username": "root", "password": "s3cret-guess"}, format="json")
    event = AuditEvent.objects.filter(action="accounts.signin_failed").get()
    assert event.data == {"path": "api_token", "reason": "password", "user_id": str(superuser.pk)}
    assert "s3cret-guess" not in str(event.data) + event.target_repr + event.actor_label


def test_forged_x_forwarded_for_escapes_neither_the_lockout_nor_the_rate(
    superuser: User, settings: object
) -> None:
    """Without CHARTER_CLIENT_IP_HEADER, X-Forwarded-For is the client's own words: ignored."""
    settings.CHARTER_CLIENT_IP_HEADER = ""  # type: ignore[attr-defined]
    api = APIClient()
    answers = [
        api.post(
            "/api/v1/auth/token/",
            {"username": f"nobody{attempt}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.{attempt}.1",
        ).status_code
        for attempt in range(12)
    ]
    assert answers[-1] == 429
    # The address is locked for every username, the right password of a real one included.
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "root", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="192.0.2.77",
    )
    assert response.status_code == 429


def test_the_configured_client_ip_header_keys_the_lockout(superuser: User, settings: object) -> None:
    settings.CHARTER_CLIENT_IP_HEADER = "X-Real-IP"  # type: ignore[attr-defined]
    client = Client()
    for attempt in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"ghost{attempt}", "password": "x"},
            HTTP_X_REAL_IP="198.51.100.1",
        )
    client.post("/accounts/login/", {"username": "root", "password": PASSWORD}, HTTP_X_REAL_IP="198.51.100.2")
    assert _signed_in(client)


def test_signin_and_lock_are_audited_once(superuser: User) -> None:
    client = Client()
    for attempt in range(7):
        client.post("/accounts/login/", {"username": "root", "password": f"wrong-{attempt}"})
    assert AuditEvent.objects.filter(action="accounts.signin_failed").count() == 5
    assert AuditEvent.objects.filter(action="accounts.signin_locked").count() == 1


def test_unknown_username_is_audited_as_a_hash(db: None) -> None:
    Client().post("/accounts/login/", {"username": "someone@example.com", "password": "x"})
    event = AuditEvent.objects.filter(action="accounts.signin_failed").get()
    assert event.data["username"].startswith("sha256:")
    assert "someone@example.com" not in str(event.data) + event.actor_label + event.target_repr


def test_locked_says_so_in_english_alike_for_known_and_unknown_users(superuser: User) -> None:
    pages: list[str] = []
    for username in ("root", "nobody-at-all"):
        client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=f"203.0.113.{len(pages) + 1}")
        client.cookies["django_language"] = "en"
        for attempt in range(5):
            client.post("/accounts/login/", {"username": username, "password": f"wrong-{attempt}"})
        response = client.post("/accounts/login/", {"username": username, "password": "whatever"})
        pages.append(response.content.decode())
    for page in pages:
        assert "Too many failed sign-in attempts" in page
    assert pages[0].replace("root", "X").count("Too many") == pages[1].count("Too many")


def test_desk_signin_succeeds_and_is_audited(superuser: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.signin", data__path="desk").exists()


def test_a_customers_sign_in_names_him_by_id_only(customer_user: User) -> None:
    customer_user.display_name = "刘晓梅"
    customer_user.save()
    client = Client()
    client.post("/accounts/login/", {"username": customer_user.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": customer_user.username, "password": PASSWORD})
    events = AuditEvent.objects.filter(action__in=["accounts.signin", "accounts.signin_failed"])
    assert events.count() == 2
    for event in events:
        assert event.data["user_id"] == str(customer_user.pk)
        assert "刘晓梅" not in event.target_repr
