"""Journey of consent (issue 16), in Chinese and in English: a visitor files an inquiry on the public form,
ticks the (unticked) survey box next to the notice's consent, and later stops the surveys through the link
his e-mails carry, with one press and no sign-in; a second press says it is already done.

The pages are photographed at a desk's and a phone's width to /tmp/shots/consent.
"""

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WIDE, Site, Watch, sign_in, words

SHOTS = Path("/tmp/shots/consent")  # noqa: S108 - photographs for the reader of the report, not committed


def _shoot(page: Page, name: str, language: str, viewport: dict[str, int]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    page.screenshot(path=str(SHOTS / f"{name}-{language}-{viewport['width']}.png"), full_page=True)


def test_a_visitor_agrees_to_surveys_at_intake_and_stops_them_by_the_mailed_link(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.privacy.consent import notice_hash, notice_text, opt_out_path
    from charter.privacy.models import ConsentRecord

    address = f"consent-{uuid.uuid4().hex[:8]}@example.com"
    page, _watch = browse(language)
    page.goto(site.at("/cases/new/"))
    surveys = page.locator("input[name=surveys]")
    expect(surveys).not_to_be_checked()  # consent to surveys is asked for, never assumed
    page.fill("input[name=title]", words(language, "周末停水安排", "Water off at the weekend?"))
    page.fill("textarea[name=description]", words(language, "请问周六几点恢复供水？", "When is it back?"))
    page.fill("input[name=name]", words(language, "孙女士", "Ms Sun"))
    page.fill("input[name=email]", address)
    page.check("input[name=consent]")
    surveys.check()
    _shoot(page, "intake", language, WIDE)
    _shoot(page, "intake", language, PHONE)
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    assert "/track/" in page.url

    records = ConsentRecord.objects.filter(source__startswith="cases.case:").select_related(
        "customer", "purpose"
    )
    mine = [record for record in records if record.customer.email == address]
    given = {record.purpose.code: record.action for record in mine}
    assert given == {"case_handling": "given", "surveys": "given"}
    shown = notice_text(language)[1]
    assert {record.notice_hash for record in mine} == {notice_hash(shown)}
    customer = mine[0].customer

    # The link every survey invitation carries (charter.surveys.mailing builds it with the same function).
    link = site.at(opt_out_path(customer_id=customer.pk, purpose_code="surveys"))
    visitor, _ = browse(language, viewport=PHONE)
    visitor.goto(link)
    expect(visitor.locator("[data-testid=opt-out-purpose]")).to_contain_text(
        words(language, "满意度回访", "Satisfaction surveys")
    )
    _shoot(visitor, "opt-out", language, PHONE)
    _shoot(visitor, "opt-out", language, WIDE)
    with visitor.expect_navigation():
        visitor.locator("[data-testid=opt-out-confirm]").click()
    expect(visitor.locator("h1")).to_contain_text(words(language, "已退订", "Stopped"))
    _shoot(visitor, "opt-out-done", language, WIDE)
    _shoot(visitor, "opt-out-done", language, PHONE)
    latest = ConsentRecord.objects.filter(customer=customer, purpose__code="surveys").order_by("-at", "-pk")[
        0
    ]
    assert latest.action == "withdrawn" and latest.channel == "link"

    visitor.goto(link)  # a second click: nothing left to do, and it says so
    expect(visitor.locator("[data-testid=opt-out-already]")).to_be_visible()
    assert ConsentRecord.objects.filter(customer=customer, action="withdrawn").count() == 1


def test_a_signed_in_customer_changes_his_consents_on_the_portal_privacy_page(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "liu.customer")
    page.goto(site.at("/portal/privacy/"))
    consents = page.locator("[data-testid=consents]")
    expect(consents.locator("[data-testid=consent-case_handling]")).to_contain_text(
        words(language, "处理工单所必需", "Needed to handle your cases")
    )
    surveys = consents.locator("[data-testid=consent-surveys]")
    stop = surveys.locator("[data-testid=consent-withdraw-surveys]")
    if not stop.count():  # an earlier run left them stopped: agree first
        with page.expect_navigation():
            surveys.locator("[data-testid=consent-give-surveys]").click()
    _shoot(page, "portal-consents", language, WIDE)
    _shoot(page, "portal-consents", language, PHONE)
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]
    with page.expect_navigation():
        surveys.locator("[data-testid=consent-withdraw-surveys]").click()
    assert page.url.endswith("/portal/privacy/")
    expect(page.locator(".messages")).to_contain_text(words(language, "已停止", "Stopped"))
    expect(surveys.locator("[data-testid=consent-give-surveys]")).to_be_visible()
    # And back: the demo customer keeps agreeing to surveys for the other journeys.
    with page.expect_navigation():
        surveys.locator("[data-testid=consent-give-surveys]").click()
    expect(surveys.locator("[data-testid=consent-withdraw-surveys]")).to_be_visible()


def test_an_agent_must_say_how_the_caller_was_told_of_the_notice(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "li.agent")
    page.goto(site.at("/desk/cases/new/"))
    page.fill("input[name=title]", words(language, "来电咨询水价", "Caller asks about prices"))
    page.fill("textarea[name=description]", words(language, "客户来电询问阶梯水价。", "Tiered prices?"))
    page.fill("input[name=name]", words(language, "周先生", "Mr Zhou"))
    page.fill("input[name=phone]", "137" + f"{uuid.uuid4().int % 10**8:08d}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    # Nothing recorded: the form comes back with the question, and everything typed.
    expect(page.locator("select[name=how_informed]")).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_value(
        words(language, "来电咨询水价", "Caller asks about prices")
    )
    _shoot(page, "desk-new-case", language, WIDE)
    _shoot(page, "desk-new-case", language, PHONE)
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]
    page.select_option("select[name=how_informed]", "phone_read")
    page.select_option("select[name=surveys]", "yes")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("h1")).to_contain_text(words(language, "来电咨询水价", "Caller asks about prices"))
