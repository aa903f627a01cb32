"""Idempotency keys on the API's creating POSTs: the same key and request replay the first answer, the same
key with another request is refused, a refusal is not kept, two racing first uses make one thing, and keys
are forgotten after a day."""

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case, CaseMessage
from charter.common.idempotency import REPLAYED_FIELDS, idempotency_keys_purge
from charter.common.models import IdempotencyKey
from charter.common.tasks import idempotency_keys_purge_task
from tests.cases.conftest import customer, new_case, routed_team  # noqa: F401 (fixtures)
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
BODY = {"name": "王小明", "phone": "13800138000"}


def _post(client: APIClient, body: dict[str, Any], key: str | None = "order-7f3a") -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(CUSTOMERS, body, format="json", **headers)


def test_the_same_key_and_request_replay_the_first_answer_and_create_once(member: User) -> None:
    client = api_client_for(member)

    first = _post(client, BODY)
    again = _post(client, BODY)

    assert first.status_code == again.status_code == 201
    # The replay names the customer made, nothing more: the client GETs him for the rest.
    assert again.json() == {"id": first.json()["id"]}
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1


def test_the_same_key_with_another_request_answers_422(member: User) -> None:
    client = api_client_for(member)
    _post(client, BODY)

    reused = _post(client, {**BODY, "name": "李四"})

    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


def test_the_key_is_bound_to_the_endpoint_too(
    member: User,
    routed_team: Team,  # noqa: F811
    customer: Customer,  # noqa: F811
) -> None:
    client = api_client_for(member)
    _post(client, BODY)
    case = new_case(None, customer)

    other = client.post(
        f"/api/v1/cases/{case.pk}/messages/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-7f3a"
    )

    assert other.status_code == 422


def test_without_a_key_each_request_creates(member: User) -> None:
    client = api_client_for(member)

    _post(client, BODY, key=None)
    _post(client, BODY, key=None)

    assert Customer.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_keys_belong_to_their_user(member: User, teammate: User) -> None:
    _post(api_client_for(member), BODY)

    theirs = _post(api_client_for(teammate), BODY)

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Customer.objects.count() == 2


def test_a_refused_request_is_not_kept_so_the_corrected_one_may_use_the_key(member: User) -> None:
    client = api_client_for(member)

    refused = _post(client, {"phone": "13800138000"})
    corrected = _post(client, BODY)

    assert refused.status_code == 400
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "键"])
def test_a_malformed_key_answers_400(member: User, key: str) -> None:
    # A header travels as Latin-1 bytes: "键" arrives as three non-ASCII characters.
    header = key.encode().decode("latin-1")
    response = api_client_for(member).post(CUSTOMERS, BODY, format="json", HTTP_IDEMPOTENCY_KEY=header)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Customer.objects.exists()


def test_a_message_on_a_case_is_written_once(
    member: User,
    routed_team: Team,  # noqa: F811
    customer: Customer,  # noqa: F811
) -> None:
    case = new_case(None, customer)
    client = api_client_for(member)
    url = f"/api/v1/cases/{case.pk}/messages/"

    first = client.post(url, {"body": "您好，已收到。"}, format="json", HTTP_IDEMPOTENCY_KEY="reply-1")
    again = client.post(url, {"body": "您好，已收到。"}, format="json", HTTP_IDEMPOTENCY_KEY="reply-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert CaseMessage.objects.filter(case=case, body="您好，已收到。").count() == 1


def test_a_customer_creating_his_case_twice_gets_one_case(
    customer_user: User,
    customer: Customer,  # noqa: F811
    routed_team: Team,  # noqa: F811
) -> None:
    client = api_client_for(customer_user)
    body = {"kind": "inquiry", "title": "水费账单疑问", "description": "本月水费比上月高出很多。"}

    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="case-1")
    again = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="case-1")

    assert first.status_code == 201, first.json()
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_the_stored_answer_holds_the_identifiers_and_no_personal_data(
    customer_user: User,
    customer: Customer,  # noqa: F811
    routed_team: Team,  # noqa: F811
) -> None:
    customer.name = "MARKER-NAME-欧阳娜娜"
    customer.save()
    client = api_client_for(customer_user)
    body = {
        "kind": "inquiry",
        "title": "MARKER-TITLE 水费",
        "description": "MARKER-DESCRIPTION 本月水费偏高。",
    }

    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="case-pd")
    again = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="case-pd")

    assert first.status_code == again.status_code == 201, first.json()
    assert "MARKER-TITLE" in str(first.json())
    assert again["Idempotent-Replayed"] == "true"
    replayed = again.json()
    assert replayed["id"] == first.json()["id"] and replayed["number"] == first.json()["number"]
    assert set(replayed) <= set(REPLAYED_FIELDS)
    row = IdempotencyKey.objects.values().get(key="case-pd")
    stored = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
    for marker in ("MARKER", "欧阳娜娜", "水费", customer.phone or "13800138000"):
        assert marker not in stored
    assert row["status"] == 201 and row["response_body"] == replayed


def test_keys_older_than_a_day_are_purged(member: User) -> None:
    _post(api_client_for(member), BODY)
    _post(api_client_for(member), BODY, key="later")
    IdempotencyKey.objects.filter(key="order-7f3a").update(created_at=timezone.now() - timedelta(hours=25))

    assert idempotency_keys_purge() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["later"]
    # Once forgotten, the key is new again.
    assert _post(api_client_for(member), BODY).status_code == 201
    assert Customer.objects.count() == 3


def test_keys_are_purged_every_hour() -> None:
    # Kept "a day" means gone within the hour after it: the purge runs at every hour's 40th minute.
    for hour in range(24):
        at = datetime(2026, 3, 1, hour, 40, tzinfo=UTC)
        assert idempotency_keys_purge_task.s().validate_datetime(at)  # type: ignore[attr-defined]


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_first_uses_of_a_key_create_once(member: User) -> None:
    barrier = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def send(index: int) -> None:
        try:
            barrier.wait()
            answers[index] = _post(api_client_for(member), BODY, key="race")
        except Exception as error:  # the test inspects it
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [getattr(answer, "status_code", answer) for answer in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert sorted(answer.has_header("Idempotent-Replayed") for answer in answers) == [False, True]
    assert Customer.objects.count() == 1
