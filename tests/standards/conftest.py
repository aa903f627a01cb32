"""Fixtures of the standards tests: documents, drafts and published versions built through the services."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import (
    ClauseContent,
    standard_clause_add,
    standard_document_create,
    standard_version_draft_create,
    standard_version_publish,
)
from tests.accounts.factories import TeamMembershipFactory, UserFactory

PAST = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def promise_content(number: str = "1", **overrides: Any) -> ClauseContent:
    """A valid customer promise."""
    values: dict[str, Any] = {
        "number": number,
        "title_zh": f"承诺{number}",
        "title_en": f"Promise {number}",
        "text_zh": f"我们在一个工作日内答复({number})。",
        "text_en": f"We answer within one working day ({number}).",
        "conditions_zh": "工作日内提交。",
        "conditions_en": "Submitted on a working day.",
        "complaint_route_zh": "拨打服务热线投诉。",
        "complaint_route_en": "Call the service hotline.",
        "measure_zh": "按时答复率。",
        "measure_en": "Share of answers on time.",
    }
    values.update(overrides)
    return ClauseContent(**values)


def conduct_content(number: str = "1.1", **overrides: Any) -> ClauseContent:
    """A valid clause of the code of conduct."""
    values: dict[str, Any] = {
        "number": number,
        "title_zh": f"以礼待人{number}",
        "title_en": f"Courtesy {number}",
        "text_zh": f"员工需以礼待人({number})。",
        "text_en": f"Staff treat customers courteously ({number}).",
        "category": StandardClause.Category.ATTITUDE,
        "is_disciplinary": True,
    }
    values.update(overrides)
    return ClauseContent(**values)


@pytest.fixture
def promises(administrator: User) -> StandardDocument:
    return standard_document_create(
        actor=administrator,
        code="customer-promises",
        kind=StandardDocument.Kind.CUSTOMER_PROMISES,
        title_zh="客户服务承诺",
        title_en="Our promises to customers",
    )


@pytest.fixture
def conduct(administrator: User) -> StandardDocument:
    return standard_document_create(
        actor=administrator,
        code="code-of-conduct",
        kind=StandardDocument.Kind.CODE_OF_CONDUCT,
        title_zh="员工服务行为规范",
        title_en="Staff code of conduct",
    )


Publisher = Callable[..., StandardVersion]


@pytest.fixture
def publish(administrator: User) -> Publisher:
    """Open a draft of `document`, add `contents` (or keep the copied clauses) and publish it."""

    def _publish(
        document: StandardDocument,
        contents: Sequence[ClauseContent] | None = None,
        effective_at: dt.datetime = PAST,
    ) -> StandardVersion:
        draft = standard_version_draft_create(actor=administrator, document=document)
        for content in contents or ():
            standard_clause_add(actor=administrator, version=draft, content=content)
        return standard_version_publish(actor=administrator, version=draft, effective_at=effective_at)

    return _publish


@pytest.fixture
def promises_v1(promises: StandardDocument, publish: Publisher) -> StandardVersion:
    return publish(promises, [promise_content("1"), promise_content("2")])


@pytest.fixture
def conduct_v1(conduct: StandardDocument, publish: Publisher) -> StandardVersion:
    return publish(conduct, [conduct_content("1.1"), conduct_content("1.2", is_disciplinary=False)])


@pytest.fixture
def conduct_draft(conduct: StandardDocument, administrator: User) -> StandardVersion:
    return standard_version_draft_create(actor=administrator, document=conduct)


@pytest.fixture
def outsider_supervisor(other_team: Team) -> User:
    """A supervisor who leads the other team, not alice's."""
    user = UserFactory.create(username="olga", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=other_team, user=user, is_lead=True)
    return user


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()
