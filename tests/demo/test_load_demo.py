"""The demo `make run` loads: complete, idempotent, and with months of history behind it."""

from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.test import Client

from charter.cases.models import Case
from charter.reports.models import ServicePeriodFigures
from charter.surveys.models import Response
from tests.conftest import not_none

if TYPE_CHECKING:
    from charter.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_without_change_and_publishes_last_months_figures(client: Client) -> None:
    call_command("load_demo", stdout=None)
    cases, responses = Case.objects.count(), Response.objects.count()
    call_command("load_demo", stdout=None)

    assert (Case.objects.count(), Response.objects.count()) == (cases, responses)
    assert responses > 0
    published = ServicePeriodFigures.objects.filter(period_kind="month", cases_handled__gt=0)
    assert published.exists()
    page = client.get(f"/services/{not_none(published.first()).service.slug}/").content.decode()
    assert "上月" in page and "满意" in page


def test_the_demo_tells_the_story_of_holding_staff_to_the_code_and_assessing_them() -> None:
    from charter.accounts.models import User
    from charter.audit.models import AuditEvent
    from charter.conduct.models import Evidence, Violation
    from charter.improvement.models import ActionStatus, CorrectiveAction, Verdict
    from charter.quality.models import Finding, Review

    call_command("load_demo", stdout=None)
    li = User.objects.get(username="li.agent")

    # The improper reply was flagged before sending, sent with a reason, and found afterwards.
    assert AuditEvent.objects.filter(action="cases.reply_check_override", actor=li).exists()
    finding = Finding.objects.get(agent=li, check_code="improper_wording")
    assert finding.is_overridden and finding.clause.number == "2.3"
    # The sampled review scored it against the clause; the dispute was decided by someone else.
    review = Review.objects.get(case=finding.case)
    assert review.reviewer.username == "sun.qa" and review.status == Review.Status.DECIDED
    assert (
        not_none(review.dispute_handler).username == "wang.supervisor"
        and review.decision == Review.Decision.UPHELD
    )
    assert review.scores.get(criterion__clause__number="2.3").value == 2
    # A repeat within the window climbed the ladder; Li responded and appealed.
    earlier, repeat = Violation.objects.filter(staff=li).order_by("occurred_at")
    assert (
        not_none(earlier.step).code == "education" and not_none(repeat.proposed_step).code == "verbal-warning"
    )
    assert repeat.step == repeat.proposed_step and repeat.status == Violation.Status.APPEALED
    assert repeat.response_text and repeat.appeal_text
    assert {evidence.kind for evidence in repeat.evidence.all()} == {
        Evidence.Kind.CASE,
        Evidence.Kind.FINDING,
        Evidence.Kind.QA_REVIEW,
    }
    # The corrective action from the complaint cluster was checked effective and closed by another.
    action = CorrectiveAction.objects.get(source_kind="complaint_cluster")
    check = action.checks.get()
    assert action.status == ActionStatus.CLOSED and action.closed_by != action.owner
    assert check.verdict == Verdict.EFFECTIVE
    assert not_none(check.complaints_after) < not_none(check.complaints_before)

    _assessment_story_told(li)


def _assessment_story_told(li: "User") -> None:
    from charter.assessment.models import (
        Appeal,
        Cycle,
        ImprovementPlan,
        LedgerEntry,
        Scorecard,
        ScorecardLine,
    )

    # Last month's cycle is final: Li's upheld appeal raised his grade, Zhao's was rejected, both decided
    # by someone who neither scored nor approved them; the grades' outcomes are in the ledger.
    final, open_cycle = Cycle.objects.order_by("period_start")
    assert final.status == Cycle.Status.FINAL and open_cycle.status == Cycle.Status.SELF
    card = Scorecard.objects.get(cycle=final, person=li)
    appeal = Appeal.objects.get(scorecard=card)
    assert (
        appeal.status == Appeal.Status.UPHELD
        and appeal.new_grade != appeal.previous_grade == card.computed_grade
    )
    assert not_none(appeal.decided_by).username == "sun.qa"
    assert not_none(card.assessor).username == "wang.supervisor" and final.approved_by != appeal.decided_by
    rejected = Appeal.objects.get(scorecard__cycle=final, scorecard__person__username="zhao.agent")
    assert rejected.status == Appeal.Status.REJECTED and rejected.new_grade == rejected.previous_grade
    assert LedgerEntry.objects.get(scorecard=card, kind=LedgerEntry.Kind.COEFFICIENT).grade == card.grade
    # The bad review Li appealed (好差评) is excluded from his CSAT, and the scorecard counts it as left out.
    assert Response.objects.filter(handler=li, assessment_excluded_at__isnull=False).count() == 1
    assert ScorecardLine.objects.get(scorecard=card, code="csat_satisfied").excluded >= 1
    assert ImprovementPlan.objects.filter(person__username="chen.agent", status="active").exists()
