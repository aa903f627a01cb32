"""The lost-link page (/track/): a new tracking link by e-mail for the right case number and contact, the same
answer for anything else, limits per address and per case number, and the ways to it."""

import email
import email.policy
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Customer, Team
from charter.audit.models import AuditEvent
from charter.cases.models import Case
from charter.cases.selectors import case_tracking_link_token
from charter.cases.services import case_tracking_token_revoke
from tests.accounts.factories import CustomerFactory
from tests.cases.conftest import new_case
from tests.conftest import browser_post, client_for
from tests.mail.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server
from tests.mail.servers import SmtpServer

pytestmark = pytest.mark.django_db

LOOKUP = "/track/"
SENT = "If the details match a case, we have sent a new link"


@pytest.fixture
def wang(routed_team: Team) -> Customer:
    return CustomerFactory.create(
        name="王小明", phone="13800001111", email="wang@example.com", language="zh-hans"
    )


@pytest.fixture
def phone_only(routed_team: Team) -> Customer:
    return CustomerFactory.create(name="李四", phone="13900002222", email="")


def _case(customer: Customer, capture: Any) -> Case:
    with capture(execute=True):
        return new_case(None, customer)


def _mails(server: SmtpServer, to: str) -> list[Any]:
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in server.envelopes
        if to in envelope.rcpt_tos
    ]


def _link(mail: Any) -> str:
    match = re.search(r"http://testserver(/track/[^/\s]+/)", mail.get_content())
    assert match is not None, mail.get_content()
    return match.group(1)


def _ask(client: Client, capture: Any, number: str, contact: str, **extra: Any) -> Any:
    with capture(execute=True):
        return client.post(LOOKUP, {"number": number, "contact": contact}, **extra)


def _answer(client: Client, response: Any) -> str:
    assert response.status_code == 302
    assert response["Location"] == "/track/?sent=1"
    return client.get(response["Location"]).content.decode()


def test_the_page_asks_for_the_number_and_the_contact_and_says_links_go_by_e_mail_only(db: None) -> None:
    page = Client().get(LOOKUP).content.decode()

    assert 'name="number"' in page and 'name="contact"' in page
    assert "受理编号" in page
    assert "只能通过电子邮件发送" in page and "热线" in page


