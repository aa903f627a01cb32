import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from charter.accounts.models import User
from tests.conftest import client_for

if TYPE_CHECKING:
    from tests.conftest import TestResponse

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> "TestResponse":
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_staff_sign_in_and_land_on_the_desk(member: User) -> None:
    client = Client()

    response = _login(client, "alice", "correct horse battery")

    assert response.status_code == 302
    assert client.get(reverse("accounts:home"))["Location"] == reverse("accounts:desk")
    assert client.get(reverse("accounts:desk")).status_code == 200


def test_customer_lands_on_the_portal_and_may_not_open_the_desk(customer_user: User) -> None:
    client = client_for(customer_user)

    assert client.get(reverse("accounts:home"))["Location"] == "/portal/"
    assert client.get(reverse("accounts:desk")).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in_from_the_desk() -> None:
    response = Client().get(reverse("accounts:desk"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_password_shows_an_error_in_chinese(member: User) -> None:
    response = _login(Client(), "alice", "wrong")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_sign_in_is_refused_after_too_many_failures_even_with_the_right_password(
    member: User, settings: object
) -> None:
    settings.CHARTER_LOGIN_MAX_FAILURES = 3  # type: ignore[attr-defined]
    client = Client()
    for _ in range(3):
        _login(client, "alice", "wrong")

    response = _login(client, "alice", "correct horse battery")

    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_language_switch_sets_the_cookie_and_the_signed_in_users_preference(member: User) -> None:
    client = client_for(member)

    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/desk/"})

    assert response.status_code == 302 and response["Location"] == "/desk/"
    member.refresh_from_db()
    assert member.language == "en"
    assert "Welcome" in client.get("/desk/").content.decode()


def test_language_switch_refuses_an_offsite_next_url() -> None:
    response = Client().post(
        reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_pages_default_to_chinese_and_follow_accept_language() -> None:
    assert "登录" in Client().get(reverse("accounts:login")).content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("accounts:login")).content.decode()
    assert "Sign in" in english and "登录" not in english.split("<main")[1].split("</main>")[0]


def test_preferences_save_language_and_time_zone(member: User) -> None:
    client = client_for(member)

    response = client.post(reverse("accounts:preferences"), {"language": "en", "time_zone": "Europe/London"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.language, member.time_zone) == ("en", "Europe/London")


def test_preferences_reject_an_unknown_time_zone_with_a_field_error(member: User) -> None:
    response = client_for(member).post(
        reverse("accounts:preferences"), {"language": "zh-hans", "time_zone": "Mars/Base"}
    )

    assert response.status_code == 200
    assert "不是有效选项" in response.content.decode() or "有效的选项" in response.content.decode()
    member.refresh_from_db()
    assert member.time_zone == ""


def test_password_reset_mails_a_working_link_in_the_users_language(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the worker sends it once the request commits
        Client().post(reverse("accounts:password_reset"), {"email": member.email})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "重置" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(message.body))
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a new long passphrase")


def test_times_are_shown_in_the_users_time_zone(administrator: User) -> None:
    from charter.audit.services import audit_record

    administrator.time_zone = "America/New_York"
    administrator.save()
    event = audit_record(actor=administrator, action="test.tz")
    client = client_for(administrator)

    page = client.get(reverse("audit:event_list")).content.decode()

    from zoneinfo import ZoneInfo

    local = event.occurred_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    assert local in page


def test_customer_pages_show_masked_data_to_agents(member: User) -> None:
    from tests.accounts.factories import CustomerFactory

    customer = CustomerFactory.create(name="张三丰", phone="13812345678")
    client = client_for(member)

    listing = client.get(reverse("accounts:customer_list")).content.decode()
    detail = client.get(reverse("accounts:customer_detail", args=[customer.pk])).content.decode()

    for page in (listing, detail):
        assert "138****5678" in page and "13812345678" not in page
        assert "张**" in page and "张三丰" not in page
    assert 'name="reason"' not in detail


def test_customer_search_finds_by_exact_phone(member: User) -> None:
    from tests.accounts.factories import CustomerFactory

    CustomerFactory.create(phone="13812345678")
    CustomerFactory.create(phone="13900000000")

    page = (
        client_for(member).get(reverse("accounts:customer_list"), {"phone": "138 1234 5678"}).content.decode()
    )

    assert "138****5678" in page and "139****0000" not in page


def test_agent_cannot_reveal_through_the_page(member: User) -> None:
    from tests.accounts.factories import CustomerFactory

    customer = CustomerFactory.create()
    response = client_for(member).post(
        reverse("accounts:customer_detail", args=[customer.pk]), {"field": "phone", "reason": "看看"}
    )

    assert response.status_code == 403


def test_supervisor_reveals_with_a_reason_and_is_audited(supervisor: User) -> None:
    from charter.audit.models import AuditEvent
    from tests.accounts.factories import CustomerFactory

    customer = CustomerFactory.create(phone="13812345678")
    url = reverse("accounts:customer_detail", args=[customer.pk])
    client = client_for(supervisor)

    missing_reason = client.post(url, {"field": "phone", "reason": ""})
    shown = client.post(url, {"field": "phone", "reason": "回电"})

    assert "13812345678" not in missing_reason.content.decode()
    assert "13812345678" in shown.content.decode()
    assert AuditEvent.objects.filter(action="privacy.reveal").count() == 1


def test_customer_user_cannot_open_the_customer_list(customer_user: User) -> None:
    assert client_for(customer_user).get(reverse("accounts:customer_list")).status_code == 403


def test_a_signed_in_users_language_wins_over_the_browsers(member: User) -> None:
    member.language = "en"
    member.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(member)

    page = client.get(reverse("accounts:desk"))

    assert "Welcome" in page.content.decode()
    assert page["Content-Language"] == "en"
