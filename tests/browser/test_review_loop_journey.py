"""Journey of 好差评 (the bad-review loop): a customer's 非常不满意 answer about an agent's case is verified
as valid by the supervisor on the follow-up page; the agent appeals it on "My bad reviews"; sun.qa,
independent of both, upholds the appeal, and the review is marked as left out of the agent's assessment.

Each run makes its own case and answer (through the services, as the customer and the agent would), since the
journey changes them.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WIDE, Site, Watch, sign_in, words
from tests.browser.test_assessment_journey import say, say_lazy, shoot


@dataclass
class BadReview:
    """A bad review waiting for verification: its follow-up, the case's handler and the unit's lead."""

    task_id: int
    number: str
    handler: str
    owner: str


def bad_review_of_a_resolved_case(language: str) -> BadReview:
    """A complaint answered and resolved by its handler, then rated 1 of 5 by the customer in the survey
    that the rule sends (the invitation marked sent, as the worker would): the follow-up opens at
    verification, owned by the lead of the case's team."""
    from django.utils import timezone

    from charter.accounts.models import Customer
    from charter.cases.services import case_create, case_reply, case_resolve
    from charter.surveys.invitations import invitation_for_case
    from charter.surveys.models import SCALES, Invitation, Question, RecoveryTask, ReviewStatus
    from charter.surveys.responses import response_submit

    customer = Customer.objects.create(name="钱女士", language=language)
    case = case_create(
        actor=None,
        kind="complaint",
        channel="web",
        customer=customer,
        title=f"营业厅排队一小时无人引导 {uuid.uuid4().hex[:4]}",
        description="周一上午在营业厅排队一个小时，没有人引导取号，窗口还关了两个。",
    )
    handler = case.assignee
    assert handler is not None
    case_reply(actor=handler, case=case, body="钱女士您好：已核实当日窗口安排，非常抱歉给您带来不便。")
    case = case_resolve(
        actor=handler, case=case, outcome="upheld", reasons="已向客户致歉并调整排班。", root_cause="process"
    )
    invitation = invitation_for_case(case=case, at=timezone.now())
    assert invitation is not None, "no survey rule covers a web complaint in the demo"
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.SENT, sent_at=timezone.now(), skip_reason=""
    )
    answers: dict[int, object] = {}
    for question in invitation.version.questions.all():
        if question.type == Question.Type.CSAT:
            answers[question.pk] = 1
        elif question.type in SCALES:
            answers[question.pk] = SCALES[Question.Type(question.type)][0]
        elif question.type == Question.Type.TEXT:
            answers[question.pk] = "排队太久，没人管。"
        elif question.is_required:
            answers[question.pk] = question.choices[0]["value"]
    response = response_submit(invitation=invitation, answers=answers)
    task = RecoveryTask.objects.select_related("owner").get(response=response)
    assert task.review_status == ReviewStatus.TO_VERIFY and task.owner is not None
    assert task.owner != handler
    return BadReview(task_id=task.pk, number=case.number, handler=handler.username, owner=task.owner.username)


def test_a_bad_review_is_verified_appealed_and_left_out_of_the_assessment(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.surveys.models import AssessmentExclusion, RecoveryTask, ReviewAppeal, Verification

    review = bad_review_of_a_resolved_case(language)
    follow_up = site.at(f"/desk/surveys/recovery/{review.task_id}/")

    # The supervisor verifies it on the follow-up page: valid.
    supervisor, _ = browse(language)
    sign_in(supervisor, site, review.owner)
    supervisor.goto(follow_up)
    expect(supervisor.locator("main h1")).to_contain_text(review.number)
    verify = supervisor.locator("[data-testid=review-verify]")
    verify.locator("select[name=verify-outcome]").select_option("valid")
    verify.locator("textarea[name=verify-evidence]").fill(
        words(language, "调取监控核实，当日确有两个窗口关闭。", "CCTV shows two counters closed.")
    )
    with supervisor.expect_navigation():
        verify.locator("button[type=submit]").click()
    valid = say_lazy(language, Verification.VALID.label)
    expect(supervisor.locator("[data-testid=review-loop]")).to_contain_text(valid)
    task = RecoveryTask.objects.select_related("response").get(pk=review.task_id)
    assert task.verification == "valid" and not task.response.is_excluded

    # The agent appeals it on "My bad reviews", reached from the desk's menu.
    agent, _ = browse(language)
    sign_in(agent, site, review.handler)
    agent.goto(site.at("/desk/"))
    nav = agent.locator(".desk-nav a[href='/desk/surveys/reviews/mine/']")
    expect(nav).to_have_text(say(language, "My bad reviews"))
    nav.click()
    mine = agent.locator(f"[data-testid=my-review-{review.task_id}]")
    expect(mine).to_contain_text(review.number)
    expect(mine).to_contain_text(say(language, "Counts in the staff indicators"))
    grounds = words(
        language,
        f"窗口关闭系上级统一安排，非本人原因。{review.number}",
        f"Counters closed by order. {review.number}",
    )
    appeal = mine.locator(f"[data-testid=appeal-{review.task_id}]")
    appeal.locator("textarea").fill(grounds)
    with agent.expect_navigation():
        appeal.locator("button[type=submit]").click()
    filed = ReviewAppeal.objects.get(task_id=review.task_id)
    assert filed.reason == grounds and filed.status == ReviewAppeal.Status.FILED
    expect(agent.locator(f"[data-testid=my-review-{review.task_id}]")).to_contain_text(
        say_lazy(language, ReviewAppeal.Status.FILED.label)
    )

    # The supervisor who verified it may not decide the appeal: no form for him.
    supervisor.goto(follow_up)
    expect(supervisor.locator("[data-testid=review-decide]")).to_have_count(0)

    # sun.qa upholds it.
    qa, _ = browse(language)
    sign_in(qa, site, "sun.qa")
    qa.goto(follow_up)
    decide = qa.locator("[data-testid=review-decide]")
    decide.locator("select[name=decide-decision]").select_option("upheld")
    decide.locator("textarea[name=decide-decision_reason]").fill(
        words(language, "窗口安排由营业厅统一调度，非经办人原因。", "Counters are scheduled centrally.")
    )
    with qa.expect_navigation():
        decide.locator("button[type=submit]").click()
    filed.refresh_from_db()
    assert filed.status == ReviewAppeal.Status.UPHELD
    task.response.refresh_from_db()
    assert task.response.is_excluded

    # On "My bad reviews" the review is now left out of his assessment.
    agent.reload()
    mine = agent.locator(f"[data-testid=my-review-{review.task_id}]")
    expect(mine.locator("[data-testid=excluded]")).to_have_text(
        words(language, "不计入考核", "Excluded from assessment")
    )
    expect(mine).to_contain_text(say_lazy(language, AssessmentExclusion.APPEAL_UPHELD.label))
    expect(mine).to_contain_text(say_lazy(language, ReviewAppeal.Status.UPHELD.label))
    expect(mine.locator("form")).to_have_count(0)
    for viewport in (WIDE, PHONE):
        page, _ = browse(language, viewport=viewport)
        sign_in(page, site, review.handler)
        page.goto(site.at("/desk/surveys/reviews/mine/"))
        expect(
            page.locator(f"[data-testid=my-review-{review.task_id}] [data-testid=excluded]")
        ).to_be_visible()
        shoot(page, "my-bad-reviews", language)
