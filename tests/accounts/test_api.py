import pytest
from rest_framework.test import APIClient

from charter.accounts.models import Customer, User
from charter.audit.models import AuditEvent
from tests.accounts.factories import CustomerFactory
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_valid_credentials_and_authenticates(member: User) -> None:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    me = client.get("/api/v1/me/")

    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["roles"] == ["agent"]


def test_bad_credentials_answer_400_with_a_code_in_the_callers_language(member: User) -> None:
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token/", {"username": "alice", "password": "x"}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "account_signin_failed"
    assert "password" in body["detail"]


def test_anonymous_caller_gets_401_json_for_me() -> None:
    response = APIClient().get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "身份认证" in response.json()["detail"]


def test_unknown_api_path_answers_json_404() -> None:
    response = APIClient().get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_me_patch_changes_language(member: User) -> None:
    response = api_client_for(member).patch("/api/v1/me/", {"language": "en"}, format="json")

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.language == "en"


def test_customers_are_listed_masked_to_staff(member: User) -> None:
    CustomerFactory.create(
        name="张三丰", phone="13812345678", email="zs@example.com", id_number="110101199003071234"
    )

    response = api_client_for(member).get("/api/v1/customers/")

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["name"] == "张**"
    assert row["phone"] == "138****5678"
    assert row["id_number"] == "110***********1234"
    assert "13812345678" not in response.content.decode()


def test_customers_are_not_listed_to_customers_or_anonymous(customer_user: User) -> None:
    CustomerFactory.create()

    assert api_client_for(customer_user).get("/api/v1/customers/").status_code == 403
    assert APIClient().get("/api/v1/customers/").status_code == 401


def test_agent_creates_a_customer_and_bad_input_writes_nothing(member: User) -> None:
    client = api_client_for(member)

    bad = client.post("/api/v1/customers/", {"name": "", "phone": "abc", "email": "nope"}, format="json")
    good = client.post("/api/v1/customers/", {"name": "王五", "phone": "13600001111"}, format="json")

    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"name", "phone", "email"}
    assert good.status_code == 201
    assert good.json()["phone"] == "136****1111"
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.filter(action="accounts.customer_create").count() == 1


def test_reveal_needs_the_permission_and_a_reason(member: User, supervisor: User) -> None:
    customer = CustomerFactory.create(phone="13812345678")
    url = f"/api/v1/customers/{customer.pk}/reveal/"

    denied = api_client_for(member).post(url, {"field": "phone", "reason": "核实"}, format="json")
    no_reason = api_client_for(supervisor).post(url, {"field": "phone", "reason": ""}, format="json")
    allowed = api_client_for(supervisor).post(url, {"field": "phone", "reason": "回电核实"}, format="json")

    assert denied.status_code == 403 and denied.json()["code"] == "privacy_reveal_denied"
    assert no_reason.status_code == 400
    assert allowed.status_code == 200 and allowed.json() == {"field": "phone", "value": "13812345678"}
    assert AuditEvent.objects.filter(action="privacy.reveal").count() == 1


def test_reveal_of_a_missing_customer_is_404(supervisor: User) -> None:
    response = api_client_for(supervisor).post(
        "/api/v1/customers/999999/reveal/", {"field": "phone", "reason": "x"}
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
