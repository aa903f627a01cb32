"""Each rule of assessment answers alike on every channel for every role (tests/common/agreement.py): the
predicate, the desk page (does it offer the form, does the form go through), the API (status and code) and
the service (raises the same code, or succeeds).

The world: a published agent scheme covering alice's team (alice, bob, their lead sam and a second
administrator, "administrator_assessed", who works in that team and so is assessed by the cycle); the March
cycle opened by the administrator and brought by the services to the step each rule is asked at. Sam is
alice's assessor and scores her; una leads a team above hers; olga leads charlie's team, which the scheme
does not cover; the administrator runs and approves the cycle. Alice's scorecard is the one asked about.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment import cycles, permissions
from charter.assessment.exports import LedgerFilter, ledger_export
from charter.assessment.models import Appeal, Cycle, ImprovementPlan, SchemeVersion, Scorecard
from charter.assessment.plans import plan_goal_add, plan_open
from charter.assessment.schemes import scheme_acknowledge, scheme_create
from charter.assessment.selectors import scorecard_list_visible_to
from charter.common.errors import NotFoundError
from charter.common.policy import Decision
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.assessment.factories import published_scheme
from tests.common.agreement import (
    HIDDEN,
    OK,
    PERSONAS,
    REFUSED,
    api_verdict,
    decision_verdict,
    page_expected,
    page_verdict,
    persona_users,
    service_verdict,
    undone,
)
from tests.conftest import api_client_for, client_for, not_none

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = dt.date(2026, 3, 1)
OPENED = dt.datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI)
DESK = "/desk/assessment/"
API = "/api/v1/assessment/"

# The roles of tests/common/agreement.py, and an administrator the cycle assesses.
ROLES = (*PERSONAS, "administrator_assessed")

H = HIDDEN
NOT_YOURS = "assessment_not_yours"
SELF = "assessment_self_assessment"
NOT_ASSESSOR = "assessment_not_assessor"
RUN = "assessment_run_denied"
APPROVE = "assessment_approve_denied"
APPEAL_DENIED = "assessment_appeal_denied"
PARTY = "assessment_appeal_party"
MANAGE = "assessment_manage_denied"
NOT_COVERED = "assessment_not_covered"
PLAN_OPEN = "assessment_plan_open_denied"
EXPORT = "assessment_export_denied"


def _row(*verdicts: str) -> dict[str, str]:
    return dict(zip(ROLES, verdicts, strict=True))


# What each role gets, rule by rule: OK, HIDDEN (alice's scorecard, the cycle or the plan is outside his
# scope: 404) or the refusal's code.
EXPECTED: dict[str, dict[str, str]] = {
    #                 alice      bob charlie sam       una       olga qa  admin     carol admin assessed
    "view scorecard": _row(OK, H, H, OK, OK, H, H, OK, H, OK),
    "self-assess": _row(OK, H, H, NOT_YOURS, NOT_YOURS, H, H, NOT_YOURS, H, NOT_YOURS),
    # Only the assessor scores: una, who leads a team above, sees alice's scorecard but does not score it.
    "score": _row(SELF, H, H, OK, NOT_ASSESSOR, H, H, NOT_ASSESSOR, H, NOT_ASSESSOR),
    "calibrate": _row(RUN, H, H, RUN, RUN, H, H, OK, H, OK),
    # Everyone but the QA reviewer, olga, charlie and carol sees a scorecard of the cycle.
    "approve cycle": _row(APPROVE, APPROVE, H, APPROVE, APPROVE, H, H, OK, H, SELF),
    "acknowledge": _row(OK, H, H, NOT_YOURS, NOT_YOURS, H, H, NOT_YOURS, H, NOT_YOURS),
    "appeal": _row(OK, H, H, NOT_YOURS, NOT_YOURS, H, H, NOT_YOURS, H, NOT_YOURS),
    # Sam (who also decides appeals, for this rule) scored it, the administrator approved it: parties.
    "decide appeal": _row(APPEAL_DENIED, H, H, PARTY, APPEAL_DENIED, H, OK, PARTY, H, OK),
    "manage schemes": _row(*[MANAGE] * 7, OK, MANAGE, OK),
    "acknowledge scheme": _row(OK, OK, NOT_COVERED, OK, *[NOT_COVERED] * 5, OK),
    "open plan": _row(SELF, PLAN_OPEN, PLAN_OPEN, OK, OK, PLAN_OPEN, PLAN_OPEN, OK, PLAN_OPEN, OK),
    "manage plan": _row(SELF, H, H, OK, OK, H, H, OK, H, OK),
    "export ledger": _row(*[EXPORT] * 7, OK, EXPORT, OK),
}

# The calibration page is for those who see other people's scorecards: it refuses everyone else (403) for
# every cycle, before any scorecard is asked about, so for them it answers REFUSED where the other channels
# answer HIDDEN for alice's scorecard. Nothing of hers is revealed by it.
PAGE_REFUSED_WHOLE: dict[str, frozenset[str]] = {
    "calibrate": frozenset({"teammate", "agent", "qa_reviewer", "customer"}),
}


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def frozen() -> Iterator[None]:
    """The day after March's cycle was opened: every step is taken on it, inside the appeal window."""
    with time_machine.travel(OPENED, tick=False):
        yield