def test_the_right_number_and_e_mail_send_a_new_link_and_retire_the_old_one(
    wang: Customer,
    smtp: SmtpServer,  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _case(wang, django_capture_on_commit_callbacks)
    old = f"/track/{case.tracking_token}/"
    before = len(_mails(smtp, "wang@example.com"))

    response = _ask(client, django_capture_on_commit_callbacks, case.number, "Wang@Example.com ")

    assert "如果信息与某件工单相符" in _answer(client, response)
    mails = _mails(smtp, "wang@example.com")
    assert len(mails) == before + 1
    assert "查询链接已更新" in mails[-1]["Subject"] and case.number in mails[-1]["Subject"]
    new = _link(mails[-1])
    assert new != old
    assert client.get(new).status_code == 200
    assert client.get(old).status_code == 404
    assert AuditEvent.objects.filter(action="cases.token_rotate").count() == 1


def test_the_phone_in_any_spelling_and_the_number_in_any_case_find_the_case(
    wang: Customer,
    smtp: SmtpServer,  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _case(wang, django_capture_on_commit_callbacks)
    before = len(_mails(smtp, "wang@example.com"))
    typed = case.number.lower().replace("-", "－")  # lower case, full-width dashes from a Chinese keyboard

    _ask(client, django_capture_on_commit_callbacks, typed, "+86 138-0000-1111")

    mails = _mails(smtp, "wang@example.com")  # the link goes to the e-mail the case has on record
    assert len(mails) == before + 1
    assert client.get(_link(mails[-1])).status_code == 200


@pytest.mark.parametrize("wrong", ["number", "contact"])
def test_a_wrong_number_or_contact_gets_the_same_answer_and_changes_nothing(
    wrong: str,
    wang: Customer,
    smtp: SmtpServer,  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _case(wang, django_capture_on_commit_callbacks)
    sent = len(smtp.envelopes)
    number = "TS-2026-999999" if wrong == "number" else case.number
    contact = "13800009999" if wrong == "contact" else "wang@example.com"

    page = _answer(client, _ask(client, django_capture_on_commit_callbacks, number, contact))

    assert "如果信息与某件工单相符" in page
    assert len(smtp.envelopes) == sent
    assert client.get(f"/track/{case.tracking_token}/").status_code == 200  # the link still works
    assert not AuditEvent.objects.filter(action="cases.token_rotate").exists()


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def test_nothing_tells_a_match_from_a_miss(
    wang: Customer,
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _case(wang, django_capture_on_commit_callbacks)
    answers = []
    for number, contact in (
        (case.number, "wang@example.com"),  # a match
        ("TS-2026-999999", "wang@example.com"),  # no such case
        (case.number, "someone@example.com"),  # not the case's contact
    ):
        client = Client()
        response = _ask(client, django_capture_on_commit_callbacks, number, contact)
        answers.append(
            (response.status_code, response["Location"], _without_tokens(_answer(client, response)))
        )

    assert answers[0] == answers[1] == answers[2]


def test_a_phone_only_customer_keeps_his_link_and_is_told_to_call(
    phone_only: Customer,
    smtp: SmtpServer,  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _case(phone_only, django_capture_on_commit_callbacks)
    sent = len(smtp.envelopes)

    page = _answer(client, _ask(client, django_capture_on_commit_callbacks, case.number, "139 0000 2222"))

    assert "只提供了电话号码" in page and "热线" in page
    assert len(smtp.envelopes) == sent
    assert client.get(f"/track/{case.tracking_token}/").status_code == 200  # nothing could carry a new one
    assert not AuditEvent.objects.filter(action="cases.token_rotate").exists()


def test_a_case_is_sent_a_few_links_an_hour_and_wrong_guesses_never_lock_its_customer_out(
    wang: Customer,
    settings: Any,
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CHARTER_CASES_LINK_REQUESTS_PER_HOUR = 2
    case = _case(wang, django_capture_on_commit_callbacks)
    before = len(_mails(smtp, "wang@example.com"))

    def ask(contact: str, i: int) -> int:
        return int(
            _ask(
                Client(), django_capture_on_commit_callbacks, case.number, contact, REMOTE_ADDR=f"10.0.0.{i}"
            ).status_code
        )

    guesses = [ask("someone@example.com", i) for i in range(5)]  # from many addresses
    asked = [ask("wang@example.com", 10 + i) for i in range(3)]

    assert guesses == [302] * 5 and asked == [302] * 3  # the answer never tells
    assert len(_mails(smtp, "wang@example.com")) == before + 2  # the third request sent nothing


def test_requests_are_limited_per_address_whatever_the_number(
    wang: Customer,
    settings: Any,
    smtp: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CHARTER_INTAKE_MAX_PER_HOUR = 2
    case = _case(wang, django_capture_on_commit_callbacks)
    client = Client()
    numbers = ["TS-2026-900001", "TS-2026-900002", case.number]

    responses = [_ask(client, django_capture_on_commit_callbacks, n, "wang@example.com") for n in numbers]

    assert [r.status_code for r in responses] == [302, 302, 429]
    assert "请求新链接的次数过多" in responses[-1].content.decode()
    assert client.get(f"/track/{case.tracking_token}/").status_code == 200  # the refused match did nothing
    other_address = Client(REMOTE_ADDR="10.1.1.1")
    assert other_address.post(LOOKUP, {"number": case.number, "contact": "x@example.com"}).status_code == 302


def test_an_empty_or_broken_form_shows_its_errors_and_counts_nothing(settings: Any, db: None) -> None:
    settings.CHARTER_INTAKE_MAX_PER_HOUR = 1
    client = Client()

    for _ in range(3):
        refused = client.post(LOOKUP, {"number": "", "contact": "a\x00b"})
        assert refused.status_code == 200
    assert "必填" in refused.content.decode()
    assert client.post(LOOKUP, {"number": "TS-2026-000001", "contact": "a@example.com"}).status_code == 302


def test_a_browser_can_post_the_form(wang: Customer, django_capture_on_commit_callbacks: Any) -> None:
    case = _case(wang, django_capture_on_commit_callbacks)
    browser = Client(enforce_csrf_checks=True)

    response = browser_post(browser, LOOKUP, {"number": case.number, "contact": "wang@example.com"})

    assert response.status_code == 302


def test_an_unknown_link_answers_404_with_the_way_to_a_new_one(db: None) -> None:
    response = Client().get("/track/not-a-real-token-at-all/")

    assert response.status_code == 404
    page = response.content.decode()
    assert 'href="/track/"' in page and "链接无效" in page
    assert response["X-Robots-Tag"] == "noindex"


def test_the_intake_page_and_the_home_page_lead_to_the_lost_link_page(db: None) -> None:
    for url in (reverse("cases:intake"), reverse("catalog:home")):
        page = Client().get(url).content.decode()
        assert 'href="/track/"' in page, url


def test_a_signed_link_of_a_later_mail_opens_the_case_until_the_link_is_replaced_or_revoked(
    wang: Customer, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(wang, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    signed = case_tracking_link_token(case=case)
    client = Client()

    assert client.get(f"/track/{signed}/").status_code == 200
    forged = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    assert client.get(f"/track/{forged}/").status_code == 404
    other = _case(CustomerFactory.create(), django_capture_on_commit_callbacks)
    assert client.get(f"/track/{other.pk}:{signed.split(':', 1)[1]}/").status_code == 404

    case_tracking_token_revoke(actor=member, case=case)
    assert client.get(f"/track/{signed}/").status_code == 404


def test_a_signed_in_customer_may_use_the_page_too(customer_user: Any, db: None) -> None:
    assert client_for(customer_user).get(LOOKUP).status_code == 200


def test_a_link_staff_revoked_stays_revoked_whatever_the_page_is_asked(
    wang: Customer,
    administrator: Any,
    smtp: SmtpServer,  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from charter.cases.services import case_tracking_token_revoke

    case = _case(wang, django_capture_on_commit_callbacks)
    case_tracking_token_revoke(actor=administrator, case=case)
    before = len(_mails(smtp, "wang@example.com"))

    response = _ask(client, django_capture_on_commit_callbacks, case.number, "wang@example.com")

    assert response.status_code == 302  # the same answer as ever
    case.refresh_from_db()
    assert case.tracking_token_hash is None
    assert len(_mails(smtp, "wang@example.com")) == before
