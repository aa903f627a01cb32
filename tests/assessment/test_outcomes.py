"""Outcomes of a final grade: the ledger entries, the improvement plan it opens and the training event; the
ledger page's scope and its export."""

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment.models import (
    Cycle,
    ImprovementPlan,
    LedgerEntry,
    OutcomeRule,
    Scheme,
    SchemeItem,
    SchemeVersion,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
)
from charter.assessment.outcomes import outcomes_apply, remedial_training_events
from charter.audit.models import AuditEvent
from charter.common.versioning import VersionStatus
from tests.accounts.factories import UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def version_make(*, rules: list[dict[str, Any]], items: Sequence[tuple[str, str]] = ()) -> SchemeVersion:
    """A published scheme version with `items` (code, Chinese name; indicators) and outcome `rules`."""
    scheme = Scheme.objects.create(code=f"scheme-{Scheme.objects.count() + 1}", name_zh="坐席考核方案")
    version = SchemeVersion.objects.create(scheme=scheme, number=1)
    for code, name in items:
        SchemeItem.objects.create(
            version=version, kind=SchemeItem.Kind.INDICATOR, code=code, name_zh=name, weight=Decimal(50)
        )
    for rule in rules:
        OutcomeRule.objects.create(version=version, **rule)
    version.status = VersionStatus.PUBLISHED
    version.published_at = AT
    version.save()
    return version


def cycle_make(version: SchemeVersion, opener: User, start: dt.date = dt.date(2026, 10, 1)) -> Cycle:
    return Cycle.objects.create(
        scheme=version.scheme,
        version=version,
        period_start=start,
        period_end=start + dt.timedelta(days=30),
        status=Cycle.Status.FINAL,
        opened_at=AT,
        opened_by=opener,
        calculated_at=AT,
    )


def scorecard_make(
    cycle: Cycle, person: User, *, assessor: User | None, team: Team | None, grade: str
) -> Scorecard:
    return Scorecard.objects.create(
        cycle=cycle,
        person=person,
        assessor=assessor,
        team=team,
        status=Scorecard.Status.FINAL,
        grade=grade,
        computed_grade=grade,
        total=Decimal("55.50"),
        final_at=AT,
    )


@pytest.fixture
def version() -> SchemeVersion:
    return version_make(
        items=[("csat", "满意度"), ("sla", "时限达标率"), ("volume", "办件量")],
        rules=[
            {
                "grade": "excellent",
                "bonus_coefficient": Decimal("1.25"),
                "points": 20,
                "title_zh": "服务之星",
                "title_en": "Service star",
            },
            {"grade": "fair", "bonus_coefficient": Decimal("1.00")},
            {
                "grade": "poor",
                "bonus_coefficient": Decimal("0.70"),
                "points": -10,
                "interview": True,
                "improvement_plan": True,
                "remedial_training": True,
            },
        ],
    )


@pytest.fixture
def cycle(version: SchemeVersion, administrator: User) -> Cycle:
    return cycle_make(version, administrator)


def test_excellent_grade_writes_exact_coefficient_points_and_chinese_title(
    cycle: Cycle, member: User, supervisor: User, team: Team
) -> None:
    card = scorecard_make(cycle, member, assessor=supervisor, team=team, grade="excellent")

    written = outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    by_kind = {entry.kind: entry for entry in LedgerEntry.objects.filter(scorecard=card)}
    assert [entry.kind for entry in written] == ["coefficient", "points", "title"]
    assert set(by_kind) == {"coefficient", "points", "title"}
    assert by_kind["coefficient"].coefficient == Decimal("1.25")
    assert isinstance(by_kind["coefficient"].coefficient, Decimal)
    assert str(by_kind["coefficient"].coefficient) == "1.25"
    assert by_kind["points"].points == 20
    assert by_kind["title"].title == "服务之星"
    assert all(entry.person_id == member.pk and entry.cycle_id == cycle.pk for entry in written)
    assert all(entry.grade == "excellent" and entry.created_at == AT for entry in written)
    assert not ImprovementPlan.objects.exists()
    audit = AuditEvent.objects.get(action="assessment.outcomes_apply")
    assert audit.data["kinds"] == ["coefficient", "points", "title"]