@dataclass
class Scene:
    """What the rules are asked about: the cycle, alice's scorecard, her appeal, the scheme version in force,
    a plan of alice's opened by sam; each as the state left it."""

    users: dict[str, User]
    version: SchemeVersion
    cycle: Cycle
    card: Scorecard
    appeal: Appeal | None = None
    plan: ImprovementPlan | None = None

    def fresh(self) -> "Scene":
        """The same rows read again (a channel's rolled-back write leaves stale copies behind)."""
        return Scene(
            users=self.users,
            version=SchemeVersion.objects.select_related("scheme").get(pk=self.version.pk),
            cycle=Cycle.objects.select_related("scheme", "version").get(pk=self.cycle.pk),
            card=Scorecard.objects.select_related("cycle", "cycle__version").get(pk=self.card.pk),
            appeal=Appeal.objects.select_related("scorecard__cycle").get(pk=self.appeal.pk)
            if self.appeal
            else None,
            plan=ImprovementPlan.objects.select_related("person").get(pk=self.plan.pk) if self.plan else None,
        )


def _users(request: pytest.FixtureRequest, team: Team) -> dict[str, User]:
    users: dict[str, User] = dict(persona_users(request))
    assessed = UserFactory.create(username="head2", roles=[Role.ADMINISTRATOR])
    TeamMembershipFactory.create(team=team, user=assessed)
    users["administrator_assessed"] = assessed
    return users


def _advance(cycle: Cycle, admin: User) -> Cycle:
    return cycles.cycle_advance(actor=admin, cycle=cycle, expected_version=cycle.lock_version)


def _scene(state: str, users: dict[str, User], team: Team) -> Scene:
    """The scene at `state`: self (the cycle just opened), supervisor, calibration, approval, published,
    appealed (alice appealed), plan (published, and sam opened a plan for alice)."""
    admin, alice = users["administrator"], users["subject"]
    version = published_scheme(actor=admin, teams=[team], effective_from=dt.date(2026, 2, 1))
    cycle = cycles.cycle_open(actor=admin, scheme=version.scheme, period_start=MARCH)

    def scene() -> Scene:
        card = Scorecard.objects.select_related("cycle", "cycle__version").get(cycle=cycle, person=alice)
        return Scene(users, version, Cycle.objects.get(pk=cycle.pk), card)

    if state == "self":
        return scene()
    cycle = _advance(cycle, admin)
    if state == "supervisor":
        return scene()
    for card in Scorecard.objects.filter(cycle=cycle).select_related("cycle", "assessor"):
        cycles.scorecard_score(
            actor=card.assessor or admin,
            scorecard=card,
            ratings={"attitude": 85},
            comment="好",
            expected_version=card.lock_version,
        )
    cycle = _advance(cycle, admin)
    if state == "calibration":
        return scene()
    cycle = _advance(cycle, admin)
    if state == "approval":
        return scene()
    cycle = cycles.cycle_approve(actor=admin, cycle=cycle, expected_version=cycle.lock_version)
    result = scene()
    if state == "appealed":
        users["supervisor"].groups.add(Group.objects.get(name=Role.QA_REVIEWER))
        result.appeal = cycles.appeal_file(
            actor=alice,
            scorecard=result.card,
            reason="质检评分有误。",
            expected_version=result.card.lock_version,
        )
    if state == "plan":
        result.plan = plan_open(
            actor=users["supervisor"],
            person=alice,
            starts_on=OPENED.date(),
            ends_on=OPENED.date() + dt.timedelta(days=60),
            summary="服务态度需改进。",
        )
    return result.fresh()


# --- How each channel is asked -------------------------------------------------------------------------


def _shown_on(response: Any, flag: Callable[[Any], bool]) -> bool | None:
    """Whether a page offers the action: None when the page was not found, False when it is refused."""
    if response.status_code == 404:
        return None
    if response.status_code == 403:
        return False
    assert response.status_code == 200, response.status_code
    return flag(response.context)


