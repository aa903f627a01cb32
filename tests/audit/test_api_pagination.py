"""The audit events API: unknown parameters refused with the known ones, cursor pagination by sequence."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.audit.services import audit_record
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/audit-events/"


@pytest.fixture
def events(administrator: User) -> list[int]:
    for number in range(7):
        audit_record(actor=administrator, action="case.created", target=administrator, data={"n": number})
    return list(AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True))


def test_a_typo_in_a_filter_answers_400_listing_the_known_parameters(
    events: list[int], administrator: User
) -> None:
    response = api_client_for(administrator, "en").get(BASE, {"acton": "case."})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_parameter"
    assert body["unknown"] == ["acton"]
    assert body["known"] == ["action", "cursor", "format", "limit", "offset", "target_id", "target_type"]
    assert "acton" in body["detail"] and "target_type" in body["detail"]


def test_the_refusal_speaks_the_callers_language(events: list[int], administrator: User) -> None:
    body = api_client_for(administrator, "zh-hans").get(BASE, {"acton": "x"}).json()

    assert body["code"] == "unknown_parameter"
    assert body["detail"].startswith("未知的查询参数：acton")


def test_every_documented_filter_is_accepted(events: list[int], administrator: User) -> None:
    client = api_client_for(administrator)

    response = client.get(BASE, {"action": "case.", "target_type": "user", "target_id": "1", "limit": "2"})

    assert response.status_code == 200


def test_cursor_pages_walk_the_chain_newest_first_without_repeats(
    events: list[int], administrator: User
) -> None:
    client = api_client_for(administrator)
    seen: list[int] = []
    response = client.get(BASE, {"cursor": "", "limit": "3"})
    pages = 0
    while True:
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        assert "count" not in body
        seen += [row["sequence"] for row in body["results"]]
        pages += 1
        if not body["next"]:
            break
        response = client.get(body["next"])

    assert seen == events
    assert pages == (len(events) + 2) // 3


def test_offset_pages_keep_their_count(events: list[int], administrator: User) -> None:
    body = api_client_for(administrator).get(BASE, {"limit": "2", "offset": "2"}).json()

    assert body["count"] == len(events)
    assert [row["sequence"] for row in body["results"]] == events[2:4]


def test_a_page_is_never_larger_than_200(administrator: User, events: list[int]) -> None:
    for number in range(205):
        audit_record(actor=administrator, action="case.created", target=administrator, data={"n": number})
    client = api_client_for(administrator)

    assert len(client.get(BASE, {"cursor": "", "limit": "1000"}).json()["results"]) == 200
    assert len(client.get(BASE, {"limit": "1000"}).json()["results"]) == 200


def test_a_garbled_cursor_is_bad_input(events: list[int], administrator: User) -> None:
    response = api_client_for(administrator).get(BASE, {"cursor": "%%%not-base64"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "cursor" in response.json()["fields"]


def test_a_detail_read_is_not_a_list_and_is_not_checked(events: list[int], administrator: User) -> None:
    assert api_client_for(administrator).get(f"{BASE}{events[0]}/", {"anything": "1"}).status_code == 200
