"""Journeys 2 and 3: an agent works a complaint from his queue to its resolution; the customer accepts it
(or appeals), and answers the survey that reached him by e-mail; the supervisor sees the answer."""

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, Watch, sign_in, words
from tests.browser.test_public import BILL_INQUIRY, complain_about_a_service, unique_phone
from tests.mail.servers import SmtpServer

EVASIVE = {
    "zh-hans": "这个不归我管，你自己去银行查一下，别再打电话催了。",
    "en": "That's not my job. Go and ask your bank yourself and stop calling us.",
}
GOOD = {
    "zh-hans": "您好，王女士：我们已安排抄表员明天上午复核读数，复核后会第一时间告诉您结果。",
    "en": "Hello Ms Wang, our meter reader will check the reading tomorrow; we will tell you the result.",
}
NOTE = {
    "zh-hans": "内部备注：该户去年也有类似投诉",
    "en": "Internal: same complaint from this address last year",
}


def handler_of(number: str) -> str:
    from charter.cases.models import Case

    case = Case.objects.select_related("assignee").get(number=number)
    assert case.assignee is not None, number
    return case.assignee.username


def work_the_case(page: Page, site: Site, language: str, number: str) -> None:
    """As its handler: open the case from the queue, answer it past the reply check, note, resolve."""
    page.goto(site.at("/desk/cases/"))
    page.get_by_role("link", name=number).first.click()
    expect(page.locator("h1")).to_contain_text(number)

    reply = page.locator("form:has(input[name=action][value=reply])")
    reply.locator("textarea[name=body]").fill(EVASIVE[language])
    with page.expect_navigation():
        reply.locator("button[type=submit]").last.click()
    warning = page.locator(".reply-check")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(words(language, "检查", "Check"))
    reply = page.locator("form:has(input[name=action][value=reply])")
    expect(reply.locator("textarea[name=body]")).to_have_value(EVASIVE[language])  # nothing typed is lost
    reply.locator("textarea[name=body]").fill(GOOD[language])
    with page.expect_navigation():
        reply.locator("button[type=submit]").last.click()
    expect(page.locator(".msg.staff").last).to_contain_text(GOOD[language])

    reply = page.locator("form:has(input[name=action][value=reply])")
    reply.locator("textarea[name=body]").fill(NOTE[language])
    reply.locator("input[name=is_internal]").check()
    with page.expect_navigation():
        reply.locator("button[type=submit]").last.click()
    expect(page.locator(".msg.internal").last).to_contain_text(NOTE[language])

    resolve = page.locator("form:has(input[name=action][value=resolve])")
    if not resolve.is_visible():
        page.locator("summary", has_text=words(language, "办结", "Resolve")).first.click()
    resolve.locator("select[name=outcome]").select_option("upheld")
    resolve.locator("textarea[name=reasons]").fill(
        words(
            language,
            "经复核，读数确有错误，已更正账单并退还多收的水费。",
            "The reading was wrong; the bill is corrected.",
        )
    )
    root = resolve.locator("select[name=root_cause]")
    if root.count():
        root.select_option(index=1)
    with page.expect_navigation():
        resolve.locator("button[type=submit]").last.click()
    expect(page.locator(".facts")).to_contain_text(words(language, "已解决", "Resolved"))


def test_an_agent_works_a_complaint_and_the_customer_sees_the_reply_but_never_the_note(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    customer, _ = browse(language)
    number = complain_about_a_service(customer, site, language, phone=unique_phone(), service=BILL_INQUIRY)
    tracking = customer.url
    agent, _ = browse(language)
    sign_in(agent, site, handler_of(number))

    work_the_case(agent, site, language, number)

    customer.goto(tracking)
    main = customer.locator("main")
    expect(main).to_contain_text(GOOD[language])
    expect(main).not_to_contain_text(NOTE[language])
    expect(main).not_to_contain_text(EVASIVE[language])
    expect(main).to_contain_text(words(language, "已解决", "Resolved"))


def survey_link(smtp: SmtpServer, address: str) -> str:
    for envelope in reversed(smtp.envelopes):
        if address in envelope.rcpt_tos:
            text = envelope.content.decode("utf-8", "replace")
            match = re.search(r"(http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_\-]+/)", text)
            if match:
                return match.group(1)
    raise AssertionError(f"no survey mail to {address}")


def test_the_customer_accepts_answers_the_mailed_survey_and_the_supervisor_sees_it(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, smtp_server: SmtpServer
) -> None:
    address = f"survey-{uuid.uuid4().hex[:8]}@example.com"
    customer, _ = browse(language)
    number = complain_about_a_service(
        customer, site, language, email=address, phone=unique_phone(), service=BILL_INQUIRY
    )
    tracking = customer.url
    agent, _ = browse(language)
    sign_in(agent, site, handler_of(number))
    work_the_case(agent, site, language, number)

    customer.goto(tracking)
    with customer.expect_navigation():
        customer.locator("form:has(input[name=action][value=accept]) button[type=submit]").click()
    expect(customer.locator(".facts")).to_contain_text(words(language, "已关闭", "Closed"))

    site.worker_tick()  # the worker's minute: the survey is scheduled and mailed
    link = survey_link(smtp_server, address)
    customer.goto(link)
    customer.locator("input[type=radio][value='5']").first.check()
    comment = customer.locator("textarea").first
    remark = words(language, f"抄表员态度很好 {number}", f"Friendly meter reader {number}")
    if comment.count():
        comment.fill(remark)
    with customer.expect_navigation():
        customer.locator("main form button[type=submit]").last.click()
    expect(customer.locator("main")).to_contain_text(words(language, "已记录", "recorded"))

    supervisor, _ = browse(language)
    sign_in(supervisor, site, "wang.supervisor")
    supervisor.goto(site.at("/desk/surveys/results/"))
    expect(supervisor.locator("main h1")).to_be_visible()
    if comment.count():
        expect(supervisor.locator("main")).to_contain_text(remark)


def test_the_customer_appeals_and_the_case_goes_to_someone_else(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    customer, _ = browse(language)
    number = complain_about_a_service(customer, site, language, phone=unique_phone(), service=BILL_INQUIRY)
    tracking = customer.url
    handler = handler_of(number)
    agent, _ = browse(language)
    sign_in(agent, site, handler)
    work_the_case(agent, site, language, number)

    customer.goto(tracking)
    appeal = customer.locator("form:has(input[name=action][value=appeal])")
    appeal.locator("textarea").fill(
        words(language, "只退了一个月，还有两个月没退", "Only one month was refunded")
    )
    with customer.expect_navigation():
        appeal.locator("button[type=submit]").click()

    expect(customer.locator(".facts")).to_contain_text(words(language, "复核中", "Under reconsideration"))
    from charter.cases.models import Case

    reconsidered = Case.objects.select_related("assignee").get(number=number)
    assert reconsidered.assignee is None or reconsidered.assignee.username != handler
