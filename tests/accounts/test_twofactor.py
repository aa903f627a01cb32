"""Two-factor authentication (issue 16): TOTP with recovery codes, required for administrators, admin-site
staff, superusers and holders of discipline or personal-data export rights; the sign-in asks for the code
after the password and the session is signed in only once the code passed."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from charter.accounts.models import User
from charter.accounts.permissions import requires_second_factor
from charter.accounts.roles import Role
from charter.accounts.tokens import api_token_create
from charter.audit.models import AuditEvent
from tests.accounts.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _second_factor_required(settings: object) -> None:
    settings.CHARTER_SECOND_FACTOR_REQUIRED = True  # type: ignore[attr-defined]


def code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def password_step(client: Client, username: str, path: str = "/accounts/login/") -> str:
    response = client.post(path, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return str(response["Location"])


def test_who_needs_a_second_factor(db: None, administrator: User, supervisor: User, member: User) -> None:
    officer = UserFactory.create(username="dpo", roles=[Role.PRIVACY_OFFICER])
    trainer = UserFactory.create(username="trainer", roles=[Role.TRAINER])
    superuser = UserFactory.create(username="root", is_superuser=True)
    staff_flag = UserFactory.create(username="staffer", is_staff=True)
    assert requires_second_factor(administrator)
    assert requires_second_factor(superuser) and requires_second_factor(staff_flag)
    assert requires_second_factor(supervisor)  # conduct.decide_violation
    assert requires_second_factor(officer)  # privacy.manage_data_requests
    assert not requires_second_factor(member)
    assert not requires_second_factor(trainer)


def test_administrator_without_a_device_is_sent_to_enrol_on_desk_and_admin(administrator: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    for path in ("/desk/", "/desk/cases/", "/admin/", "/accounts/preferences/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/", path
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["code"] == "account_second_factor_required"
    assert client.get("/accounts/2fa/").status_code == 200


def test_api_tokens_are_not_affected(administrator: User) -> None:
    _token, secret = api_token_create(user=administrator, name="script")
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200


def test_an_agent_needs_no_second_factor(member: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": member.username, "password": PASSWORD})
    assert client.get("/desk/").status_code == 200


def test_enrolment_shows_qr_and_secret_confirms_with_a_code_and_shows_ten_codes_once(
    administrator: User,
) -> None:
    client = Client()
    client.force_login(administrator)
    page = client.get("/accounts/2fa/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    assert client.get("/accounts/2fa/").content.decode().count(secret.group(1)) == 1  # same secret on reload

    wrong = client.post("/accounts/2fa/", {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed

    done = client.post("/accounts/2fa/", {"code": code_of(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(action="accounts.second_factor_enrol").exists()
    assert client.get("/desk/").status_code == 200  # this session is verified now
    assert not any(code in client.get("/accounts/2fa/").content.decode() for code in codes)


def test_signin_asks_for_the_code_and_is_not_signed_in_until_it_passes(administrator: User) -> None:
    device = enrolled(administrator)
    client = Client()
    assert password_step(client, "admin") == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/desk/").status_code == 302  # to the sign-in page, not the desk
    response = client.post("/accounts/login/code/", {"code": code_of(device)})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert client.get("/desk/").status_code == 200
    event = AuditEvent.objects.filter(action="accounts.signin").get()
    assert event.data == {"path": "desk", "second_factor": True, "user_id": str(administrator.pk)}


def test_wrong_codes_count_towards_the_lockout(administrator: User) -> None:
    device = enrolled(administrator)
    client = Client()
    password_step(client, "admin")
    right = code_of(device)
    wrong = "123456" if right != "123456" else "654321"
    for _attempt in range(5):
        client.post("/accounts/login/code/", {"code": wrong})
    failed = AuditEvent.objects.filter(action="accounts.signin_failed", data__reason="second_factor")
    assert failed.count() >= 4
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=40)):
        client.post("/accounts/login/code/", {"code": code_of(device)})
        assert "_auth_user_id" not in client.session
        # The password step is locked too.
        client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
        assert "_auth_user_id" not in client.session


def test_admin_site_asks_for_the_second_factor(administrator: User) -> None:
    device = enrolled(administrator)
    client = Client()
    assert password_step(client, "admin", "/admin/login/?next=/admin/") == "/accounts/login/code/"
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/login/code/", {"code": code_of(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_signed_in_without_the_code_cannot_reach_the_admin(administrator: User) -> None:
    enrolled(administrator)
    client = Client()
    client.force_login(administrator)  # a session that skipped the code step
    assert client.get("/admin/")["Location"] == "/accounts/2fa/"


def test_a_recovery_code_works_once(administrator: User) -> None:
    enrolled(administrator)
    device = StaticDevice.objects.create(user=administrator, name="recovery", confirmed=True)
    device.token_set.create(token="abcd2345")
    first = Client()
    password_step(first, "admin")
    first.post("/accounts/login/code/", {"code": "abcd 2345"})
    assert "_auth_user_id" in first.session
    second = Client()
    password_step(second, "admin")
    second.post("/accounts/login/code/", {"code": "abcd2345"})
    assert "_auth_user_id" not in second.session


def test_disable_and_renew_need_a_code(administrator: User) -> None:
    device = enrolled(administrator)
    client = Client()
    password_step(client, "admin")
    client.post("/accounts/login/code/", {"code": code_of(device)})
    client.post("/accounts/2fa/", {"action": "disable", "code": "999999"})
    assert TOTPDevice.objects.filter(user=administrator, confirmed=True).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60)):
        renewed = client.post("/accounts/2fa/", {"action": "renew", "code": code_of(device)})
        assert len(re.findall(r"<li><code>", renewed.content.decode())) == 10
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=120)):
        client.post("/accounts/2fa/", {"action": "disable", "code": code_of(device)})
    assert not TOTPDevice.objects.filter(user=administrator).exists()
    assert AuditEvent.objects.filter(action="accounts.second_factor_disable").exists()
    assert client.get("/desk/")["Location"] == "/accounts/2fa/"  # required: enrol again at once


def test_a_holder_of_a_personal_data_right_needs_a_second_factor(db: None, member: User) -> None:
    from django.contrib.auth.models import Permission

    for codename in ("reveal_personal_data", "view_personal_data_log", "manage_retention"):
        person = UserFactory.create(username=f"holder-{codename}", roles=[Role.AGENT])
        person.user_permissions.add(
            Permission.objects.get(content_type__app_label="privacy", codename=codename)
        )
        assert requires_second_factor(User.objects.get(pk=person.pk)), codename
    assert not requires_second_factor(member)


def _notices(user: User) -> list[tuple[str, str]]:
    from charter.mail.models import OutboundMessage

    return [
        (message.subject, message.body)
        for message in OutboundMessage.objects.filter(
            template="accounts.second_factor_changed", recipient_user=user
        ).order_by("pk")
    ]


def test_enrolment_renewal_and_turning_off_are_mailed_to_the_person_and_audited(
    administrator: User, django_capture_on_commit_callbacks: object
) -> None:
    capture = django_capture_on_commit_callbacks
    User.objects.filter(pk=administrator.pk).update(email="admin@example.com", language="en")
    client = Client()
    client.force_login(administrator)
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    with capture(execute=True):  # type: ignore[operator]
        client.post("/accounts/2fa/", {"code": code_of(device)})
    [(subject, body)] = _notices(administrator)
    assert subject == "Two-factor sign-in was set up on your account"
    assert "admin" in body and "tell an\nadministrator at once" in body and "/accounts/2fa/" in body
    enrol = AuditEvent.objects.get(action="accounts.second_factor_enrol")
    assert enrol.data["change"] == "enrolled"

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60)), capture(execute=True):  # type: ignore[operator]
        client.post("/accounts/2fa/", {"action": "renew", "code": code_of(device)})
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=120)), capture(execute=True):  # type: ignore[operator]
        client.post("/accounts/2fa/", {"action": "disable", "code": code_of(device)})
    subjects = [subject for subject, _body in _notices(administrator)]
    assert subjects[1:] == [
        "New recovery codes were made (the old ones no longer work) on your account",
        "Two-factor sign-in was turned off on your account",
    ]
    assert AuditEvent.objects.filter(action="accounts.second_factor_disable").count() == 1


def test_a_new_authenticator_replacing_a_confirmed_one_is_mailed_in_the_persons_language(
    administrator: User, django_capture_on_commit_callbacks: object
) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from charter.accounts.twofactor import second_factor_confirm, totp_pending_device

    User.objects.filter(pk=administrator.pk).update(email="admin@example.com", language="zh-hans")
    administrator.refresh_from_db()
    enrolled(administrator)
    pending = totp_pending_device(user=administrator)
    request = RequestFactory().post("/accounts/2fa/")
    request.session = SessionStore()
    request.user = administrator
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        second_factor_confirm(user=administrator, device=pending, token=code_of(pending), request=request)
    [(subject, body)] = _notices(administrator)
    assert "验证器" in subject and "管理员" in body
    assert AuditEvent.objects.get(action="accounts.second_factor_enrol").data["change"] == "replaced"