def _posted(client: Client, path: str, form: dict[str, Any], flag: Callable[[Any], bool]) -> str:
    """The page's verdict: the page at `path` offers the action (`flag`), and its form `form` goes through."""
    shown = _shown_on(client.get(path), flag)
    return page_verdict(shown=shown, posted=undone(partial(client.post, path, form)))


def _card_page(do: str, form: Callable[[Scene], dict[str, Any]]) -> Callable[[Client, Scene], str]:
    def ask(client: Client, scene: Scene) -> str:
        path = f"{DESK}scorecards/{scene.card.pk}/"
        data = {"do": do, "version": scene.card.lock_version, **form(scene)}
        return _posted(client, path, data, lambda context: context[f"{do}_form"] is not None)

    return ask


def _api_post(path: Callable[[Scene], str], body: Callable[[Scene], dict[str, Any]]) -> Callable[..., str]:
    def ask(client: APIClient, scene: Scene) -> str:
        return api_verdict(undone(partial(client.post, f"{API}{path(scene)}", body(scene), format="json")))

    return ask


def _card_api(action: str, body: Callable[[Scene], dict[str, Any]]) -> Callable[..., str]:
    return _api_post(
        lambda scene: f"scorecards/{scene.card.pk}/{action}/",
        lambda scene: {"lock_version": scene.card.lock_version, **body(scene)},
    )


def _view_page(client: Client, scene: Scene) -> str:
    answer = client.get(f"{DESK}scorecards/{scene.card.pk}/").status_code
    return {200: OK, 404: HIDDEN, 403: REFUSED}.get(answer, f"status {answer}")


def _view_api(client: APIClient, scene: Scene) -> str:
    return api_verdict(client.get(f"{API}scorecards/{scene.card.pk}/"))


def _view_selector(user: User, scene: Scene) -> Scorecard:
    """The 'service' of reading: the selector every list and lookup filters by (NotFoundError: hidden)."""
    card = scorecard_list_visible_to(user=user).filter(pk=scene.card.pk).first()
    if card is None:
        raise NotFoundError("Not found.")
    return card


def _other_grade(scene: Scene) -> str:
    return "pass" if scene.card.grade != "pass" else "good"


def _calibration_page(client: Client, scene: Scene) -> str:
    card = scene.card
    path = f"{DESK}cycles/{scene.cycle.pk}/calibration/"

    def flag(context: Any) -> bool:
        rows = [row for team in context["teams"] for row in team["rows"] if row["card"].pk == card.pk]
        return bool(rows) and bool(rows[0]["may_calibrate"])

    prefix = f"card-{card.pk}-"
    form = {
        "do": "calibrate",
        "card": card.pk,
        prefix + "grade": _other_grade(scene),
        prefix + "reason": "跨班组校准",
        prefix + "version": card.lock_version,
    }
    return _posted(client, path, form, flag)


def _approve_page(client: Client, scene: Scene) -> str:
    path = f"{DESK}cycles/{scene.cycle.pk}/"
    form = {"do": "approve", "version": scene.cycle.lock_version}
    return _posted(client, path, form, lambda context: bool(context["may_approve"]))


def _decide_form(scene: Scene) -> dict[str, Any]:
    return {"status": "rejected", "decision": "评分有录音为证。", "new_grade": ""}


def _decide_page(client: Client, scene: Scene) -> str:
    assert scene.appeal is not None
    path = f"{DESK}appeals/{scene.appeal.pk}/"
    form = {"do": "decide", "version": scene.appeal.lock_version, **_decide_form(scene)}
    return _posted(client, path, form, lambda context: bool(context["may_decide"]))


def _decide_service(user: User, scene: Scene) -> Appeal:
    assert scene.appeal is not None
    return cycles.appeal_decide(
        actor=user,
        appeal=scene.appeal,
        status="rejected",
        decision="评分有录音为证。",
        new_grade="",
        expected_version=scene.appeal.lock_version,
    )


SCHEME_FORM = {
    "code": "hall",
    "name_zh": "营业厅考核",
    "name_en": "",
    "description_zh": "",
    "description_en": "",
}


def _scheme_create_page(client: Client, scene: Scene) -> str:
    path = f"{DESK}schemes/new/"
    form = {**SCHEME_FORM, "teams": [scene.card.team_id]}
    return _posted(client, path, form, lambda context: "form" in context)


def _scheme_create_service(user: User, scene: Scene) -> Any:
    return scheme_create(
        actor=user, code="hall", name_zh="营业厅考核", name_en="", team_ids=[not_none(scene.card.team_id)]
    )


