"""Each rule of corrective actions answers alike on every channel for every role (tests/common/agreement.py):
the predicate, the action's page (does it offer the form, does the form change the action), the API (status
and code) and the service (raises the same code, or succeeds). The action is sam's, opened for alice's team
with alice as its owner and one item given to bob."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import time_machine
from django.test import Client

from charter.accounts.models import Customer, Team, User
from charter.common.policy import Decision
from charter.improvement import permissions
from charter.improvement.models import ActionItem, ActionStatus, CorrectiveAction, EffectivenessCheck
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    corrective_action_open,
    corrective_action_transition,
    effectiveness_check_record,
)
from tests.common.agreement import (
    HIDDEN,
    OK,
    PERSONAS,
    REFUSED,
    api_verdict,
    decision_verdict,
    page_expected,
    persona_users,
    service_verdict,
    undone,
)
from tests.conftest import api_client_for, client_for
from tests.improvement.conftest import START, complaint, open_cluster_action

pytestmark = pytest.mark.django_db

PAGES = "/desk/improvement/actions/"
API = "/api/v1/corrective-actions/"
DAY = dt.timedelta(days=1)

H = HIDDEN
MANAGE = "improvement_manage_denied"
OPEN = "improvement_open_denied"
CHECK_BY_OWNER = "improvement_check_by_owner"
CLOSURE_BY_OWNER = "improvement_closure_by_owner"


@dataclass(frozen=True)
class Rule:
    """One rule about the action: the state it is asked in, its predicate, and how each channel asks it."""

    state: str  # "working" (open, bob's item to do), "due" (items done, the check due), "checked"
    predicate: Callable[[User, CorrectiveAction, ActionItem], Decision]
    service: Callable[[User, CorrectiveAction, ActionItem], Any]
    shown: Callable[[Any, ActionItem], bool]  # does the page offer it (from its context)
    page_post: Callable[[CorrectiveAction, ActionItem, User], dict[str, Any]]
    api_post: Callable[[CorrectiveAction, ActionItem, User], tuple[str, dict[str, Any]]]
    changed: Callable[[CorrectiveAction, ActionItem], bool]  # did a post change the action


RULES: dict[str, Rule] = {
    "add an item": Rule(
        state="working",
        predicate=lambda user, action, item: permissions.can_manage(user, action),
        service=lambda user, action, item: action_item_add(
            actor=user, action=action, description="补充培训", owner=action.owner, due_on=START.date()
        ),
        shown=lambda context, item: bool(context["is_manager"]),
        page_post=lambda action, item, owner: {
            "do": "item",
            "description": "补充培训",
            "owner": owner.pk,
            "due_on": START.date().isoformat(),
        },
        api_post=lambda action, item, owner: (
            "items/",
            {"description": "补充培训", "owner": owner.pk, "due_on": START.date().isoformat()},
        ),
        changed=lambda action, item: ActionItem.objects.filter(action=action).count() > 1,
    ),
    "complete bob's item": Rule(
        state="working",
        predicate=lambda user, action, item: permissions.can_complete_item(user, item),
        service=lambda user, action, item: action_item_complete(actor=user, item=item, note="已完成"),
        shown=lambda context, item: any(
            row["can_complete"] for row in context["items"] if row["item"].pk == item.pk
        ),
        page_post=lambda action, item, owner: {"do": "done", "item": item.pk, "note": "已完成"},
        api_post=lambda action, item, owner: (f"items/{item.pk}/complete/", {"note": "已完成"}),
        changed=lambda action, item: ActionItem.objects.get(pk=item.pk).is_done,
    ),
    "check effectiveness": Rule(
        state="due",
        predicate=lambda user, action, item: permissions.can_check(user, action),
        service=lambda user, action, item: effectiveness_check_record(
            actor=user, action=action, is_effective=True, note="投诉减少"
        ),
        shown=lambda context, item: bool(context["can_check"]),
        page_post=lambda action, item, owner: {
            "do": "check",
            "verdict": "effective",
            "note": "投诉减少",
            "version": action.version,
        },
        api_post=lambda action, item, owner: (
            "check/",
            {"verdict": "effective", "note": "投诉减少", "version": action.version},
        ),
        changed=lambda action, item: EffectivenessCheck.objects.filter(action=action).exists(),
    ),
    "close": Rule(
        state="checked",
        predicate=lambda user, action, item: permissions.can_close(user, action),
        service=lambda user, action, item: corrective_action_transition(
            actor=user, action=action, to_status=ActionStatus.CLOSED
        ),
        shown=lambda context, item: ActionStatus.CLOSED in [status for status, _label in context["moves"]],
        page_post=lambda action, item, owner: {
            "do": "transition",
            "to_status": ActionStatus.CLOSED,
            "note": "",
            "version": action.version,
        },
        api_post=lambda action, item, owner: (
            "transitions/",
            {"to": ActionStatus.CLOSED, "version": action.version},
        ),
        changed=lambda action, item: CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.CLOSED,
    ),
}

# What each role gets, rule by rule: OK, HIDDEN (not his to see: 404) or the code. Alice owns the action
# (so she never checks nor closes it); bob sees it through his item; the QA reviewer has no part in it.
EXPECTED: dict[str, dict[str, str]] = {
    #                    subject  teammate agent supervisor above elsewhere qa administrator customer
    "add an item": dict(zip(PERSONAS, (OK, MANAGE, H, OK, OK, H, H, OK, H), strict=True)),
    "complete bob's item": dict(zip(PERSONAS, (OK, OK, H, OK, OK, H, H, OK, H), strict=True)),
    "check effectiveness": dict(zip(PERSONAS, (CHECK_BY_OWNER, MANAGE, H, OK, OK, H, H, OK, H), strict=True)),
    "close": dict(zip(PERSONAS, (CLOSURE_BY_OWNER, MANAGE, H, OK, OK, H, H, OK, H), strict=True)),
    "open": dict(zip(PERSONAS, (OPEN, OPEN, OPEN, OK, OK, OK, OK, OK, OPEN), strict=True)),
}


@pytest.fixture
def later() -> Iterator[None]:
    """A day long after the items were done, so the effectiveness check is due."""
    with time_machine.travel(START + 200 * DAY, tick=False):
        yield


def _action(
    state: str, supervisor: User, member: User, teammate: User, team: Team, customer: Customer
) -> tuple[CorrectiveAction, ActionItem]:
    """Sam's action for alice's team, owned by alice, with bob's item, brought to `state`."""
    cases = [complaint(customer, team=team, received_at=START - n * DAY) for n in range(1, 4)]
    action = open_cluster_action(supervisor, member, cases, team=team)
    item = action_item_add(
        actor=supervisor, action=action, description="修订流程", owner=teammate, due_on=START.date()
    )
    if state == "working":
        return action, item
    action_item_complete(actor=teammate, item=item, note="已修订", at=START)
    action = CorrectiveAction.objects.get(pk=action.pk)
    if state == "checked":
        effectiveness_check_record(actor=supervisor, action=action, is_effective=True, note="投诉减少")
    return CorrectiveAction.objects.get(pk=action.pk), ActionItem.objects.get(pk=item.pk)


