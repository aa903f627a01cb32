"""The access export: a customer who came in through the real paths (the public form with a file, a reply by
e-mail, a staff reply and an internal note, a survey answer) gets a ZIP with everything about him, as JSON
and CSV, and his files; never the staff's internal note, another customer's data or internal scores."""

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from charter.accounts.models import User
from charter.cases.models import Case
from charter.cases.services import case_reply, case_resolve
from charter.privacy.exports import subject_export_zip
from charter.privacy.requests import data_request_complete, data_request_take
from charter.surveys.invitations import invitations_from_resolved_cases, invitations_send_due
from charter.surveys.models import Invitation, SurveyRule
from tests.privacy.requests_fixtures import portal_request
from tests.surveys.conftest import rule, survey  # noqa: F401 - the after-case survey and its rule

pytestmark = pytest.mark.django_db


def _hidden_inputs(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def _intake(client: Client, *, name: str, phone: str, email: str, title: str, text: str, file: bytes) -> Case:
    page = client.get("/cases/new/").content.decode()
    response = client.post(
        "/cases/new/",
        {
            **_hidden_inputs(page),
            "kind": "complaint",
            "title": title,
            "description": text,
            "name": name,
            "phone": phone,
            "email": email,
            "consent": "on",
            "surveys": "on",
            "attachments": SimpleUploadedFile("bill.txt", file, "text/plain"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.order_by("-pk").first()  # type: ignore[return-value]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CHARTER_SITE_URL = "http://testserver"
    return tmp_path / "media"


def test_the_access_export_holds_everything_about_him_and_nothing_else(
    rule: SurveyRule,  # noqa: F811
    media: Path,
    administrator: User,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        case = _intake(
            client,
            name="周子健",
            phone="13712345678",
            email="zhou@example.com",
            title="水费账单异常",
            text="三月水费比平时高三倍，水表编号 WM-7781。",
            file=b"bill scan ZHOU-BILL-0301\n",
        )
        other = _intake(
            Client(),
            name="吴秀英",
            phone="13698765432",
            email="wu@example.com",
            title="停水未通知",
            text="OTHER-CUSTOMER-TEXT 小区停水没有通知。",
            file=b"OTHER-CUSTOMER-FILE\n",
        )
    customer = case.customer
    assert other.customer != customer
    # His portal account (the intake recorded him without one).
    customer.user = User.objects.create_user(username="zhou", email="zhou@example.com")
    customer.save(update_fields=["user"])

    handler = case.assignee or administrator
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(actor=handler, case=case, body="周先生您好：已安排复核水表 WM-7781。")
        case_reply(actor=handler, case=case, body="INTERNAL-NOTE 疑似表具故障，勿告知客户", is_internal=True)
        case.refresh_from_db()
        case = case_resolve(
            actor=handler, case=case, outcome="upheld", reasons="已退还多收水费", root_cause="process"
        )
    with django_capture_on_commit_callbacks(execute=True):
        invitations_from_resolved_cases()
        invitations_send_due()
    invitation = Invitation.objects.get(case=case)
    questions = {question.type: question.pk for question in invitation.version.questions.all()}
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(
            f"/s/{invitation.token}/",
            {f"q{questions['csat']}": "2", f"q{questions['text']}": "SURVEY-ANSWER 处理太慢"},
        )
    assert answered.status_code == 200

    request = data_request_take(actor=officer, request=portal_request(customer, "access"))
    request = data_request_complete(actor=officer, request=request)

    with request.export_file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = archive.namelist()
    document = json.loads(archive.read("data.json"))
    tables = document["tables"]
    assert document["request"] == request.number
    # His profile, case, messages (his own and the public reply), attachment, survey answer and requests.
    assert tables["customer"][0]["name"] == "周子健" and tables["customer"][0]["phone"] == "13712345678"
    assert [row["number"] for row in tables["cases"]] == [case.number]
    assert "WM-7781" in tables["cases"][0]["description"]
    texts = [row["text"] for row in tables["case_messages"]]
    assert any("已安排复核水表" in text for text in texts)
    assert any("SURVEY-ANSWER" in (row["text"] or "") for row in tables["survey_answers"])
    assert [row["number"] for row in tables["privacy_data_requests"]] == [request.number]
    files = [name for name in names if name.startswith("files/")]
    assert len(files) == 1 and archive.read(files[0]) == b"bill scan ZHOU-BILL-0301\n"
    # One CSV per table, readable by a spreadsheet (BOM).
    for table in tables:
        assert f"csv/{table}.csv" in names
        assert archive.read(f"csv/{table}.csv").startswith("\ufeff".encode())
    assert "WM-7781" in archive.read("csv/cases.csv").decode("utf-8-sig")
    # Never the internal note, the other customer, nor anything from QA reviews.
    everything = b"".join(archive.read(name) for name in names)
    for secret in ("INTERNAL-NOTE", "OTHER-CUSTOMER", "吴秀英", "13698765432", "wu@example.com"):
        assert secret.encode() not in everything, secret
    assert not any(table.startswith(("quality", "qa", "review")) for table in tables)


def test_a_customer_with_nothing_but_his_profile_gets_a_small_zip(customer: Any) -> None:
    content, counts = subject_export_zip(customer=customer)
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert "data.json" in archive.namelist() and "csv/customer.csv" in archive.namelist()
    assert counts["customer"] == 1 and counts.get("cases", 0) == 0


def test_a_formula_in_his_text_is_neutralised_in_the_csv(customer: Any) -> None:
    customer.name = "=HYPERLINK(1)"
    content, _counts = subject_export_zip(customer=customer)
    csv_text = zipfile.ZipFile(io.BytesIO(content)).read("csv/customer.csv").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in csv_text


def test_two_files_of_the_same_name_without_a_dot_both_stay_under_files(customer: Any) -> None:
    from django.core.files.base import ContentFile

    from charter.privacy import registry
    from charter.privacy.registry import SubjectDataSource, SubjectExport

    def export(_customer: Any) -> SubjectExport:
        return SubjectExport(files=[("README", ContentFile(b"one")), ("README", ContentFile(b"two"))])  # type: ignore[list-item]

    registry.subject_data_register(SubjectDataSource(key="zz_test", export=export, erase=lambda c: {}))
    try:
        content, _counts = subject_export_zip(customer=customer)
    finally:
        registry._sources.pop("zz_test")
    archive = zipfile.ZipFile(io.BytesIO(content))

    assert archive.read("files/README") == b"one" and archive.read("files/README-2") == b"two"
    assert json.loads(archive.read("data.json"))["files"][:2] == ["files/README", "files/README-2"]
