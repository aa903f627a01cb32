"""A tracking link says how long it works; long after the case closed it has expired, says so, and the
customer gets a new one by the case number and his e-mail address."""

import datetime as dt
import re
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from charter.cases.models import Case
from tests.browser.conftest import PHONE, WIDE, Site, Watch, words
from tests.browser.test_public import BILL_INQUIRY, complain_about_a_service, unique_phone
from tests.mail.servers import SmtpServer

SHOTS = Path(tempfile.gettempdir()) / "shots" / "limits"


def _shoot(page: Page, name: str, language: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("1280", WIDE), ("390", PHONE)):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.screenshot(path=str(SHOTS / f"{name}-{language}-{label}.png"), full_page=True)
        if label == "390":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{name}: the page is {width} px wide on a phone"
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]


def test_an_expired_tracking_link_says_so_and_a_new_one_comes_by_e_mail(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, smtp_server: SmtpServer
) -> None:
    address = f"expiry-{uuid.uuid4().hex[:8]}@example.com"
    page, watch = browse(language)
    number = complain_about_a_service(
        page, site, language, email=address, phone=unique_phone(), service=BILL_INQUIRY
    )
    tracking = page.url
    expect(page.get_by_test_id("link-expiry")).to_contain_text(
        words(language, "办结后 180 天内有效", "for 180 days after it is closed")
    )
    _shoot(page, "track-open", language)

    # Closed 200 days ago, the link issued before that: it has expired.
    long_ago = timezone.now() - dt.timedelta(days=200)
    Case.objects.filter(number=number).update(
        status="closed", closed_at=long_ago, tracking_token_rotated_at=long_ago - dt.timedelta(days=5)
    )
    watch.allow(r"(HTTP 410 GET|status of 410).*/track/")
    page.goto(tracking)
    expect(page.locator("h1")).to_contain_text(words(language, "此链接已过期", "This link has expired"))
    expect(page.locator("main")).not_to_contain_text(number)
    _shoot(page, "track-expired", language)

    with page.expect_navigation():
        page.get_by_test_id("track-expired-new-link").click()
    page.fill("input[name=number]", number)
    page.fill("input[name=contact]", address)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    mailed = [
        envelope.content.decode("utf-8", "replace")
        for envelope in smtp_server.envelopes
        if address in envelope.rcpt_tos
    ]
    links = re.findall(r"http://127\.0\.0\.1:\d+/track/[A-Za-z0-9_\-]+/", mailed[-1])
    assert links, mailed[-1]

    page.goto(links[-1])
    expect(page.locator("h1")).to_contain_text(number)
    until = (timezone.localtime() + dt.timedelta(days=180)).strftime("%Y-%m-%d")
    expect(page.get_by_test_id("link-expiry")).to_contain_text(until)
    _shoot(page, "track-renewed", language)