def _page(client: Client, action: CorrectiveAction, item: ActionItem, owner: User, rule: Rule) -> str:
    """OK: offered, and the form changed the action; REFUSED: not offered, and the form changed nothing (the
    page says why); HIDDEN: not found either way."""
    url = f"{PAGES}{action.pk}/"
    page = client.get(url)
    shown = None if page.status_code == 404 else rule.shown(page.context, item)

    def post() -> tuple[int, bool]:
        response = client.post(url, rule.page_post(action, item, owner))
        return response.status_code, rule.changed(action, item)

    status, changed = undone(post)
    if shown is None and status == 404:
        return HIDDEN
    if shown and changed:
        return OK
    if shown is False and not changed and status in (200, 302, 400, 403):
        return REFUSED
    return f"disagree: shown={shown} posted={status} changed={changed}"


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_about_an_action_answers_alike_everywhere(
    name: str,
    request: pytest.FixtureRequest,
    later: None,
    supervisor: User,
    member: User,
    teammate: User,
    team: Team,
    customer: Customer,
) -> None:
    rule = RULES[name]
    action, item = _action(rule.state, supervisor, member, teammate, team, customer)
    users = persona_users(request)

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        fresh = CorrectiveAction.objects.get(pk=action.pk)
        fresh_item = ActionItem.objects.select_related("action").get(pk=item.pk)
        path, body = rule.api_post(fresh, fresh_item, member)
        api = api_client_for(user)
        seen[persona] = (
            decision_verdict(rule.predicate(user, fresh, fresh_item)),
            _page(client_for(user), fresh, fresh_item, member, rule),
            service_verdict(undone(partial(rule.service, user, fresh, fresh_item))),
            api_verdict(undone(partial(api.post, f"{API}{action.pk}/{path}", body, format="json"))),
        )

    expected = {persona: (code, page_expected(code), code, code) for persona, code in EXPECTED[name].items()}
    assert seen == expected


def test_opening_an_action_answers_alike_everywhere(request: pytest.FixtureRequest, member: User) -> None:
    users = persona_users(request)
    fields = {
        "kind": "corrective",
        "title": "回访话术不统一",
        "source_kind": "qa_trend",
        "source_reference": "QA 2026-02",
        "problem": "质检发现回访话术不统一。",
        "owner": member.pk,
    }
    page_fields = {**fields, "check_after_days": 90, "root_cause": "", "case_numbers": ""}

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        client = client_for(user)
        shown = client.get(f"{PAGES}new/").status_code == 200
        posted = undone(partial(client.post, f"{PAGES}new/", page_fields))
        page = OK if shown and posted.status_code == 302 else REFUSED if not shown else f"disagree {posted}"
        service = partial(
            corrective_action_open,
            actor=user,
            title="回访话术不统一",
            source_kind="qa_trend",
            source_reference="QA 2026-02",
            problem="质检发现回访话术不统一。",
            owner=member,
        )
        seen[persona] = (
            decision_verdict(permissions.can_open(user)),
            page,
            service_verdict(undone(service)),
            api_verdict(undone(partial(api_client_for(user).post, API, fields, format="json"))),
        )

    expected = {
        persona: (code, page_expected(code), code, code) for persona, code in EXPECTED["open"].items()
    }
    assert seen == expected
