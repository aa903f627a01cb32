"""Journey 5 (quality): a case is drawn for review, scored and submitted; the agent disputes the review;
someone other than the reviewer decides the dispute."""

import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, Watch, sign_in, words


def resolved_case_of_the_hotline() -> tuple[str, str]:
    """A complaint answered and resolved by its handler (through the services); its number and handler."""
    from charter.accounts.models import Customer
    from charter.cases.services import case_create, case_reply, case_resolve

    customer = Customer.objects.create(name="周先生", language="zh-hans")
    case = case_create(
        actor=None,
        kind="complaint",
        channel="web",
        customer=customer,
        title=f"停水没有提前通知 {uuid.uuid4().hex[:4]}",
        description="周六停水一整天，事先没有任何通知，家里老人没法做饭。",
    )
    handler = case.assignee
    assert handler is not None
    case_reply(actor=handler, case=case, body="您好，周先生：停水是因为管道抢修，没能提前通知，非常抱歉。")
    case_resolve(
        actor=handler, case=case, outcome="upheld", reasons="已向您说明原因并致歉。", root_cause="process"
    )
    return case.number, handler.username


def test_a_review_is_submitted_disputed_and_the_dispute_decided(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.quality.models import Review

    number, agent_name = resolved_case_of_the_hotline()
    qa, _ = browse(language)
    sign_in(qa, site, "sun.qa")
    qa.goto(site.at("/desk/quality/reviews/"))
    qa.fill("input[name=case_number]", number)
    with qa.expect_navigation():
        qa.get_by_role("button", name=words(language, "抽取", "Draw")).click()
    review = Review.objects.select_related("reviewer").get(case__number=number)

    reviewer, _ = browse(language)
    sign_in(reviewer, site, review.reviewer.username)
    reviewer.goto(site.at("/desk/quality/reviews/queue/"))
    reviewer.get_by_role("link", name=number).first.click()
    expect(reviewer.locator("[data-testid=case-description]")).to_contain_text("家里老人没法做饭")
    form = reviewer.locator("[data-testid=review-form]")
    scores = form.locator("select.criterion-score")
    for index in range(scores.count()):
        options = scores.nth(index).locator("option").evaluate_all("options => options.map(o => o.value)")
        numeric = [value for value in options if value.isdigit()]
        scores.nth(index).select_option(min(numeric) if index == 0 else max(numeric))
    form.locator("textarea[name=summary]").fill(words(language, "未主动说明补救措施。", "No remedy offered."))
    with reviewer.expect_navigation():
        form.locator("button[name=action][value=submit]").click()
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    expect(reviewer.locator("[data-testid=review-status]")).to_contain_text(
        words(language, "已提交", "Submitted")
    )

    agent, _ = browse(language)
    sign_in(agent, site, agent_name)
    agent.goto(site.at("/desk/"))
    agent.locator(".desk-nav").get_by_role(
        "link", name=words(language, "我的质检结果", "My QA results")
    ).click()
    agent.locator(f"main a[href$='/reviews/{review.pk}/']").first.click()
    dispute = agent.locator("[data-testid=dispute-form]")
    dispute.locator("textarea").fill(words(language, "我在答复里已说明抢修原因。", "I explained the repair."))
    with agent.expect_navigation():
        dispute.locator("button[name=action][value=dispute]").click()
    expect(agent.locator("[data-testid=review-status]")).to_contain_text(
        words(language, "申诉中", "Disputed")
    )

    review.refresh_from_db()
    assert review.dispute_handler is not None and review.dispute_handler != review.reviewer
    judge, _ = browse(language)
    sign_in(judge, site, review.dispute_handler.username)
    judge.goto(site.at("/desk/quality/disputes/"))
    judge.get_by_role("link", name=number).first.click()
    decide = judge.locator("[data-testid=review-form]")
    decide.locator("select[name=decision]").select_option("upheld")
    decide.locator("textarea[name=reason]").fill(
        words(language, "答复未提补救措施，维持。", "No remedy: upheld.")
    )
    with judge.expect_navigation():
        decide.locator("button[name=action][value=decide]").click()
    review.refresh_from_db()
    assert review.status == Review.Status.DECIDED
    expect(judge.locator("[data-testid=review-status]")).to_contain_text(
        words(language, "申诉已处理", "decided")
    )
