"""Factories of the assessment tests: schemes and their versions, built through the services so that what a
test gets is what a manager could have written.

`published_scheme(actor=..., teams=[...])` returns the published version of a valid agent scheme: indicators
csat_satisfied (30), sla_first_response_met (30) and qa_average (20), a qualitative item rated by the
supervisor citing a clause of the published code of conduct (10), a self-assessment (10), a bonus item
"commendations" and a deduction item "upheld complaints", the standard grades (优秀/良好/合格/不合格) with
优秀 at most 20% of a team, and an outcome rule per grade.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import factory
import time_machine
from django.contrib.auth.models import Group

from charter.accounts.models import Team, User
from charter.assessment.models import PeriodKind, Scheme, SchemeVersion
from charter.assessment.schemes import (
    AdjustmentContent,
    ItemContent,
    OutcomeRuleContent,
    SchemeVersionContent,
    scheme_create,
    scheme_today,
    scheme_version_draft_create,
    scheme_version_draft_update,
    scheme_version_publish,
)
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import (
    ClauseContent,
    standard_clause_add,
    standard_document_create,
    standard_version_draft_create,
    standard_version_publish,
)

STANDARD_GRADES: list[dict[str, Any]] = [
    {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "minimum": "90"},
    {"code": "good", "name_zh": "良好", "name_en": "Good", "minimum": "80"},
    {"code": "pass", "name_zh": "合格", "name_en": "Pass", "minimum": "60"},
    {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "minimum": None},
]


class SchemeFactory(factory.django.DjangoModelFactory[Scheme]):
    """A bare scheme row, without versions or coverage (`published_scheme` makes a whole one)."""

    class Meta:
        model = Scheme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"scheme-{n}")
    name_zh = factory.Sequence(lambda n: f"考核方案{n}")
    name_en = factory.Sequence(lambda n: f"Scheme {n}")


def conduct_clause(actor: User, *, number: str = "2.1") -> StandardClause:
    """Return clause `number` of the published staff code of conduct, publishing a code with that clause
    first when there is none (as `actor`, an administrator)."""
    existing = StandardClause.objects.filter(
        number=number,
        version__status=StandardVersion.Status.PUBLISHED,
        version__document__kind=StandardDocument.Kind.CODE_OF_CONDUCT,
    ).first()
    if existing is not None:
        return existing
    document = StandardDocument.objects.filter(kind=StandardDocument.Kind.CODE_OF_CONDUCT).first()
    if document is None:
        document = standard_document_create(
            actor=actor,
            code="code-of-conduct",
            kind=StandardDocument.Kind.CODE_OF_CONDUCT,
            title_zh="员工服务行为规范",
            title_en="Staff code of conduct",
        )
    draft = standard_version_draft_create(actor=actor, document=document)
    clause = standard_clause_add(
        actor=actor,
        version=draft,
        content=ClauseContent(
            number=number,
            title_zh="服务态度",
            title_en="Service attitude",
            text_zh="员工以礼待人,耐心倾听客户诉求。",
            text_en="Staff treat customers courteously and listen patiently.",
            category=StandardClause.Category.ATTITUDE,
        ),
    )
    standard_version_publish(actor=actor, version=draft, effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    return clause


def agent_content(
    *, clause: StandardClause | None, effective_from: dt.date | None, **overrides: Any
) -> SchemeVersionContent:
    """The content of the agent scheme (see the module), with `overrides` of its fields."""
    content = SchemeVersionContent(
        period_kind=PeriodKind.MONTH,
        affects_pay=True,
        effective_from=effective_from,
        grades=[dict(grade) for grade in STANDARD_GRADES],
        quota_grade="excellent",
        quota_share=Decimal(20),
        bonus_cap=Decimal(10),
        deduction_cap=Decimal(20),
        formula="",
        change_summary_zh="首个版本。",
        change_summary_en="First version.",
        items=(
            ItemContent(
                kind="indicator",
                code="csat_satisfied",
                weight=Decimal(30),
                curve={"type": "linear", "floor": "60", "target": "90", "cap": "100"},
            ),
            ItemContent(
                kind="indicator",
                code="sla_first_response_met",
                weight=Decimal(30),
                curve={"type": "linear", "floor": "70", "target": "95", "cap": "100"},
            ),
            ItemContent(
                kind="indicator",
                code="qa_average",
                weight=Decimal(20),
                curve={
                    "type": "bands",
                    "bands": [
                        {"lower": "0", "upper": "60", "points": "0"},
                        {"lower": "60", "upper": "80", "points": "60"},
                        {"lower": "80", "upper": "101", "points": "100"},
                    ],
                },
            ),
            ItemContent(
                kind="qualitative",
                code="attitude",
                weight=Decimal(10),
                name_zh="服务态度",
                name_en="Service attitude",
                clause=clause,
            ),
            ItemContent(
                kind="self", code="self_review", weight=Decimal(10), name_zh="自评", name_en="Self-assessment"
            ),
        ),
        adjustments=(
            AdjustmentContent(
                kind="bonus",
                code="commendations",
                name_zh="客户表扬",
                name_en="Commendations",
                indicator="commendations",
                points_each=Decimal(2),
                cap=Decimal(10),
            ),
            AdjustmentContent(
                kind="deduction",
                code="upheld_complaints",
                name_zh="有效投诉",
                name_en="Upheld complaints",
                indicator="upheld_complaints_per_100",
                points_each=Decimal(5),
                cap=Decimal(20),
            ),
        ),
        outcome_rules=(
            OutcomeRuleContent(
                grade="excellent",
                bonus_coefficient=Decimal("1.20"),
                points=100,
                title_zh="服务之星",
                title_en="Service star",
            ),
            OutcomeRuleContent(grade="good", bonus_coefficient=Decimal("1.00"), points=50),
            OutcomeRuleContent(grade="pass", bonus_coefficient=Decimal("0.80")),
            OutcomeRuleContent(
                grade="fail",
                bonus_coefficient=Decimal("0.50"),
                interview=True,
                improvement_plan=True,
                remedial_training=True,
            ),
        ),
    )
    return dataclasses.replace(content, **overrides)


def draft_scheme(
    *,
    actor: User,
    code: str = "agents",
    teams: Sequence[Team] = (),
    roles: Sequence[Group] = (),
    effective_from: dt.date | None = None,
    **overrides: Any,
) -> SchemeVersion:
    """Create the agent scheme covering `teams` and `roles` and return its draft version 1, filled in."""
    scheme = scheme_create(
        actor=actor,
        code=code,
        name_zh="客服代表考核方案",
        name_en="Agent assessment scheme",
        team_ids=[team.pk for team in teams],
        role_ids=[role.pk for role in roles],
    )
    draft = scheme.versions.get()
    content = agent_content(clause=conduct_clause(actor), effective_from=effective_from, **overrides)
    return scheme_version_draft_update(actor=actor, version=draft, content=content)


def published_scheme(
    *,
    actor: User,
    code: str = "agents",
    teams: Sequence[Team] = (),
    roles: Sequence[Group] = (),
    effective_from: dt.date | None = None,
    **overrides: Any,
) -> SchemeVersion:
    """Create and publish the agent scheme (see the module) as `actor` (an administrator) and return its
    published version.

    `effective_from` (default: the first day of next month) may lie in the past: the version is then
    published, as the law requires, on the day before it, by travelling there for the publication only.
    """
    today = scheme_today()
    start = effective_from or (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    draft = draft_scheme(actor=actor, code=code, teams=teams, roles=roles, effective_from=start, **overrides)
    if start > today:
        return scheme_version_publish(actor=actor, version=draft)
    with time_machine.travel(dt.datetime.combine(start - dt.timedelta(days=1), dt.time(4, 0), dt.UTC)):
        return scheme_version_publish(actor=actor, version=draft)


def next_version(*, actor: User, scheme: Scheme, effective_from: dt.date, **overrides: Any) -> SchemeVersion:
    """Open a draft of `scheme` copying its latest version, change `overrides` and `effective_from`, and
    return the draft (not published)."""
    draft = scheme_version_draft_create(actor=actor, scheme=scheme)
    content = dataclasses.replace(
        SchemeVersionContent.from_version(draft), effective_from=effective_from, **overrides
    )
    return scheme_version_draft_update(actor=actor, version=draft, content=content)
