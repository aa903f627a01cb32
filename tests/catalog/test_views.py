import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse

from charter.accounts.models import OrgUnit, User
from charter.audit.models import AuditEvent
from charter.catalog import services
from charter.catalog.demo import demo_load
from charter.catalog.models import FeeItem, Service, ServiceCategory, ServiceCommitment, ServiceVersion
from tests.catalog.conftest import fill_and_publish
from tests.conftest import client_for

if TYPE_CHECKING:
    from tests.conftest import TestResponse

pytestmark = pytest.mark.django_db

DETAIL = "/services/water-connection/"


def _text(response: "TestResponse") -> str:
    return response.content.decode()


def _english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- the public charter ---------------------------------------------------------------------------------


def test_home_shows_the_organisation_promises_and_services(
    anonymous: Client, organisation: OrgUnit, published_service: Service
) -> None:
    response = anonymous.get(reverse("catalog:home"))

    assert response.status_code == 200
    page = _text(response)
    assert "示范公用事业公司" in page
    assert reverse("standards:public_promises") in page
    assert "供水" in page and "用水报装" in page and "接通自来水。" in page
    assert f'href="{DETAIL}"' in page
    assert "服务承诺" in page or "我们的承诺" in page


def test_home_in_english(english: Client, organisation: OrgUnit, published_service: Service) -> None:
    page = _text(english.get("/"))

    assert "Demo Utilities: service charter" in page
    assert "Water connection" in page and "Connect to the mains." in page
    assert "用水报装" not in page


def test_home_falls_back_to_the_setting(anonymous: Client, settings: Any, published_service: Service) -> None:
    settings.CHARTER_ORGANISATION_NAME = "设置里的公司"

    assert "设置里的公司" in _text(anonymous.get("/"))


def test_service_list_filters(anonymous: Client, administrator: User, published_service: Service) -> None:
    billing = services.service_category_create(
        actor=administrator, slug="billing", content=services.CategoryContent(name_zh="账单", name_en="Bills")
    )
    bill = services.service_create(
        actor=administrator, slug="bill-inquiry", category=billing, name_zh="账单查询", summary_zh="查账单"
    )
    fill_and_publish(administrator, bill.versions.get())

    everything = _text(anonymous.get(reverse("catalog:service_list")))
    water = _text(anonymous.get(reverse("catalog:service_list"), {"category": "water"}))
    keyword = _text(anonymous.get(reverse("catalog:service_list"), {"q": "账单"}))
    nothing = _text(anonymous.get(reverse("catalog:service_list"), {"q": "不存在"}))

    assert "用水报装" in everything and "账单查询" in everything
    assert "用水报装" in water and "账单查询" not in water
    assert "账单查询" in keyword and "用水报装" not in keyword
    assert "没有符合条件的服务" in nothing


def test_detail_shows_fees_and_commitments(
    anonymous: Client, english: Client, published_service: Service
) -> None:
    chinese = _text(anonymous.get(DETAIL))
    in_english = _text(english.get(DETAIL))

    assert "¥380.00" in chinese and "免费" in chinese
    assert "受理后 2 个工作日内答复" in chinese
    assert "2 个工作日" in chinese and "4 小时（工作时间）" in chinese
    assert "申请" in chinese and "<ol>" in chinese
    assert "¥380.00" in in_english and "Free" in in_english
    assert "Answer within 2 working days" in in_english
    assert "2 working days" in in_english and "4 hours (working time)" in in_english
    assert "Online" in in_english and "Phone" in in_english
    assert reverse("catalog:service_history", args=["water-connection"]) in in_english


