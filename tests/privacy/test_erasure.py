"""Erasure and restriction: what customer_erase does to the customer and his account, what it refuses
(a legal hold, a second erasure, someone without the right) leaving everything as it was, a failure rolling
back with every file still in place, the anonymisation of old cases, and restriction audited both ways."""

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.core.files.base import ContentFile
from django.utils import timezone

from charter.accounts.models import ApiToken, Customer, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case, CaseAttachment, CaseMessage
from charter.cases.privacy import case_text_anonymise
from charter.cases.services import case_customer_reply, case_reply
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.sessions import sessions_all
from charter.conduct.services import EvidenceInput
from charter.privacy import registry
from charter.privacy.erasure import customer_erase, customer_restrict, text_scrub
from charter.privacy.models import LegalHold
from charter.privacy.registry import ERASED_MARKER, SubjectDataSource, SubjectExport
from charter.quality.models import Finding
from tests.cases.conftest import new_case, routed_team  # noqa: F401 - cases routed to alice and bob
from tests.conduct.conftest import clause, code_v1, frozen, record  # noqa: F401 - violations through the service
from tests.conftest import client_for
from tests.improvement.conftest import open_cluster_action
from tests.privacy.test_erasure_marker import Needles, _model_hits
from tests.standards.conftest import conduct, publish  # noqa: F401 - the code of conduct, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def customer(customer_user: User) -> Customer:
    customer = Customer.objects.create(
        user=customer_user,
        name="刘晓梅",
        phone="13900000001",
        email="liu@example.com",
        id_number="110105199003070012",
    )
    return customer


@pytest.fixture
def case(routed_team: Any, customer: Customer, media: Path) -> Case:  # noqa: F811
    case = new_case(None, customer, title="刘晓梅的水费投诉", description="三月账单比平时高很多，请核实。")
    case_customer_reply(
        case=case,
        body="补充：水表编号 A-1234，请尽快处理。",
        attachments=[ContentFile(b"bill scan\n", name="bill.txt")],
    )
    case.refresh_from_db()
    return case


def _hold(customer: Customer | None, placed_by: User, *, case: Case | None = None) -> LegalHold:
    return LegalHold.objects.create(
        customer=customer,
        target_type="cases.case" if case else "",
        target_id=str(case.pk) if case else "",
        reason="诉讼保全",
        placed_by=placed_by,
        placed_at=timezone.now(),
    )


def _snapshot(case: Case) -> dict[str, Any]:
    customer = Customer.objects.get(pk=case.customer_id)
    return {
        "customer": (
            customer.name,
            customer.phone,
            customer.email,
            customer.id_number,
            customer.anonymised_at,
        ),
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "messages": list(CaseMessage.objects.filter(case=case).values_list("body", flat=True)),
        "files": [(a.original_name, a.file.name) for a in CaseAttachment.objects.filter(case=case)],
        "erase_audits": AuditEvent.objects.filter(action="privacy.erase").count(),
    }


