import pytest

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.privacy.errors import ErrorCode
from charter.privacy.services import REASON_MAX_LENGTH, personal_data_reveal
from tests.accounts.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_supervisor_reveals_a_value_and_the_reveal_is_audited(supervisor: User) -> None:
    customer = CustomerFactory.create(phone="13812345678")

    value = personal_data_reveal(user=supervisor, obj=customer, field="phone", reason="回电核实投诉")

    assert value == "13812345678"
    event = AuditEvent.objects.get(action="privacy.reveal")
    assert event.actor == supervisor
    assert event.target_id == str(customer.pk)
    assert event.data == {"field": "phone", "reason": "回电核实投诉"}
    assert "13812345678" not in str(event.data)


def test_agent_without_the_permission_cannot_reveal(member: User) -> None:
    customer = CustomerFactory.create()

    with pytest.raises(PermissionDeniedError):
        personal_data_reveal(user=member, obj=customer, field="phone", reason="想看看")
    assert not AuditEvent.objects.filter(action="privacy.reveal").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reveal_needs_a_reason(supervisor: User, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        personal_data_reveal(user=supervisor, obj=CustomerFactory.create(), field="phone", reason=reason)
    assert caught.value.code == "privacy_reason_required"
    assert not AuditEvent.objects.filter(action="privacy.reveal").exists()


def test_a_reason_with_a_nul_or_too_long_is_refused_and_nothing_recorded(supervisor: User) -> None:
    customer = CustomerFactory.create()

    with pytest.raises(DomainError) as nul:
        personal_data_reveal(user=supervisor, obj=customer, field="phone", reason="回电\x00核实")
    with pytest.raises(DomainError) as too_long:
        personal_data_reveal(
            user=supervisor, obj=customer, field="phone", reason="核" * (REASON_MAX_LENGTH + 1)
        )

    assert (nul.value.code, nul.value.field) == (ErrorCode.INVALID_TEXT, "reason")
    assert (too_long.value.code, too_long.value.field) == (ErrorCode.TEXT_TOO_LONG, "reason")
    assert str(REASON_MAX_LENGTH) in str(too_long.value.message)
    assert not AuditEvent.objects.filter(action="privacy.reveal").exists()


@pytest.mark.parametrize("field", ["language", "nonexistent"])
def test_only_personal_data_fields_can_be_revealed(supervisor: User, field: str) -> None:
    with pytest.raises(DomainError) as caught:
        personal_data_reveal(user=supervisor, obj=CustomerFactory.create(), field=field, reason="check")
    assert caught.value.code == "privacy_not_personal_data"
