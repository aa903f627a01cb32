"""Each rule of QA reviews answers alike on every channel for every role (tests/common/agreement.py): the
predicate, the review page (does it offer the form, does the form go through), the API (status and code) and
the service (raises the same code, or succeeds), around one review of alice's work."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.test import Client

from charter.accounts.models import User
from charter.cases.models import Case
from charter.common.policy import Decision
from charter.quality import permissions
from charter.quality.models import Review, ScorecardVersion
from charter.quality.selectors import criterion_list
from charter.quality.services import (
    ScoreInput,
    review_acknowledge,
    review_dispute,
    review_dispute_decide,
    review_sample,
    review_sample_case,
    review_scores_save,
    scorecard_create,
)
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
from tests.conftest import api_client_for, client_for
from tests.quality.conftest import resolve

pytestmark = pytest.mark.django_db

PAGES = "/desk/quality/reviews/"
API = "/api/v1/qa-reviews/"

H = HIDDEN
DENIED = "quality_review_denied"
SCORECARD = "quality_scorecard_denied"


@dataclass(frozen=True)
class Rule:
    """One rule about a review: the state it is asked in, its predicate, and how each channel asks it."""

    state: str  # Review.Status
    predicate: Callable[[User, Review], Decision]
    service: Callable[[User, Review], Any]
    form: str  # the page's context key holding the form (or the flag) that offers the action
    page_post: dict[str, Any]
    api_post: tuple[str, dict[str, Any]]


RULES: dict[str, Rule] = {
    "score": Rule(
        state=Review.Status.ASSIGNED,
        predicate=permissions.can_score,
        service=lambda user, review: review_scores_save(
            actor=user, review=review, version=review.version, scores=()
        ),
        form="score_form",
        page_post={"action": "save"},
        api_post=("scores/", {"scores": []}),
    ),
    "acknowledge": Rule(
        state=Review.Status.SUBMITTED,
        predicate=permissions.can_acknowledge,
        service=lambda user, review: review_acknowledge(actor=user, review=review),
        form="is_agent",
        page_post={"action": "acknowledge"},
        api_post=("acknowledge/", {}),
    ),
    "dispute": Rule(
        state=Review.Status.SUBMITTED,
        predicate=permissions.can_dispute,
        service=lambda user, review: review_dispute(actor=user, review=review, reason="客户先出言不逊。"),
        form="dispute_form",
        page_post={"action": "dispute", "reason": "客户先出言不逊。"},
        api_post=("dispute/", {"reason": "客户先出言不逊。"}),
    ),
    "decide the dispute": Rule(
        state=Review.Status.DISPUTED,
        predicate=permissions.can_decide_dispute,
        service=lambda user, review: review_dispute_decide(
            actor=user, review=review, decision="upheld", reason="维持评分。"
        ),
        form="decision_form",
        page_post={"action": "decide", "decision": "upheld", "reason": "维持评分。"},
        api_post=("decision/", {"decision": "upheld", "reason": "维持评分。"}),
    ),
}

# What each role gets, rule by rule: OK, HIDDEN (the review is not his to see: 404) or the code. Quinn (the
# QA reviewer) scores alice's work; the dispute goes to sam, who leads her team.
EXPECTED: dict[str, dict[str, str]] = {
    #            subject teammate agent supervisor above elsewhere qa administrator customer
    "score": dict(zip(PERSONAS, (H, H, H, DENIED, DENIED, H, OK, DENIED, H), strict=True)),
    "acknowledge": dict(zip(PERSONAS, (OK, H, H, DENIED, DENIED, H, DENIED, DENIED, H), strict=True)),
    "dispute": dict(zip(PERSONAS, (OK, H, H, DENIED, DENIED, H, DENIED, DENIED, H), strict=True)),
    "decide the dispute": dict(zip(PERSONAS, (DENIED, H, H, OK, DENIED, H, DENIED, DENIED, H), strict=True)),
    # Drawing alice's case: QA reviewers and administrators draw any; supervisors over her team.
    "draw the case": dict(zip(PERSONAS, (DENIED, DENIED, DENIED, OK, OK, H, OK, OK, DENIED), strict=True)),
    "edit scorecards": dict(zip(PERSONAS, (*[SCORECARD] * 7, OK, SCORECARD), strict=True)),
}


def _review(state: str, case: Case, member: User, qa_reviewer: User, version: ScorecardVersion) -> Review:
    """A review of alice's work on `case`, given to quinn, brought to `state` by the services."""
    resolve(case, member)
    review = review_sample(
        case=case, agent=member, scorecard_version=version, reason="manual", reviewer=qa_reviewer
    )
    assert review is not None
    if state == Review.Status.ASSIGNED:
        return review
    values = [1, 3, 3, 1]
    scores = [ScoreInput(c.pk, v) for c, v in zip(criterion_list(version=version), values, strict=True)]
    review_scores_save(actor=qa_reviewer, review=review, version=review.version, scores=scores, submit=True)
    if state == Review.Status.SUBMITTED:
        return review
    return review_dispute(actor=member, review=review, reason="客户先出言不逊。")


