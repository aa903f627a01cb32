"""The desk page on which staff record a case taken by phone or at the counter."""

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case
from charter.cases.views_public import PRIVACY_NOTICE_VERSION
from charter.privacy.consent import notice_hash, notice_text
from charter.privacy.models import ConsentRecord
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = reverse("cases:desk_case_new")

PHONE_COMPLAINT = {
    "kind": "complaint",
    "channel": "phone",
    "service": "",
    "priority": "normal",
    "title": "营业厅排队时间过长",
    "description": "客户来电反映上午在营业厅排队一个多小时。",
    "remedy_sought": "希望增加窗口",
    "name": "李四",
    "phone": "13912345678",
    "email": "",
    "language": "zh-hans",
    "how_informed": "phone_read",
    "surveys": "yes",
}


def _counts() -> tuple[int, int]:
    return Case.objects.count(), Customer.objects.count()


def _tracking_link(page: str) -> str:
    match = re.search(r"https?://[^\s<\"']+/track/[^\s<\"'/]+/", page)
    assert match, "the success message gives the tracking link"
    return match.group(0)


def test_an_agent_records_a_phone_complaint_for_a_new_customer(routed_team: Team, member: User) -> None:
    client = client_for(member)

    response = client.post(URL, PHONE_COMPLAINT)

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:desk_case", args=[case.number])
    assert case.channel == "phone" and case.kind == "complaint"
    assert case.consent_version == PRIVACY_NOTICE_VERSION and case.consent_at is not None
    assert case.remedy_sought == "希望增加窗口"
    customer = Customer.objects.get()
    assert case.customer == customer
    assert customer.name == "李四" and customer.phone == "13912345678"
    page = client.get(response["Location"]).content.decode()
    assert case.number in page
    link = _tracking_link(page)
    tracking = Client().get(urlsplit(link).path)
    assert tracking.status_code == 200
    assert case.number in tracking.content.decode()


def test_a_second_case_with_the_same_phone_reuses_the_customer(routed_team: Team, member: User) -> None:
    client = client_for(member)

    client.post(URL, PHONE_COMPLAINT)
    again = client.post(URL, dict(PHONE_COMPLAINT, kind="inquiry", name="", phone="139 1234 5678"))

    assert again.status_code == 302
    assert Case.objects.count() == 2 and Customer.objects.count() == 1
    assert {case.customer_id for case in Case.objects.all()} == {Customer.objects.get().pk}


def test_a_known_email_finds_the_customer_when_no_phone_is_given(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    response = client_for(member).post(
        URL, dict(PHONE_COMPLAINT, channel="email", name="", phone="", email=other_customer.email)
    )

    assert response.status_code == 302
    assert Case.objects.get().customer == other_customer
    assert Customer.objects.count() == 1


def test_a_phone_shared_by_several_customers_asks_to_choose_from_the_list(
    routed_team: Team, member: User
) -> None:
    CustomerFactory.create(phone="13912345678")
    CustomerFactory.create(phone="13912345678")
    before = _counts()

    response = client_for(member).post(URL, PHONE_COMPLAINT)

    assert response.status_code == 200
    assert "客户列表" in response.context["form"].errors["phone"][0]  # "open … from the customer list"
    assert _counts() == before


def test_the_customer_chosen_from_the_list_is_preselected_and_used(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    client = client_for(member)
    detail = client.get(reverse("accounts:customer_detail", args=[other_customer.pk])).content.decode()
    assert f"{URL}?customer={other_customer.pk}" in detail

    form_page = client.get(URL, {"customer": other_customer.pk})
    html = form_page.content.decode()
    assert f'name="customer" value="{other_customer.pk}"' in html
    assert 'name="name"' not in html and 'name="phone"' not in html
    data = {key: value for key, value in PHONE_COMPLAINT.items() if key not in ("name", "phone", "email")}
    response = client.post(URL, dict(data, customer=other_customer.pk))

    assert response.status_code == 302
    assert Case.objects.get().customer == other_customer
    assert Customer.objects.count() == 1


def test_an_unknown_chosen_customer_is_an_error(routed_team: Team, member: User) -> None:
    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, customer="999999"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert _counts() == (0, 0)


def test_missing_name_and_contact_are_errors_and_nothing_is_written(routed_team: Team, member: User) -> None:
    before = _counts()

    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, name="", phone="", email=""))

    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    assert form.non_field_errors()
    assert _counts() == before
    # Nothing the agent typed is lost.
    assert "营业厅排队时间过长" in response.content.decode()


