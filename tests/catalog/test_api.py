import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.catalog import services
from charter.catalog.errors import ErrorCode
from charter.catalog.models import FeeItem, Service, ServiceCategory, ServiceCommitment, ServiceVersion
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"


def _url(slug: str, tail: str = "") -> str:
    return f"{SERVICES}{slug}/{tail}"


@pytest.fixture
def with_draft(administrator: User, published_service: Service) -> Service:
    services.service_version_draft_create(actor=administrator, service=published_service)
    return published_service


# --- public reads ---------------------------------------------------------------------------------------


def test_anyone_lists_the_services_in_force(api_client: APIClient, published_service: Service) -> None:
    response = api_client.get(SERVICES)

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["slug"] == "water-connection"
    assert item["category"]["slug"] == "water"
    assert item["org_unit"] is None
    version = item["version"]
    assert (version["number"], version["status"], version["name_zh"]) == (1, "published", "用水报装")
    assert version["effective_at"].startswith("2024-01-01T")
    assert [(fee["amount"], fee["is_free"]) for fee in version["fees"]] == [("380.00", False), ("0.00", True)]
    assert [
        (c["metric"], c["target_amount"], c["target_unit"], c["time_basis"]) for c in version["commitments"]
    ] == [
        ("first_response", 4, "hours", "working_time"),
        ("resolution", 2, "working_days", "working_time"),
    ]


def test_list_filters(api_client: APIClient, administrator: User, published_service: Service) -> None:
    assert api_client.get(SERVICES, {"at": "2023-12-31"}).json()["results"] == []
    assert len(api_client.get(SERVICES, {"at": "2024-01-01"}).json()["results"]) == 1
    assert len(api_client.get(SERVICES, {"at": "2024-01-01T09:00:00+08:00"}).json()["results"]) == 1
    assert api_client.get(SERVICES, {"category": "nope"}).json()["results"] == []
    assert len(api_client.get(SERVICES, {"category": "water"}).json()["results"]) == 1
    assert len(api_client.get(SERVICES, {"q": "用水"}).json()["results"]) == 1
    assert api_client.get(SERVICES, {"q": "电"}).json()["results"] == []


