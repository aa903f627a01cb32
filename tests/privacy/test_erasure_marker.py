"""The marker test: a customer whose every detail carries a unique marker comes in through the real paths
(the public form with a file, a reply by e-mail with a file, a quarantined message, a staff reply and note
quoting him, the mails sent to him, a survey answer with free text); after his erasure no trace of the
marker (in any case) or of his blind indexes is left in any column of any table, decrypted where encrypted,
in any session, or in any file under MEDIA_ROOT, while numbers, clocks, scores and counts are unchanged."""

import os
import re
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from charter.accounts.models import Customer, User
from charter.accounts.services import customer_update
from charter.audit.models import AuditEvent
from charter.cases.models import Case, CaseAttachment, CaseClock, CaseEvent, CaseMessage
from charter.cases.services import case_reply, case_resolve
from charter.common.sessions import sessions_all
from charter.mail.inbound import message_receive
from charter.mail.models import InboundMessage, Mailbox, OutboundMessage
from charter.privacy.registry import ERASED_MARKER
from charter.privacy.requests import data_request_complete, data_request_create, data_request_take
from charter.surveys.invitations import invitations_from_resolved_cases, invitations_send_due
from charter.surveys.models import Answer, Invitation, Response, SurveyRule
from tests.surveys.conftest import rule, survey  # noqa: F401 - the after-case survey and its rule

pytestmark = pytest.mark.django_db

# Tables whose row count may change with the erasure (it is audited; his sessions and tokens end).
COUNT_CHANGES = {"audit.auditevent", "sessions.session", "audit.auditchainhead", "accounts.apitoken"}


def _hidden_inputs(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


class Needles:
    def __init__(self, mark: str, phone: str, indexes: list[str]) -> None:
        self.texts = [mark.lower(), phone, *[index.lower() for index in indexes if index]]
        self.raw = [text.encode() for text in self.texts] + [
            text.encode().hex().encode() for text in self.texts
        ]

    def in_value(self, value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, memoryview):
            value = value.tobytes()
        if isinstance(value, bytes):
            lowered = value.lower()
            return any(needle in lowered for needle in self.raw)
        text = str(value).lower()
        return any(needle in text for needle in self.texts)


def _model_hits(needles: Needles) -> set[str]:
    """Every concrete column of every model (m2m through tables included), read through the ORM so encrypted
    fields are decrypted."""
    hits: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*names).iterator():
            for name, value in zip(names, row, strict=True):
                if needles.in_value(value):
                    hits.add(f"{model._meta.label_lower}.{name}")
    return hits


def _table_hits(needles: Needles) -> set[str]:
    """Every column of every table of the database as stored, including the tables no model names (the
    search index, its full-text shadow tables)."""
    hits: set[str] = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor, include_views=False):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (catalogue names)
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(columns, row, strict=True):
                    if needles.in_value(value):
                        hits.add(f"{table}.{name}")
    return hits


def _session_hits(needles: Needles) -> set[str]:
    """Every stored session, in the database or in files (charter.common.sessions)."""
    return {f"session:{key}" for key, data in sessions_all() if needles.in_value(repr(data))}


def _file_hits(needles: Needles, root: Path) -> set[str]:
    hits: set[str] = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if needles.in_value(path.read_bytes()) or needles.in_value(str(path.relative_to(root))):
                hits.add(str(path.relative_to(root)))
    return hits


def _hits(needles: Needles, media: Path) -> set[str]:
    return _model_hits(needles) | _table_hits(needles) | _session_hits(needles) | _file_hits(needles, media)


def _figures() -> dict[str, Any]:
    """What published figures are made of: numbers, states, clocks, scores, counts."""
    counts = {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed and model._meta.label_lower not in COUNT_CHANGES
    }
    return {
        "cases": list(
            Case.objects.order_by("pk").values_list(
                "number", "kind", "status", "outcome", "received_at", "resolved_at", "closed_at", "service_id"
            )
        ),
        "clocks": list(CaseClock.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values_list("kind", "occurred_at", "is_internal")),
        "responses": list(Response.objects.order_by("pk").values_list("csat", "nps", "ces", "submitted_at")),
        "answers": list(Answer.objects.order_by("pk").values_list("score", "choices")),
        "sizes": list(CaseAttachment.objects.order_by("pk").values_list("size", "content_type")),
        "counts": counts,
    }


