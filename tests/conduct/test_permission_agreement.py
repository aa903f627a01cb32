"""Each rule of conduct answers alike on every channel: the predicate, the desk (does it offer the action,
does the form go through), the API (status and code) and the service (raises the same code, or succeeds),
for every role around one violation of alice's (tests/common/agreement.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from charter.accounts.models import User
from charter.common.policy import Decision
from charter.conduct import permissions
from charter.conduct.models import LadderStep, Violation
from charter.conduct.services import (
    EvidenceInput,
    ladder_step_update,
    violation_appeal,
    violation_appeal_decide,
    violation_approve,
    violation_decide,
    violation_evidence_add,
    violation_respond,
)
from charter.standards.models import StandardClause, StandardVersion
from tests.common.agreement import (
    HIDDEN,
    OK,
    PERSONAS,
    api_verdict,
    decision_verdict,
    page_expected,
    page_verdict,
    persona_users,
    service_verdict,
    undone,
)
from tests.conduct.conftest import DAY, NOW, Recorder, step
from tests.conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

PAGES = "/desk/conduct/violations/"
API = "/api/v1/violations/"

RECORD = "conduct_record_denied"
DECIDE = "conduct_decide_denied"
RESPOND = "conduct_respond_denied"
APPROVE = "conduct_approve_denied"
APPEAL = "conduct_appeal_denied"
SAME_DECIDER = "conduct_same_decider"
MANAGE = "conduct_manage_denied"


@dataclass(frozen=True)
class Rule:
    """One rule: the state it is asked in, its predicate, and how the page, the API and the service ask it."""

    state: str  # the violation's state: see `_violation`
    predicate: Callable[[User, Violation], Decision]
    service: Callable[[User, Violation], Any]
    flag: str = ""  # the detail page's context key that offers the form
    page_post: tuple[str, dict[str, Any]] = ("", {})  # (path under the violation, form)
    api_post: tuple[str, dict[str, Any]] | None = None  # (action path, body), None: no API


RULES: dict[str, Rule] = {
    "add evidence": Rule(
        state="recorded",
        predicate=permissions.can_add_evidence,
        service=lambda user, violation: violation_evidence_add(
            actor=user, violation=violation, item=EvidenceInput(kind="observation", text="补充观察。")
        ),
        flag="can_add_evidence",
        page_post=("evidence/", {"observation": "补充观察。"}),
    ),
    "decide": Rule(
        state="recorded",
        predicate=permissions.can_decide,
        service=lambda user, violation: violation_decide(
            actor=user, violation=violation, step=step("education")
        ),
        flag="can_decide",
        page_post=("decide/", {"step": "education", "reason": ""}),
        api_post=("decide/", {"step": "education"}),
    ),
    "respond": Rule(
        state="awaiting response",
        predicate=permissions.can_respond,
        service=lambda user, violation: violation_respond(actor=user, violation=violation, text="我接受。"),
        flag="can_respond",
        page_post=("respond/", {"text": "我接受。"}),
        api_post=("respond/", {"text": "我接受。"}),
    ),
    "approve": Rule(
        state="awaiting approval",
        predicate=permissions.can_approve,
        service=lambda user, violation: violation_approve(actor=user, violation=violation),
        flag="can_approve",
        page_post=("approve/", {"decision": "approve", "note": ""}),
        api_post=("approve/", {"is_approved": True}),
    ),
    "appeal": Rule(
        state="in effect",
        predicate=permissions.can_appeal,
        service=lambda user, violation: violation_appeal(
            actor=user, violation=violation, text="客户先辱骂我。"
        ),
        flag="can_appeal",
        page_post=("appeal/", {"text": "客户先辱骂我。"}),
        api_post=("appeal/", {"text": "客户先辱骂我。"}),
    ),
    "decide appeal": Rule(
        state="appealed",
        predicate=permissions.can_decide_appeal,
        service=lambda user, violation: violation_appeal_decide(
            actor=user, violation=violation, outcome="upheld", reason="维持。"
        ),
        flag="can_decide_appeal",
        page_post=("appeal/decide/", {"outcome": "upheld", "reason": "维持。", "step": ""}),
        api_post=("appeal-decision/", {"outcome": "upheld", "reason": "维持。"}),
    ),
}

# What each role gets, rule by rule: OK, HIDDEN (the violation is outside his scope: 404) or the code.
H = HIDDEN
EXPECTED: dict[str, dict[str, str]] = {
    #                  subject  teammate agent supervisor above elsewhere qa  administrator customer
    "add evidence": dict(zip(PERSONAS, (RECORD, H, H, OK, OK, H, H, OK, H), strict=True)),
    "decide": dict(zip(PERSONAS, (DECIDE, H, H, OK, OK, H, H, OK, H), strict=True)),
    "respond": dict(zip(PERSONAS, (OK, H, H, RESPOND, RESPOND, H, H, RESPOND, H), strict=True)),
    "approve": dict(zip(PERSONAS, (APPROVE, H, H, APPROVE, APPROVE, H, H, OK, H), strict=True)),
    "appeal": dict(zip(PERSONAS, (OK, H, H, APPEAL, APPEAL, H, H, APPEAL, H), strict=True)),
    # sam decided the step, so its appeal goes to someone else.
    "decide appeal": dict(zip(PERSONAS, (DECIDE, H, H, SAME_DECIDER, OK, H, H, OK, H), strict=True)),
    "record": dict(zip(PERSONAS, (RECORD, RECORD, RECORD, OK, OK, RECORD, RECORD, OK, RECORD), strict=True)),
    "configure the ladder": dict(zip(PERSONAS, (*[MANAGE] * 7, OK, MANAGE), strict=True)),
}


def _violation(state: str, record: Recorder, supervisor: User, member: User) -> Violation:
    """A violation of alice's recorded by sam, brought to `state` by the services."""
    if state == "awaiting approval":
        violation = record(severity="serious")
        violation_decide(actor=supervisor, violation=violation, step=step("demotion"), reason="情节严重。")
        return violation_respond(actor=member, violation=violation, text="请从轻。")
    violation = record()
    if state == "recorded":
        return violation
    violation_decide(actor=supervisor, violation=violation, step=step("education"))
    if state == "awaiting response":
        return violation
    violation_respond(actor=member, violation=violation, text="我接受。")
    if state == "in effect":
        return violation
    return violation_appeal(actor=member, violation=violation, text="客户先辱骂我。")


