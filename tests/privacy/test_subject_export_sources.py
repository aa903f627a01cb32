"""Each app's share of an access export: what the customer wrote and was told, the files he sent, his mails
and his survey answers; never internal notes, staff names, internal files or another customer's data."""

import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from charter.accounts.models import Customer, User
from charter.cases.models import Case
from charter.cases.privacy import customer_cases_export
from charter.cases.services import attachment_add, case_customer_reply, case_reply
from charter.mail.inbound import message_receive
from charter.mail.models import Mailbox, OutboundMessage
from charter.mail.privacy import customer_mail_export
from charter.privacy.registry import subject_data_sources
from charter.surveys.invitations import invitations_from_resolved_cases, invitations_send_due
from charter.surveys.models import Invitation, SurveyRule
from charter.surveys.privacy import customer_surveys_export
from tests.cases.conftest import new_case, routed_team  # noqa: F401 - cases routed to alice and bob
from tests.surveys.conftest import resolved_case, rule, survey  # noqa: F401 - the after-case survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CHARTER_SITE_URL = "http://testserver"
    return tmp_path / "media"


@pytest.fixture
def customer(routed_team: Any, media: Path) -> Customer:  # noqa: F811
    return Customer.objects.create(name="刘晓梅", phone="13900000001", email="liu@example.com")


def test_the_cases_share_is_his_conversation_and_his_files_only(
    customer: Customer, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    other = Customer.objects.create(name="张伟", email="zhang@example.com")
    new_case(None, other, title="别人的工单", description="别人的描述")
    case = new_case(None, customer, title="水费投诉", description="三月账单偏高。")
    handler = case.assignee or administrator
    with django_capture_on_commit_callbacks(execute=True):
        case_customer_reply(
            case=case, body="补充：水表编号 A-1234。", attachments=[ContentFile(b"scan", name="bill.txt")]
        )
        case_reply(actor=handler, case=case, body="您好，已安排复核。")
        case_reply(actor=handler, case=case, body="内部：此客户多次投诉。", is_internal=True)
        attachment_add(actor=handler, case=case, file=ContentFile(b"memo", name="memo.txt"), is_internal=True)

    export = customer_cases_export(customer)

    assert [row["number"] for row in export.tables["cases"]] == [case.number]
    assert export.tables["cases"][0]["title"] == "水费投诉"
    texts = [row["text"] for row in export.tables["case_messages"]]
    assert "补充：水表编号 A-1234。" in texts and "您好，已安排复核。" in texts
    assert not any("内部" in text for text in texts)
    dump = repr(export.tables)
    assert handler.get_username() not in dump and str(handler) not in dump and "别人" not in dump
    assert [row["name"] for row in export.tables["case_attachments"]] == ["bill.txt"]
    ((name, stored),) = export.files
    assert name.endswith("bill.txt") and stored.read() == b"scan"


def test_the_mail_share_is_what_he_sent_and_what_he_was_sent(
    customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(None, customer)
    acknowledgement = OutboundMessage.objects.get(thread_ref=f"case:{case.pk}")
    mailbox = Mailbox.objects.create(
        name="客服", address="service@charter.example", host="m", username="u", password="p"
    )
    reply = EmailMessage()
    reply["From"] = "刘晓梅 <LIU@example.com>"
    reply["To"] = "service@charter.example"
    reply["Subject"] = "回复：水费"
    reply["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    reply["In-Reply-To"] = f"<{acknowledgement.message_id}>"
    reply.set_content("补充说明。")
    with django_capture_on_commit_callbacks(execute=True):
        message_receive(mailbox=mailbox, raw=bytes(reply))

    export = customer_mail_export(customer)

    assert [row["subject"] for row in export.tables["mail_received"]] == ["回复：水费"]
    assert acknowledgement.subject in [row["subject"] for row in export.tables["mail_sent"]]
    assert all(row["to"] == "liu@example.com" for row in export.tables["mail_sent"])


def test_the_surveys_share_is_his_answers(
    rule: SurveyRule,  # noqa: F811
    routed_team: Any,  # noqa: F811
    media: Path,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    customer = Customer.objects.create(name="王小明", email="wang@example.com", language="zh-hans")
    case = resolved_case(customer)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_from_resolved_cases()
        invitations_send_due()
    invitation = Invitation.objects.get(case=case)
    questions = {question.type: question.pk for question in invitation.version.questions.all()}
    client.post(f"/s/{invitation.token}/", {f"q{questions['csat']}": "4", f"q{questions['text']}": "挺好的"})

    export = customer_surveys_export(customer)

    assert export.tables["survey_invitations"][0]["case"] == case.number
    assert export.tables["survey_responses"][0]["csat"] == 4
    assert "挺好的" in [row["text"] for row in export.tables["survey_answers"]]


def test_staff_only_apps_export_nothing_about_him(customer: Customer) -> None:
    sources = {source.key: source for source in subject_data_sources()}
    for key in ("quality", "conduct", "improvement"):
        assert sources[key].export(customer).tables == {}
    assert Case.objects.count() == 0
