"""The pages of data-subject requests: the customer's portal page, the desk's list, recording, answering,
the personal-data log; who may open each and what another customer gets (404)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import Customer, User
from charter.audit.models import AuditEvent
from charter.privacy.models import DataSubjectRequest
from charter.privacy.requests import data_request_complete, data_request_take
from charter.privacy.services import personal_data_reveal
from tests.conftest import browser_post, client_for
from tests.privacy.requests_fixtures import portal_request

pytestmark = pytest.mark.django_db
Status = DataSubjectRequest.Status


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _completed_access(customer: Customer, officer: User) -> DataSubjectRequest:
    request = data_request_take(actor=officer, request=portal_request(customer, "access"))
    return data_request_complete(actor=officer, request=request, outcome="资料已备好")


# --- portal ------------------------------------------------------------------------------------------------


def test_a_customer_makes_a_request_in_the_portal_and_follows_it(customer: Customer) -> None:
    assert customer.user is not None
    client = client_for(customer.user)
    assert 'href="/portal/privacy/"' in client.get("/portal/").content.decode()
    response = browser_post(client, "/portal/privacy/", {"kind": "erasure", "details": "请删除我的资料"})
    assert response.status_code == 302
    request = DataSubjectRequest.objects.get()
    assert (request.kind, request.channel, request.customer) == ("erasure", "portal", customer)
    page = client.get("/portal/privacy/").content.decode()
    assert request.number in page and "删除" in page
    assert timezone.localtime(request.due_at).strftime("%Y-%m-%d") in page


def test_a_portal_request_with_bad_input_shows_the_error_and_writes_nothing(customer: Customer) -> None:
    assert customer.user is not None
    client = client_for(customer.user)
    response = browser_post(client, "/portal/privacy/", {"kind": "everything"})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    response = browser_post(client, "/portal/privacy/", {"kind": "access", "details": "a\x00b"})
    assert response.status_code == 200
    assert not DataSubjectRequest.objects.exists()


def test_the_portal_page_is_for_customers_only(member: User, client: Any) -> None:
    assert client.get("/portal/privacy/").status_code == 302  # to the sign-in
    assert client_for(member).get("/portal/privacy/").status_code == 403


def test_the_customer_downloads_his_export_and_another_customer_gets_404(
    customer: Customer, other_customer: Customer, officer: User
) -> None:
    request = _completed_access(customer, officer)
    assert customer.user is not None and other_customer.user is not None
    url = f"/portal/privacy/requests/{request.number}/export/"
    page = client_for(customer.user).get("/portal/privacy/").content.decode()
    assert url in page
    response = client_for(customer.user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    assert client_for(other_customer.user).get(url).status_code == 404
    assert client_for(other_customer.user).get("/portal/privacy/").content.decode().count(request.number) == 0
    assert AuditEvent.objects.filter(action="privacy.export_download").count() == 1
    # The stored file has no public address.
    assert "/media/" not in page and request.export_file.name not in page


def test_the_customer_withdraws_his_request_and_not_anothers(
    customer: Customer, other_customer: Customer
) -> None:
    request = portal_request(customer)
    assert customer.user is not None and other_customer.user is not None
    url = f"/portal/privacy/requests/{request.number}/withdraw/"
    assert (
        browser_post(client_for(other_customer.user), "/portal/privacy/", {}, action=url).status_code == 404
    )
    assert browser_post(client_for(customer.user), "/portal/privacy/", {}, action=url).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN


# --- desk --------------------------------------------------------------------------------------------------


def test_the_list_is_for_privacy_staff_and_marks_the_overdue(
    customer: Customer, officer: User, member: User
) -> None:
    late = portal_request(customer, received_at=timezone.now() - dt.timedelta(days=60))
    fresh = portal_request(customer, "erasure")
    assert client_for(member).get("/desk/privacy/requests/").status_code == 403
    page = client_for(officer).get("/desk/privacy/requests/").content.decode()
    assert late.number in page and fresh.number in page
    assert page.count('data-testid="overdue"') == 1
    overdue_only = client_for(officer).get("/desk/privacy/requests/?overdue=on").content.decode()
    assert late.number in overdue_only and fresh.number not in overdue_only
    assert fresh.number not in client_for(officer).get("/desk/privacy/requests/?kind=access").content.decode()


def test_the_desk_menu_and_tile_show_privacy_to_its_staff_only(
    customer: Customer, officer: User, member: User
) -> None:
    portal_request(customer)
    desk = client_for(officer).get("/desk/").content.decode()
    assert 'href="/desk/privacy/requests/"' in desk and 'data-testid="tile-privacy-requests"' in desk
    agent_desk = client_for(member).get("/desk/").content.decode()
    assert "/desk/privacy/" not in agent_desk


def test_staff_record_a_request_for_a_customer_found_by_phone(customer: Customer, officer: User) -> None:
    client = client_for(officer)
    found = client.get("/desk/privacy/requests/new/?phone=13800001111").content.decode()
    assert f'value="{customer.pk}"' in found and "李明" not in found  # masked
    url = "/desk/privacy/requests/new/?phone=13800001111"
    refused = browser_post(
        client,
        url,
        {"customer": customer.pk, "kind": "access", "channel": "phone", "identity_verification": ""},
    )
    assert refused.status_code == 200 and not DataSubjectRequest.objects.exists()
    response = browser_post(
        client,
        url,
        {
            "customer": customer.pk,
            "kind": "access",
            "channel": "phone",
            "identity_verification": "回拨预留电话核实",
        },
    )
    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/privacy/requests/{request.number}/"
    assert request.recorded_by == officer and request.identity_verification == "回拨预留电话核实"


def test_an_agent_cannot_record_or_open_a_request(customer: Customer, member: User) -> None:
    request = portal_request(customer)
    client = client_for(member)
    assert client.get("/desk/privacy/requests/new/").status_code == 403
    # Object routes say nothing about the object to someone outside their scope (STYLE §3): 404, also for
    # the customer the request is about (his page is the portal's).
    assert customer.user is not None
    for outsider in (client, client_for(customer.user)):
        assert outsider.get(f"/desk/privacy/requests/{request.number}/").status_code == 404
        assert outsider.get(f"/desk/privacy/requests/{request.number}/export/").status_code == 404


def test_the_officer_takes_and_completes_an_access_request_on_its_page(
    customer: Customer, officer: User
) -> None:
    request = portal_request(customer)
    client = client_for(officer)
    url = f"/desk/privacy/requests/{request.number}/"
    assert client.get("/desk/privacy/requests/PR-1999-000001/").status_code == 404
    assert browser_post(client, url, {"step": "take"}).status_code == 302
    assert browser_post(client, url, {"step": "complete", "outcome": "已导出"}).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.COMPLETED and request.export_file
    page = client.get(url).content.decode()
    assert f"{url}export/" in page
    download = client.get(f"{url}export/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_refusal_without_a_reason_is_shown_on_its_form(customer: Customer, officer: User) -> None:
    request = portal_request(customer)
    url = f"/desk/privacy/requests/{request.number}/"
    response = browser_post(client_for(officer), url, {"step": "refuse", "reason": ""})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_a_correction_is_made_on_the_requests_page(customer: Customer, officer: User) -> None:
    request = portal_request(customer, "correction")
    client = client_for(officer)
    url = f"/desk/privacy/requests/{request.number}/"
    browser_post(client, url, {"step": "take"})
    response = browser_post(client, url, {"step": "correct", "email": "li.ming@example.com"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email == "li.ming@example.com"


def test_the_personal_data_log_lists_views_reveals_and_exports_for_its_readers(
    customer: Customer, officer: User, member: User, administrator: User
) -> None:
    request = _completed_access(customer, officer)
    personal_data_reveal(user=officer, obj=customer, field="phone", reason="核实身份")
    assert customer.user is not None
    client_for(customer.user).get(f"/portal/privacy/requests/{request.number}/export/")
    assert client_for(member).get("/desk/privacy/log/").status_code == 403
    page = client_for(officer).get("/desk/privacy/log/").content.decode()
    assert "核实身份" in page and "下载" in page
    only_customer = client_for(officer).get(f"/desk/privacy/log/?actor={customer.user.pk}").content.decode()
    assert "核实身份" not in only_customer


def test_staff_find_a_customer_only_when_phone_and_e_mail_name_the_same_one(
    customer: Customer, officer: User
) -> None:
    from tests.accounts.factories import CustomerFactory

    other = CustomerFactory.create(phone="13900002222", email="other@example.com")
    client = client_for(officer)
    both = client.get(f"/desk/privacy/requests/new/?phone=13800001111&email={other.email}").content.decode()
    own = client.get(f"/desk/privacy/requests/new/?phone=13900002222&email={other.email}").content.decode()

    assert f'value="{customer.pk}"' not in both and f'value="{other.pk}"' not in both
    assert f'value="{other.pk}"' in own
