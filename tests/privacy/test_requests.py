"""Data-subject request services: numbering, deadlines in working days, who may do what, each step audited,
the work each completion does, the mails, and the reminders each sent once."""

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from charter.accounts.models import Customer, User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, InvalidTransitionError, NotFoundError, PermissionDeniedError
from charter.mail.models import OutboundMessage
from charter.privacy.models import DataSubjectRequest
from charter.privacy.requests import (
    data_request_complete,
    data_request_correct,
    data_request_create,
    data_request_export_open,
    data_request_refuse,
    data_request_reminders_send,
    data_request_take,
    data_request_withdraw,
)
from charter.sla.models import BusinessCalendar, CalendarDay
from charter.sla.services import DayContent, calendar_day_add
from tests.accounts.factories import UserFactory
from tests.privacy.requests_fixtures import portal_request
from tests.sla.conftest import standard_calendar  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = DataSubjectRequest.Status


def mail_to(address: str, subject: str = "") -> list[OutboundMessage]:
    """The queued mails to `address` (the recipient is encrypted: compared after reading)."""
    return [
        mail
        for mail in OutboundMessage.objects.order_by("pk")
        if mail.recipient == address and subject in mail.subject
    ]


def _actions(request: DataSubjectRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="privacy.datasubjectrequest", target_id=str(request.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


# --- making a request --------------------------------------------------------------------------------------


def test_a_customer_makes_his_own_request_numbered_with_its_deadline_and_both_mails(
    customer: Customer,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    received = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
    with django_capture_on_commit_callbacks(execute=True):
        request = portal_request(customer, "access", details="请给我一份我的资料", received_at=received)
    assert request.number == "PR-2026-000001"
    assert request.channel == DataSubjectRequest.Channel.PORTAL
    assert request.recorded_by is None and request.identity_verification == ""
    assert request.status == Status.RECEIVED
    # 15 working days after Monday 2 March (the day of receipt does not count): Monday 23 March, end of day.
    assert request.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 3, 23)
    assert _actions(request) == ["privacy.request_create"]
    event = AuditEvent.objects.get(action="privacy.request_create")
    assert "请给我" not in str(event.data)
    [to_customer] = mail_to("liming@example.com")
    assert request.number in to_customer.subject and "已收到" in to_customer.subject
    [to_staff] = mail_to("qian@charter.example")
    assert request.number in to_staff.subject
    second = portal_request(customer, "erasure", received_at=received)
    assert second.number == "PR-2026-000002"


def test_the_customers_mail_is_in_his_language(
    other_customer: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = portal_request(other_customer, "access")
    [mail] = mail_to("zhaoliu@example.com")
    assert mail.subject == f"We have received your personal data request {request.number}"
    assert mail.language == "en"


def test_the_deadline_counts_working_days_skipping_the_weekend(customer: Customer, settings: Any) -> None:
    settings.CHARTER_DATA_REQUEST_DAYS = 2
    friday = dt.datetime(2026, 3, 6, 10, 0, tzinfo=SHANGHAI)
    request = portal_request(customer, received_at=friday)
    # Friday's receipt: Monday is the first working day, Tuesday the second.
    assert request.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 3, 10)


def test_the_deadline_skips_the_default_calendars_holidays(
    customer: Customer,
    settings: Any,
    administrator: User,
    standard_calendar: BusinessCalendar,  # noqa: F811
) -> None:
    settings.CHARTER_DATA_REQUEST_DAYS = 2
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2026, 3, 9),
        content=DayContent(kind=CalendarDay.Kind.HOLIDAY, name_zh="假日"),
    )
    friday = dt.datetime(2026, 3, 6, 10, 0, tzinfo=SHANGHAI)
    request = portal_request(customer, received_at=friday)
    due = request.due_at.astimezone(SHANGHAI)
    # Monday is a holiday: Tuesday and Wednesday count; the day ends when the calendar's last interval does.
    assert (due.date(), due.time()) == (dt.date(2026, 3, 11), dt.time(17, 30))


def test_staff_record_a_request_saying_how_they_verified_the_identity(
    customer: Customer,
    officer: User,
) -> None:
    request = data_request_create(
        actor=officer,
        customer=customer,
        kind="correction",
        channel="counter",
        identity_verification="柜台出示身份证原件",
        details="电话号码错了",
    )
    assert request.recorded_by == officer and request.channel == "counter"
    assert request.identity_verification == "柜台出示身份证原件"