def _acknowledge_scheme_page(client: Client, scene: Scene) -> str:
    version = scene.version
    shown = _shown_on(
        client.get(f"{DESK}schemes/{version.scheme_id}/"), lambda context: bool(context["can_acknowledge"])
    )
    path = f"{DESK}schemes/{version.scheme_id}/versions/{version.number}/acknowledge/"
    return page_verdict(shown=shown, posted=undone(partial(client.post, path, {})))


def _open_plan_form(scene: Scene) -> dict[str, Any]:
    return {
        "do": "open",
        "person": scene.users["subject"].pk,
        "starts_on": OPENED.date().isoformat(),
        "ends_on": (OPENED.date() + dt.timedelta(days=60)).isoformat(),
        "summary": "服务态度需改进。",
    }


def _open_plan_page(client: Client, scene: Scene) -> str:
    alice = scene.users["subject"]

    def flag(context: Any) -> bool:
        people = context["open_form"].fields["person"].queryset
        return bool(context["may_open"]) and people.filter(pk=alice.pk).exists()

    return _posted(client, f"{DESK}plans/", _open_plan_form(scene), flag)


def _open_plan_service(user: User, scene: Scene) -> ImprovementPlan:
    return plan_open(
        actor=user,
        person=scene.users["subject"],
        starts_on=OPENED.date(),
        ends_on=OPENED.date() + dt.timedelta(days=60),
        summary="服务态度需改进。",
    )


def _manage_plan_page(client: Client, scene: Scene) -> str:
    assert scene.plan is not None
    path = f"{DESK}plans/{scene.plan.pk}/"
    form = {
        "do": "goal",
        "version": scene.plan.lock_version,
        "description": "每周回访抽查",
        "indicator": "",
        "target": "",
    }
    return _posted(client, path, form, lambda context: bool(context["may_manage"]))


def _manage_plan_service(user: User, scene: Scene) -> Any:
    assert scene.plan is not None
    return plan_goal_add(
        actor=user, plan=scene.plan, description="每周回访抽查", expected_version=scene.plan.lock_version
    )


def _export_page(client: Client, scene: Scene) -> str:
    """The ledger page offers the download, and the download answers the file (a GET: nothing to undo but
    its audit row)."""
    shown = _shown_on(client.get(f"{DESK}ledger/"), lambda context: bool(context["can_export"]))
    download = undone(partial(client.get, f"{DESK}ledger/ledger.csv"))
    if shown and download.status_code == 200:
        return OK
    if shown is False and download.status_code == 403:
        return REFUSED
    return f"disagree: shown={shown} downloaded={download.status_code}"


@dataclass(frozen=True)
class Rule:
    """One rule: the state it is asked in, and how each channel asks it (`api` None: no API writes it)."""

    state: str
    predicate: Callable[[User, Scene], Decision]
    page: Callable[[Client, Scene], str]
    service: Callable[[User, Scene], Any]
    api: Callable[[APIClient, Scene], str] | None = None


