"""The API of data-subject requests at /api/v1/privacy-requests/: privacy staff handle every request, a
customer's token sees and makes his own, nobody else sees any; errors as {"code", "detail"}."""

from typing import Any

import pytest

from charter.accounts.models import Customer, User
from charter.audit.models import AuditEvent
from charter.privacy.models import DataSubjectRequest
from tests.conftest import api_client_for
from tests.privacy.requests_fixtures import portal_request

pytestmark = pytest.mark.django_db
URL = "/api/v1/privacy-requests/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def test_privacy_staff_list_every_request_a_customer_his_own_an_agent_none(
    customer: Customer, other_customer: Customer, officer: User, member: User
) -> None:
    mine = portal_request(customer)
    theirs = portal_request(other_customer, "erasure")
    assert customer.user is not None
    numbers = {row["number"] for row in api_client_for(officer).get(URL).json()["results"]}
    assert numbers == {mine.number, theirs.number}
    own = api_client_for(customer.user).get(URL).json()["results"]
    assert [row["number"] for row in own] == [mine.number]
    assert api_client_for(member).get(URL).json()["results"] == []
    assert api_client_for(customer.user).get(f"{URL}{theirs.number}/").status_code == 404
    assert api_client_for(member).get(f"{URL}{mine.number}/").json()["code"] == "not_found"
    only_erasure = api_client_for(officer).get(URL, {"kind": "erasure"}).json()["results"]
    assert [row["number"] for row in only_erasure] == [theirs.number]
    assert api_client_for(officer).get(URL, {"status": "nonsense"}).status_code == 400


def test_a_customer_makes_his_own_request_whatever_customer_he_names(
    customer: Customer, other_customer: Customer
) -> None:
    assert customer.user is not None
    response = api_client_for(customer.user).post(
        URL, {"kind": "access", "details": "全部资料", "customer": other_customer.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["channel"] == "portal" and body["customer"] == customer.pk and body["number"].startswith("PR-")
    )
    assert DataSubjectRequest.objects.get().customer == customer


def test_staff_record_a_request_with_the_identity_check(customer: Customer, officer: User) -> None:
    client = api_client_for(officer)
    missing = client.post(URL, {"kind": "access", "channel": "phone"}, format="json")
    assert missing.status_code == 400
    no_identity = client.post(
        URL, {"kind": "access", "channel": "phone", "customer": customer.pk}, format="json"
    )
    assert no_identity.status_code == 400 and "identity_verification" in str(no_identity.json())
    created = client.post(
        URL,
        {
            "kind": "correction",
            "channel": "letter",
            "customer": customer.pk,
            "identity_verification": "身份证复印件",
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["channel"] == "letter"


def test_an_agent_cannot_record_a_request(customer: Customer, member: User) -> None:
    response = api_client_for(member).post(
        URL, {"kind": "access", "customer": customer.pk, "identity_verification": "x"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "privacy_request_denied"


def test_the_officer_takes_completes_and_the_customer_downloads(
    customer: Customer, other_customer: Customer, officer: User
) -> None:
    request = portal_request(customer)
    client = api_client_for(officer)
    early = client.post(f"{URL}{request.number}/complete/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "privacy_request_not_taken"
    taken = client.post(f"{URL}{request.number}/take/")
    assert taken.status_code == 200 and taken.json()["status"] == "in_progress"
    done = client.post(f"{URL}{request.number}/complete/", {"outcome": "已导出"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["export_url"].endswith(f"{URL}{request.number}/export/")
    again = client.post(f"{URL}{request.number}/refuse/", {"reason": "迟了"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "privacy_request_closed"
    assert customer.user is not None and other_customer.user is not None
    download = api_client_for(customer.user).get(f"{URL}{request.number}/export/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api_client_for(other_customer.user).get(f"{URL}{request.number}/export/").status_code == 404
    assert AuditEvent.objects.filter(action="privacy.export_download").count() == 1


def test_a_customer_cannot_answer_his_own_request(customer: Customer) -> None:
    request = portal_request(customer)
    assert customer.user is not None
    response = api_client_for(customer.user).post(f"{URL}{request.number}/take/")
    assert response.status_code == 403 and response.json()["code"] == "privacy_request_denied"


def test_a_refusal_needs_a_reason(customer: Customer, officer: User) -> None:
    request = portal_request(customer)
    response = api_client_for(officer).post(f"{URL}{request.number}/refuse/", {}, format="json")
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.RECEIVED