def test_erasure_anonymises_the_customer_and_closes_his_account(
    case: Case, customer: Customer, administrator: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    user = customer.user
    assert user is not None
    ApiToken.objects.create(user=user, name="phone", prefix="abc", digest="d" * 64)
    browser = client_for(user)
    browser.get("/portal/")
    signed_in = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert dict(sessions_all())[signed_in]["_auth_user_id"] == str(user.pk)
    stored = CaseAttachment.objects.get(case=case).file.name
    assert (media / stored).exists()

    with django_capture_on_commit_callbacks(execute=True):
        counts = customer_erase(customer=customer, actor=administrator, reason="数据删除请求 PR-2026-000001")

    customer.refresh_from_db()
    assert customer.anonymised_at is not None
    assert (customer.phone, customer.email, customer.id_number) == ("", "", "")
    assert (customer.phone_index, customer.email_index, customer.id_number_index) == ("", "", "")
    assert "刘晓梅" not in customer.name
    user.refresh_from_db()
    assert not user.is_active and not is_password_usable(user.password)
    assert user.username == f"erased-{user.pk}" and user.email == ""
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert signed_in not in dict(sessions_all())
    assert not [key for key, data in sessions_all() if data.get("_auth_user_id") == str(user.pk)]
    case.refresh_from_db()
    assert case.title == case.description == ERASED_MARKER and case.number.startswith("TS")
    assert CaseMessage.objects.get(case=case, author_kind="customer").body == ERASED_MARKER
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.original_name == ERASED_MARKER and not attachment.file and attachment.size == 10
    assert not (media / stored).exists()
    event = AuditEvent.objects.get(action="privacy.erase")
    assert event.data["counts"] == counts and event.data["reason"] == "数据删除请求 PR-2026-000001"
    assert "刘晓梅" not in str(event.data) and "刘晓梅" not in event.target_repr


def test_the_case_page_and_its_erased_file_still_answer_after_erasure(
    case: Case, customer: Customer, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer=customer, actor=administrator, reason="数据删除请求")
    handler = client_for(administrator)
    page = handler.get(f"/desk/cases/{case.number}/")
    assert page.status_code == 200 and ERASED_MARKER in page.content.decode()
    attachment = CaseAttachment.objects.get(case=case)
    assert handler.get(f"/desk/cases/{case.number}/files/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize("on", ["customer", "case"])
def test_a_legal_hold_refuses_the_erasure_and_changes_nothing(
    on: str, case: Case, customer: Customer, administrator: User, media: Path
) -> None:
    _hold(customer if on == "customer" else None, administrator, case=case if on == "case" else None)
    before = _snapshot(case)

    with pytest.raises(DomainError) as refused:
        customer_erase(customer=customer, actor=administrator, reason="数据删除请求")

    assert refused.value.code == "privacy_legal_hold"
    assert _snapshot(case) == before
    assert all((media / name).exists() for _name, name in before["files"])


def test_a_released_hold_no_longer_refuses(case: Case, customer: Customer, administrator: User) -> None:
    hold = _hold(customer, administrator)
    hold.released_at, hold.released_by = timezone.now(), administrator
    hold.save()

    customer_erase(customer=customer, actor=administrator, reason="数据删除请求")

    assert Customer.objects.get(pk=customer.pk).anonymised_at is not None


def test_a_second_erasure_is_refused(case: Case, customer: Customer, administrator: User) -> None:
    customer_erase(customer=customer, actor=administrator, reason="数据删除请求")
    before = _snapshot(case)

    with pytest.raises(DomainError) as refused:
        customer_erase(customer=customer, actor=administrator, reason="再删一次")

    assert refused.value.code == "privacy_already_erased"
    assert _snapshot(case) == before


def test_only_holders_of_the_data_request_right_may_erase_or_restrict(
    case: Case, customer: Customer, member: User
) -> None:
    before = _snapshot(case)
    with pytest.raises(PermissionDeniedError):
        customer_erase(customer=customer, actor=member, reason="数据删除请求")
    with pytest.raises(PermissionDeniedError):
        customer_restrict(customer=customer, actor=member, restricted=True, reason="限制处理")
    assert _snapshot(case) == before
    assert Customer.objects.get(pk=customer.pk).restricted_at is None


def test_a_reason_is_required(case: Case, customer: Customer, administrator: User) -> None:
    with pytest.raises(DomainError) as refused:
        customer_erase(customer=customer, actor=administrator, reason="  ")
    assert refused.value.code == "privacy_reason_required"


def test_a_failing_source_rolls_everything_back_and_keeps_every_file(
    case: Case,
    customer: Customer,
    administrator: User,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(customer: Customer) -> dict[str, int]:
        raise RuntimeError("disk full")

    # Last, so the cases source has already replaced his words and scheduled his files' deletion.
    sources = {
        **registry._sources,
        "broken": SubjectDataSource(key="broken", export=lambda c: SubjectExport(), erase=broken),
    }
    monkeypatch.setattr(registry, "_sources", sources)
    before = _snapshot(case)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        customer_erase(customer=customer, actor=administrator, reason="数据删除请求")

    assert callbacks == []
    assert _snapshot(case) == before
    assert all((media / name).exists() for _name, name in before["files"])


def test_staff_text_keeps_its_words_without_his(
    case: Case, customer: Customer, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    handler = case.assignee or administrator
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_reply(
            actor=handler, case=case, body="刘晓梅您好：您说“三月账单比平时高很多”，已安排复核。"
        )
        note = case_reply(
            actor=handler, case=case, body="已致电 139-0000-0001，约好周三上门。", is_internal=True
        )

    customer_erase(customer=customer, actor=administrator, reason="数据删除请求")

    reply.refresh_from_db()
    note.refresh_from_db()
    assert reply.body == f"{ERASED_MARKER}您好：您说“{ERASED_MARKER}”，已安排复核。"
    assert note.body == f"已致电 {ERASED_MARKER}，约好周三上门。"


def test_text_scrub_finds_fragments_in_any_case_and_phones_with_separators() -> None:
    assert text_scrub("Dear JANE smith, call 139 0000 0001", ["Jane Smith", "13900000001"]) == (
        f"Dear {ERASED_MARKER}, call {ERASED_MARKER}"
    )
    assert text_scrub("nothing here", []) == "nothing here"


def test_old_cases_are_anonymised_once(
    case: Case, customer: Customer, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    other = new_case(None, customer, title="另一件事", description="路灯坏了很久了。")

    with django_capture_on_commit_callbacks(execute=True):
        assert case_text_anonymise(case_ids=[case.pk]) == 1
    assert case_text_anonymise(case_ids=[case.pk]) == 0

    case.refresh_from_db()
    assert (
        case.title == ERASED_MARKER and CaseAttachment.objects.get(case=case).original_name == ERASED_MARKER
    )
    assert Case.objects.get(pk=other.pk).title == "另一件事"
    # The customer himself is not erased by the end of a case's retention.
    assert Customer.objects.get(pk=customer.pk).email == "liu@example.com"


def test_restriction_is_set_and_lifted_and_audited_once_each(customer: Customer, administrator: User) -> None:
    customer_restrict(customer=customer, actor=administrator, restricted=True, reason="客户要求限制处理")
    customer_restrict(customer=customer, actor=administrator, restricted=True, reason="客户要求限制处理")
    assert Customer.objects.get(pk=customer.pk).restricted_at is not None

    customer_restrict(customer=customer, actor=administrator, restricted=False, reason="限制解除")

    assert Customer.objects.get(pk=customer.pk).restricted_at is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="privacy.restrict")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["privacy.restrict", "privacy.restrict_lift"]


def test_every_app_that_keeps_his_words_registers_a_source() -> None:
    keys = {source.key for source in registry.subject_data_sources()}
    assert {"privacy", "cases", "mail", "surveys", "quality", "conduct", "improvement"} <= keys
    for source in registry.subject_data_sources():
        assert callable(source.export) and callable(source.erase)
    assert dataclasses.is_dataclass(registry.SubjectExport)


def test_what_qa_conduct_and_improvement_wrote_about_him_loses_his_data(
    record: Any,  # noqa: F811
    clause: Any,  # noqa: F811
    case: Case,
    customer: Customer,
    administrator: User,
    supervisor: User,
    member: User,
    team: Any,
    media: Path,
) -> None:
    name, phone = customer.name, customer.phone
    reply = case_reply(actor=case.assignee or member, case=case, body=f"{name}，这个你自己去查。")
    finding = Finding.objects.create(
        case=case,
        message=reply,
        agent=member,
        check_code="wording",
        key=f"wording:{name}",
        clause=clause,
        excerpt=f"{name}，这个你自己去查",
        replied_at=timezone.now(),
    )
    violation = record(
        description=f"对{name}说“你自己去查”。",
        evidence=[
            EvidenceInput(kind="case", case=case),
            EvidenceInput(kind="observation", text=f"回访 {phone}"),
        ],
    )
    action = open_cluster_action(
        supervisor,
        member,
        [case],
        team=team,
        source_kind="other",
        source_reference=f"{name}的来电",
        problem=f"{name}等客户反映抄表错误。",
        at=timezone.now(),
    )
    needles = Needles(name, phone, [])
    before = _model_hits(needles)
    for expected in (
        "quality.finding.excerpt",
        "quality.finding.key",
        "conduct.violation.description",
        "conduct.evidence.text",
        "improvement.correctiveaction.problem",
        "improvement.correctiveaction.source_reference",
    ):
        assert expected in before, (expected, sorted(before))

    counts = customer_erase(customer=customer, actor=administrator, reason="数据删除请求")

    assert _model_hits(needles) == set()
    assert (
        counts["quality.finding"]
        == counts["conduct.violation"]
        == counts["improvement.correctiveaction"]
        == 1
    )
    finding.refresh_from_db()
    violation.refresh_from_db()
    action.refresh_from_db()
    assert finding.excerpt == f"{ERASED_MARKER}，这个你自己去查"
    assert violation.description == f"对{ERASED_MARKER}说“你自己去查”。"
    assert action.problem == f"{ERASED_MARKER}等客户反映抄表错误。"
