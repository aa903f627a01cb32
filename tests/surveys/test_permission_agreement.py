"""Each rule of surveys answers alike on every channel for every role (tests/common/agreement.py), and the
results and their exports cover the reader's scope in the tree, as every other page does: a supervisor of a
unit above a team sees its results, a supervisor of a sibling unit does not."""

from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.surveys import permissions
from charter.surveys.models import RecoveryTask, Response
from charter.surveys.responses import recovery_update
from charter.surveys.services import survey_create
from tests.common.agreement import (
    HIDDEN,
    OK,
    PERSONAS,
    decision_verdict,
    page_expected,
    page_verdict,
    persona_users,
    service_verdict,
    undone,
)
from tests.conftest import client_for
from tests.surveys.factories import ResponseFactory

pytestmark = pytest.mark.django_db

RESULTS = "/desk/surveys/results/"
EVERY_DAY = {"date_from": "", "date_to": ""}

H = HIDDEN
DENIED = "survey_results_denied"
RECOVERY = "survey_recovery_denied"
MANAGE = "survey_manage_denied"

EXPECTED: dict[str, dict[str, str]] = {
    #               subject  teammate agent  supervisor above elsewhere qa  administrator customer
    "see results": dict(zip(PERSONAS, (DENIED, DENIED, DENIED, OK, OK, OK, OK, OK, DENIED), strict=True)),
    # sam owns the follow-up of his team; the lead above may work it too; administrators work every one.
    "work a follow-up": dict(zip(PERSONAS, (H, H, H, OK, OK, H, H, OK, H), strict=True)),
    "configure surveys": dict(zip(PERSONAS, (*[MANAGE] * 7, OK, MANAGE), strict=True)),
}

# Which answers each reader's results cover: alice's team, the sibling team, and a campaign's (no team).
SEEN: dict[str, set[str] | None] = {
    "subject": None,
    "teammate": None,
    "agent": None,
    "supervisor": {"ours"},
    "supervisor_above": {"ours", "sibling's"},
    "supervisor_elsewhere": {"sibling's"},
    "qa_reviewer": {"ours", "sibling's", "campaign's"},
    "administrator": {"ours", "sibling's", "campaign's"},
    "customer": None,
}


@pytest.fixture
def answers(team: Team, other_team: Team, member: User) -> dict[str, Response]:
    """One answer about alice's team, one about the sibling unit's team, one to a campaign (no team), each
    with a comment naming whose it is."""
    made = {}
    for whose, answered in (("ours", team), ("sibling's", other_team), ("campaign's", None)):
        made[whose] = ResponseFactory.create(
            team=answered, csat=2, nps=3, comment=f"{whose} comment", submitted_at=timezone.now()
        )
    return made


def _csv(response: Any) -> str:
    """The text of a streamed CSV download."""
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _covered(text: str) -> set[str]:
    return {whose for whose in ("ours", "sibling's", "campaign's") if f"{whose} comment" in text}


def test_results_and_their_exports_cover_the_readers_scope(
    request: pytest.FixtureRequest, answers: dict[str, Response], team: Team
) -> None:
    users = persona_users(request)

    seen: dict[str, tuple[Any, ...]] = {}
    for persona, user in users.items():
        client = client_for(user)
        page = client.get(RESULTS, EVERY_DAY)
        rows = client.get(RESULTS + "responses.csv", EVERY_DAY)
        summary = client.get(RESULTS + "summary.csv", EVERY_DAY)
        if page.status_code != 200:
            seen[persona] = (decision_verdict(permissions.can_view_results(user)), page.status_code, None)
            assert rows.status_code == summary.status_code == page.status_code
            continue
        rows_text = _csv(rows)
        covered = _covered(rows_text)
        assert page.context["responses"] == len(covered)
        assert (str(team) in summary.content.decode("utf-8-sig")) == ("ours" in covered)
        seen[persona] = (decision_verdict(permissions.can_view_results(user)), page.status_code, covered)

    expected = {
        persona: (code, 200 if code == OK else 403, SEEN[persona])
        for persona, code in EXPECTED["see results"].items()
    }
    assert seen == expected


def test_a_supervisor_above_sees_the_team_of_a_child_unit_and_one_of_a_sibling_unit_does_not(
    request: pytest.FixtureRequest, answers: dict[str, Response], team: Team
) -> None:
    users = persona_users(request)
    only_ours = {**EVERY_DAY, "team": str(team.pk)}

    above = client_for(users["supervisor_above"]).get(RESULTS + "responses.csv", only_ours)
    sibling = client_for(users["supervisor_elsewhere"]).get(RESULTS + "responses.csv", only_ours)

    assert _covered(_csv(above)) == {"ours"}
    # Alice's team is not his to choose: the filter is refused and he gets only his own scope.
    assert "ours" not in _covered(_csv(sibling))


@pytest.fixture
def follow_up(answers: dict[str, Response], team: Team, supervisor: User) -> RecoveryTask:
    """The follow-up of the unhappy answer about alice's team, owned by sam who leads it."""
    return RecoveryTask.objects.create(
        response=answers["ours"], team=team, owner=supervisor, reason="CSAT 2", due_at=timezone.now()
    )


def _recovery_page(client: Client, task: RecoveryTask) -> str:
    url = f"/desk/surveys/recovery/{task.pk}/"
    page = client.get(url)
    shown = None if page.status_code == 404 else page.status_code == 200
    form = {"status": "contacted", "outcome": "已致电道歉。", "version": task.version}
    return page_verdict(shown=shown, posted=undone(partial(client.post, url, form)))


def test_working_a_follow_up_answers_alike_everywhere(
    request: pytest.FixtureRequest, follow_up: RecoveryTask
) -> None:
    users = persona_users(request)

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        task = RecoveryTask.objects.get(pk=follow_up.pk)
        update = partial(
            recovery_update,
            actor=user,
            task=task,
            expected_version=task.version,
            status="contacted",
            outcome="已致电道歉。",
        )
        seen[persona] = (
            decision_verdict(permissions.can_work_recovery(user, task)),
            _recovery_page(client_for(user), task),
            service_verdict(undone(update)),
        )

    expected = {
        persona: (code, page_expected(code), code) for persona, code in EXPECTED["work a follow-up"].items()
    }
    assert seen == expected


def test_configuring_surveys_answers_alike_everywhere(request: pytest.FixtureRequest) -> None:
    users = persona_users(request)
    form = {"code": "annual", "name_zh": "年度调查", "name_en": "", "intro_zh": "", "intro_en": ""}

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        client = client_for(user)
        shown = client.get("/desk/surveys/config/").status_code == 200
        seen[persona] = (
            decision_verdict(permissions.can_manage_surveys(user)),
            page_verdict(shown=shown, posted=undone(partial(client.post, "/desk/surveys/config/new/", form))),
            service_verdict(undone(partial(survey_create, actor=user, code="annual", name_zh="年度调查"))),
        )

    expected = {
        persona: (code, page_expected(code), code) for persona, code in EXPECTED["configure surveys"].items()
    }
    assert seen == expected