def _mail(*, sender: str, name: str, subject: str, body: str, reply_to: str = "", mark: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "service@charter.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{sender.split('@')[1]}>"
    if reply_to:
        message["In-Reply-To"] = f"<{reply_to}>"
        message["References"] = f"<{reply_to}>"
    message.set_content(body)
    if mark:
        message.add_attachment(
            f"meter photo note {mark}\n".encode(),
            maintype="text",
            subtype="plain",
            filename=f"{mark}-meter.txt",
        )
    return bytes(message)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CHARTER_SITE_URL = "http://testserver"
    return tmp_path / "media"


def test_no_trace_of_an_erased_customer_survives_anywhere(
    rule: SurveyRule,  # noqa: F811
    media: Path,
    administrator: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mark = "ZQX" + uuid.uuid4().hex[:16].upper()
    phone = "139" + str(uuid.uuid4().int)[:8]
    email = f"{mark.lower()}@example.com"
    name = f"王{mark}"
    id_number = f"11010519900307{mark[-4:]}{mark}"

    # 1. The public form, with a file and both consents.
    client = Client()
    page = client.get("/cases/new/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cases/new/",
            {
                **_hidden_inputs(page),
                "kind": "complaint",
                "title": f"水费{mark}投诉",
                "description": f"我家水表编号是{mark}号。三月账单比平时高很多，请核实。",
                "remedy_sought": f"退还多收的水费 {mark}",
                "name": name,
                "phone": phone,
                "email": email,
                "consent": "on",
                "surveys": "on",
                "attachments": SimpleUploadedFile(
                    f"{mark}.txt", f"bill scan {mark}\n".encode(), "text/plain"
                ),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    customer = case.customer
    assert customer.name == name and CaseAttachment.objects.filter(case=case).count() == 1
    # His ID number, recorded by staff.
    customer_update(actor=administrator, customer=customer, id_number=id_number)
    customer.refresh_from_db()
    indexes = [customer.phone_index, customer.email_index, customer.id_number_index]

    # 2. His reply by e-mail to the acknowledgement, with a file; and a message too big, quarantined whole.
    acknowledgement = OutboundMessage.objects.filter(thread_ref=f"case:{case.pk}").first()
    assert acknowledgement is not None and acknowledgement.recipient == email
    mailbox = Mailbox.objects.create(
        name="客服邮箱",
        address="service@charter.example",
        host="mail.example.com",
        username="u",
        password="p",
    )
    reply = _mail(
        sender=email,
        name=name,
        subject=f"回复：{acknowledgement.subject}",
        body=f"补充：我的电话 {phone}，证件号 {id_number}。",
        reply_to=acknowledgement.message_id,
        mark=mark,
    )
    with django_capture_on_commit_callbacks(execute=True):
        inbound, is_new = message_receive(mailbox=mailbox, raw=reply)
    assert is_new and inbound.status == InboundMessage.Status.HANDLED, inbound.reason
    assert CaseMessage.objects.filter(case=case, author_kind="customer").count() == 1
    settings.CHARTER_MAIL_MAX_BYTES = 400
    big = _mail(sender=email, name=name, subject=f"又一封 {mark}", body=f"{mark} " * 80)
    held, _new = message_receive(mailbox=mailbox, raw=big)
    assert held.status == InboundMessage.Status.QUARANTINED

    # 3. Staff answer him quoting his words, note his phone internally, and resolve (mails go to him).
    case.refresh_from_db()
    handler = case.assignee or administrator
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(
            actor=handler,
            case=case,
            body=f"{name}您好：您提到“三月账单比平时高很多，请核实”，水表 {mark} 已安排复核。",
        )
        case_reply(
            actor=handler, case=case, body=f"已致电 {phone[:3]}-{phone[3:7]}-{phone[7:]}。", is_internal=True
        )
        case.refresh_from_db()
        case = case_resolve(
            actor=handler, case=case, outcome="upheld", reasons=f"已向{name}解释", root_cause="process"
        )

    # 4. The satisfaction survey, answered with a low score and free text.
    with django_capture_on_commit_callbacks(execute=True):
        invitations_from_resolved_cases()
        invitations_send_due()
    invitation = Invitation.objects.get(case=case)
    questions = {question.type: question.pk for question in invitation.version.questions.all()}
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(
            f"/s/{invitation.token}/",
            {f"q{questions['csat']}": "1", f"q{questions['text']}": f"太慢了，{name}很不满意 {mark}"},
        )
    assert answered.status_code == 200
    assert Answer.objects.filter(response__invitation=invitation, text__contains=mark).exists()

    needles = Needles(mark, phone, indexes)
    before = _hits(needles, media)
    # The marker reached every kind of store the erasure must clean (else the test proves nothing).
    for expected in (
        "accounts.customer.name",
        "cases.case.title",
        "cases.casemessage.body",
        "cases.caseattachment.original_name",
        "mail.inboundmessage.raw",
        "mail.inboundmessage.sender",
        "mail.outboundmessage.body",
        "surveys.answer.text",
    ):
        assert expected in before, (expected, sorted(before))
    assert any(hit.startswith("cases_search") for hit in before), sorted(before)
    assert _file_hits(needles, media)

    # 5. He asks, by phone, for his data to be erased; the data protection officer takes and completes it.
    with django_capture_on_commit_callbacks(execute=True):
        request = data_request_create(
            actor=administrator,
            customer=customer,
            kind="erasure",
            channel="phone",
            details=f"{name} 来电要求删除全部资料",
            identity_verification=f"核对了身份证 {id_number}",
        )
        data_request_take(actor=administrator, request=request)
    before = _hits(needles, media)
    assert "privacy.datasubjectrequest.details" in before, sorted(before)
    figures = _figures()

    with django_capture_on_commit_callbacks(execute=True):
        data_request_complete(actor=administrator, request=request, outcome="已删除")

    erased = AuditEvent.objects.get(action="privacy.erase")
    counts = erased.data["counts"]
    assert counts["accounts.customer"] == 1 and counts["cases.casemessage"] >= 1
    assert _hits(needles, media) == set()
    assert _figures() == figures
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.anonymised_at is not None and customer.email == customer.phone == customer.id_number == ""
    case = Case.objects.get(pk=case.pk)
    assert case.title == ERASED_MARKER and case.tracking_token_hash is None
