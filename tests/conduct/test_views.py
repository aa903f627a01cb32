"""The conduct desk: scoped pages, the due-process forms, the ladder settings, the report and its exports."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from charter.accounts.models import User
from charter.conduct.models import Evidence, EvidenceFile, LadderSetting, LadderStep, Violation
from charter.conduct.services import (
    EvidenceInput,
    violation_appeal,
    violation_approve,
    violation_decide,
    violation_evidence_add,
    violation_respond,
)
from charter.standards.models import StandardClause, StandardVersion
from tests.accounts.factories import UserFactory
from tests.conduct.conftest import DAY, NOW, Recorder
from tests.conftest import client_for
from tests.surveys.factories import ResponseFactory

pytestmark = pytest.mark.django_db
LIST = "/desk/conduct/violations/"


def test_the_list_is_scoped_to_the_supervisors_teams(
    record: Recorder, supervisor: User, outsider: User, administrator: User
) -> None:
    mine = record(description="本组的违规")
    record(actor=administrator, staff=outsider, description="别组的违规")

    html = client_for(supervisor).get(LIST).content.decode()

    assert f"/desk/conduct/violations/{mine.pk}/" in html
    assert str(outsider) not in html


def test_agents_have_no_list_but_their_own_record(record: Recorder, member: User, teammate: User) -> None:
    own = record()
    other = record(staff=teammate)

    assert client_for(member).get(LIST).status_code == 403
    html = client_for(member).get("/desk/conduct/my-record/").content.decode()
    assert f"/desk/conduct/violations/{own.pk}/" in html
    assert f"/desk/conduct/violations/{other.pk}/" not in html
    assert client_for(member).get(f"{LIST}{other.pk}/").status_code == 404


def test_list_queries_do_not_grow_with_rows(
    record: Recorder, supervisor: User, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        record()
    client = client_for(supervisor)
    client.get(LIST)

    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for _ in range(10):
        record()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_my_record_queries_do_not_grow_with_rows(
    record: Recorder, member: User, django_assert_max_num_queries: Any
) -> None:
    record()
    client = client_for(member)
    with django_assert_max_num_queries(20) as few:
        client.get("/desk/conduct/my-record/")
    for _ in range(8):
        record()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/desk/conduct/my-record/")


def test_record_a_violation_from_the_desk(
    frozen: Any, supervisor: User, member: User, clause: StandardClause
) -> None:
    response = client_for(supervisor).post(
        f"{LIST}new/",
        {
            "staff": member.pk,
            "document": clause.version.document_id,
            "clause_number": "2.3",
            "occurred_at": "2026-03-01T10:00",
            "severity": "general",
            "description": "对客户说“不归我管”。",
            "has_harmed_customers": "on",
            "observation": "现场听到",
        },
    )

    violation = Violation.objects.get()
    assert response.status_code == 302
    assert violation.clause == clause
    assert violation.has_harmed_customers
    assert violation.evidence.get().text == "现场听到"


def test_an_unknown_clause_number_is_a_field_error(
    frozen: Any, supervisor: User, member: User, clause: StandardClause
) -> None:
    response = client_for(supervisor).post(
        f"{LIST}new/",
        {
            "staff": member.pk,
            "document": clause.version.document_id,
            "clause_number": "99.9",
            "occurred_at": "2026-03-01T10:00",
            "severity": "minor",
            "description": "x",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["clause_number"]
    assert not Violation.objects.exists()


def test_decide_respond_appeal_through_the_pages(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record()
    page = client_for(supervisor).get(f"{LIST}{violation.pk}/").content.decode()
    assert "教育" in page

    education = LadderStep.objects.get(code="education")
    assert (
        client_for(supervisor).post(f"{LIST}{violation.pk}/decide/", {"step": education.pk}).status_code
        == 302
    )
    assert client_for(member).post(f"{LIST}{violation.pk}/respond/", {"text": "接受"}).status_code == 302
    assert client_for(member).post(f"{LIST}{violation.pk}/appeal/", {"text": "申诉"}).status_code == 302
    second = client_for(member).post(f"{LIST}{violation.pk}/appeal/", {"text": "再次"})
    decided = client_for(administrator).post(
        f"{LIST}{violation.pk}/appeal/decide/", {"outcome": "overturned", "reason": "证据不足"}
    )

    assert second.status_code == 400
    assert second.context["appeal_form"].errors["__all__"]
    assert decided.status_code == 302
    violation.refresh_from_db()
    assert violation.appeal_outcome == "overturned"
    timeline = client_for(member).get(f"{LIST}{violation.pk}/").content.decode()
    assert "申诉" in timeline


def test_a_teammate_cannot_post_a_response(
    record: Recorder, supervisor: User, teammate: User, acknowledged: StandardVersion
) -> None:
    violation = record()

    assert client_for(teammate).post(f"{LIST}{violation.pk}/respond/", {"text": "x"}).status_code == 404


def test_evidence_files_are_served_only_to_those_who_see_the_violation(
    record: Recorder, supervisor: User, member: User, teammate: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    violation = record(evidence=[])
    upload = SimpleUploadedFile("note.txt", "记录".encode(), content_type="text/plain")
    violation_evidence_add(
        actor=supervisor,
        violation=violation,
        item=EvidenceInput(kind="observation", text="x", files=[upload]),
    )
    stored = EvidenceFile.objects.get()
    url = f"{LIST}{violation.pk}/files/{stored.pk}/"

    response = client_for(member).get(url)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert client_for(teammate).get(url).status_code == 404


def test_only_administrators_edit_the_ladder_and_fines_say_they_need_legal_review(
    supervisor: User, administrator: User
) -> None:
    assert client_for(supervisor).get("/desk/conduct/ladder/").status_code == 403
    page = client_for(administrator).get("/desk/conduct/ladder/").content.decode()
    assert "罚款须经法务审核" in page

    setting = LadderSetting.objects.get()
    response = client_for(administrator).post(
        "/desk/conduct/ladder/",
        {
            "window_days": 180,
            "harm_floor": setting.harm_floor_id,
            "serious_floor": setting.serious_floor_id,
            "response_days": 3,
            "appeal_days": 7,
            "is_fine_enabled": "on",
            "fine_max_amount": "100.00",
        },
    )

    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.window_days == 180 and setting.is_fine_enabled


def test_the_report_counts_by_clause_step_and_team_and_exports(
    record: Recorder, supervisor: User, member: User, teammate: User
) -> None:
    record()
    record(staff=teammate)
    client = client_for(supervisor)
    query = {"since": (NOW - 30 * DAY).date().isoformat(), "until": NOW.date().isoformat()}

    html = client.get("/desk/conduct/reports/", query).content.decode()
    csv = client.get("/desk/conduct/reports/", {**query, "format": "csv"})
    xlsx = client.get("/desk/conduct/reports/", {**query, "format": "xlsx"})

    assert "2.3" in html
    assert csv.status_code == 200 and "2.3" in csv.content.decode("utf-8-sig")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(member).get("/desk/conduct/reports/").status_code == 403


def test_report_dates_are_days(frozen: Any, supervisor: User) -> None:
    response = client_for(supervisor).get("/desk/conduct/reports/", {"since": "x", "until": "y"})

    assert response.status_code == 200
    assert response.context["result"] is None


def test_the_violation_page_renders_in_every_state(
    record: Recorder,
    supervisor: User,
    member: User,
    administrator: User,
    acknowledged: StandardVersion,
    settings: Any,
) -> None:
    from charter.conduct.services import violation_appeal, violation_decide, violation_respond

    violation = record(severity="serious", has_harmed_customers=True)
    url = f"{LIST}{violation.pk}/"
    seen: list[str] = []

    def pages() -> None:
        for user in (supervisor, member, administrator):
            response = client_for(user).get(url)
            assert response.status_code == 200
            seen.append(response.content.decode())

    pages()
    violation_decide(
        actor=supervisor, violation=violation, step=LadderStep.objects.get(code="demotion"), reason="严重"
    )
    pages()
    assert "提交陈述" in seen[-2]  # alice is offered the response form
    violation_respond(actor=member, violation=violation, text="请从轻")
    pages()
    assert "人力资源复核" in seen[-1]  # the administrator is offered the approval
    client_for(administrator).post(f"{url}approve/", {"decision": "approve", "note": ""})
    pages()
    violation_appeal(actor=member, violation=violation, text="申诉")
    pages()
    assert "处理申诉" not in seen[-1]  # the administrator approved the step: not his appeal to decide
    other = UserFactory.create(username="olivia", roles=["administrator"])
    assert "处理申诉" in client_for(other).get(url).content.decode()


def test_evidence_from_the_page_is_added_all_or_nothing(
    record: Recorder, supervisor: User, member: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    violation = record(evidence=[])
    response_row = ResponseFactory.create(handler=member, comment="态度很差")
    executable = SimpleUploadedFile("x.txt", b"MZ\x90\x00binary", content_type="text/plain")

    response = client_for(supervisor).post(
        f"{LIST}{violation.pk}/evidence/",
        {"survey_response": response_row.pk, "observation": "现场听到。", "file": executable},
    )

    assert response.status_code == 400
    assert response.context["evidence_form"].errors
    assert not Evidence.objects.filter(violation=violation).exists()


def test_the_approver_of_a_step_is_not_offered_its_appeal(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(severity="serious")
    violation_decide(
        actor=supervisor, violation=violation, step=LadderStep.objects.get(code="demotion"), reason="严重"
    )
    violation_respond(actor=member, violation=violation, text="请从轻。")
    violation_approve(actor=administrator, violation=violation)
    violation_appeal(actor=member, violation=violation, text="申诉")
    other = UserFactory.create(username="olivia", roles=["administrator"])

    refused = client_for(administrator).get(f"{LIST}{violation.pk}/")
    offered = client_for(other).get(f"{LIST}{violation.pk}/")

    assert not refused.context["can_decide_appeal"]
    assert refused.context["can_decide_appeal"].code == "conduct_same_approver_appeal"
    assert offered.context["can_decide_appeal"]


def test_the_staff_member_sees_the_customers_comment_but_not_who_the_customer_is(
    record: Recorder, supervisor: User, member: User
) -> None:
    survey = ResponseFactory.create(handler=member, comment="客服说不归他管")
    customer = survey.invitation.customer
    violation = record(evidence=[EvidenceInput(kind="survey_response", survey_response=survey)])

    page = client_for(member).get(f"{LIST}{violation.pk}/").content.decode()

    assert "客服说不归他管" in page
    assert customer.name not in page
    assert customer.phone not in page
    assert customer.email not in page
    assert customer.id_number not in page
