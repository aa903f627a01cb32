"""Refused accesses (issue 16): 404/403 answers to a signed-in user on object routes are counted per user
and hour, and the crossing of CHARTER_PROBE_THRESHOLD is audited once (`accounts.probe_suspected`)."""

from django.test import Client

from charter.accounts.models import User
from charter.audit.models import AuditEvent


def probes() -> int:
    return AuditEvent.objects.filter(action="accounts.probe_suspected").count()


def test_a_customer_probing_case_numbers_in_the_portal_is_audited_once(customer_user: User) -> None:
    client = Client()
    client.force_login(customer_user)
    for number in range(19):
        assert client.get(f"/portal/cases/CS-2026-{number:06d}/").status_code == 404
    assert probes() == 0
    client.get("/portal/cases/CS-2026-999999/")
    assert probes() == 1
    for number in range(10):
        client.get(f"/portal/cases/CS-2025-{number:06d}/")
    assert probes() == 1
    event = AuditEvent.objects.get(action="accounts.probe_suspected")
    assert event.actor_id == customer_user.pk
    assert event.data["refused"] == 20


def test_desk_and_api_refusals_count_together(member: User, settings: object) -> None:
    settings.CHARTER_PROBE_THRESHOLD = 6  # type: ignore[attr-defined]
    client = Client()
    client.force_login(member)
    for pk in range(3):
        client.get(f"/desk/customers/{900000 + pk}/")
        client.get(f"/api/v1/customers/{900000 + pk}/")
    assert probes() == 1


def test_visitors_and_other_routes_are_not_counted(member: User, settings: object) -> None:
    settings.CHARTER_PROBE_THRESHOLD = 2  # type: ignore[attr-defined]
    anonymous = Client()
    for number in range(5):
        anonymous.get(f"/portal/cases/CS-2026-{number:06d}/")
    signed_in = Client()
    signed_in.force_login(member)
    for number in range(5):
        signed_in.get(f"/no-such-page-{number}/")
    assert probes() == 0
