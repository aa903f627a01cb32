"""Fixtures of the quality tests: the published code of conduct the checks cite, a case, and the personas."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.cases.conftest import MONDAY, new_case, other_customer, routed_team  # noqa: F401 - the cases' fixtures
from tests.standards.conftest import Publisher, conduct, conduct_content, publish  # noqa: F401

# Valid resident ID numbers (ISO 7064 MOD 11-2 check characters), one ending in X.
OWN_ID = "110101199003071233"
OTHER_ID = "11010519491231002X"
OWN_PHONE = "13800138000"
OTHER_PHONE = "13912345678"

CLAUSES = [
    ("1.6", StandardClause.Category.COMMUNICATION, "问候与尊称", "Greeting and form of address"),
    ("2.2", StandardClause.Category.COMMUNICATION, "清晰易懂", "Clear, plain language"),
    ("2.3", StandardClause.Category.COMMUNICATION, "友好耐心、禁用不当言辞", "Patience; no improper words"),
    ("3.2", StandardClause.Category.RESPONSE, "按时限办理", "Within the set time"),
    ("5.1", StandardClause.Category.CONFIDENTIALITY, "不得泄露客户机密", "No disclosure"),
]


@pytest.fixture
def code_v1(conduct: StandardDocument, publish: Publisher) -> StandardVersion:  # noqa: F811
    """The code of conduct, version 1, in force since 2025 with the clauses the checks cite."""
    return publish(
        conduct,
        [
            conduct_content(number, category=category, title_zh=title_zh, title_en=title_en)
            for number, category, title_zh, title_en in CLAUSES
        ],
        effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(customer_user: User) -> Customer:
    """Carol, with her own phone and ID number."""
    return CustomerFactory.create(user=customer_user, name="刘晓梅", phone=OWN_PHONE, id_number=OWN_ID)


@pytest.fixture
def case(
    frozen: Any,
    code_v1: StandardVersion,
    routed_team: Team,  # noqa: F811
    member: User,
    teammate: User,
    customer: Customer,
    settings: Any,
    tmp_path: Any,
) -> Case:
    """An inquiry of Carol's in alice's team, received on Monday 10:00 with the code of conduct in force."""
    settings.MEDIA_ROOT = tmp_path
    settings.CHARTER_QUALITY_EVENT_LAG_SECONDS = 0
    return new_case(None, customer)


@pytest.fixture
def qa_reviewer(db: None) -> User:
    return UserFactory.create(username="quinn", roles=[Role.QA_REVIEWER])


# Scorecards and reviews ---------------------------------------------------------------------------------


@pytest.fixture
def scorecard_version(administrator: User, code_v1: StandardVersion) -> Any:
    """The default scorecard, version 1 published: greeting (20), patience (40, 1-5), resolution in time
    (40, 1-5, may be N/A), and confidentiality as an auto-fail compliance criterion."""
    from charter.quality.models import Criterion, Scale, Section
    from charter.quality.services import criterion_save, scorecard_create, scorecard_version_publish

    scorecard = scorecard_create(
        actor=administrator, code="default", name_zh="通用质检评分表", name_en="Default"
    )
    draft = scorecard.versions.get()
    clauses = {clause.number: clause for clause in code_v1.clauses.all()}
    for ordering, (section, number, weight, scale, extra) in enumerate(
        [
            (Section.OPENING, "1.6", 20, Scale.YES_NO, {}),
            (Section.COMMUNICATION, "2.3", 40, Scale.ONE_TO_FIVE, {}),
            (Section.RESOLUTION, "3.2", 40, Scale.ONE_TO_FIVE, {"allows_not_applicable": True}),
            (Section.COMPLIANCE, "5.1", 0, Scale.YES_NO, {"is_auto_fail": True, "is_compliance": True}),
        ]
    ):
        criterion_save(
            actor=administrator,
            criterion=Criterion(
                version=draft,
                section=section,
                ordering=ordering,
                title_zh=f"条款{number}",
                clause=clauses[number],
                weight=weight,
                scale=scale,
                **extra,
            ),
        )
    return scorecard_version_publish(actor=administrator, version=draft)


def resolve(case: Case, by: User, at: dt.datetime | None = None) -> Case:
    """Mark `case` resolved by `by` (a shortcut for sampling tests; the workflow is tested in cases)."""
    from django.utils import timezone

    Case.objects.filter(pk=case.pk).update(
        status="resolved", resolved_by=by, assignee=by, resolved_at=at or timezone.now()
    )
    case.refresh_from_db()
    return case


def sampling_rule(administrator: User, team: Team, version: Any, **values: Any) -> Any:
    """Save a sampling rule of `team` for the scorecard of `version` (`values`: the rule's settings)."""
    from charter.quality.models import SamplingRule
    from charter.quality.services import sampling_rule_save

    return sampling_rule_save(
        actor=administrator, rule=SamplingRule(team=team, scorecard=version.scorecard, **values)
    )