def _page(client: Client, review: Review, rule: Rule) -> str:
    url = f"{PAGES}{review.pk}/"
    page = client.get(url)
    shown = None if page.status_code == 404 else bool(page.context[rule.form])
    posted = undone(partial(client.post, url, {**rule.page_post, "version": review.version}))
    return page_verdict(shown=shown, posted=posted)


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_about_a_review_answers_alike_everywhere(
    name: str,
    request: pytest.FixtureRequest,
    case: Case,
    member: User,
    supervisor: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    rule = RULES[name]
    review = _review(rule.state, case, member, qa_reviewer, scorecard_version)
    users = persona_users(request)  # after the dispute: it went to sam, who leads her team
    path, body = rule.api_post

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        fresh = Review.objects.get(pk=review.pk)
        api = api_client_for(user)
        body_read = {**body, "version": fresh.version}  # the services move the object they are given
        seen[persona] = (
            decision_verdict(rule.predicate(user, fresh)),
            _page(client_for(user), fresh, rule),
            service_verdict(undone(partial(rule.service, user, fresh))),
            api_verdict(
                undone(
                    partial(
                        api.post,
                        f"{API}{review.pk}/{path}",
                        body_read,
                        format="json",
                    )
                )
            ),
        )

    expected = {persona: (code, page_expected(code), code, code) for persona, code in EXPECTED[name].items()}
    assert seen == expected


def _draw_page(client: Client, case: Case) -> str:
    """The review list's draw form: OK (drawn), 'no such case' (a case he does not see is answered like a
    missing one), or REFUSED (no form, or the service's refusal on it)."""
    posted = undone(partial(client.post, PAGES, {"case_number": case.number}))
    if posted.status_code == 302:
        return OK
    form = posted.context["draw_form"] if posted.status_code == 200 else None
    if form is not None and form.errors.get("case_number"):
        return "no such case"
    return REFUSED


def test_drawing_a_case_answers_alike_everywhere(
    request: pytest.FixtureRequest, case: Case, member: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    users = persona_users(request)

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        page = client_for(user).get(PAGES)
        offered = page.status_code == 200 and page.context["draw_form"] is not None
        assert offered == bool(permissions.can_draw(user)), persona
        seen[persona] = (
            decision_verdict(permissions.can_draw_case(user, case)),
            _draw_page(client_for(user), case),
            service_verdict(undone(partial(review_sample_case, actor=user, case=case))),
            api_verdict(undone(partial(api_client_for(user).post, API, {"case": case.pk}, format="json"))),
        )

    pages = {OK: OK, HIDDEN: "no such case"}
    expected = {
        persona: (code, pages.get(code, REFUSED), code, code)
        for persona, code in EXPECTED["draw the case"].items()
    }
    assert seen == expected


def test_editing_scorecards_answers_alike_everywhere(request: pytest.FixtureRequest) -> None:
    users = persona_users(request)
    form = {"code": "phone", "name_zh": "电话质检", "name_en": ""}

    seen: dict[str, tuple[str, ...]] = {}
    for persona, user in users.items():
        client = client_for(user)
        shown = client.get("/desk/quality/scorecards/").status_code == 200
        seen[persona] = (
            decision_verdict(permissions.can_manage_scorecards(user)),
            page_verdict(shown=shown, posted=undone(partial(client.post, "/desk/quality/scorecards/", form))),
            service_verdict(undone(partial(scorecard_create, actor=user, code="phone", name_zh="电话质检"))),
            api_verdict(
                undone(partial(api_client_for(user).post, "/api/v1/scorecards/", form, format="json"))
            ),
        )

    expected = {
        persona: (code, page_expected(code), code, code)
        for persona, code in EXPECTED["edit scorecards"].items()
    }
    assert seen == expected