def test_the_customer_must_have_been_told_of_the_notice(routed_team: Team, member: User) -> None:
    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, how_informed=""))

    assert response.status_code == 200
    assert "how_informed" in response.context["form"].errors
    assert _counts() == (0, 0)
    assert not ConsentRecord.objects.exists()


def test_other_ways_of_telling_need_the_agents_words(routed_team: Team, member: User) -> None:
    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, how_informed="other"))

    assert "how_informed_other" in response.context["form"].errors
    assert _counts() == (0, 0) and not ConsentRecord.objects.exists()


def test_the_consent_records_who_told_the_customer_and_how(routed_team: Team, member: User) -> None:
    client_for(member).post(URL, dict(PHONE_COMPLAINT, surveys="no"))

    case = Case.objects.get()
    records = {record.purpose.code: record for record in ConsentRecord.objects.select_related("purpose")}
    handling, surveys = records["case_handling"], records["surveys"]
    assert handling.action == "given" and surveys.action == "withdrawn"
    assert handling.recorded_by == member and handling.channel == "phone"
    assert handling.how_informed == "我在电话中向客户宣读了告知书"
    assert handling.source == f"cases.case:{case.pk}"
    assert handling.notice_hash == notice_hash(notice_text("zh-hans")[1])


def test_staff_named_in_a_complaint_never_handle_it(routed_team: Team, member: User, teammate: User) -> None:
    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, named_staff=[teammate.pk]))

    assert response.status_code == 302
    case = Case.objects.get()
    assert list(case.named_staff.all()) == [teammate]
    assert case.assignee == member


def test_staff_named_in_an_inquiry_is_an_error(routed_team: Team, member: User, teammate: User) -> None:
    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, kind="inquiry", named_staff=[teammate.pk]))

    assert response.status_code == 200
    assert "named_staff" in response.context["form"].errors
    assert _counts() == (0, 0)


def test_a_call_taken_earlier_runs_its_clocks_from_then(routed_team: Team, member: User) -> None:
    earlier = timezone.localtime() - dt.timedelta(hours=3)
    typed = earlier.strftime("%Y-%m-%dT%H:%M")

    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, received_at=typed))

    assert response.status_code == 302
    assert Case.objects.get().received_at == earlier.replace(second=0, microsecond=0)


def test_a_receipt_time_in_the_future_is_refused_and_nothing_is_written(
    routed_team: Team, member: User
) -> None:
    later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, received_at=later))

    assert response.status_code == 200
    assert "received_at" in response.context["form"].errors
    assert _counts() == (0, 0)
    html = response.content.decode()
    assert later in html and "13912345678" in html


def test_null_characters_are_refused(routed_team: Team, member: User) -> None:
    response = client_for(member).post(URL, dict(PHONE_COMPLAINT, description="abc\x00def"))

    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    assert _counts() == (0, 0)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.QA_REVIEWER])
def test_customers_and_staff_who_may_not_record_cases_are_refused(routed_team: Team, role: Role) -> None:
    client = client_for(UserFactory.create(username="nobody", roles=[role]))

    assert client.get(URL).status_code == 403
    assert client.post(URL, PHONE_COMPLAINT).status_code == 403
    assert _counts() == (0, 0)


def test_anonymous_visitors_are_sent_to_sign_in(db: Any) -> None:
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_desk_links_to_the_page_for_those_who_may_record(member: User) -> None:
    client = client_for(member)

    assert URL in client.get(reverse("cases:desk_queue")).content.decode()
    assert URL in client.get("/desk/").content.decode()


def test_html_in_the_title_is_escaped_on_the_case_page(routed_team: Team, member: User) -> None:
    client = client_for(member)

    response = client.post(URL, dict(PHONE_COMPLAINT, title="<script>alert(1)</script>"))

    html = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