@pytest.mark.parametrize("identity", ["", "   "])
def test_staff_cannot_record_a_request_without_the_identity_check(
    customer: Customer,
    officer: User,
    identity: str,
) -> None:
    with pytest.raises(DomainError) as caught:
        data_request_create(
            actor=officer, customer=customer, kind="access", channel="phone", identity_verification=identity
        )
    assert caught.value.field == "identity_verification"
    assert not DataSubjectRequest.objects.exists()


def test_staff_cannot_record_a_request_as_made_in_the_portal(customer: Customer, officer: User) -> None:
    with pytest.raises(DomainError) as caught:
        data_request_create(
            actor=officer, customer=customer, kind="access", channel="portal", identity_verification="x"
        )
    assert caught.value.code == "privacy_request_kind_invalid"


def test_an_agent_cannot_record_a_request(customer: Customer, member: User) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        data_request_create(
            actor=member, customer=customer, kind="access", channel="phone", identity_verification="回拨"
        )
    assert caught.value.code == "privacy_request_denied"


def test_a_customer_cannot_make_a_request_for_another(customer: Customer, other_customer: Customer) -> None:
    assert customer.user is not None
    with pytest.raises(PermissionDeniedError):
        data_request_create(
            actor=customer.user, customer=other_customer, kind="erasure", identity_verification="x"
        )


def test_an_unknown_kind_and_bad_text_are_refused(customer: Customer) -> None:
    with pytest.raises(DomainError) as caught:
        portal_request(customer, "everything")
    assert caught.value.field == "kind"
    with pytest.raises(DomainError) as caught:
        portal_request(customer, "access", details="a\x00b")
    assert caught.value.field == "details"
    assert not DataSubjectRequest.objects.exists()


# --- answering ---------------------------------------------------------------------------------------------