def test_history_keeps_the_past_readable(
    anonymous: Client, english: Client, administrator: User, published_service: Service
) -> None:
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)
    fee = v2.fees.get(is_free=False)
    services.fee_item_update(
        actor=administrator, fee=fee, content=services.FeeContent(name_zh=fee.name_zh, amount="300.00")
    )
    services.service_version_publish(
        actor=administrator,
        version=v2,
        effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        change_note_zh="降价",
        change_note_en="Cheaper",
    )

    current = _text(anonymous.get(DETAIL))
    past = _text(english.get(DETAIL, {"version": 1}))
    history = _text(english.get(reverse("catalog:service_history", args=["water-connection"])))

    assert "¥300.00" in current and "¥380.00" not in current
    assert "¥380.00" in past and "¥300.00" not in past
    assert "it is no longer in force" in past
    assert "Version 1" in history and "Version 2" in history and "Cheaper" in history
    assert "In force" in history and "No longer in force" in history


def test_a_scheduled_version_is_announced(
    anonymous: Client, administrator: User, published_service: Service
) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)
    services.service_version_draft_update(
        actor=administrator, version=v2, content=services.VersionContent(name_zh="用水报装（新版）")
    )
    services.service_version_publish(actor=administrator, version=v2, effective_at=future)

    current = _text(anonymous.get(DETAIL))
    upcoming = _text(anonymous.get(DETAIL, {"version": 2}))

    assert "用水报装（新版）" not in current
    assert "?version=2" in current
    assert "用水报装（新版）" in upcoming


@pytest.mark.parametrize(
    "query", [{"version": "2"}, {"version": "x"}, {"version": "99"}, {"version": "²"}, {"version": "9" * 30}]
)
def test_drafts_and_unknown_versions_are_404(
    anonymous: Client, administrator: User, published_service: Service, query: dict[str, str]
) -> None:
    services.service_version_draft_create(actor=administrator, service=published_service)

    assert anonymous.get(DETAIL, query).status_code == 404


def test_unpublished_and_inactive_services_are_404(
    anonymous: Client, administrator: User, draft_service: Service
) -> None:
    assert anonymous.get(DETAIL).status_code == 404
    assert anonymous.get(DETAIL, {"version": "1"}).status_code == 404
    assert anonymous.get(reverse("catalog:service_history", args=["water-connection"])).status_code == 404
    assert "用水报装" not in _text(anonymous.get("/"))
    assert anonymous.get("/services/nope/").status_code == 404


def test_everything_is_escaped(anonymous: Client, administrator: User, category: ServiceCategory) -> None:
    evil = "<script>alert(1)</script>"
    service = services.service_create(
        actor=administrator, slug="evil", category=category, name_zh=evil, summary_zh=evil
    )
    draft = service.versions.get()
    services.service_version_draft_update(
        actor=administrator,
        version=draft,
        content=services.VersionContent(
            channels=["web"], steps_zh=evil, description_zh=evil, eligibility_zh=evil
        ),
    )
    services.fee_item_add(
        actor=administrator,
        version=draft,
        content=services.FeeContent(name_zh=evil, amount="1", conditions_zh=evil),
    )
    services.service_version_publish(
        actor=administrator, version=draft, effective_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )

    for url in ("/", "/services/", "/services/evil/", "/services/evil/history/", "/services/?q=%3Cscript"):
        page = _text(anonymous.get(url))
        assert "<script>alert" not in page, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _text(anonymous.get("/services/evil/"))


def test_public_pages_are_fast(
    anonymous: Client, administrator: User, organisation: OrgUnit, django_assert_max_num_queries: Any
) -> None:
    demo_load(actor=administrator)
    assert Service.objects.count() >= 8

    with django_assert_max_num_queries(3):
        home = anonymous.get("/")
    with django_assert_max_num_queries(4):
        listing = anonymous.get("/services/", {"category": "billing", "q": "发票"})
    with django_assert_max_num_queries(6):
        detail = anonymous.get("/services/water-connection/")
    with django_assert_max_num_queries(6):
        past = anonymous.get("/services/water-connection/", {"version": "1"})
    with django_assert_max_num_queries(3):
        history = anonymous.get("/services/water-connection/history/")

    assert all(r.status_code == 200 for r in (home, listing, detail, past, history))
    assert _text(home).count('class="card"') >= 8
    assert "发票补开" in _text(listing)