def test_a_grade_with_only_a_coefficient_writes_one_entry(
    cycle: Cycle, member: User, supervisor: User, team: Team
) -> None:
    card = scorecard_make(cycle, member, assessor=supervisor, team=team, grade="fair")

    written = outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    assert [(entry.kind, entry.coefficient) for entry in written] == [("coefficient", Decimal("1.00"))]


def test_a_grade_without_a_rule_leads_to_nothing(
    cycle: Cycle, member: User, supervisor: User, team: Team
) -> None:
    card = scorecard_make(cycle, member, assessor=supervisor, team=team, grade="good")

    assert outcomes_apply(scorecard=card, actor=supervisor, at=AT) == []
    assert not LedgerEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.outcomes_apply").exists()


def test_the_title_falls_back_to_english_when_the_rule_has_no_chinese(
    member: User, supervisor: User, team: Team, administrator: User
) -> None:
    version = version_make(rules=[{"grade": "excellent", "title_en": "Star"}])
    card = scorecard_make(
        cycle_make(version, administrator), member, assessor=supervisor, team=team, grade="excellent"
    )

    written = outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    assert [(entry.kind, entry.title) for entry in written] == [("title", "Star")]


def _poor_card(cycle: Cycle, member: User, supervisor: User, team: Team) -> Scorecard:
    card = scorecard_make(cycle, member, assessor=supervisor, team=team, grade="poor")
    for code, points in (("csat", "45.00"), ("sla", "59.99"), ("volume", "60.00")):
        ScorecardLine.objects.create(
            scorecard=card, kind=ScorecardLine.Kind.INDICATOR, code=code, points=Decimal(points)
        )
    # A low rating by the supervisor is no indicator: no goal for it.
    ScorecardLine.objects.create(
        scorecard=card, kind=ScorecardLine.Kind.QUALITATIVE, code="attitude", points=Decimal(30)
    )
    return card


def test_poor_grade_opens_a_plan_with_a_goal_per_indicator_below_60(
    cycle: Cycle, member: User, supervisor: User, team: Team
) -> None:
    card = _poor_card(cycle, member, supervisor, team)

    written = outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    assert [entry.kind for entry in written] == ["coefficient", "points", "interview", "plan", "training"]
    assert LedgerEntry.objects.get(scorecard=card, kind="points").points == -10
    plan = ImprovementPlan.objects.get(person=member)
    assert plan.trigger == ImprovementPlan.Trigger.GRADE
    assert plan.owner == supervisor
    assert plan.scorecard == card
    assert plan.status == ImprovementPlan.Status.ACTIVE
    assert plan.starts_on == timezone.localdate(AT)
    assert plan.ends_on == plan.starts_on + dt.timedelta(days=90)
    goals = list(plan.goals.order_by("pk"))
    assert [goal.indicator for goal in goals] == ["csat", "sla"]
    assert all(goal.target == Decimal(60) for goal in goals)
    assert "满意度" in goals[0].description
    assert AuditEvent.objects.filter(action="assessment.plan_open", target_id=str(plan.pk)).exists()


def test_the_plan_length_is_a_setting(
    cycle: Cycle, member: User, supervisor: User, team: Team, settings: Any
) -> None:
    settings.CHARTER_ASSESSMENT_PLAN_DAYS = 30
    card = _poor_card(cycle, member, supervisor, team)

    outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    plan = ImprovementPlan.objects.get(person=member)
    assert (plan.ends_on - plan.starts_on).days == 30


def test_remedial_training_is_an_outbox_event(
    cycle: Cycle, member: User, supervisor: User, team: Team
) -> None:
    card = _poor_card(cycle, member, supervisor, team)

    outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    event = remedial_training_events().get()
    assert event.scorecard == card
    assert event.at == AT
    assert event.data == {
        "event": "assessment.remedial_training",
        "person_id": member.pk,
        "scorecard_id": card.pk,
        "cycle_id": cycle.pk,
        "grade": "poor",
        "reason": "grade",
    }
    assert LedgerEntry.objects.get(scorecard=card, kind="training").note == event.note != ""


