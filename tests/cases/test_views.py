"""The HTML pages of cases: intake, tracking, portal, desk queue and case page, supervisor view."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case, CaseMessage
from charter.cases.services import case_resolve
from charter.catalog.models import Service
from tests.cases.conftest import new_case
from tests.catalog.conftest import category, draft_service, fill_and_publish  # noqa: F401 (fixtures)
from tests.conftest import browser_post, client_for

pytestmark = pytest.mark.django_db

INTAKE = {
    "kind": "complaint",
    "service": "",
    "title": "水表读数异常 meter reading",
    "description": "上个月水表读数明显偏高，请核实。",
    "remedy_sought": "重新抄表并退还多收的水费",
    "name": "王小二",
    "phone": "13800001111",
    "consent": "on",
}


def _track_url(response: object) -> str:
    location = response["Location"]  # type: ignore[index]
    assert location.startswith("/track/")
    return str(location)


def test_public_intake_acknowledges_at_once_with_a_number_and_a_private_link(routed_team: Team) -> None:
    client = Client()

    response = client.post(reverse("cases:intake"), INTAKE)

    case = Case.objects.get()
    assert case.status == "acknowledged"
    assert case.consent_version and case.consent_at is not None
    assert case.remedy_sought == "重新抄表并退还多收的水费"
    page = client.get(_track_url(response)).content.decode()
    assert case.number in page and "水表读数异常" in page
    assert re.match(r"^TS-\d{4}-\d{6}$", case.number)


def test_intake_records_the_customer_encrypted_and_audits(routed_team: Team) -> None:
    Client().post(reverse("cases:intake"), INTAKE)

    customer = Customer.objects.get()
    assert customer.phone == "13800001111"
    assert AuditEvent.objects.filter(action="cases.create").exists()


def test_intake_without_consent_or_contact_shows_field_errors_and_writes_nothing() -> None:
    bad = dict(INTAKE, consent="", phone="", email="")

    response = Client().post(reverse("cases:intake"), bad)

    assert response.status_code == 200
    page = response.content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    assert "电话号码或电子邮箱" in page
    assert not Case.objects.exists() and not Customer.objects.exists()


def test_intake_honeypot_refuses_bots_without_writing(routed_team: Team) -> None:
    response = Client().post(reverse("cases:intake"), dict(INTAKE, website="http://spam.example"))

    assert response.status_code == 200
    assert not Case.objects.exists()


def test_intake_is_rate_limited_per_address(routed_team: Team, settings: object) -> None:
    settings.CHARTER_INTAKE_MAX_PER_HOUR = 2  # type: ignore[attr-defined]
    client = Client()

    codes = [client.post(reverse("cases:intake"), INTAKE).status_code for _ in range(3)]

    assert codes == [302, 302, 429]
    assert Case.objects.count() == 2


def test_intake_rejects_null_bytes_and_keeps_emoji_cjk_extension_and_rtl(routed_team: Team) -> None:
    client = Client()
    refused = client.post(reverse("cases:intake"), dict(INTAKE, description="abc\x00def"))
    text = "表情😀 扩展𠀀𠀁 עברית"
    accepted = client.post(reverse("cases:intake"), dict(INTAKE, description=text))

    assert refused.status_code == 200 and Case.objects.count() == 1
    assert accepted.status_code == 302
    assert Case.objects.get().description == text


def test_intake_escapes_html_everywhere(routed_team: Team, member: User) -> None:
    client = Client()
    response = client.post(reverse("cases:intake"), dict(INTAKE, title="<script>alert(1)</script>"))
    case = Case.objects.get()

    for page in (
        client.get(_track_url(response)),
        client_for(member).get(reverse("cases:desk_case", args=[case.number])),
    ):
        html = page.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_tracking_page_never_shows_internal_notes(routed_team: Team, member: User) -> None:
    client = Client()
    url = _track_url(client.post(reverse("cases:intake"), INTAKE))
    case = Case.objects.get()
    staff = client_for(member)
    staff.post(
        reverse("cases:desk_case", args=[case.number]),
        {"action": "reply", "body": "内部备注：客户是老用户", "is_internal": "on", "version": case.version},
    )
    case.refresh_from_db()
    staff.post(
        reverse("cases:desk_case", args=[case.number]),
        {"action": "reply", "body": "您好，已安排抄表员复核。", "version": case.version},
    )

    page = client.get(url).content.decode()

    assert CaseMessage.objects.filter(case=case).count() == 2
    assert "已安排抄表员复核" in page
    assert "内部备注" not in page and "老用户" not in page


def test_a_browser_can_post_from_the_tracking_page(routed_team: Team) -> None:
    """Regression: under `no-referrer` Chromium posts with `Origin: null`, which the CSRF check refuses."""
    url = _track_url(Client().post(reverse("cases:intake"), INTAKE))
    browser = Client(enforce_csrf_checks=True)

    replied = browser_post(browser, url, {"action": "reply", "body": "补充一句"})
    switched = browser_post(browser, url, {"language": "en", "next": url}, reverse("accounts:set_language"))

    assert replied.status_code == 302
    assert CaseMessage.objects.filter(author_kind="customer", body="补充一句").exists()
    assert switched.status_code == 302 and switched["Location"] == url


def test_files_sent_with_the_intake_are_shown_to_the_customer_and_the_handler(
    routed_team: Team, member: User
) -> None:
    client = Client()
    upload = SimpleUploadedFile("水表照片.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    url = _track_url(client.post(reverse("cases:intake"), dict(INTAKE, attachments=[upload])))
    case = Case.objects.get()
    staff = client_for(case.assignee or member)

    tracking = client.get(url).content.decode()
    desk = staff.get(reverse("cases:desk_case", args=[case.number])).content.decode()

    (attachment,) = case.attachments.all()
    assert "水表照片.pdf" in tracking and f"files/{attachment.pk}/" in tracking
    assert client.get(f"{url}files/{attachment.pk}/").status_code == 200
    assert "水表照片.pdf" in desk
    assert staff.get(reverse("cases:desk_file", args=[case.number, attachment.pk])).status_code == 200


def test_customer_replies_from_the_tracking_page_with_a_file(routed_team: Team) -> None:
    client = Client()
    url = _track_url(client.post(reverse("cases:intake"), INTAKE))
    upload = SimpleUploadedFile("账单.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    response = client.post(url, {"action": "reply", "body": "补充账单照片", "attachments": [upload]})

    assert response.status_code == 302
    message = CaseMessage.objects.get(author_kind="customer")
    assert message.body == "补充账单照片"
    page = client.get(url).content.decode()
    assert "账单.pdf" in page


def test_unknown_or_revoked_tracking_token_is_404() -> None:
    assert Client().get("/track/not-a-real-token-at-all/").status_code == 404


def test_tracking_page_is_not_cached_nor_leaked_by_referrer(routed_team: Team) -> None:
    client = Client()
    url = _track_url(client.post(reverse("cases:intake"), INTAKE))

    response = client.get(url)

    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_portal_lists_only_the_customers_own_cases(
    customer: Customer, other_customer: Customer, customer_user: User
) -> None:
    mine = new_case(None, customer, title="我的事项")
    theirs = new_case(None, other_customer, title="别人的事项")
    client = client_for(customer_user)

    page = client.get(reverse("cases:portal")).content.decode()

    assert mine.number in page and theirs.number not in page
    assert client.get(reverse("cases:portal_case", args=[mine.number])).status_code == 200
    assert client.get(reverse("cases:portal_case", args=[theirs.number])).status_code == 404


def test_desk_queue_shows_the_teams_cases_and_hides_others(
    routed_team: Team, member: User, outsider: User, other_customer: Customer
) -> None:
    case = new_case(None, other_customer)

    mine = client_for(member).get(reverse("cases:desk_queue"), {"queue": "my_teams"}).content.decode()
    theirs = client_for(outsider).get(reverse("cases:desk_queue"), {"queue": "all"}).content.decode()

    assert case.number in mine
    assert case.number not in theirs
    assert client_for(outsider).get(reverse("cases:desk_case", args=[case.number])).status_code == 404


def test_desk_is_closed_to_customers(customer_user: User) -> None:
    assert client_for(customer_user).get(reverse("cases:desk_queue")).status_code == 403


def test_desk_search_finds_chinese_and_english_words(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    water = new_case(None, other_customer, title="水表读数异常", description="读数偏高")
    lift = new_case(
        None, other_customer, title="Lift out of order", description="The lift in block 3 stopped"
    )
    client = client_for(member)

    chinese = client.get(reverse("cases:desk_queue"), {"queue": "all", "q": "水表"}).content.decode()
    english = client.get(reverse("cases:desk_queue"), {"queue": "all", "q": "lif"}).content.decode()

    assert water.number in chinese and lift.number not in chinese
    assert lift.number in english and water.number not in english


def test_desk_queue_query_count_does_not_grow_with_rows(
    routed_team: Team, member: User, other_customer: Customer, django_assert_max_num_queries: object
) -> None:
    client = client_for(member)
    new_case(None, other_customer)
    client.get(reverse("cases:desk_queue"), {"queue": "all"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:desk_queue"), {"queue": "all"})
    for _ in range(8):
        new_case(None, other_customer)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:desk_queue"), {"queue": "all"})

    assert len(many.captured_queries) == len(few.captured_queries)


def test_stale_version_on_the_case_page_shows_a_conflict_and_keeps_nothing(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    case = new_case(None, other_customer)
    client = client_for(member)
    url = reverse("cases:desk_case", args=[case.number])
    client.post(url, {"action": "reply", "body": "第一个回复", "version": case.version})

    response = client.post(url, {"action": "reply", "body": "基于旧版本的回复", "version": case.version})

    assert response.status_code == 200
    assert "有人" in response.content.decode()
    assert not CaseMessage.objects.filter(body="基于旧版本的回复").exists()
    assert "基于旧版本的回复" in response.content.decode()


def test_bulk_assign_moves_ticked_cases(
    routed_team: Team, member: User, teammate: User, supervisor: User, other_customer: Customer
) -> None:
    cases = [new_case(None, other_customer) for _ in range(3)]

    response = client_for(supervisor).post(
        reverse("cases:desk_bulk_assign"), {"case": [c.pk for c in cases], "assignee": teammate.pk}
    )

    assert response.status_code == 302
    assert set(Case.objects.values_list("assignee_id", flat=True)) == {teammate.pk}


def test_supervisor_view_shows_team_load(
    routed_team: Team, supervisor: User, member: User, other_customer: Customer
) -> None:
    new_case(None, other_customer)

    page = client_for(supervisor).get(reverse("cases:desk_supervisor"))

    assert page.status_code == 200
    assert str(routed_team) in page.content.decode()
    assert client_for(member).get(reverse("cases:desk_supervisor")).status_code == 403


def test_merging_a_duplicate_from_the_case_page(
    routed_team: Team, supervisor: User, other_customer: Customer
) -> None:
    original = new_case(None, other_customer, title="停水")
    duplicate = new_case(None, other_customer, title="停水（重复）")

    response = client_for(supervisor).post(
        reverse("cases:desk_case", args=[duplicate.number]),
        {"action": "related", "number": original.number, "merge": "on"},
    )

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == original.pk


def test_linking_to_a_case_outside_ones_scope_is_404(
    routed_team: Team, supervisor: User, other_team: Team, other_customer: Customer
) -> None:
    from charter.cases.models import CaseLink

    mine = new_case(None, other_customer)
    hidden = new_case(None, other_customer)
    Case.objects.filter(pk=hidden.pk).update(team=other_team, assignee=None)

    response = client_for(supervisor).post(
        reverse("cases:desk_case", args=[mine.number]), {"action": "related", "number": hidden.number}
    )

    assert response.status_code == 404
    assert not CaseLink.objects.exists()


def test_canned_response_is_inserted_in_the_customers_language(
    routed_team: Team, member: User, administrator: User
) -> None:
    from charter.cases.services import canned_response_create

    customer = Customer.objects.create(name="Jane Smith", language="en")
    case = new_case(None, customer)
    response = canned_response_create(
        actor=administrator,
        code="thanks",
        title_zh="致谢",
        body_zh="{{case_number}} 已收到",
        body_en="We received {{case_number}}",
    )
    client = client_for(member)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(
        reverse("cases:desk_case", args=[case.number]), {"canned": response.pk}
    ).content.decode()

    assert f"We received {case.number}" in page


def test_a_signed_in_customer_without_a_record_gets_one_linked_to_his_account(
    routed_team: Team, customer_user: User
) -> None:
    client = client_for(customer_user)

    response = client.post(reverse("cases:intake"), INTAKE)

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.customer.user == customer_user
    assert case.number in client.get(reverse("cases:portal")).content.decode()


def test_after_a_conflict_the_kept_form_carries_the_current_version(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    case = new_case(None, other_customer)
    client = client_for(member)
    url = reverse("cases:desk_case", args=[case.number])
    client.post(url, {"action": "reply", "body": "第一个回复", "version": case.version})
    case.refresh_from_db()

    stale = client.post(url, {"action": "reply", "body": "我的回复", "version": case.version - 1})
    again = client.post(url, {"action": "reply", "body": "我的回复", "version": case.version})

    assert f'name="version" value="{case.version}"' in stale.content.decode()
    assert again.status_code == 302
    assert CaseMessage.objects.filter(body="我的回复").count() == 1


def test_bulk_assign_never_redirects_off_site(routed_team: Team, supervisor: User) -> None:
    response = client_for(supervisor).post(reverse("cases:desk_bulk_assign"), {"next": "//evil.example/x"})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:desk_queue")


def test_invalid_intake_posts_do_not_use_up_the_limit(routed_team: Team, settings: object) -> None:
    settings.CHARTER_INTAKE_MAX_PER_HOUR = 1  # type: ignore[attr-defined]
    client = Client()
    for _ in range(3):
        client.post(reverse("cases:intake"), dict(INTAKE, title=""))

    assert client.post(reverse("cases:intake"), INTAKE).status_code == 302


def test_a_file_on_an_internal_note_stays_internal(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    from charter.cases.models import CaseAttachment
    from charter.cases.services import attachment_add, case_reply

    case = new_case(None, other_customer)
    note = case_reply(actor=member, case=case, body="内部：核对记录", is_internal=True)

    attachment = attachment_add(
        actor=member, case=case, message=note, file=SimpleUploadedFile("audit.txt", b"secret", "text/plain")
    )

    assert CaseAttachment.objects.get(pk=attachment.pk).is_internal


def test_a_complaint_naming_staff_cannot_be_merged_into_a_case_they_handle(
    routed_team: Team, member: User, teammate: User, supervisor: User, other_customer: Customer
) -> None:
    from charter.cases.services import case_merge
    from charter.common.errors import DomainError

    complaint = new_case(None, other_customer, kind="complaint", named_staff=[member])
    inquiry = new_case(None, other_customer)
    Case.objects.filter(pk=inquiry.pk).update(assignee=member)
    inquiry.refresh_from_db()

    with pytest.raises(DomainError) as caught:
        case_merge(actor=supervisor, source=complaint, target=inquiry)

    assert caught.value.code == "case_merge_complaint"
    complaint.refresh_from_db()
    assert complaint.merged_into_id is None


def test_staff_issue_a_new_tracking_link_or_revoke_it_from_the_case_page(
    routed_team: Team, member: User, outsider: User
) -> None:
    customer_browser = Client()
    old = _track_url(customer_browser.post(reverse("cases:intake"), INTAKE))
    case = Case.objects.get()
    staff = client_for(member)
    page = reverse("cases:desk_case", args=[case.number])

    rotated = staff.post(page, {"action": "tracking_rotate"}, follow=True)

    new = re.search(r"/track/[^\s<\"]+/", rotated.content.decode())
    assert new is not None and new.group(0) != old
    assert customer_browser.get(old).status_code == 404
    assert customer_browser.get(new.group(0)).status_code == 200
    assert AuditEvent.objects.filter(action="cases.token_rotate").count() == 1

    revoked = staff.post(page, {"action": "tracking_revoke"}, follow=True)

    assert customer_browser.get(new.group(0)).status_code == 404
    assert 'value="tracking_revoke"' not in revoked.content.decode()  # nothing left to revoke
    assert client_for(outsider).post(page, {"action": "tracking_rotate"}).status_code == 404
    case.refresh_from_db()
    assert case.tracking_token_hash is None


def test_the_acknowledgement_says_where_the_link_went_and_offers_it_to_copy_once(routed_team: Team) -> None:
    client = Client()
    url = _track_url(client.post(reverse("cases:intake"), dict(INTAKE, email="wang.xiaoer@example.com")))
    case = Case.objects.get()

    page = client.get(url).content.decode()

    assert f"感谢您的来信，您的受理编号为 {case.number}。" in page
    assert "已发送至 w***@example.com" in page and "wang.xiaoer" not in page
    link = re.search(r'data-testid="tracking-link">([^<]+)</code>', page)
    assert link is not None and link.group(1) == f"http://testserver{url}"
    assert 'data-copy-from="tracking-link"' in page and "复制链接" in page
    assert re.search(r'<script src="/static/charter/copy\.js" defer></script>', page)
    assert "<script>" not in page and "onclick" not in page
    # Once: the page read again (or the next visit) is the plain tracking page.
    assert 'data-testid="acknowledgement"' not in client.get(url).content.decode()


def test_without_an_e_mail_the_acknowledgement_says_to_keep_the_link(routed_team: Team) -> None:
    client = Client()
    url = _track_url(client.post(reverse("cases:intake"), INTAKE))  # a phone number only

    page = client.get(url).content.decode()

    assert "我们无法把链接发给您：请保存本页地址" in page
    assert 'data-testid="tracking-link">http://testserver/track/' in page


def test_the_acknowledgement_is_for_the_case_just_raised_only(routed_team: Team) -> None:
    client = Client()
    first = _track_url(client.post(reverse("cases:intake"), INTAKE))
    client.get(first)
    second = _track_url(client.post(reverse("cases:intake"), INTAKE))

    assert 'data-testid="acknowledgement"' not in client.get(first).content.decode()
    assert 'data-testid="acknowledgement"' in client.get(second).content.decode()
    assert 'data-testid="acknowledgement"' not in Client().get(second).content.decode()


def test_the_copy_script_is_served_as_a_static_file() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("charter/copy.js")

    assert path is not None
    with open(path, encoding="utf-8") as script:
        source = script.read()
    assert "navigator.clipboard" in source and "data-copy-from" in source


def test_the_tracking_page_names_the_service_in_the_readers_language(
    routed_team: Team,
    administrator: User,
    draft_service: Service,  # noqa: F811
) -> None:
    fill_and_publish(administrator, draft_service.versions.get())
    client = Client()
    url = _track_url(client.post(reverse("cases:intake"), dict(INTAKE, service=str(draft_service.pk))))

    chinese = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()

    assert "用水报装" in chinese and "Water connection" in english
    assert "water-connection" not in chinese and "water-connection" not in english


def test_the_portal_case_page_names_the_service_and_the_decision_buttons(
    routed_team: Team,
    administrator: User,
    draft_service: Service,  # noqa: F811
    customer: Customer,
    customer_user: User,
) -> None:
    fill_and_publish(administrator, draft_service.versions.get())
    case = new_case(customer_user, customer, service=draft_service)
    handler = case.assignee
    assert handler is not None
    case_resolve(actor=handler, case=case, outcome="answered", reasons="已答复。")

    page = client_for(customer_user).get(reverse("cases:portal_case", args=[case.number])).content.decode()

    assert "用水报装" in page and "water-connection" not in page
    assert re.search(r'data-testid="accept">我认可</button>', page)
    assert re.search(r'data-testid="appeal">申请复核</button>', page)


def test_a_refused_status_change_keeps_the_chosen_status_and_the_typed_reason(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    case = new_case(None, other_customer)
    client = client_for(case.assignee or member)
    url = reverse("cases:desk_case", args=[case.number])
    page = client.get(url).content.decode()
    target = re.search(r'<select id="transition-to" name="to"><option value="(\w+)"', page)
    assert target is not None

    stale = client.post(
        url, {"action": "transition", "to": target.group(1), "reason": "客户要求暂缓", "version": 0}
    ).content.decode()

    assert 'value="客户要求暂缓"' in stale
    assert f'<option value="{target.group(1)}" selected>' in stale