def test_pages_have_no_inline_scripts_or_styles(
    anonymous: Client, administrator: User, published_service: Service
) -> None:
    for url in ("/", "/services/", DETAIL, DETAIL + "history/"):
        page = _text(anonymous.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page and "<style" not in page, url


# --- the desk -------------------------------------------------------------------------------------------

DESK = "/desk/services/"


def test_desk_needs_sign_in(anonymous: Client, published_service: Service) -> None:
    response = anonymous.get(DESK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_customers_get_403_on_the_desk(customer_user: User, published_service: Service) -> None:
    client = client_for(customer_user)

    assert client.get(DESK).status_code == 403
    assert client.get(DESK + "water-connection/").status_code == 403


def test_staff_see_the_desk_but_cannot_edit(
    member: User, administrator: User, published_service: Service
) -> None:
    services.service_version_draft_create(actor=administrator, service=published_service)
    client = client_for(member)

    listing = client.get(DESK)
    detail = client.get(DESK + "water-connection/")
    version = client.get(DESK + "water-connection/versions/2/")

    assert listing.status_code == detail.status_code == version.status_code == 200
    assert "用水报装" in _text(listing)
    assert reverse("catalog:desk_service_create") not in _text(listing)
    forbidden = [
        ("get", DESK + "new/"),
        ("post", DESK + "new/"),
        ("get", DESK + "water-connection/settings/"),
        ("post", DESK + "water-connection/draft/new/"),
        ("get", DESK + "water-connection/draft/"),
        ("post", DESK + "water-connection/draft/"),
        ("get", DESK + "water-connection/draft/publish/"),
        ("post", DESK + "water-connection/draft/publish/"),
        ("post", DESK + "water-connection/draft/discard/"),
        ("get", DESK + "water-connection/draft/fees/new/"),
        ("get", DESK + "water-connection/draft/commitments/new/"),
        ("get", "/desk/service-categories/new/"),
        ("get", "/desk/service-categories/water/"),
    ]
    for method, url in forbidden:
        assert getattr(client, method)(url).status_code == 403, (method, url)
    assert ServiceVersion.objects.get(number=2).status == "draft"


def test_administrator_creates_fills_and_publishes_a_service(
    administrator: User, category: ServiceCategory
) -> None:
    client = client_for(administrator)

    created = client.post(
        DESK + "new/",
        {
            "slug": "bill-inquiry",
            "category": category.pk,
            "ordering": 0,
            "name_zh": "账单查询",
            "summary_zh": "查账单",
        },
    )
    assert created.status_code == 302, _text(created)
    assert created["Location"] == DESK + "bill-inquiry/draft/"
    draft_page = client.get(DESK + "bill-inquiry/draft/")
    assert draft_page.status_code == 200 and "账单查询" in _text(draft_page)

    saved = client.post(
        DESK + "bill-inquiry/draft/",
        {
            "name_zh": "账单查询",
            "summary_zh": "查账单",
            "channels": ["web", "phone"],
            "steps_zh": "登录\n查询",
        },
    )
    assert saved.status_code == 302
    fee = client.post(
        DESK + "bill-inquiry/draft/fees/new/", {"name_zh": "工本费", "amount": "12.50", "ordering": 0}
    )
    assert fee.status_code == 302
    commitment = client.post(
        DESK + "bill-inquiry/draft/commitments/new/",
        {
            "metric": "first_response",
            "target_amount": 2,
            "target_unit": "hours",
            "time_basis": "working_time",
            "wording_zh": "2 个工作小时内答复",
            "ordering": 0,
        },
    )
    assert commitment.status_code == 302, _text(commitment)
    published = client.post(DESK + "bill-inquiry/draft/publish/", {"effective_at": "2024-01-01T09:00"})
    assert published.status_code == 302, _text(published)

    version = ServiceVersion.objects.get(service__slug="bill-inquiry")
    assert version.status == "published"
    assert version.channels == ["web", "phone"]
    assert version.effective_at == dt.datetime(2024, 1, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    assert version.fees.get().amount == 12.5 or str(version.fees.get().amount) == "12.50"
    page = _text(Client().get("/services/bill-inquiry/"))
    assert "¥12.50" in page and "2 个工作小时内答复" in page


def test_desk_edits_fees_and_commitments(administrator: User, published_service: Service) -> None:
    client = client_for(administrator)
    assert client.post(DESK + "water-connection/draft/new/").status_code == 302
    draft = ServiceVersion.objects.get(number=2)
    fee = draft.fees.get(is_free=False)
    item = draft.commitments.get(metric="resolution")

    edit_form = client.get(DESK + f"water-connection/draft/fees/{fee.pk}/")
    assert 'value="380.00"' in _text(edit_form)
    assert (
        client.post(
            DESK + f"water-connection/draft/fees/{fee.pk}/",
            {"name_zh": "接水工程费", "amount": "300", "ordering": 0},
        ).status_code
        == 302
    )
    assert client.post(DESK + f"water-connection/draft/commitments/{item.pk}/delete/").status_code == 302
    free = draft.fees.get(is_free=True)
    assert client.post(DESK + f"water-connection/draft/fees/{free.pk}/delete/").status_code == 302

    assert [str(f.amount) for f in draft.fees.all()] == ["300.00"]
    assert list(draft.commitments.values_list("metric", flat=True)) == ["first_response"]
    v1 = ServiceVersion.objects.get(number=1)
    assert v1.fees.count() == 2 and v1.commitments.count() == 2
    # The published version's rows are not reachable through the draft's addresses.
    old_fee = v1.fees.get(is_free=False)
    assert client.get(DESK + f"water-connection/draft/fees/{old_fee.pk}/").status_code == 404
    assert client.post(DESK + f"water-connection/draft/fees/{old_fee.pk}/delete/").status_code == 404


@pytest.mark.parametrize(
    ("amount", "english_error"),
    [
        ("-5", "An amount cannot be negative."),
        ("1.234", "An amount has at most two decimal places."),
        ("abc", "Enter an amount such as 12.50."),
        ("99999999999", "The amount is too large."),
    ],
)
def test_desk_fee_form_shows_amount_errors(
    administrator: User, draft_service: Service, amount: str, english_error: str
) -> None:
    client = _english(client_for(administrator))

    response = client.post(
        DESK + "water-connection/draft/fees/new/", {"name_zh": "费", "amount": amount, "ordering": 0}
    )

    assert response.status_code == 200
    assert english_error in _text(response)
    assert not FeeItem.objects.exists()


def test_desk_errors_speak_the_users_language(administrator: User, draft_service: Service) -> None:
    client = client_for(administrator)

    missing = client.post(DESK + "water-connection/draft/fees/new/", {"name_zh": "", "ordering": 0})
    free_with_amount = client.post(
        DESK + "water-connection/draft/fees/new/",
        {"name_zh": "费", "amount": "5", "is_free": "on", "ordering": 0},
    )
    mismatch = client.post(
        DESK + "water-connection/draft/commitments/new/",
        {
            "metric": "resolution",
            "target_amount": 2,
            "target_unit": "working_days",
            "time_basis": "calendar_time",
            "wording_zh": "两天",
            "ordering": 0,
        },
    )

    assert "该字段是必填项。" in _text(missing)
    assert "免费项目没有金额" in _text(free_with_amount)
    assert "工作日按工作时间计算" in _text(mismatch)
    assert not FeeItem.objects.exists() and not ServiceCommitment.objects.exists()


def test_publish_form_refuses_a_date_before_the_previous_version(
    administrator: User, published_service: Service
) -> None:
    client = _english(client_for(administrator))
    client.post(DESK + "water-connection/draft/new/")

    response = client.post(DESK + "water-connection/draft/publish/", {"effective_at": "2023-06-01T00:00"})

    assert response.status_code == 200
    assert "The version must take effect after version 1" in _text(response)
    assert ServiceVersion.objects.get(number=2).status == "draft"


def test_second_draft_is_refused_with_a_message(administrator: User, published_service: Service) -> None:
    client = client_for(administrator)
    client.post(DESK + "water-connection/draft/new/")

    response = client.post(DESK + "water-connection/draft/new/", follow=True)

    assert "该服务已有草稿" in _text(response)
    assert published_service.versions.count() == 2


def test_discard_and_settings_on_the_desk(
    administrator: User, published_service: Service, organisation: OrgUnit
) -> None:
    client = client_for(administrator)
    client.post(DESK + "water-connection/draft/new/")

    assert client.post(DESK + "water-connection/draft/discard/").status_code == 302
    settings = client.post(
        DESK + "water-connection/settings/",
        {"category": published_service.category_id, "org_unit": organisation.pk, "ordering": 4},
    )

    assert settings.status_code == 302
    published_service.refresh_from_db()
    assert published_service.versions.count() == 1
    assert (published_service.org_unit, published_service.ordering, published_service.is_active) == (
        organisation,
        4,
        False,
    )
    assert Client().get(DETAIL).status_code == 404


def test_desk_categories(administrator: User, member: User, category: ServiceCategory) -> None:
    client = client_for(administrator)

    created = client.post(
        "/desk/service-categories/new/", {"slug": "billing", "name_zh": "账单", "ordering": 2}
    )
    edited = client.post("/desk/service-categories/water/", {"name_zh": "供水服务", "ordering": 1})
    duplicate = client.post(
        "/desk/service-categories/new/", {"slug": "billing", "name_zh": "又", "ordering": 2}
    )

    assert created.status_code == edited.status_code == 302
    assert ServiceCategory.objects.get(slug="water").name_zh == "供水服务"
    assert duplicate.status_code == 200 and "已被使用" in _text(duplicate)
    assert client_for(member).get("/desk/service-categories/").status_code == 200


def test_desk_pages_escape_content(administrator: User, category: ServiceCategory) -> None:
    evil = "<script>alert(1)</script>"
    services.service_create(actor=administrator, slug="evil", category=category, name_zh=evil)
    client = client_for(administrator)

    for url in (DESK, DESK + "evil/", DESK + "evil/draft/", DESK + "evil/versions/1/"):
        page = _text(client.get(url))
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;" in page, url


def test_desk_list_in_english(administrator: User, published_service: Service) -> None:
    page = _text(_english(client_for(administrator)).get(DESK))

    assert "New service" in page and "Water connection" in page


# --- Django admin ---------------------------------------------------------------------------------------


def test_admin_shows_versions_read_only(administrator: User, published_service: Service) -> None:
    client = client_for(administrator)
    version = published_service.versions.get()

    listing = client.get("/admin/catalog/serviceversion/")
    change = client.get(f"/admin/catalog/serviceversion/{version.pk}/change/")
    post = client.post(f"/admin/catalog/serviceversion/{version.pk}/change/", {"name_zh": "改"})

    assert listing.status_code == change.status_code == 200
    assert 'name="_save"' not in _text(change)
    assert post.status_code == 403
    assert client.get(f"/admin/catalog/serviceversion/{version.pk}/delete/").status_code == 403
    assert ServiceVersion.objects.get().name_zh == "用水报装"


def test_admin_category_changes_go_through_the_services(
    administrator: User, category: ServiceCategory
) -> None:
    client = client_for(administrator)

    added = client.post(
        "/admin/catalog/servicecategory/add/",
        {"slug": "billing", "name_zh": "账单", "name_en": "", "ordering": 2},
    )
    changed = client.post(
        f"/admin/catalog/servicecategory/{category.pk}/change/",
        {"name_zh": "供水服务", "name_en": "", "ordering": 1},
    )

    assert added.status_code == changed.status_code == 302
    assert ServiceCategory.objects.get(slug="billing").name_zh == "账单"
    assert ServiceCategory.objects.get(slug="water").name_zh == "供水服务"
    assert AuditEvent.objects.filter(action="catalog.service_category_update").count() == 1
    assert AuditEvent.objects.filter(action="catalog.service_category_create").count() == 2