def _page(client: Client, violation: Violation, rule: Rule) -> str:
    detail = client.get(f"{PAGES}{violation.pk}/")
    shown = None if detail.status_code == 404 else bool(detail.context[rule.flag])
    path, form = rule.page_post
    posted = undone(partial(client.post, f"{PAGES}{violation.pk}/{path}", _form(form)))
    return page_verdict(shown=shown, posted=posted)


def _form(data: dict[str, Any]) -> dict[str, Any]:
    """Form fields name steps by their id."""
    return {key: step(value).pk if key == "step" and value else value for key, value in data.items()}


def _api(client: APIClient, violation: Violation, rule: Rule) -> str:
    assert rule.api_post is not None
    path, body = rule.api_post
    return api_verdict(undone(partial(client.post, f"{API}{violation.pk}/{path}", body, format="json")))


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_about_a_violation_answers_alike_everywhere(
    name: str,
    request: pytest.FixtureRequest,
    record: Recorder,
    supervisor: User,
    member: User,
    acknowledged: StandardVersion,
) -> None:
    rule = RULES[name]
    users = persona_users(request)
    violation = _violation(rule.state, record, supervisor, member)

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        fresh = Violation.objects.get(pk=violation.pk)
        answers = [
            decision_verdict(rule.predicate(user, fresh)),
            _page(client_for(user), fresh, rule),
            service_verdict(undone(partial(rule.service, user, fresh))),
        ]
        if rule.api_post is not None:
            answers.append(_api(api_client_for(user), fresh, rule))
        seen[persona] = tuple(answers)

    expected = {
        persona: (code, page_expected(code), code, *([code] if rule.api_post else []))
        for persona, code in EXPECTED[name].items()
    }
    assert seen == expected


def test_recording_a_violation_answers_alike_everywhere(
    request: pytest.FixtureRequest, frozen: Any, member: User, clause: StandardClause
) -> None:
    users = persona_users(request)
    form = {
        "staff": member.pk,
        "document": clause.version.document_id,
        "clause_number": clause.number,
        "occurred_at": "2026-03-01T10:00",
        "severity": "minor",
        "description": "对客户说“不归我管”。",
    }
    body = {
        "staff": member.pk,
        "clause": clause.pk,
        "occurred_at": (NOW - DAY).isoformat(),
        "severity": "minor",
        "description": "对客户说“不归我管”。",
    }
    record: Recorder = request.getfixturevalue("record")

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        client = client_for(user)
        page = client.get(f"{PAGES}new/")
        shown = (
            page.status_code == 200
            and page.context["form"].fields["staff"].queryset.filter(pk=member.pk).exists()
        )
        seen[persona] = (
            decision_verdict(permissions.can_record_violation_for(user, member)),
            page_verdict(shown=shown, posted=undone(partial(client.post, f"{PAGES}new/", form))),
            service_verdict(undone(partial(record, actor=user))),
            api_verdict(undone(partial(api_client_for(user).post, API, body, format="json"))),
        )

    expected = {
        persona: (code, page_expected(code), code, code) for persona, code in EXPECTED["record"].items()
    }
    assert seen == expected


def test_configuring_the_ladder_answers_alike_everywhere(request: pytest.FixtureRequest) -> None:
    users = persona_users(request)
    education = LadderStep.objects.get(code="education")
    form = {"name_zh": "批评教育", "name_en": "Education", "requires_second_approver": ""}

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        client = client_for(user)
        shown = client.get("/desk/conduct/ladder/").status_code == 200
        path = f"/desk/conduct/ladder/steps/{education.pk}/"
        seen[persona] = (
            decision_verdict(permissions.can_manage_ladder(user)),
            page_verdict(shown=shown, posted=undone(partial(client.post, path, form))),
            service_verdict(
                undone(
                    partial(
                        ladder_step_update,
                        actor=user,
                        step=education,
                        name_zh="批评教育",
                        name_en="",
                        requires_second_approver=False,
                    )
                )
            ),
        )

    expected = {
        persona: (code, page_expected(code), code)
        for persona, code in EXPECTED["configure the ladder"].items()
    }
    assert seen == expected
