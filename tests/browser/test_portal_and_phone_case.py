"""Journey 4: the signed-in customer's portal; staff recording a case taken by phone; the supervisor's team
load."""

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, Watch, sign_in, words

NUMBER = re.compile(r"TS-\d{4}-\d{6}")


def test_a_signed_in_customer_sees_his_cases_and_raises_a_new_one(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "liu.customer")
    page.goto(site.at("/portal/"))
    expect(page.locator("main h1")).to_be_visible()
    listed = NUMBER.findall(page.locator("main").inner_text())
    assert listed, "the demo customer has cases"

    page.get_by_role("link", name=listed[0]).first.click()
    expect(page.locator("h1")).to_contain_text(listed[0])

    page.goto(site.at("/portal/"))
    page.get_by_role("link", name=words(language, "提交新工单", "Raise a new case")).click()
    title = words(language, f"楼道灯不亮 {uuid.uuid4().hex[:4]}", f"Hall light out {uuid.uuid4().hex[:4]}")
    page.fill("input[name=title]", title)
    page.fill(
        "textarea[name=description]", words(language, "三楼楼道灯坏了一周。", "The third-floor light is out.")
    )
    consent = page.locator("input[name=consent]")
    if consent.count():
        consent.check()
    for field in ("name", "phone"):
        box = page.locator(f"input[name={field}]")
        if box.count() and not box.input_value():
            box.fill("刘女士" if field == "name" else "13900002222")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    number = NUMBER.search(page.locator("h1").inner_text())
    assert number, page.locator("main").inner_text()

    page.goto(site.at("/portal/"))
    expect(page.locator("main")).to_contain_text(number.group(0))
    expect(page.locator("main")).to_contain_text(title)


def test_an_agent_records_a_phone_call_as_a_case(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "li.agent")
    page.goto(site.at("/desk/"))
    page.locator(".desk-nav").get_by_role("link", name=words(language, "登记工单", "Record a case")).click()
    page.select_option("select[name=channel]", "phone")
    page.select_option("select[name=kind]", "inquiry")
    title = words(
        language,
        f"来电咨询停水安排 {uuid.uuid4().hex[:4]}",
        f"Caller asks about the outage {uuid.uuid4().hex[:4]}",
    )
    page.fill("input[name=title]", title)
    page.fill(
        "textarea[name=description]", words(language, "客户来电询问周末停水时间。", "When is the water off?")
    )
    page.fill("input[name=name]", words(language, "赵先生", "Mr Zhao"))
    page.fill("input[name=phone]", "139" + f"{uuid.uuid4().int % 10**8:08d}")
    page.select_option("select[name=how_informed]", "phone_read")
    page.select_option("select[name=surveys]", "no")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()

    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator(".facts")).to_contain_text(words(language, "电话", "Phone"))


def test_the_supervisor_sees_his_teams_load(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "wang.supervisor")
    page.goto(site.at("/desk/"))
    page.locator(".desk-nav").get_by_role("link", name=words(language, "班组工作量", "Team load")).click()

    expect(page.locator("main h1")).to_be_visible()
    main = page.locator("main").inner_text()
    assert "li.agent" in main or "李" in main or "Li" in main, main[:500]
    assert page.locator("main table").count() >= 1