def test_a_bad_at_is_a_400(api_client: APIClient, published_service: Service) -> None:
    response = api_client.get(SERVICES, {"at": "yesterday"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["at"][0]["code"] == "invalid"


def test_retrieve_by_slug_with_at(
    api_client: APIClient, administrator: User, published_service: Service
) -> None:
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)
    services.service_version_draft_update(
        actor=administrator, version=v2, content=services.VersionContent(name_zh="新名称")
    )
    services.service_version_publish(
        actor=administrator, version=v2, effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )

    now = api_client.get(_url("water-connection")).json()
    then = api_client.get(_url("water-connection"), {"at": "2024-06-01"}).json()

    assert (now["version"]["number"], now["version"]["name_zh"]) == (2, "新名称")
    assert (then["version"]["number"], then["version"]["name_zh"], then["version"]["status"]) == (
        1,
        "用水报装",
        "superseded",
    )
    assert api_client.get(_url("water-connection"), {"at": "2023-01-01"}).status_code == 404


def test_drafts_and_inactive_services_are_404_for_everyone_reading(
    api_client: APIClient, administrator: User, draft_service: Service
) -> None:
    response = api_client.get(_url("water-connection"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api_client.get(SERVICES).json()["results"] == []
    assert api_client.get(_url("water-connection", "versions/")).json() == []
    assert api_client.get(_url("nope")).status_code == 404


def test_inactive_service_is_404(
    api_client: APIClient, administrator: User, published_service: Service
) -> None:
    services.service_update(
        actor=administrator,
        service=published_service,
        settings=services.ServiceSettings(category=published_service.category, is_active=False),
    )

    assert api_client.get(_url("water-connection")).status_code == 404
    assert api_client.get(_url("water-connection", "versions/")).status_code == 404


def test_versions_lists_published_history_without_drafts(api_client: APIClient, with_draft: Service) -> None:
    response = api_client.get(_url("water-connection", "versions/"))

    assert response.status_code == 200
    assert [v["number"] for v in response.json()] == [1]


def test_categories_are_public(api_client: APIClient, category: ServiceCategory) -> None:
    response = api_client.get("/api/v1/service-categories/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": category.pk,
            "slug": "water",
            "name": "供水",
            "name_zh": "供水",
            "name_en": "Water",
            "description_zh": "",
            "description_en": "",
            "ordering": 1,
        }
    ]
    assert api_client.get("/api/v1/service-categories/water/").json()["name_en"] == "Water"


# --- writes: who may ------------------------------------------------------------------------------------


WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("post", SERVICES, {"slug": "x", "category": "water", "name_zh": "某"}),
    ("patch", _url("water-connection"), {"ordering": 3}),
    ("post", _url("water-connection", "draft/"), {}),
    ("patch", _url("water-connection", "draft/"), {"name_zh": "改"}),
    ("delete", _url("water-connection", "draft/"), {}),
    ("post", _url("water-connection", "draft/fees/"), {"name_zh": "费", "amount": "1.00"}),
    ("post", _url("water-connection", "publish/"), {"effective_at": "2030-01-01T00:00:00Z"}),
    ("post", "/api/v1/service-categories/", {"slug": "y", "name_zh": "类"}),
    ("patch", "/api/v1/service-categories/water/", {"name_zh": "类"}),
]


@pytest.mark.parametrize(("method", "url", "data"), WRITES)
def test_staff_who_may_not_edit_get_403(
    with_draft: Service, member: User, customer_user: User, method: str, url: str, data: dict[str, Any]
) -> None:
    events_before = AuditEvent.objects.count()

    for user in (member, customer_user):
        response = getattr(api_client_for(user), method)(url, data, format="json")
        assert response.status_code == 403, (user, response.content)
        assert response.json()["code"] == ErrorCode.EDIT_DENIED  # the code the service refuses with
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(("method", "url", "data"), WRITES)
def test_anonymous_writes_are_refused(
    api_client: APIClient, with_draft: Service, method: str, url: str, data: dict[str, Any]
) -> None:
    response = getattr(api_client, method)(url, data, format="json")

    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_staff_read_the_draft_the_public_does_not(
    api_client: APIClient, with_draft: Service, member: User, customer_user: User
) -> None:
    assert api_client_for(member).get(_url("water-connection", "draft/")).json()["number"] == 2
    assert api_client_for(customer_user).get(_url("water-connection", "draft/")).status_code == 403
    assert api_client.get(_url("water-connection", "draft/")).status_code in (401, 403)


# --- writes: what they do -------------------------------------------------------------------------------


def test_administrator_builds_and_publishes_a_service(administrator: User, category: ServiceCategory) -> None:
    client = api_client_for(administrator)

    created = client.post(
        SERVICES,
        {"slug": "bill-inquiry", "category": "water", "name_zh": "账单查询", "summary_zh": "查账单"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["version_in_force"] is None
    assert created.json()["draft"]["number"] == 1

    content = client.patch(
        _url("bill-inquiry", "draft/"),
        {"channels": ["web", "phone"], "name_en": "Bill inquiry"},
        format="json",
    )
    assert content.status_code == 200, content.content
    assert content.json()["channels"] == ["web", "phone"]

    fee = client.post(
        _url("bill-inquiry", "draft/fees/"),
        {"name_zh": "工本费", "amount": "12.50", "unit_zh": "每次"},
        format="json",
    )
    assert fee.status_code == 201, fee.content
    assert fee.json()["amount"] == "12.50"
    fee_id = fee.json()["id"]
    changed = client.patch(_url("bill-inquiry", f"draft/fees/{fee_id}/"), {"amount": "10"}, format="json")
    assert changed.json()["amount"] == "10.00" and changed.json()["unit_zh"] == "每次"
    free = client.post(
        _url("bill-inquiry", "draft/fees/"), {"name_zh": "查询", "is_free": True}, format="json"
    )
    assert free.status_code == 201 and free.json()["amount"] == "0.00"
    assert client.delete(_url("bill-inquiry", f"draft/fees/{free.json()['id']}/")).status_code == 204

    commitment = client.post(
        _url("bill-inquiry", "draft/commitments/"),
        {
            "metric": "first_response",
            "target_amount": 2,
            "target_unit": "hours",
            "time_basis": "working_time",
            "wording_zh": "2 个工作小时内答复",
        },
        format="json",
    )
    assert commitment.status_code == 201, commitment.content
    item_id = commitment.json()["id"]
    patched = client.patch(
        _url("bill-inquiry", f"draft/commitments/{item_id}/"), {"target_amount": 3}, format="json"
    )
    assert patched.json()["target_amount"] == 3 and patched.json()["wording_zh"] == "2 个工作小时内答复"

    published = client.post(
        _url("bill-inquiry", "publish/"), {"effective_at": "2024-01-01T00:00:00+08:00"}, format="json"
    )
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"

    public = APIClient().get(_url("bill-inquiry")).json()
    assert public["version"]["fees"][0]["amount"] == "10.00"
    assert public["version"]["commitments"][0]["target_amount"] == 3
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"catalog.service_create", "catalog.fee_item_update", "catalog.service_version_publish"} <= actions


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (12.5, "invalid_amount"),
        (0.1, "invalid_amount"),
        ("-1.00", "invalid_amount"),
        ("1.234", "invalid_amount"),
        ("99999999999", "invalid_amount"),
        ("abc", "invalid_amount"),
        (True, "invalid_amount"),
    ],
)
def test_fee_amounts_are_validated(administrator: User, with_draft: Service, amount: Any, code: str) -> None:
    response = api_client_for(administrator).post(
        _url("water-connection", "draft/fees/"), {"name_zh": "费", "amount": amount}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["amount"][0]["code"] == code
    assert FeeItem.objects.filter(name_zh="费").count() == 0


def test_a_json_float_is_refused_even_when_it_looks_exact(administrator: User, with_draft: Service) -> None:
    client = api_client_for(administrator)
    url = _url("water-connection", "draft/fees/")

    as_float = client.post(url, b'{"name_zh": "\\u8d39", "amount": 12.50}', content_type="application/json")
    as_text = client.post(url, b'{"name_zh": "\\u8d39", "amount": "12.50"}', content_type="application/json")

    assert as_float.status_code == 400
    assert as_float.json()["fields"]["amount"][0]["code"] == "invalid_amount"
    assert as_text.status_code == 201
    assert as_text.json()["amount"] == "12.50"


def test_domain_errors_come_out_with_their_code(administrator: User, with_draft: Service) -> None:
    client = api_client_for(administrator)

    paid_free = client.post(
        _url("water-connection", "draft/fees/"),
        {"name_zh": "费", "amount": "5", "is_free": True},
        format="json",
    )
    mismatch = client.post(
        _url("water-connection", "draft/commitments/"),
        {
            "metric": "resolution",
            "target_amount": 2,
            "target_unit": "working_days",
            "time_basis": "calendar_time",
            "wording_zh": "两天",
        },
        format="json",
    )
    second_draft = client.post(_url("water-connection", "draft/"))
    too_early = client.post(
        _url("water-connection", "publish/"), {"effective_at": "2023-01-01T00:00:00Z"}, format="json"
    )

    assert (paid_free.status_code, paid_free.json()["code"]) == (400, "catalog_free_item_has_amount")
    assert paid_free.json()["fields"]["amount"][0]["code"] == "catalog_free_item_has_amount"
    assert (mismatch.status_code, mismatch.json()["code"]) == (400, "catalog_time_basis_mismatch")
    assert (second_draft.status_code, second_draft.json()["code"]) == (400, "catalog_draft_exists")
    assert (too_early.status_code, too_early.json()["code"]) == (400, "catalog_effective_at_too_early")


def test_errors_speak_the_callers_language(administrator: User, with_draft: Service) -> None:
    url = _url("water-connection", "draft/")

    chinese = api_client_for(administrator, "zh-hans").post(url)
    english = api_client_for(administrator, "en").post(url)

    assert english.json()["detail"] == "This service already has a draft; edit it or discard it first."
    assert chinese.json()["detail"] == "该服务已有草稿，请先编辑或放弃它。"


def test_published_versions_cannot_be_edited_through_the_api(
    administrator: User, published_service: Service
) -> None:
    client = api_client_for(administrator)
    fee = FeeItem.objects.filter(version__service=published_service).first()
    assert fee is not None

    assert (
        client.patch(_url("water-connection", "draft/"), {"name_zh": "改"}, format="json").status_code == 404
    )
    assert (
        client.patch(
            _url("water-connection", f"draft/fees/{fee.pk}/"), {"amount": "1"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            _url("water-connection", "publish/"), {"effective_at": "2030-01-01T00:00Z"}, format="json"
        ).status_code
        == 404
    )
    assert ServiceVersion.objects.get().name_zh == "用水报装"


def test_fee_of_another_draft_is_404(
    administrator: User, with_draft: Service, category: ServiceCategory
) -> None:
    other = services.service_create(actor=administrator, slug="other", category=category, name_zh="其他")
    fee = services.fee_item_add(
        actor=administrator,
        version=other.versions.get(),
        content=services.FeeContent(name_zh="费", amount="1"),
    )
    client = api_client_for(administrator)

    response = client.delete(_url("water-connection", f"draft/fees/{fee.pk}/"))

    assert response.status_code == 404
    assert FeeItem.objects.filter(pk=fee.pk).exists()


def test_discard_and_settings(administrator: User, with_draft: Service) -> None:
    client = api_client_for(administrator)

    assert client.delete(_url("water-connection", "draft/")).status_code == 204
    settings = client.patch(_url("water-connection"), {"ordering": 9, "is_active": False}, format="json")

    assert settings.status_code == 200, settings.content
    assert settings.json()["ordering"] == 9 and settings.json()["is_active"] is False
    assert settings.json()["draft"] is None
    assert settings.json()["version_in_force"]["number"] == 1
    assert not ServiceCommitment.objects.filter(version__number=2).exists()


def test_categories_write(administrator: User, category: ServiceCategory) -> None:
    client = api_client_for(administrator)

    created = client.post(
        "/api/v1/service-categories/", {"slug": "billing", "name_zh": "账单"}, format="json"
    )
    renamed = client.patch("/api/v1/service-categories/water/", {"name_en": "Water supply"}, format="json")
    clash = client.post("/api/v1/service-categories/", {"slug": "billing", "name_zh": "又"}, format="json")

    assert created.status_code == 201
    assert renamed.json()["name_en"] == "Water supply" and renamed.json()["name_zh"] == "供水"
    assert (clash.status_code, clash.json()["code"]) == (400, "catalog_duplicate_slug")


def test_the_schema_still_builds(api_client: APIClient) -> None:
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/services/{slug}/draft/fees/{fee_id}/" in response.content