RULES: dict[str, Rule] = {
    "view scorecard": Rule(
        state="published",
        predicate=lambda user, scene: permissions.can_view_scorecard(user, scene.card),
        page=_view_page,
        service=_view_selector,
        api=_view_api,
    ),
    "self-assess": Rule(
        state="self",
        predicate=lambda user, scene: permissions.can_self_assess(user, scene.card),
        page=_card_page(
            "self",
            lambda scene: {"rating_self_review": "85", "comment_self_review": "", "comment": "尽力了。"},
        ),
        service=lambda user, scene: cycles.scorecard_self_submit(
            actor=user,
            scorecard=scene.card,
            ratings={"self_review": Decimal(85)},
            comment="尽力了。",
            expected_version=scene.card.lock_version,
        ),
        api=_card_api(
            "self-assessment", lambda scene: {"ratings": {"self_review": "85"}, "comment": "尽力了。"}
        ),
    ),
    "score": Rule(
        state="supervisor",
        predicate=lambda user, scene: permissions.can_score(user, scene.card),
        page=_card_page(
            "score", lambda scene: {"rating_attitude": "90", "comment_attitude": "", "comment": "好"}
        ),
        service=lambda user, scene: cycles.scorecard_score(
            actor=user,
            scorecard=scene.card,
            ratings={"attitude": Decimal(90)},
            comment="好",
            expected_version=scene.card.lock_version,
        ),
        api=_card_api("score", lambda scene: {"ratings": {"attitude": "90"}, "comment": "好"}),
    ),
    "calibrate": Rule(
        state="calibration",
        predicate=lambda user, scene: permissions.can_calibrate(user, scene.card),
        page=_calibration_page,
        service=lambda user, scene: cycles.scorecard_calibrate(
            actor=user,
            scorecard=scene.card,
            grade=_other_grade(scene),
            reason="跨班组校准",
            expected_version=scene.card.lock_version,
        ),
        api=_card_api("calibrate", lambda scene: {"grade": _other_grade(scene), "reason": "跨班组校准"}),
    ),
    "approve cycle": Rule(
        state="approval",
        predicate=lambda user, scene: permissions.can_approve(user, scene.cycle),
        page=_approve_page,
        service=lambda user, scene: cycles.cycle_approve(
            actor=user, cycle=scene.cycle, expected_version=scene.cycle.lock_version
        ),
        api=_api_post(
            lambda scene: f"cycles/{scene.cycle.pk}/approve/",
            lambda scene: {"lock_version": scene.cycle.lock_version},
        ),
    ),
    "acknowledge": Rule(
        state="published",
        predicate=lambda user, scene: permissions.can_acknowledge(user, scene.card),
        page=_card_page("acknowledge", lambda scene: {}),
        service=lambda user, scene: cycles.scorecard_acknowledge(
            actor=user, scorecard=scene.card, expected_version=scene.card.lock_version
        ),
        api=_card_api("acknowledge", lambda scene: {}),
    ),
    "appeal": Rule(
        state="published",
        predicate=lambda user, scene: permissions.can_appeal(user, scene.card),
        page=_card_page("appeal", lambda scene: {"reason": "质检评分有误。"}),
        service=lambda user, scene: cycles.appeal_file(
            actor=user,
            scorecard=scene.card,
            reason="质检评分有误。",
            expected_version=scene.card.lock_version,
        ),
        api=_card_api("appeal", lambda scene: {"reason": "质检评分有误。"}),
    ),
    "decide appeal": Rule(
        state="appealed",
        predicate=lambda user, scene: permissions.can_decide_appeal(user, scene.appeal),  # type: ignore[arg-type]
        page=_decide_page,
        service=_decide_service,
        api=_api_post(
            lambda scene: f"appeals/{scene.appeal.pk}/decide/",  # type: ignore[union-attr]
            lambda scene: {"lock_version": scene.appeal.lock_version, **_decide_form(scene)},  # type: ignore[union-attr]
        ),
    ),
    "manage schemes": Rule(
        state="self",
        predicate=lambda user, scene: permissions.can_manage_schemes(user),
        page=_scheme_create_page,
        service=_scheme_create_service,
    ),
    "acknowledge scheme": Rule(
        state="self",
        predicate=lambda user, scene: permissions.can_acknowledge_scheme(user, scene.version),
        page=_acknowledge_scheme_page,
        service=lambda user, scene: scheme_acknowledge(actor=user, version=scene.version),
    ),
    "open plan": Rule(
        state="published",
        predicate=lambda user, scene: permissions.can_open_plan(user, scene.users["subject"]),
        page=_open_plan_page,
        service=_open_plan_service,
    ),
    "manage plan": Rule(
        state="plan",
        predicate=lambda user, scene: permissions.can_manage_plan(user, scene.plan),  # type: ignore[arg-type]
        page=_manage_plan_page,
        service=_manage_plan_service,
    ),
    "export ledger": Rule(
        state="published",
        predicate=lambda user, scene: permissions.can_export_ledger(user),
        page=_export_page,
        service=lambda user, scene: ledger_export(actor=user, filters=LedgerFilter(), extension="csv"),
    ),
}


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_of_assessment_answers_alike_everywhere(
    name: str, request: pytest.FixtureRequest, frozen: None, team: Team
) -> None:
    rule = RULES[name]
    users = _users(request, team)
    scene = _scene(rule.state, users, team)

    seen: dict[str, tuple[str, ...]] = {}
    for role, user in users.items():
        fresh = scene.fresh()
        fresh_user = User.objects.get(pk=user.pk)  # the permission caches of one answer stay out of the next
        answers = [
            decision_verdict(rule.predicate(fresh_user, fresh)),
            rule.page(client_for(user), fresh),
            service_verdict(undone(partial(rule.service, fresh_user, fresh))),
        ]
        if rule.api is not None:
            answers.append(rule.api(api_client_for(user), fresh))
        seen[role] = tuple(answers)

    gated = PAGE_REFUSED_WHOLE.get(name, frozenset())
    expected = {
        role: (
            code,
            REFUSED if role in gated else page_expected(code),
            code,
            *([code] if rule.api is not None else []),
        )
        for role, code in EXPECTED[name].items()
    }
    assert seen == expected