def test_applying_twice_writes_nothing_the_second_time(
    cycle: Cycle, member: User, supervisor: User, team: Team
) -> None:
    card = _poor_card(cycle, member, supervisor, team)
    outcomes_apply(scorecard=card, actor=supervisor, at=AT)
    audits = AuditEvent.objects.count()

    again = outcomes_apply(scorecard=card, actor=supervisor, at=AT + dt.timedelta(hours=1))

    assert again == []
    assert LedgerEntry.objects.filter(scorecard=card).count() == 5
    assert ImprovementPlan.objects.filter(person=member).count() == 1
    assert ScorecardEvent.objects.filter(action="remedial_training").count() == 1
    assert AuditEvent.objects.count() == audits


# The ledger page and its export -------------------------------------------------------------------------


@pytest.fixture
def ledger(
    cycle: Cycle, member: User, outsider: User, supervisor: User, team: Team, other_team: Team
) -> tuple[Scorecard, Scorecard]:
    mine = scorecard_make(cycle, member, assessor=supervisor, team=team, grade="excellent")
    theirs = scorecard_make(cycle, outsider, assessor=None, team=other_team, grade="fair")
    outcomes_apply(scorecard=mine, actor=None, at=AT)
    outcomes_apply(scorecard=theirs, actor=None, at=AT)
    return mine, theirs


@pytest.fixture
def hr(db: None) -> User:
    user = UserFactory.create(username="hr", roles=[Role.AGENT])
    user.user_permissions.add(Permission.objects.get(codename="export_ledger"))
    return user


def test_a_lead_sees_only_the_entries_of_his_teams(
    ledger: tuple[Scorecard, Scorecard], supervisor: User, member: User, outsider: User
) -> None:
    response = client_for(supervisor).get(reverse("assessment:ledger"))

    assert response.status_code == 200
    people = {entry.person_id for entry in response.context["page"]}
    assert people == {member.pk}
    assert "服务之星" in response.content.decode()


def test_hr_sees_every_entry_and_filters_by_team(
    ledger: tuple[Scorecard, Scorecard], hr: User, member: User, outsider: User, other_team: Team
) -> None:
    client = client_for(hr)

    everything = client.get(reverse("assessment:ledger"))
    filtered = client.get(reverse("assessment:ledger"), {"team": other_team.pk})

    assert {entry.person_id for entry in everything.context["page"]} == {member.pk, outsider.pk}
    assert {entry.person_id for entry in filtered.context["page"]} == {outsider.pk}


def test_an_agent_may_not_open_the_ledger(ledger: tuple[Scorecard, Scorecard], member: User) -> None:
    assert client_for(member).get(reverse("assessment:ledger")).status_code == 403


def test_a_lead_may_not_export_the_ledger(ledger: tuple[Scorecard, Scorecard], supervisor: User) -> None:
    assert client_for(supervisor).get(reverse("assessment:ledger_csv")).status_code == 403


def test_the_csv_export_neutralises_formulas_and_is_audited(
    cycle: Cycle, member: User, supervisor: User, team: Team, hr: User, administrator: User
) -> None:
    version = version_make(
        rules=[
            {"grade": "excellent", "title_zh": '=HYPERLINK("http://x")', "bonus_coefficient": Decimal("1.10")}
        ]
    )
    card = scorecard_make(
        cycle_make(version, administrator), member, assessor=supervisor, team=team, grade="excellent"
    )
    outcomes_apply(scorecard=card, actor=supervisor, at=AT)

    response = client_for(hr).get(reverse("assessment:ledger_csv"), {"person": member.pk})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(cell.startswith("=") for cell in cells)
    assert "1.10" in cells
    audit = AuditEvent.objects.get(action="assessment.ledger_export")
    assert audit.actor == hr
    assert audit.data["rows"] == 2
    assert audit.data["format"] == "csv"
    assert audit.data["filters"]["person"] == member.pk


def test_the_xlsx_export_downloads(ledger: tuple[Scorecard, Scorecard], hr: User) -> None:
    response = client_for(hr).get(reverse("assessment:ledger_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="assessment.ledger_export", data__format="xlsx").exists()
