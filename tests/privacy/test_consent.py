"""Consent with evidence: the records, their hash of the notice, and the intake paths that make them."""

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case
from charter.common.errors import DomainError
from charter.privacy.consent import (
    NOTICE_VERSION,
    consent_record,
    consent_state,
    customers_withdrawn,
    has_withdrawn,
    notice_hash,
    notice_text,
)
from charter.privacy.models import ConsentRecord
from tests.accounts.factories import CustomerFactory
from tests.cases.conftest import customer, routed_team  # noqa: F401 - fixtures
from tests.conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

INTAKE = {
    "kind": "complaint",
    "title": "水表读数异常",
    "description": "本月水费是平时的三倍。",
    "name": "张三",
    "phone": "13812345678",
    "consent": "on",
}


def _records(case: Case) -> dict[str, ConsentRecord]:
    found = ConsentRecord.objects.filter(source=f"cases.case:{case.pk}").select_related("purpose")
    return {record.purpose.code: record for record in found}


# --- the notice and its hash -------------------------------------------------------------------------------


def test_the_notice_text_is_the_page_the_customer_reads_in_his_language() -> None:
    version, chinese = notice_text("zh-hans")
    _same, english = notice_text("en")

    assert version == NOTICE_VERSION
    assert "匿名化" in chinese and "anonymise" in english
    page = Client().get(reverse("cases:privacy_notice"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.split(".")[0] in " ".join(page.split())
    assert notice_hash(chinese) == hashlib.sha256(chinese.encode()).hexdigest() != notice_hash(english)


# --- the service -------------------------------------------------------------------------------------------


def test_a_consent_given_stores_the_hash_of_the_words_shown_and_is_audited() -> None:
    someone = CustomerFactory.create()
    version, text = notice_text("en")

    record = consent_record(
        customer=someone,
        purpose_code="surveys",
        action="given",
        channel="web",
        notice_version=version,
        notice_text=text,
        notice_language="en",
        source="cases.case:1",
    )

    assert record.notice_hash == hashlib.sha256(text.encode()).hexdigest()
    event = AuditEvent.objects.get(action="privacy.consent_given")
    assert event.data["purpose"] == "surveys" and event.data["customer"] == someone.pk
    # The audit names the customer by id: his name never enters the chain.
    assert someone.name not in str(event.data) + event.target_repr


def test_a_staff_recorded_consent_needs_how_the_customer_was_informed(member: User) -> None:
    someone = CustomerFactory.create()
    version, text = notice_text("zh-hans")

    with pytest.raises(DomainError) as refused:
        consent_record(
            customer=someone,
            purpose_code="case_handling",
            action="given",
            channel="phone",
            notice_version=version,
            notice_text=text,
            recorded_by=member,
        )

    assert refused.value.code == "privacy_consent_how_informed_required"
    assert not ConsentRecord.objects.exists() and not AuditEvent.objects.filter(
        action__startswith="privacy.c"
    )


def test_a_required_purpose_cannot_be_withdrawn_by_link_nor_an_unknown_one_recorded() -> None:
    someone = CustomerFactory.create()

    with pytest.raises(DomainError) as required:
        consent_record(customer=someone, purpose_code="case_handling", action="withdrawn", channel="link")
    with pytest.raises(DomainError) as unknown:
        consent_record(customer=someone, purpose_code="marketing", action="withdrawn", channel="link")
    with pytest.raises(DomainError) as no_notice:
        consent_record(customer=someone, purpose_code="surveys", action="given", channel="web")

    assert required.value.code == "privacy_consent_required_purpose"
    assert unknown.value.code == "privacy_consent_purpose_unknown"
    assert no_notice.value.code == "privacy_consent_notice_required"
    assert not ConsentRecord.objects.exists()


def test_the_latest_answer_counts_and_no_answer_is_not_a_withdrawal(
    django_assert_num_queries: Any,
) -> None:
    first, second, silent = CustomerFactory.create_batch(3)
    version, text = notice_text("zh-hans")
    given: dict[str, Any] = {"notice_version": version, "notice_text": text, "channel": "web"}
    consent_record(customer=first, purpose_code="surveys", action="withdrawn", channel="link")
    consent_record(customer=first, purpose_code="surveys", action="given", **given)
    consent_record(customer=second, purpose_code="surveys", action="given", **given)
    consent_record(customer=second, purpose_code="surveys", action="withdrawn", channel="link")

    with django_assert_num_queries(1):
        assert has_withdrawn(customer_id=second.pk, purpose_code="surveys")
    with django_assert_num_queries(1):
        refused = customers_withdrawn(customer_ids=[first.pk, second.pk, silent.pk], purpose_code="surveys")
    assert refused == {second.pk}
    assert not has_withdrawn(customer_id=first.pk, purpose_code="surveys")
    assert not has_withdrawn(customer_id=silent.pk, purpose_code="surveys")
    state = consent_state(first)
    assert list(state) == ["case_handling", "surveys", "case_updates"]
    assert state["case_handling"] is None and state["surveys"] is not None
    assert state["surveys"].action == "given"


# --- the public intake -------------------------------------------------------------------------------------


def test_the_web_intake_records_each_purpose_with_the_notice_in_the_visitors_language(
    routed_team: Team,  # noqa: F811
) -> None:
    response = Client().post(reverse("cases:intake"), dict(INTAKE, surveys="on"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    case = Case.objects.get()
    records = _records(case)
    # The form asks for handling and surveys; progress mails are stopped by their own link, not asked.
    assert set(records) == {"case_handling", "surveys"}
    assert records["case_handling"].action == "given" and records["surveys"].action == "given"
    english = notice_text("en")[1]
    assert {record.notice_hash for record in records.values()} == {notice_hash(english)}
    assert records["surveys"].notice_language == "en" and records["surveys"].channel == "web"
    assert records["surveys"].recorded_by is None
    # The case keeps its old stamp for readers that know only that.
    assert case.consent_version == NOTICE_VERSION and case.consent_at is not None


def test_the_survey_box_starts_unticked_and_unticked_is_a_refusal(routed_team: Team) -> None:  # noqa: F811
    form = Client().get(reverse("cases:intake")).content.decode()
    assert 'name="surveys"' in form and 'name="surveys" checked' not in form

    Client().post(reverse("cases:intake"), INTAKE)

    records = _records(Case.objects.get())
    assert records["surveys"].action == "withdrawn"
    assert records["case_handling"].notice_hash == notice_hash(notice_text("zh-hans")[1])


def test_an_intake_without_consent_to_handling_records_nothing(routed_team: Team) -> None:  # noqa: F811
    response = Client().post(reverse("cases:intake"), dict(INTAKE, consent="", surveys="on"))

    assert response.status_code == 200 and "consent" in response.context["form"].errors
    assert not Case.objects.exists() and not ConsentRecord.objects.exists()


# --- the API -----------------------------------------------------------------------------------------------


def _api_case(**extra: object) -> dict[str, object]:
    return {"kind": "inquiry", "title": "停水", "description": "什么时候来水？", **extra}


@pytest.mark.parametrize(
    "consent",
    [
        "yes",
        {"version": "1999-01", "purposes": ["case_handling"]},
        {"version": NOTICE_VERSION, "purposes": ["surveys"]},
        {"version": NOTICE_VERSION, "purposes": ["case_handling", "marketing"]},
        {"version": NOTICE_VERSION, "purposes": "case_handling"},
        {"version": NOTICE_VERSION, "purposes": ["case_handling"], "extra": 1},
    ],
)
def test_the_api_refuses_a_consent_that_is_not_the_current_notice(
    routed_team: Team,  # noqa: F811
    customer_user: User,
    customer: Customer,  # noqa: F811
    consent: object,
) -> None:
    response = api_client_for(customer_user).post("/api/v1/cases/", _api_case(consent=consent), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "case_consent_invalid"
    assert not Case.objects.exists() and not ConsentRecord.objects.exists()


def test_the_api_takes_the_old_version_string_only_when_current(
    routed_team: Team,  # noqa: F811
    customer_user: User,
    customer: Customer,  # noqa: F811
) -> None:
    client = api_client_for(customer_user)

    refused = client.post("/api/v1/cases/", _api_case(consent_version="anything"), format="json")
    taken = client.post("/api/v1/cases/", _api_case(consent_version=NOTICE_VERSION), format="json")

    assert refused.status_code == 400 and refused.json()["code"] == "case_consent_invalid"
    assert taken.status_code == 201
    (record,) = ConsentRecord.objects.all()
    assert record.purpose.code == "case_handling" and record.channel == "web"


def test_staff_give_consent_through_the_api_with_how_the_customer_was_told(
    routed_team: Team,  # noqa: F811
    member: User,
    customer: Customer,  # noqa: F811
) -> None:
    client = api_client_for(member)
    body = _api_case(customer=customer.pk, channel="phone")
    consent = {"version": NOTICE_VERSION, "purposes": ["case_handling", "surveys"]}

    without = client.post("/api/v1/cases/", dict(body, consent=consent), format="json")
    taken = client.post(
        "/api/v1/cases/", dict(body, consent=dict(consent, how_informed="电话中宣读告知书")), format="json"
    )

    assert without.status_code == 400 and without.json()["code"] == "case_consent_invalid"
    assert taken.status_code == 201, taken.json()
    records = _records(Case.objects.get())
    assert records["surveys"].action == "given" and "case_updates" not in records
    assert records["case_handling"].recorded_by == member
    assert records["case_handling"].how_informed == "电话中宣读告知书"
    assert records["case_handling"].channel == "api"


# --- the portal and the desk -------------------------------------------------------------------------------


def test_a_customer_changes_his_own_consent_in_the_portal(
    customer_user: User,
    customer: Customer,  # noqa: F811
) -> None:
    client = client_for(customer_user)
    url = reverse("consent:change")

    stopped = client.post(url, {"purpose": "surveys", "action": "withdrawn"})
    required = client.post(url, {"purpose": "case_handling", "action": "withdrawn"})

    assert stopped.status_code == 302
    assert has_withdrawn(customer_id=customer.pk, purpose_code="surveys")
    assert AuditEvent.objects.get(action="privacy.consent_withdrawn").actor == customer_user
    assert required.status_code == 404
    assert not has_withdrawn(customer_id=customer.pk, purpose_code="case_handling")
    client.post(url, {"purpose": "surveys", "action": "given"})
    latest = consent_state(customer)["surveys"]
    assert latest is not None and latest.channel == "portal" and latest.notice_hash


def test_the_portal_consents_need_a_customer_signed_in(member: User) -> None:
    url = reverse("consent:change")

    anonymous = Client().post(url, {"purpose": "surveys", "action": "withdrawn"})
    staff = client_for(member).post(url, {"purpose": "surveys", "action": "withdrawn"})

    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert staff.status_code == 404
    assert not ConsentRecord.objects.exists()


def test_the_desk_customer_page_shows_the_consent_evidence(routed_team: Team, member: User) -> None:  # noqa: F811
    client_for(member).post(
        reverse("cases:desk_case_new"),
        {
            "kind": "inquiry",
            "channel": "walk_in",
            "priority": "normal",
            "title": "开户咨询",
            "description": "客户到柜台咨询开户。",
            "name": "李四",
            "phone": "13912345678",
            "language": "en",
            "how_informed": "counter_printed",
            "surveys": "no",
        },
    )
    customer_record = ConsentRecord.objects.filter(purpose__code="case_handling").get()

    page = client_for(member).get(reverse("accounts:customer_detail", args=[customer_record.customer_id]))

    html = page.content.decode()
    assert 'data-testid="consent-evidence"' in html
    assert customer_record.notice_hash[:12] in html and "我在柜台向客户提供了纸质告知书" in html
    # The notice he was given is the English one: his language.
    assert customer_record.notice_language == "en"
    assert customer_record.notice_hash == notice_hash(notice_text("en")[1])
    assert customer_record.channel == "counter"


def test_the_portal_privacy_page_lists_his_consents_and_its_buttons_change_them(
    customer_user: User,
    customer: Customer,  # noqa: F811
) -> None:
    client = client_for(customer_user)
    page_url = reverse("privacy:portal")

    page = client.get(page_url).content.decode()
    assert 'data-testid="consent-surveys"' in page and 'data-testid="consent-case_handling"' in page
    assert 'data-testid="consent-withdraw-surveys"' in page
    assert 'data-testid="consent-withdraw-case_handling"' not in page  # required: erasure, not a button
    response = client.post(
        reverse("consent:change"), {"purpose": "surveys", "action": "withdrawn", "next": page_url}
    )

    assert response.status_code == 302 and response["Location"] == page_url
    after = client.get(page_url).content.decode()
    assert 'data-testid="consent-give-surveys"' in after
    assert has_withdrawn(customer_id=customer.pk, purpose_code="surveys")
    # Somewhere else is not where he is sent back to.
    away = client.post(
        reverse("consent:change"), {"purpose": "surveys", "action": "given", "next": "https://evil.example/"}
    )
    assert away["Location"] == reverse("cases:portal")
