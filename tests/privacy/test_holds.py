"""Legal holds: placed and released by the data protection officer with a reason, audited, and read by the
selectors erasure and retention use."""

import pytest

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.privacy.errors import ErrorCode
from charter.privacy.holds import legal_hold_place, legal_hold_release
from charter.privacy.selectors import held_customer_ids, held_target_ids, is_customer_held
from tests.accounts.factories import CustomerFactory, UserFactory


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory.create(username="dpo", roles=[Role.PRIVACY_OFFICER])


def test_a_hold_on_a_customer_holds_him_until_released(officer: User) -> None:
    customer = CustomerFactory.create()

    hold = legal_hold_place(actor=officer, customer=customer, reason="诉讼 (2026) 京01民初1号")
    held_then = (held_customer_ids(), is_customer_held(customer.pk))
    legal_hold_release(actor=officer, hold=hold, reason="判决生效")

    assert held_then == ({customer.pk}, True)
    assert held_customer_ids() == set() and not is_customer_held(customer.pk)
    placed = AuditEvent.objects.get(action="privacy.legal_hold_place")
    assert placed.data["customer"] == customer.pk and customer.name not in str(placed.data)
    assert AuditEvent.objects.filter(action="privacy.legal_hold_release", target_id=str(hold.pk)).exists()


def test_a_hold_on_a_record_is_found_by_its_type(officer: User) -> None:
    legal_hold_place(actor=officer, target_type="cases.case", target_id="42", reason="监管调查")

    assert held_target_ids("cases.case") == {"42"}
    assert held_target_ids("surveys.response") == set()


def test_a_hold_needs_one_subject_and_a_reason(officer: User) -> None:
    customer = CustomerFactory.create()

    with pytest.raises(DomainError) as nothing:
        legal_hold_place(actor=officer, reason="无对象")
    with pytest.raises(DomainError) as both:
        legal_hold_place(
            actor=officer, customer=customer, target_type="cases.case", target_id="1", reason="两者"
        )
    with pytest.raises(DomainError) as blank:
        legal_hold_place(actor=officer, customer=customer, reason="   ")

    assert nothing.value.code == both.value.code == ErrorCode.HOLD_SUBJECT_REQUIRED
    assert blank.value.code == ErrorCode.REASON_REQUIRED


def test_a_released_hold_cannot_be_released_again(officer: User) -> None:
    hold = legal_hold_place(actor=officer, customer=CustomerFactory.create(), reason="诉讼")
    legal_hold_release(actor=officer, hold=hold, reason="结束")

    with pytest.raises(DomainError) as refused:
        legal_hold_release(actor=officer, hold=hold, reason="再次")

    assert refused.value.code == ErrorCode.HOLD_RELEASED


def test_an_agent_places_no_hold(member: User, officer: User) -> None:
    customer = CustomerFactory.create()
    hold = legal_hold_place(actor=officer, customer=customer, reason="诉讼")

    with pytest.raises(PermissionDeniedError):
        legal_hold_place(actor=member, customer=customer, reason="我也要")
    with pytest.raises(PermissionDeniedError):
        legal_hold_release(actor=member, hold=hold, reason="放掉")
    assert is_customer_held(customer.pk)


def test_no_hold_is_placed_on_an_erased_customer_or_on_his_case(officer: User) -> None:
    from django.utils import timezone

    from charter.privacy.models import LegalHold
    from tests.cases.conftest import new_case

    customer = CustomerFactory.create()
    case = new_case(None, customer, title="已删除客户的工单", description="说明")
    customer.anonymised_at = timezone.now()
    customer.save(update_fields=["anonymised_at"])

    with pytest.raises(DomainError) as on_customer:
        legal_hold_place(actor=officer, customer=customer, reason="诉讼")
    with pytest.raises(DomainError) as on_case:
        legal_hold_place(actor=officer, target_type="cases.case", target_id=str(case.pk), reason="诉讼")

    assert on_customer.value.code == on_case.value.code == ErrorCode.ALREADY_ERASED
    assert not LegalHold.objects.exists()


def test_a_reason_naming_someone_stays_on_the_hold_and_out_of_the_audit_trail(officer: User) -> None:
    customer = CustomerFactory.create()

    hold = legal_hold_place(actor=officer, customer=customer, reason="欧阳锋诉讼 MARKER-PLACE")
    legal_hold_release(actor=officer, hold=hold, reason="欧阳锋撤诉 MARKER-RELEASE")

    hold.refresh_from_db()
    assert "MARKER-PLACE" in hold.reason and "MARKER-RELEASE" in hold.release_reason
    events = AuditEvent.objects.filter(action__startswith="privacy.legal_hold")
    assert events.count() == 2
    for event in events:
        assert event.data["reason_given"] is True
        trail = str(event.data) + event.target_repr + event.actor_label
        assert "欧阳锋" not in trail and "MARKER" not in trail


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hold_and_an_erasure_racing_never_both_succeed() -> None:
    import threading
    from typing import Any

    from django.db import connection

    from charter.privacy.erasure import customer_erase
    from charter.privacy.models import LegalHold

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    officer = UserFactory.create(username="dpo-race", roles=[Role.PRIVACY_OFFICER])
    customer = CustomerFactory.create()
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def run(name: str, work: Any) -> None:
        try:
            barrier.wait()
            work()
            outcomes[name] = "done"
        except DomainError as error:
            outcomes[name] = error.code
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run,
            args=("hold", lambda: legal_hold_place(actor=officer, customer=customer, reason="诉讼")),
        ),
        threading.Thread(
            target=run,
            args=("erase", lambda: customer_erase(customer=customer, actor=officer, reason="删除请求")),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    customer.refresh_from_db()
    assert outcomes in (
        {"hold": "done", "erase": ErrorCode.LEGAL_HOLD},
        {"hold": ErrorCode.ALREADY_ERASED, "erase": "done"},
    )
    assert LegalHold.objects.exists() == (customer.anonymised_at is None)
