"""Journey 1, the public: from the charter home to a complaint about a service, and back to it by its link."""

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, Watch, choose_language, words
from tests.mail.servers import SmtpServer

BILL = Path(__file__).parent / "files" / "bill.pdf"
NUMBER = re.compile(r"TS-\d{4}-\d{6}")


def unique_phone() -> str:
    """A mobile number of its own, so each journey's customer is a new one (no survey cool-down)."""
    return "139" + f"{uuid.uuid4().int % 10**8:08d}"


# The service hall's water connection: its complaints need the complaint-handling qualification, which the
# demo's Zhao, the hall's only agent, has let expire, so they wait in the hall's queue. Journeys that need a
# handler complain about the hotline's bill inquiry instead.
WATER_CONNECTION = ("居民用水报装", "")
BILL_INQUIRY = ("账单查询", "Bill inquiry")


def complain_about_a_service(
    page: Page,
    site: Site,
    language: str,
    *,
    email: str = "",
    phone: str = "13800001111",
    service: tuple[str, str] = WATER_CONNECTION,
) -> str:
    """Walk from the home page to `service` (its Chinese and English names) and file a complaint with a bill
    attached; return its number."""
    page.goto(site.at("/"))
    page.get_by_role("link", name=words(language, "服务项目", "Services")).first.click()
    page.locator("main a[href^='/services/']").filter(has_text=words(language, *service)).first.click()
    page.get_by_role("link", name=words(language, "我要投诉", "Make a complaint")).click()
    expect(page.locator("select[name=kind]")).to_have_value("complaint")
    page.fill(
        "input[name=title]", words(language, "抄表读数比实际高出一倍", "Meter reading twice the real one")
    )
    page.fill(
        "textarea[name=description]",
        words(
            language,
            "十一月账单的读数是 0456，表上实际是 0228。",
            "November's bill reads 0456; the meter shows 0228.",
        ),
    )
    page.fill(
        "textarea[name=remedy_sought]",
        words(language, "重新抄表并退还多收的水费", "Re-read the meter, refund"),
    )
    page.set_input_files("input[name=attachments]", str(BILL))
    page.fill("input[name=name]", words(language, "王小二", "Jane Wang"))
    page.fill("input[name=phone]", phone)
    if email:
        page.fill("input[name=email]", email)
    page.check("input[name=consent]")
    page.check("input[name=surveys]")  # he agrees to the survey (the box starts unticked)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    heading = page.locator("h1").inner_text()
    match = NUMBER.search(heading)
    assert match, heading
    return match.group(0)


def test_a_visitor_complains_about_a_service_and_follows_it_by_the_private_link(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _watch = browse(language)

    number = complain_about_a_service(page, site, language, email="jane@example.com")

    tracking = page.url
    assert "/track/" in tracking
    expect(page.locator("main")).to_contain_text(number)
    expect(page.locator("main")).to_contain_text("bill.pdf")
    # The link works on its own, from a browser that has never seen the case.
    stranger, _ = browse(language)
    stranger.goto(tracking)
    expect(stranger.locator("h1")).to_contain_text(number)
    stranger.fill(
        "form:has(input[value=reply]) textarea[name=body]",
        words(language, "补充：表在楼道里", "The meter is in the hall"),
    )
    with stranger.expect_navigation():
        stranger.locator("form:has(input[value=reply]) button[type=submit]").click()
    expect(stranger.locator(".msg.customer").last).to_contain_text(
        words(language, "补充：表在楼道里", "The meter is in the hall")
    )
    # The header's language switch works on the private page too, and stays on it.
    other = "en" if language == "zh-hans" else "zh-hans"
    choose_language(stranger, other)
    assert stranger.url == tracking
    expect(stranger.locator("h1")).to_contain_text(number)


def test_a_customer_who_lost_the_link_gets_a_new_one_by_e_mail(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, smtp_server: SmtpServer
) -> None:
    address = f"lost-{uuid.uuid4().hex[:8]}@example.com"
    first, _ = browse(language)
    number = complain_about_a_service(first, site, language, email=address, phone=unique_phone())
    page, _ = browse(language)

    page.goto(site.at("/"))
    page.goto(site.at("/track/"))
    page.fill("input[name=number]", number.lower())
    page.fill("input[name=contact]", address.upper())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    answer = page.locator("main").inner_text()
    page.goto(site.at("/track/"))
    page.fill("input[name=number]", number)
    page.fill("input[name=contact]", "someone-else@example.com")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert page.locator("main").inner_text() == answer  # a miss reads exactly like a match
    mailed = [
        envelope.content.decode("utf-8", "replace")
        for envelope in smtp_server.envelopes
        if address in envelope.rcpt_tos
    ]
    links = re.findall(r"http://127\.0\.0\.1:\d+/track/[A-Za-z0-9_\-]+/", mailed[-1])
    assert links, mailed[-1]
    page.goto(links[0])
    expect(page.locator("h1")).to_contain_text(number)
