"""Fixtures of the surveys tests: the after-case survey (as the demo makes it), cases to resolve."""

import re
from typing import Any

import pytest

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case
from charter.cases.services import case_create, case_reply, case_resolve
from charter.surveys.invitations import invitations_from_resolved_cases
from charter.surveys.models import Survey, SurveyRule
from charter.surveys.services import (
    survey_create,
    survey_question_add,
    survey_rule_save,
    survey_version_publish,
)
from tests.accounts.factories import CustomerFactory
from tests.cases.conftest import routed_team  # noqa: F401 - the cases' routed team, for surveys too
from tests.mail.conftest import smtp, smtp_server  # noqa: F401 - a real SMTP server


@pytest.fixture
def survey(administrator: User, settings: Any) -> Survey:
    settings.CHARTER_SURVEYS_EVENT_LAG_SECONDS = 0
    survey = survey_create(
        actor=administrator, code="after-case", name_zh="服务满意度调查", name_en="How did we do?"
    )
    draft = survey.versions.get()
    survey_question_add(
        actor=administrator,
        version=draft,
        type="csat",
        text_zh="满意吗？",
        text_en="Satisfied?",
        is_required=True,
    )
    survey_question_add(
        actor=administrator, version=draft, type="nps", text_zh="推荐吗？", text_en="Recommend?"
    )
    survey_question_add(
        actor=administrator,
        version=draft,
        type="multiple",
        text_zh="哪些方面好？",
        choices=[{"value": "speed", "zh": "速度"}, {"value": "attitude", "zh": "态度"}],
    )
    survey_question_add(actor=administrator, version=draft, type="text", text_zh="还有什么？")
    survey_version_publish(actor=administrator, version=draft)
    invitations_from_resolved_cases()  # the survey starts here
    return survey


@pytest.fixture
def rule(survey: Survey, administrator: User) -> SurveyRule:
    return survey_rule_save(
        actor=administrator, survey=survey, name="全部", delay_minutes=0, sample_percent=100
    )


@pytest.fixture
def customer(routed_team: Team) -> Customer:  # noqa: F811 - cases are routed to alice and bob by turns
    return CustomerFactory.create(name="王小明", email="wang@example.com", language="zh-hans")


def resolved_case(customer: Customer, *, kind: str = "inquiry", reply_by: User | None = None) -> Case:
    """A case made, answered by its handler (or `reply_by`), and resolved."""
    case = case_create(
        actor=None, kind=kind, channel="web", customer=customer, title="水费疑问", description="账单偏高"
    )
    handler = case.assignee
    assert handler is not None
    case_reply(actor=reply_by or handler, case=case, body="您好，已核实。")
    outcome = "answered" if kind == "inquiry" else "upheld"
    return case_resolve(
        actor=handler,
        case=case,
        outcome=outcome,
        reasons="已核实并更正。",
        root_cause="process" if kind != "inquiry" else "",
    )


def link_of(text: str) -> str:
    match = re.search(r"http://testserver(/s/[^/\s]+/)", text)
    assert match is not None, text
    return match.group(1)
