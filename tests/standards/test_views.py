import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.audit.models import AuditEvent
from charter.standards.demo import CONDUCT_CODE, demo_load
from charter.standards.models import (
    StandardAcknowledgement,
    StandardClause,
    StandardDocument,
    StandardVersion,
)
from charter.standards.services import standard_version_acknowledge, standard_version_draft_create
from tests.conftest import client_for
from tests.standards.conftest import Publisher, conduct_content, promise_content

pytestmark = pytest.mark.django_db


def _version_url(name: str, version: StandardVersion, **kwargs: object) -> str:
    return reverse(
        f"standards:{name}", kwargs={"document_id": version.document_id, "number": version.number, **kwargs}
    )


# The public page ----------------------------------------------------------------------------------------


def test_public_page_shows_what_is_in_force_to_anyone_in_chinese(
    client: Client, promises_v1: StandardVersion, conduct_v1: StandardVersion
) -> None:
    response = client.get(reverse("standards:public_promises"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "我们在一个工作日内答复(1)。" in page
    assert "拨打服务热线投诉。" in page
    assert "按时答复率。" in page
    assert "工作日内提交。" in page
    assert "员工需以礼待人(1.1)。" in page
    assert "We answer within one working day" not in page
    assert "适用条件" in page and "投诉途径" in page and "衡量方法" in page


def test_public_page_speaks_english_when_asked(
    client: Client, promises_v1: StandardVersion, conduct_v1: StandardVersion
) -> None:
    response = client.get(reverse("standards:public_promises"), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert "We answer within one working day (1)." in page
    assert "Call the service hotline." in page
    assert "Share of answers on time." in page
    assert "Staff treat customers courteously (1.1)." in page
    assert "Complaint route" in page and "Measure" in page
    assert "我们在一个工作日内答复" not in page


def test_public_page_falls_back_to_chinese_where_english_is_missing(
    client: Client, conduct: StandardDocument, publish: Publisher
) -> None:
    publish(conduct, [conduct_content("1.1", text_en="", text_zh="只有中文。")])

    page = client.get(reverse("standards:public_promises"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "只有中文。" in page


def test_public_page_escapes_clause_text(
    client: Client, promises: StandardDocument, publish: Publisher
) -> None:
    publish(promises, [promise_content("1", text_zh='<script>alert("x")</script>第一行\n第二行')])

    page = client.get(reverse("standards:public_promises")).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;第一行<br>第二行" in page


def test_public_page_hides_drafts_and_future_versions(
    client: Client, conduct: StandardDocument, publish: Publisher, administrator: User
) -> None:
    publish(
        conduct,
        [conduct_content("1.1", text_zh="将来的条文。")],
        effective_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    draft = standard_version_draft_create(actor=administrator, document=conduct)
    StandardClause.objects.filter(version=draft).update(text_zh="草稿条文。")

    page = client.get(reverse("standards:public_promises")).content.decode()

    assert "将来的条文。" not in page
    assert "草稿条文。" not in page


def test_public_page_sends_no_inline_script(client: Client, promises_v1: StandardVersion) -> None:
    response = client.get(reverse("standards:public_promises"))

    page = response.content.decode()
    assert "<script>" not in page
    assert " style=" not in page
    assert "default-src 'self'" in response["Content-Security-Policy"]


# The shipped standards (the demo's) ---------------------------------------------------------------------

# Half-width punctuation next to a Chinese character: Chinese text takes full-width ，。：；（）！？
HALF_WIDTH_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][,;:()!?]|[,;:()!?][\u4e00-\u9fff]")


def test_public_page_of_the_shipped_standards_shows_no_source_notes(
    client: Client, administrator: User
) -> None:
    demo_load(actor=administrator)

    page = client.get(reverse("standards:public_promises")).content.decode()

    assert "以礼待人" in page and "ISO 10002" in page
    assert "服务规范制度（二）" not in page and "Service standards" not in page
    assert "原文截断" not in page and "completed" not in page
    assert not HALF_WIDTH_IN_CHINESE.search(page), HALF_WIDTH_IN_CHINESE.search(page)


def test_staff_see_where_each_clause_of_the_shipped_code_comes_from(administrator: User) -> None:
    demo_load(actor=administrator)
    conduct = StandardVersion.objects.get(document__code=CONDUCT_CODE)

    page = client_for(administrator).get(_version_url("version_detail", conduct)).content.decode()

    assert "服务规范制度（二） 1.2" in page and "服务规范制度（三） 六.2" in page
    assert "原文截断" not in page


def test_the_shipped_standards_write_chinese_with_full_width_punctuation(administrator: User) -> None:
    demo_load(actor=administrator)

    fields = ("title_zh", "text_zh", "conditions_zh", "complaint_route_zh", "measure_zh", "reference")
    texts = [value for row in StandardClause.objects.values_list(*fields) for value in row]
    texts += [
        value
        for row in StandardVersion.objects.values_list("preamble_zh", "change_summary_zh")
        for value in row
    ]
    texts += list(StandardDocument.objects.values_list("description_zh", flat=True))

    assert len(texts) > 200
    assert [text for text in texts if HALF_WIDTH_IN_CHINESE.search(text)] == []


# The desk -----------------------------------------------------------------------------------------------


def test_desk_needs_a_signed_in_member_of_staff(
    client: Client, customer_user: User, conduct_v1: StandardVersion
) -> None:
    url = reverse("standards:desk_list")

    assert client.get(url).status_code == 302
    assert client_for(customer_user).get(url).status_code == 403
    assert client_for(customer_user).get(_version_url("version_detail", conduct_v1)).status_code == 403


def test_agent_sees_the_standards_but_no_editor(
    member: User, conduct_v1: StandardVersion, administrator: User
) -> None:
    standard_version_draft_create(actor=administrator, document=conduct_v1.document)
    client = client_for(member)

    listing = client.get(reverse("standards:desk_list"))
    detail = client.get(reverse("standards:document_detail", kwargs={"document_id": conduct_v1.document_id}))
    version = client.get(_version_url("version_detail", conduct_v1))

    assert listing.status_code == detail.status_code == version.status_code == 200
    assert "新建规范" not in listing.content.decode()
    assert "起草新版本" not in detail.content.decode()
    assert "员工需以礼待人(1.1)。" in version.content.decode()
    assert "草稿编辑" not in version.content.decode()
    assert (
        client.get(
            reverse("standards:version_detail", kwargs={"document_id": conduct_v1.document_id, "number": 2})
        ).status_code
        == 404
    )


def test_agent_cannot_use_the_editor(member: User, conduct_draft: StandardVersion) -> None:
    client = client_for(member)
    urls = [
        reverse("standards:document_create"),
        reverse("standards:document_edit", kwargs={"document_id": conduct_draft.document_id}),
        _version_url("clause_add", conduct_draft),
        _version_url("draft_edit", conduct_draft),
        _version_url("version_publish", conduct_draft),
        _version_url("draft_discard", conduct_draft),
    ]

    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {"number": "1", "text_zh": "x"}).status_code == 403
    assert (
        client.post(
            reverse("standards:draft_create", kwargs={"document_id": conduct_draft.document_id})
        ).status_code
        == 403
    )
    assert not conduct_draft.clauses.exists()


def test_administrator_drafts_edits_and_publishes(administrator: User, conduct: StandardDocument) -> None:
    client = client_for(administrator)

    response = client.post(reverse("standards:draft_create", kwargs={"document_id": conduct.pk}))
    draft = StandardVersion.objects.get(document=conduct)
    assert response.status_code == 302
    assert response["Location"] == _version_url("version_detail", draft)

    page = client.get(_version_url("version_detail", draft)).content.decode()
    assert "草稿编辑" in page

    added = client.post(
        _version_url("clause_add", draft),
        {
            "number": "1.1",
            "text_zh": "以礼待人。",
            "text_en": "Be courteous.",
            "category": "attitude",
            "is_disciplinary": "on",
        },
    )
    assert added.status_code == 302
    clause = draft.clauses.get()
    assert clause.is_disciplinary

    edited = client.post(
        _version_url("clause_edit", draft, clause_id=clause.pk),
        {"number": "1.2", "text_zh": "以礼待人。", "text_en": "Be polite.", "category": "communication"},
    )
    assert edited.status_code == 302
    clause.refresh_from_db()
    assert (clause.number, clause.text_en, clause.category, clause.is_disciplinary) == (
        "1.2",
        "Be polite.",
        "communication",
        False,
    )

    assert client.post(_version_url("draft_edit", draft), {"preamble_zh": "序言"}).status_code == 302
    published = client.post(_version_url("version_publish", draft), {"effective_at": "2025-02-01T09:00"})
    assert published.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.preamble_zh == "序言"
    assert draft.effective_at is not None and draft.effective_at.isoformat() == "2025-02-01T01:00:00+00:00"

    after = client.get(_version_url("version_detail", draft)).content.decode()
    assert "草稿编辑" not in after
    assert client.get(_version_url("clause_edit", draft, clause_id=clause.pk)).status_code == 404


def test_administrator_creates_a_document(administrator: User) -> None:
    response = client_for(administrator).post(
        reverse("standards:document_create"),
        {"code": "handbook", "kind": "code_of_conduct", "title_zh": "员工手册", "title_en": "Handbook"},
    )

    document = StandardDocument.objects.get(code="handbook")
    assert response["Location"] == reverse("standards:document_detail", kwargs={"document_id": document.pk})


def test_clause_form_shows_field_errors_in_the_users_language(
    administrator: User, promises: StandardDocument
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=promises)
    client = client_for(administrator)
    url = _version_url("clause_add", draft)
    body = {"number": "1..2", "text_zh": "承诺", "complaint_route_zh": "热线", "measure_zh": "比例"}

    chinese = client.post(url, body)
    english = client.post(url, body, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 200
    assert "条款编号请使用以点分隔的数字或字母" in chinese.content.decode()
    assert "Number clauses with digits or letters separated by dots" in english.content.decode()
    assert (
        "This field is required."
        in client.post(url, {"number": "1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert not draft.clauses.exists()


def test_promise_form_asks_for_conditions_route_and_measure(
    administrator: User, promises: StandardDocument
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=promises)

    page = (
        client_for(administrator)
        .get(_version_url("clause_add", draft), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )

    assert "Complaint route (Chinese)" in page
    assert "Measure (Chinese)" in page
    assert "Category" not in page


def test_publish_form_refuses_an_empty_draft(administrator: User, conduct_draft: StandardVersion) -> None:
    response = client_for(administrator).post(
        _version_url("version_publish", conduct_draft), {"effective_at": "2025-02-01T09:00"}
    )

    assert response.status_code == 200
    assert "发布前请至少添加一条条款。" in response.content.decode()
    conduct_draft.refresh_from_db()
    assert conduct_draft.is_draft


def test_clause_delete_and_draft_discard_confirm_first(
    administrator: User, conduct_v1: StandardVersion
) -> None:
    client = client_for(administrator)
    draft = standard_version_draft_create(actor=administrator, document=conduct_v1.document)
    clause = draft.clauses.get(number="1.1")

    assert client.get(_version_url("clause_delete", draft, clause_id=clause.pk)).status_code == 200
    assert draft.clauses.filter(pk=clause.pk).exists()
    client.post(_version_url("clause_delete", draft, clause_id=clause.pk))
    assert not draft.clauses.filter(pk=clause.pk).exists()

    client.post(_version_url("draft_discard", draft))
    assert not StandardVersion.objects.filter(pk=draft.pk).exists()
    assert conduct_v1.clauses.count() == 2


# Acknowledgement ----------------------------------------------------------------------------------------


def test_staff_see_what_awaits_and_acknowledge_it(member: User, conduct_v1: StandardVersion) -> None:
    client = client_for(member)
    url = reverse("standards:my_acknowledgements")

    before = client.get(url).content.decode()
    assert _version_url("version_detail", conduct_v1) in before
    assert "阅读并确认" in before

    response = client.post(_version_url("version_acknowledge", conduct_v1))
    assert response.status_code == 302
    assert StandardAcknowledgement.objects.filter(user=member, version=conduct_v1).exists()

    after = client.get(url).content.decode()
    assert "没有需要您确认的规范。" in after
    again = client.post(_version_url("version_acknowledge", conduct_v1), follow=True)
    assert "您已经确认过此版本。" in again.content.decode()
    assert StandardAcknowledgement.objects.count() == 1


def test_customers_have_nothing_to_acknowledge(customer_user: User, conduct_v1: StandardVersion) -> None:
    client = client_for(customer_user)

    assert client.get(reverse("standards:my_acknowledgements")).status_code == 403
    assert client.post(_version_url("version_acknowledge", conduct_v1)).status_code == 403


def test_report_shows_a_supervisor_his_team_only(
    supervisor: User,
    member: User,
    teammate: User,
    outsider: User,
    team: Team,
    other_team: Team,
    conduct_v1: StandardVersion,
) -> None:
    standard_version_acknowledge(user=member, version=conduct_v1)
    url = reverse("standards:acknowledgement_report", kwargs={"document_id": conduct_v1.document_id})
    client = client_for(supervisor)

    page = client.get(url).content.decode()

    assert "alice" in page and "bob" in page
    assert "charlie" not in page
    assert "尚未确认" in page
    assert client.get(url, {"team": other_team.pk}).status_code == 404
    assert client.get(url, {"team": 999999}).status_code == 404
    pending = client.get(url, {"team": str(team.pk), "is_pending_only": "on"}).content.decode()
    assert "bob" in pending and "alice" not in pending


def test_report_for_an_outsider_supervisor_and_an_agent(
    outsider_supervisor: User, member: User, outsider: User, team: Team, conduct_v1: StandardVersion
) -> None:
    url = reverse("standards:acknowledgement_report", kwargs={"document_id": conduct_v1.document_id})

    page = client_for(outsider_supervisor).get(url).content.decode()

    assert "charlie" in page and "alice" not in page
    assert client_for(outsider_supervisor).get(url, {"team": team.pk}).status_code == 404
    assert client_for(member).get(url).status_code == 403


def test_report_for_an_administrator_covers_everyone(
    administrator: User,
    member: User,
    outsider: User,
    conduct_v1: StandardVersion,
    promises_v1: StandardVersion,
) -> None:
    client = client_for(administrator)
    url = reverse("standards:acknowledgement_report", kwargs={"document_id": conduct_v1.document_id})

    page = client.get(url).content.decode()

    assert "alice" in page and "charlie" in page
    promises_report = reverse(
        "standards:acknowledgement_report", kwargs={"document_id": promises_v1.document_id}
    )
    assert client.get(promises_report).status_code == 404


def test_desk_pages_render_in_english(administrator: User, conduct_v1: StandardVersion) -> None:
    client = client_for(administrator)

    page = client.get(_version_url("version_detail", conduct_v1), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Staff treat customers courteously (1.1)." in page
    assert "Carries discipline" in page
    assert "A published version never changes" in page


# Django admin -------------------------------------------------------------------------------------------


def test_admin_shows_published_versions_read_only(administrator: User, conduct_v1: StandardVersion) -> None:
    client = client_for(administrator)
    clause = conduct_v1.clauses.get(number="1.1")
    version_url = reverse("admin:standards_standardversion_change", args=[conduct_v1.pk])
    clause_url = reverse("admin:standards_standardclause_change", args=[clause.pk])

    assert client.get(version_url).status_code == 200
    assert 'name="preamble_zh"' not in client.get(version_url).content.decode()
    assert 'name="text_zh"' not in client.get(clause_url).content.decode()
    assert client.post(clause_url, {"number": "1.1", "text_zh": "篡改"}).status_code == 403
    assert (
        client.post(
            reverse("admin:standards_standardversion_delete", args=[conduct_v1.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    clause.refresh_from_db()
    assert clause.text_zh == "员工需以礼待人(1.1)。"


def test_admin_edits_a_draft_clause_through_the_service(
    administrator: User, conduct_v1: StandardVersion
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct_v1.document)
    clause = draft.clauses.get(number="1.1")
    url = reverse("admin:standards_standardclause_change", args=[clause.pk])

    response = client_for(administrator).post(
        url, {"number": "1.1", "text_zh": "以礼待人。", "text_en": "Be courteous.", "category": "attitude"}
    )

    assert response.status_code == 302
    clause.refresh_from_db()
    assert (clause.text_en, clause.is_disciplinary) == ("Be courteous.", False)
    assert AuditEvent.objects.filter(action="standards.clause_update", target_id=str(clause.pk)).exists()
