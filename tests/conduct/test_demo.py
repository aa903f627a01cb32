"""The demo's story through the short calls: a finding becomes a violation, a repeat climbs the ladder, the
agent responds and appeals, someone else decides."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.cases.models import Case, CaseMessage
from charter.conduct.demo import (
    conduct_demo_load,
    violation_appeal,
    violation_appeal_decide,
    violation_decide_as_proposed,
    violation_proposed_step,
    violation_record_from_finding,
    violation_respond,
    violation_settle,
)
from charter.conduct.models import LadderSetting, Violation
from charter.quality.models import Finding
from charter.standards.models import StandardClause, StandardVersion
from tests.accounts.factories import CustomerFactory
from tests.conduct.conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def finding_for(agent: User, clause: StandardClause) -> Finding:
    team = agent.teams.get()
    customer = CustomerFactory.create(name="刘晓梅")
    case = Case.objects.create(
        number=f"TS-2026-{Finding.objects.count() + 1:06d}",
        kind="inquiry",
        channel="web",
        title="水费账单疑问",
        description="三月账单金额比平时高很多。",
        customer=customer,
        received_at=NOW - DAY,
        assignee=agent,
        team=team,
    )
    message = CaseMessage.objects.create(
        case=case, author=agent, author_kind="staff", body="这个不归我管。", created_at=NOW - DAY
    )
    return Finding.objects.create(
        case=case,
        message=message,
        agent=agent,
        check_code="improper_wording",
        key="improper_wording:不归我管",
        clause=clause,
        excerpt="不归我管",
        replied_at=NOW - DAY,
        team=team,
    )


def test_the_demo_story(
    frozen: Any,
    supervisor: User,
    member: User,
    administrator: User,
    clause: StandardClause,
    acknowledged: StandardVersion,
) -> None:
    conduct_demo_load()
    conduct_demo_load()
    assert LadderSetting.objects.count() == 1

    first = violation_record_from_finding(actor=supervisor, finding=finding_for(member, clause))
    assert {evidence.kind for evidence in first.evidence.all()} == {"case", "finding"}
    violation_settle(decider=supervisor, violation=first)

    repeat = violation_record_from_finding(actor=supervisor, finding=finding_for(member, clause))
    assert violation_proposed_step(violation=repeat).code == "verbal-warning"  # type: ignore[union-attr]
    violation_decide_as_proposed(actor=supervisor, violation=repeat)
    violation_respond(actor=member, violation=repeat, text="客户当时情绪激动。")
    violation_appeal(actor=member, violation=repeat, text="请求复核。")
    decided = violation_appeal_decide(actor=administrator, violation=repeat, outcome="upheld", reason="维持")

    assert decided.status == Violation.Status.CLOSED
    assert decided.step.code == "verbal-warning"  # type: ignore[union-attr]
