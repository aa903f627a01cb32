"""The cases API: wiring of every endpoint, the error shape, what customers see, and bad input."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from charter.accounts.models import Customer, Team, User
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseMessage
from charter.cases.services import case_reply, case_resolve
from tests.cases.conftest import new_case
from tests.conftest import api_client_for, not_none

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases/"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(routed_team: Team, member: User, teammate: User, customer: Customer) -> Case:
    return new_case(None, customer)


# Listing and reading ------------------------------------------------------------------------------------


def test_staff_list_a_queue_ordered_by_deadline(case: Case, member: User, customer: Customer) -> None:
    second = new_case(None, customer)

    response = api_client_for(member).get(BASE, {"queue": "my_teams"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [case.number, second.number]
    assert rows[0]["assignee"]["id"] == case.assignee_id and rows[0]["status"] == "acknowledged"


def test_list_filters_and_bad_parameters(case: Case, member: User) -> None:
    client = api_client_for(member)

    assert client.get(BASE, {"kind": "complaint"}).json()["results"] == []
    assert len(client.get(BASE, {"kind": "inquiry,complaint"}).json()["results"]) == 1
    refused = client.get(BASE, {"queue": "everything"})
    assert refused.status_code == 400 and refused.json()["code"] == "case_invalid_queue"
    assert client.get(BASE, {"team": "abc"}).status_code == 400


def test_staff_read_a_case_with_clocks_timeline_and_notes(case: Case, member: User) -> None:
    case_reply(actor=member, case=case, body="内部备注", is_internal=True)

    body = api_client_for(member).get(f"{BASE}{case.pk}/").json()

    assert {c["metric"] for c in body["clocks"]} == {"first_response", "resolution"}
    assert "note_added" in [e["kind"] for e in body["timeline"]]
    assert "named_staff" in body and "links" in body


def test_customers_never_see_internal_notes_or_staff_fields(
    case: Case, member: User, customer_user: User
) -> None:
    case_reply(actor=member, case=case, body="公开回复")
    case_reply(actor=member, case=case, body="内部备注：客户难缠", is_internal=True)
    client = api_client_for(customer_user)

    detail = client.get(f"{BASE}{case.pk}/").json()
    messages = client.get(f"{BASE}{case.pk}/messages/").json()["results"]

    assert [m["body"] for m in messages] == ["公开回复"]
    assert "内部备注" not in json.dumps(detail, ensure_ascii=False)
    assert all(not e["is_internal"] for e in detail["timeline"])
    assert not {"named_staff", "tags", "root_cause", "links"} & set(detail)
    staff_messages = api_client_for(member).get(f"{BASE}{case.pk}/messages/").json()["results"]
    assert [m["is_internal"] for m in staff_messages] == [False, True]


def test_customers_are_not_told_staff_names_anywhere_in_the_api(
    case: Case, member: User, customer_user: User
) -> None:
    case_reply(actor=member, case=case, body="您好，已安排上门。")
    name = str(member)
    customer = api_client_for(customer_user)

    detail = customer.get(f"{BASE}{case.pk}/").json()
    listed = customer.get(BASE).json()["results"]
    messages = customer.get(f"{BASE}{case.pk}/messages/").json()["results"]
    written = customer.post(f"{BASE}{case.pk}/messages/", {"body": "好的，谢谢"}, format="json").json()

    # The tracking page says "our staff"; the API says the same.
    assert "assignee" not in detail and all("assignee" not in row for row in listed)
    assert [m["author"] for m in messages] == ["staff"] and written["author"] == "customer"
    assert all(event["actor"] is None for event in detail["timeline"])
    everything = json.dumps([detail, listed, messages, written], ensure_ascii=False)
    assert name not in everything and member.username not in everything
    staff = api_client_for(member)
    assert staff.get(f"{BASE}{case.pk}/").json()["assignee"]["id"] == case.assignee_id
    assert staff.get(BASE).json()["results"][0]["assignee"]["id"] == case.assignee_id
    assert staff.get(f"{BASE}{case.pk}/messages/").json()["results"][0]["author"] == name


# Creating -----------------------------------------------------------------------------------------------


def test_staff_record_a_phone_complaint(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    response = api_client_for(member).post(
        BASE,
        {
            "kind": "complaint",
            "channel": "phone",
            "customer": customer.pk,
            "title": "维修人员迟到",
            "description": "约好十点，十二点才到。",
            "priority": "high",
            "named_staff": [teammate.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("TS-") and body["status"] == "acknowledged"
    assert body["assignee"]["id"] == member.pk  # never the named teammate
    assert [p["id"] for p in body["named_staff"]] == [teammate.pk]


def test_a_customer_raises_his_own_case_on_the_web(
    routed_team: Team, customer: Customer, customer_user: User, other_customer: Customer
) -> None:
    response = api_client_for(customer_user).post(
        BASE,
        {
            "kind": "inquiry",
            "channel": "phone",
            "customer": other_customer.pk,
            "title": "咨询",
            "description": "问题",
        },
        format="json",
    )

    assert response.status_code == 201
    created = Case.objects.get(pk=response.json()["id"])
    assert created.customer == customer and created.channel == "web"


def test_staff_must_say_who_raises_the_case(routed_team: Team, member: User) -> None:
    response = api_client_for(member).post(
        BASE, {"kind": "inquiry", "title": "x", "description": "y"}, format="json"
    )

    assert response.status_code == 400 and "customer" in response.json()["fields"]


# Bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "bad\u0000title"}, "title"),
        ({"description": "\u0000"}, "description"),
        ({"kind": ["complaint"]}, "kind"),
        ({"priority": "asap"}, "priority"),
        ({"title": "x" * 201}, "title"),
        ({"named_staff": "alice"}, "named_staff"),
        ({"service": 99999}, "service"),
    ],
)
def test_bad_input_is_a_clear_400(
    routed_team: Team, member: User, customer: Customer, payload: dict[str, Any], field: str
) -> None:
    data = {
        "kind": "inquiry",
        "channel": "phone",
        "customer": customer.pk,
        "title": "标题",
        "description": "内容",
    }
    data.update(payload)

    response = api_client_for(member).post(BASE, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]
    assert not Case.objects.exists()


def test_malformed_and_oversized_bodies_are_400(routed_team: Team, member: User) -> None:
    client = api_client_for(member)

    malformed = client.post(BASE, data='{"kind": ', content_type="application/json")
    oversized = client.post(
        BASE, data=json.dumps({"description": "长" * 300_000}), content_type="application/json"
    )

    assert malformed.status_code == 400 and malformed.json()["code"] == "parse_error"
    assert oversized.status_code == 400 and oversized.json()["code"] == "case_file_too_large"


def test_emoji_supplementary_cjk_and_rtl_text_round_trip(
    routed_team: Team, member: User, customer: Customer
) -> None:
    title = "停电 ⚡😡 𠀀𠮷 שלום"
    description = "مرحبا 𪚥 👍🏽 עברית"

    response = api_client_for(member).post(
        BASE,
        {
            "kind": "complaint",
            "channel": "phone",
            "customer": customer.pk,
            "title": title,
            "description": description,
        },
        format="json",
    )
    fetched = api_client_for(member).get(f"{BASE}{response.json()['id']}/").json()

    assert (fetched["title"], fetched["description"]) == (title, description)


# Messages -----------------------------------------------------------------------------------------------


def test_staff_reply_and_note_and_the_customer_writes_back(
    case: Case, member: User, customer_user: User
) -> None:
    staff = api_client_for(member)

    reply = staff.post(f"{BASE}{case.pk}/messages/", {"body": "您好"}, format="json")
    note = staff.post(f"{BASE}{case.pk}/messages/", {"body": "备注", "is_internal": True}, format="json")
    customer = api_client_for(customer_user).post(
        f"{BASE}{case.pk}/messages/", {"body": "谢谢"}, format="json"
    )
    sneaky = api_client_for(customer_user).post(
        f"{BASE}{case.pk}/messages/", {"body": "x", "is_internal": True}, format="json"
    )

    assert (reply.status_code, note.status_code, customer.status_code) == (201, 201, 201)
    assert note.json()["is_internal"] is True and customer.json()["author_kind"] == "customer"
    assert sneaky.status_code == 403 and sneaky.json()["code"] == ErrorCode.NOTE_DENIED
    assert not CaseMessage.objects.filter(body="x").exists()


# Transitions and conflicts ------------------------------------------------------------------------------


def test_transitions_answer_409_when_invalid_or_stale(case: Case, member: User) -> None:
    client = api_client_for(member)
    url = f"{BASE}{case.pk}/transitions/"

    moved = client.post(url, {"to": "in_progress", "version": case.version}, format="json")
    stale = client.post(url, {"to": "waiting_customer", "version": case.version}, format="json")
    current = moved.json()["version"]
    invalid = client.post(url, {"to": "new", "version": current}, format="json")
    dedicated = client.post(url, {"to": "resolved", "version": current}, format="json")
    unknown = client.post(url, {"to": "vanished", "version": current}, format="json")

    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    assert moved.json()["version"] == case.version + 1
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert invalid.status_code == 409 and invalid.json()["code"] == "invalid_transition"
    assert dedicated.status_code == 400 and dedicated.json()["code"] == "case_resolution_required"
    assert unknown.status_code == 400


def test_patch_changes_details_with_the_version(case: Case, member: User) -> None:
    client = api_client_for(member)

    changed = client.patch(
        f"{BASE}{case.pk}/", {"version": case.version, "priority": "urgent"}, format="json"
    )
    stale = client.patch(f"{BASE}{case.pk}/", {"version": case.version, "priority": "low"}, format="json")
    missing = client.patch(f"{BASE}{case.pk}/", {"priority": "low"}, format="json")

    assert changed.status_code == 200 and changed.json()["priority"] == "urgent"
    assert stale.status_code == 409
    assert missing.status_code == 428 and missing.json()["code"] == "case_version_required"


# Assign, resolve, merge, link, accept, appeal -----------------------------------------------------------


def test_assign_resolve_accept(
    case: Case, member: User, teammate: User, supervisor: User, customer_user: User
) -> None:
    staff = api_client_for(supervisor)

    assigned = staff.post(
        f"{BASE}{case.pk}/assign/", {"assignee": teammate.pk, "version": case.version}, format="json"
    )
    resolved = staff.post(
        f"{BASE}{case.pk}/resolve/",
        {
            "outcome": "answered",
            "reasons": "已答复",
            "remedy_amount": "12.50",
            "version": assigned.json()["version"],
        },
        format="json",
    )
    bad_amount = staff.post(
        f"{BASE}{case.pk}/resolve/",
        {
            "outcome": "answered",
            "reasons": "x",
            "remedy_amount": "1.234",
            "version": resolved.json()["version"],
        },
        format="json",
    )
    by_staff = staff.post(f"{BASE}{case.pk}/accept/")
    accepted = api_client_for(customer_user).post(f"{BASE}{case.pk}/accept/")

    assert assigned.status_code == 200 and assigned.json()["assignee"]["id"] == teammate.pk
    assert resolved.status_code == 200 and resolved.json()["remedy_amount"] == "12.50"
    assert bad_amount.status_code in {400, 409}
    assert by_staff.status_code == 403
    assert accepted.status_code == 200 and accepted.json()["status"] == "closed"


def test_the_customer_appeals(case: Case, member: User, customer_user: User) -> None:
    case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="已答复")

    response = api_client_for(customer_user).post(
        f"{BASE}{case.pk}/appeal/", {"reason": "不满意"}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == "reconsideration"
    assert Case.objects.get(pk=case.pk).assignee_id not in {None, case.assignee_id}
    assert "assignee" not in response.json()  # the customer is not told who reconsiders it


def test_merge_and_link(case: Case, supervisor: User, customer: Customer, other_customer: Customer) -> None:
    duplicate = new_case(None, customer)
    other = new_case(None, other_customer)
    client = api_client_for(supervisor)

    merged = client.post(f"{BASE}{duplicate.pk}/merge/", {"case": case.pk}, format="json")
    linked = client.post(f"{BASE}{case.pk}/link/", {"case": other.pk}, format="json")
    missing = client.post(f"{BASE}{case.pk}/link/", {"case": 99999}, format="json")

    assert merged.status_code == 200 and merged.json()["id"] == case.pk
    assert Case.objects.get(pk=duplicate.pk).merged_into_id == case.pk
    assert linked.status_code == 201 and linked.json()["number"] == other.number
    assert missing.status_code == 400


# Attachments --------------------------------------------------------------------------------------------


def test_upload_list_and_download_a_file(case: Case, member: User, customer_user: User) -> None:
    client = api_client_for(member)

    uploaded = client.post(
        f"{BASE}{case.pk}/attachments/", {"file": SimpleUploadedFile("账单.pdf", PDF)}, format="multipart"
    )
    listed = api_client_for(customer_user).get(f"{BASE}{case.pk}/attachments/")
    download = api_client_for(customer_user).get(uploaded.json()["download_url"])

    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "application/pdf"
    assert [a["original_name"] for a in listed.json()] == ["账单.pdf"]
    assert download.status_code == 200 and download.getvalue() == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"


def test_active_content_downloads_as_an_attachment(case: Case, member: User) -> None:
    client = api_client_for(member)
    uploaded = client.post(
        f"{BASE}{case.pk}/attachments/",
        {"file": SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml")},
        format="multipart",
    )

    download = client.get(uploaded.json()["download_url"])

    assert uploaded.json()["is_download_only"] is True
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_internal_files_are_hidden_from_customers(case: Case, member: User, customer_user: User) -> None:
    uploaded = api_client_for(member).post(
        f"{BASE}{case.pk}/attachments/",
        {"file": SimpleUploadedFile("内部.pdf", PDF), "is_internal": "true"},
        format="multipart",
    )
    customer = api_client_for(customer_user)

    assert customer.get(f"{BASE}{case.pk}/attachments/").json() == []
    assert customer.get(uploaded.json()["download_url"]).status_code == 404


def test_bad_uploads_are_clear_400s(case: Case, member: User, settings: Any) -> None:
    settings.CHARTER_CASES_ATTACHMENT_MAX_BYTES = 1024
    client = api_client_for(member)
    url = f"{BASE}{case.pk}/attachments/"

    no_file = client.post(url, {}, format="multipart")
    too_big = client.post(
        url, {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 200_000)}, format="multipart"
    )
    program = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 64)}, format="multipart"
    )
    malformed = client.post(
        url,
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
        content_type="multipart/form-data",
    )

    assert no_file.status_code == 400 and "file" in no_file.json()["fields"]
    assert too_big.status_code == 400 and too_big.json()["code"] == "case_file_too_large"
    assert program.status_code == 400 and program.json()["code"] == "case_file_type_refused"
    assert malformed.status_code == 400


def test_the_schema_documents_the_cases_endpoints(api_client: Any, db: None) -> None:
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    assert "/api/v1/cases/{id}/transitions/" in paths
    assert "/api/v1/cases/{id}/attachments/{attachment_id}/download/" in paths


@pytest.mark.parametrize(
    ("field", "value"),
    [("priority", "urgent"), ("tags", ["vip"]), ("named_staff", "member")],
)
def test_a_customer_cannot_set_staff_fields_when_raising_a_case(
    field: str, value: object, customer: Customer, customer_user: User, member: User, routed_team: Team
) -> None:
    from charter.cases.models import Case

    body: dict[str, object] = {"kind": "complaint", "title": "账单问题", "description": "多收了费用"}
    body[field] = [member.pk] if value == "member" else value

    response = api_client_for(customer_user).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "case_invalid_field"
    assert not Case.objects.exists()


def test_tracking_links_are_rotated_or_revoked_through_the_api(
    case: Case, member: User, customer_user: User, outsider: User
) -> None:
    url = f"{BASE}{case.pk}/tracking-link/"
    staff = api_client_for(member)

    rotated = staff.post(url, {"action": "rotate"}, format="json")
    bad = staff.post(url, {"action": "forget"}, format="json")
    by_customer = api_client_for(customer_user).post(url, {"action": "revoke"}, format="json")
    by_outsider = api_client_for(outsider).post(url, {"action": "rotate"}, format="json")

    assert rotated.status_code == 200 and rotated.json()["issued_at"]
    link = rotated.json()["tracking_url"]
    assert "/track/" in link and Client().get(link.split("testserver", 1)[1]).status_code == 200
    assert bad.status_code == 400 and bad.json()["code"]
    assert by_customer.status_code == 403 and by_customer.json()["code"]
    assert by_outsider.status_code == 404
    revoked = staff.post(url, {"action": "revoke"}, format="json")
    assert revoked.status_code == 200 and revoked.json() == {"tracking_url": None, "issued_at": None}
    assert Client().get(link.split("testserver", 1)[1]).status_code == 404
    own = api_client_for(customer_user).post(url, {"action": "rotate"}, format="json")
    assert own.status_code == 200 and own.json()["tracking_url"] != link
