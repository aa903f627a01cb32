"""Intake's write path: the case it returns is the one stored, its rows are written in one go, and the
audit chain is appended once at the end."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, Team
from charter.audit.models import AuditEvent
from charter.audit.selectors import audit_chain_verify
from charter.cases.models import Case, CaseClock, CaseEvent
from charter.sla.models import SlaPolicy, SlaPolicyTarget
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import not_none

pytestmark = pytest.mark.django_db


def _stored(case: Case) -> dict[str, Any]:
    values = model_to_dict(Case.objects.get(pk=case.pk))
    values["named_staff"] = sorted(user.pk for user in values["named_staff"])
    return values


def _returned(case: Case) -> dict[str, Any]:
    values = model_to_dict(case)
    values["named_staff"] = sorted(user.pk for user in values["named_staff"])
    return values


def test_the_case_intake_returns_is_the_case_it_stored(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)

    assert _returned(case) == _stored(case)
    assert case.status == "acknowledged" and case.acknowledged_at is not None
    assert case.next_deadline_at == min(not_none(c.due_at) for c in CaseClock.objects.filter(case=case))
    assert case.created_at == Case.objects.get(pk=case.pk).created_at


def test_a_backdated_case_in_another_time_zone_is_returned_as_stored(
    frozen: Any, routed_team: Team, customer: Customer, supervisor: Any
) -> None:
    received = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    case = new_case(supervisor, customer, channel="phone", received_at=received)

    assert _returned(case) == _stored(case)
    assert case.received_at == received


def test_intake_writes_its_timeline_in_order_and_appends_the_audit_chain_once(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    with CaptureQueriesContext(connection) as queries:
        case = new_case(None, customer)

    kinds = list(
        CaseEvent.objects.filter(case=case).order_by("occurred_at", "pk").values_list("kind", flat=True)
    )
    assert kinds == ["created", "assigned", "acknowledged", "clock_started", "clock_started"]
    metrics = [
        e.data["metric"] for e in CaseEvent.objects.filter(case=case, kind="clock_started").order_by("pk")
    ]
    assert metrics == ["first_response", "resolution"]
    sql = [q["sql"] for q in queries.captured_queries]
    head = [i for i, text in enumerate(sql) if "audit_auditchainhead" in text]
    case_insert = next(i for i, text in enumerate(sql) if text.startswith('INSERT INTO "cases_case" '))
    # The chain head is read (locked on PostgreSQL) and updated once, after every row of the case is written.
    assert len(head) == 2 and head[0] > case_insert
    assert AuditEvent.objects.filter(action="cases.create", target_id=str(case.pk)).count() == 1
    assert audit_chain_verify().ok


def test_public_intake_audits_the_customer_and_the_case_in_one_append(routed_team: Team, client: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/cases/new/",
            {
                "kind": "inquiry",
                "title": "水费咨询",
                "description": "请问本月水费为什么比上月高？",
                "name": "王小明",
                "phone": "13900000001",
                "consent": "on",
            },
        )

    assert response.status_code == 302
    # The consents given with the case (handling; surveys left unticked is a refusal) join the same append.
    assert [e.action for e in AuditEvent.objects.order_by("sequence")][-4:] == [
        "accounts.customer_create",
        "cases.create",
        "privacy.consent_given",
        "privacy.consent_withdrawn",
    ]
    assert len([q for q in queries.captured_queries if "audit_auditchainhead" in q["sql"]]) == 2
    assert audit_chain_verify().ok


def test_a_policy_created_between_two_intakes_sets_the_clocks_of_the_second(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    first = new_case(None, customer)
    policy = SlaPolicy.objects.create(name_zh="一小时答复", ordering=0)
    SlaPolicyTarget.objects.create(
        policy=policy, metric="first_response", amount=1, unit="hours", basis="calendar_time"
    )

    second = new_case(None, customer)

    assert CaseClock.objects.get(case=first, metric="first_response").target_source == "settings"
    clock = CaseClock.objects.get(case=second, metric="first_response")
    assert clock.target_source == f"policy:{policy.pk}"
    assert clock.due_at == MONDAY + dt.timedelta(hours=1) == second.next_deadline_at
