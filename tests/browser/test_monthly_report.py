"""Journey of the monthly service-quality report (issue 17), in Chinese and in English: an administrator (the
report is organisation-wide, so it is for organisation-wide readers) opens the reports from the desk menu,
finds last month's (the demo prints it as the worker would), downloads its PDF in the page's language,
subscribes to it by e-mail in the other language and unsubscribes again.

The page is photographed at a desk's and a phone's width to /tmp/shots/report.
"""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WIDE, Site, Watch, page_overflow, sign_in, words

SHOTS = Path("/tmp/shots/report")  # noqa: S108 - photographs for the reader of the report, not committed


def _shoot(page: Page, name: str, language: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.screenshot(path=str(SHOTS / f"{name}-{language}-{viewport['width']}.png"), full_page=True)
        assert page_overflow(page) == 0, f"{name} is wider than {viewport['width']} px"
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]


def test_an_administrator_downloads_last_months_report_and_subscribes(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from django.utils import timezone

    from charter.reports.models import MonthlyReport, ReportSubscription
    from charter.reports.periods import last_full_month

    month = last_full_month(timezone.now()).start
    report = MonthlyReport.objects.get(month=month)
    assert report.state == MonthlyReport.State.READY
    page, _watch = browse(language)
    sign_in(page, site, "admin")

    page.goto(site.at("/desk/"))
    with page.expect_navigation():
        page.get_by_role("link", name=words(language, "服务质量月报", "Monthly reports"), exact=True).click()
    expect(page.locator("h1")).to_have_text(
        words(language, "服务质量月报", "Monthly service quality reports")
    )
    row = page.locator(f"[data-testid=monthly-report-{month:%Y-%m}]")
    expect(row).to_contain_text(words(language, f"{month.year}年{month.month}月", f"{month:%B %Y}"))
    expect(row).to_contain_text(words(language, "已生成", "Ready"))
    expect(page.locator("[data-testid=monthly-generate]")).to_have_count(1)  # administrators only
    _shoot(page, "monthly-list", language)

    with page.expect_download() as download_info:
        row.locator(
            "[data-testid=download-zh]" if language == "zh-hans" else "[data-testid=download-en]"
        ).click()
    download = download_info.value
    assert download.suggested_filename == words(
        language, f"服务质量月报-{month:%Y-%m}.pdf", f"service-quality-report-{month:%Y-%m}.pdf"
    )
    saved = SHOTS / f"download-{language}.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    other = "en" if language == "zh-hans" else "zh-hans"
    page.locator("select[name=language]").select_option(other)
    with page.expect_navigation():
        page.locator("[data-testid=subscribe]").click()
    expect(page.locator("[data-testid=monthly-subscription]")).to_contain_text(
        words(language, "您每月都会通过电子邮件收到月报", "You receive each month's report by e-mail")
    )
    assert ReportSubscription.objects.get(user__username="admin").language == other
    _shoot(page, "monthly-subscribed", language)

    with page.expect_navigation():
        page.locator("[data-testid=unsubscribe]").click()
    expect(page.locator("[data-testid=subscribe]")).to_be_visible()
    assert not ReportSubscription.objects.filter(user__username="admin").exists()