def test_an_access_request_is_taken_then_completed_with_its_export_and_the_customer_told(
    customer: Customer,
    officer: User,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    request = portal_request(customer, "access")
    with pytest.raises(InvalidTransitionError) as caught:
        data_request_complete(actor=officer, request=request)
    assert caught.value.code == "privacy_request_not_taken"
    request = data_request_take(actor=officer, request=request)
    assert request.status == Status.IN_PROGRESS and request.handler == officer
    with django_capture_on_commit_callbacks(execute=True):
        request = data_request_complete(actor=officer, request=request, outcome="已导出")
    assert request.status == Status.COMPLETED and request.completed_at is not None
    # Stored under a random name (privacy/<yyyy>/<random>), never the guessable request number.
    assert request.export_file.name.startswith("privacy/") and request.number not in request.export_file.name
    with zipfile.ZipFile(request.export_file.path) as archive:
        assert "data.json" in archive.namelist()
    assert _actions(request) == [
        "privacy.request_create",
        "privacy.request_take",
        "privacy.export_build",
        "privacy.request_complete",
    ]
    [completed] = mail_to("liming@example.com", "已办结")
    assert "已导出" in completed.body
    with pytest.raises(InvalidTransitionError) as caught:
        data_request_refuse(actor=officer, request=request, reason="晚了")
    assert caught.value.code == "privacy_request_closed"


def test_an_agent_cannot_take_complete_or_refuse(customer: Customer, member: User) -> None:
    request = portal_request(customer)
    for step in (
        lambda: data_request_take(actor=member, request=request),
        lambda: data_request_complete(actor=member, request=request),
        lambda: data_request_refuse(actor=member, request=request, reason="不"),
    ):
        with pytest.raises(PermissionDeniedError):
            step()
    assert DataSubjectRequest.objects.get().status == Status.RECEIVED


def test_completing_an_erasure_request_anonymises_the_customer(customer: Customer, officer: User) -> None:
    request = data_request_take(actor=officer, request=portal_request(customer, "erasure"))
    data_request_complete(actor=officer, request=request, outcome="已删除")
    customer.refresh_from_db()
    assert customer.anonymised_at is not None
    assert customer.name != "李明"
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_an_erasure_refused_by_a_legal_hold_changes_nothing(customer: Customer, officer: User) -> None:
    from django.utils import timezone

    from charter.privacy.models import LegalHold

    LegalHold.objects.create(customer=customer, reason="诉讼", placed_by=officer, placed_at=timezone.now())
    request = data_request_take(actor=officer, request=portal_request(customer, "erasure"))
    with pytest.raises(DomainError):
        data_request_complete(actor=officer, request=request)
    request.refresh_from_db()
    customer.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and customer.anonymised_at is None


def test_completing_a_restriction_request_restricts_processing(customer: Customer, officer: User) -> None:
    request = data_request_take(actor=officer, request=portal_request(customer, "restriction"))
    data_request_complete(actor=officer, request=request)
    customer.refresh_from_db()
    assert customer.restricted_at is not None


def test_a_correction_changes_his_data_through_accounts_audited_without_the_values(
    customer: Customer,
    officer: User,
) -> None:
    request = portal_request(customer, "correction", details="电话应为 13800009999")
    with pytest.raises(InvalidTransitionError):
        data_request_correct(actor=officer, request=request, phone="13800009999")
    request = data_request_take(actor=officer, request=request)
    changed = data_request_correct(actor=officer, request=request, phone="13800009999")
    assert changed == ["phone"]
    customer.refresh_from_db()
    assert customer.phone == "13800009999"
    events = AuditEvent.objects.filter(action__in=["accounts.customer_update", "privacy.request_correct"])
    assert {event.action for event in events} == {"accounts.customer_update", "privacy.request_correct"}
    assert all("13800009999" not in str(event.data) for event in events)
    with pytest.raises(DomainError) as caught:
        data_request_correct(actor=officer, request=request, phone="13800009999")
    assert caught.value.code == "privacy_request_no_correction"


def test_only_a_correction_request_corrects(customer: Customer, officer: User) -> None:
    request = data_request_take(actor=officer, request=portal_request(customer, "access"))
    with pytest.raises(InvalidTransitionError):
        data_request_correct(actor=officer, request=request, name="王五")


def test_a_refusal_needs_its_reason_and_mails_it(
    customer: Customer,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = portal_request(customer, "erasure")
    with pytest.raises(DomainError) as caught:
        data_request_refuse(actor=officer, request=request, reason="  ")
    assert caught.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        request = data_request_refuse(actor=officer, request=request, reason="工单尚在诉讼中，依法保存")
    assert request.status == Status.REFUSED and request.handler == officer
    [mail] = mail_to("liming@example.com", "关于")
    assert "依法保存" in mail.body


def test_the_customer_withdraws_his_open_request_and_nobody_else_can(
    customer: Customer,
    other_customer: Customer,
    member: User,
) -> None:
    request = portal_request(customer)
    assert other_customer.user is not None
    for stranger in (other_customer.user, member):
        with pytest.raises(NotFoundError):
            data_request_withdraw(actor=stranger, request=request)
    assert customer.user is not None
    request = data_request_withdraw(actor=customer.user, request=request)
    assert request.status == Status.WITHDRAWN
    with pytest.raises(InvalidTransitionError):
        data_request_withdraw(actor=customer.user, request=request)


def test_the_export_opens_for_its_customer_and_privacy_staff_only_each_download_audited(
    customer: Customer,
    other_customer: Customer,
    officer: User,
    member: User,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    request = data_request_take(actor=officer, request=portal_request(customer, "access"))
    request = data_request_complete(actor=officer, request=request)
    assert other_customer.user is not None and customer.user is not None
    for stranger in (other_customer.user, member):
        with pytest.raises(NotFoundError):
            data_request_export_open(actor=stranger, request=request)
    data_request_export_open(actor=customer.user, request=request)
    data_request_export_open(actor=officer, request=request)
    downloads = AuditEvent.objects.filter(action="privacy.export_download").order_by("sequence")
    assert [event.actor for event in downloads] == [customer.user, officer]


def test_a_request_without_an_export_has_none_to_open(customer: Customer, officer: User) -> None:
    request = portal_request(customer, "access")
    with pytest.raises(NotFoundError):
        data_request_export_open(actor=officer, request=request)


# --- reminders ---------------------------------------------------------------------------------------------


def test_reminders_and_overdue_notices_are_sent_once_each_over_two_runs(
    customer: Customer,
    officer: User,
    settings: Any,
) -> None:
    settings.CHARTER_DATA_REQUEST_DAYS = 5
    settings.CHARTER_DATA_REQUEST_REMIND_DAYS = 2
    monday = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    soon = portal_request(customer, "access", received_at=monday)  # due Monday 9 March
    late = portal_request(customer, "erasure", received_at=monday - dt.timedelta(days=14))
    done = portal_request(customer, "restriction", received_at=monday - dt.timedelta(days=14))
    data_request_withdraw(actor=officer, request=done)
    before = len(mail_to("qian@charter.example"))
    now = dt.datetime(2026, 3, 5, 11, 0, tzinfo=SHANGHAI)  # Thursday: two working days ahead is Monday
    with time_machine.travel(now, tick=False):
        assert data_request_reminders_send(now=now) == {"remind": 1, "overdue": 1}
        assert data_request_reminders_send(now=now) == {"remind": 0, "overdue": 0}
    assert len(mail_to("qian@charter.example")) == before + 2
    soon.refresh_from_db()
    late.refresh_from_db()
    assert soon.reminded_at is not None and soon.overdue_notified_at is None
    assert late.overdue_notified_at is not None
    # Once the one reminded passes its deadline, its overdue notice goes out, once.
    later = dt.datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)
    assert data_request_reminders_send(now=later) == {"remind": 0, "overdue": 1}
    assert data_request_reminders_send(now=later) == {"remind": 0, "overdue": 0}


def test_the_reminder_goes_to_the_handler_once_taken(
    customer: Customer,
    officer: User,
    settings: Any,
) -> None:
    other_officer = UserFactory.create(
        username="sun", roles=[Role.PRIVACY_OFFICER], email="sun@charter.example"
    )
    monday = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    request = portal_request(customer, received_at=monday - dt.timedelta(days=40))
    data_request_take(actor=other_officer, request=request)
    OutboundMessage.objects.all().delete()
    assert data_request_reminders_send(now=monday)["overdue"] == 1
    assert [mail.recipient for mail in OutboundMessage.objects.all()] == ["sun@charter.example"]


def test_erasing_a_customer_blanks_his_requests_texts_and_deletes_his_export(
    customer: Customer, officer: User, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from charter.privacy.erasure import customer_erase
    from charter.privacy.registry import ERASED_MARKER

    settings.MEDIA_ROOT = str(tmp_path)
    access = data_request_take(
        actor=officer, request=portal_request(customer, "access", details="李明的资料")
    )
    access = data_request_complete(actor=officer, request=access, outcome="李明已下载")
    stored = access.export_file.path
    erasure = data_request_create(
        actor=officer,
        customer=customer,
        kind="erasure",
        channel="phone",
        identity_verification="身份证 110101199003071234",
    )
    with django_capture_on_commit_callbacks(execute=True):
        customer_erase(customer=customer, actor=officer, reason=erasure.number)
    access.refresh_from_db()
    erasure.refresh_from_db()
    assert (access.details, access.outcome, access.export_file.name) == (ERASED_MARKER, ERASED_MARKER, "")
    assert erasure.identity_verification == ERASED_MARKER
    assert not Path(stored).exists()
    # Numbers, kinds, statuses and clocks stay.
    assert access.status == Status.COMPLETED and access.number.startswith("PR-")


def test_a_completion_that_rolls_back_leaves_no_export_file_behind(
    customer: Customer, officer: User, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charter.audit import services as audit_services
    from charter.privacy import requests as requests_module

    settings.MEDIA_ROOT = str(tmp_path)
    request = data_request_take(actor=officer, request=portal_request(customer, "access"))
    real = audit_services.audit_record

    def failing(**kwargs: Any) -> Any:
        if kwargs.get("action") == "privacy.request_complete":
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(requests_module, "audit_record", failing)
    with pytest.raises(RuntimeError):
        data_request_complete(actor=officer, request=request, outcome="已导出")

    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and not request.export_file


def test_an_export_is_deleted_thirty_days_after_completion_and_the_request_stays(
    customer: Customer,
    officer: User,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.utils import timezone

    from charter.privacy.retention import retention_run

    settings.MEDIA_ROOT = str(tmp_path)
    request = data_request_take(actor=officer, request=portal_request(customer, "access"))
    request = data_request_complete(actor=officer, request=request, outcome="已导出")
    path = Path(request.export_file.path)
    with django_capture_on_commit_callbacks(execute=True):
        young = retention_run(dry_run=False).counts["data_exports"]
    DataSubjectRequest.objects.filter(pk=request.pk).update(
        completed_at=timezone.now() - dt.timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_run(dry_run=False).counts["data_exports"]

    assert young["done"] == 0 and run["done"] == 1
    request.refresh_from_db()
    assert not request.export_file and request.status == Status.COMPLETED and not path.exists()
