"""Journey of retention and legal holds (issue 16), in Chinese and in English: the administrator (who holds
privacy.manage_retention) opens the retention page from the desk menu, keeps closed cases two years instead
of three, asks for a dry run and reads its counts, then places a legal hold on a case by its number, sees it
on the case page and releases it with a reason.

The pages are photographed at a desk's and a phone's width to /tmp/shots/retention.
"""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WIDE, Site, Watch, page_overflow, sign_in, words

SHOTS = Path("/tmp/shots/retention")  # noqa: S108 - photographs for the reader of the report, not committed


def _shoot(page: Page, name: str, language: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.screenshot(path=str(SHOTS / f"{name}-{language}-{viewport['width']}.png"), full_page=True)
        assert page_overflow(page) == 0, f"{name} is wider than {viewport['width']} px"
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]


def test_the_officer_edits_a_schedule_runs_a_dry_run_and_holds_a_case(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.cases.models import Case
    from charter.privacy.models import LegalHold, RetentionRun, RetentionSchedule

    case = Case.objects.order_by("pk").first()
    assert case is not None
    page, _watch = browse(language)
    sign_in(page, site, "admin")

    page.goto(site.at("/desk/"))
    with page.expect_navigation():
        nav = words(language, "保存期限与法律保全", "Retention and legal holds")
        page.get_by_role("link", name=nav).click()
    expect(page.locator("h1")).to_have_text(words(language, "保存期限", "Retention schedules"))
    expect(page.locator("[data-record-type=closed_cases]")).to_contain_text(
        words(language, "已关闭工单", "Closed cases")
    )

    row = page.locator("#schedule-closed_cases")
    row.locator("input[name='closed_cases-keep_days']").fill("730")
    with page.expect_navigation():
        row.get_by_role("button", name=words(language, "保存", "Save")).click()
    expect(page.locator("#schedule-closed_cases input[name='closed_cases-keep_days']")).to_have_value("730")
    assert RetentionSchedule.objects.get(record_type="closed_cases").keep_days == 730

    runs_before = RetentionRun.objects.filter(dry_run=True).count()
    with page.expect_navigation():
        page.get_by_role("button", name=words(language, "立即试运行", "Run a dry run now")).click()
    expect(page.get_by_text(words(language, "试运行完成", "Dry run finished"))).to_be_visible()
    assert RetentionRun.objects.filter(dry_run=True).count() == runs_before + 1
    _shoot(page, "retention", language)

    with page.expect_navigation():
        page.get_by_role("link", name=words(language, "法律保全", "Legal holds"), exact=True).click()
    reason = words(language, "诉讼证据保全", "Evidence for a lawsuit")
    page.locator("input[name=on][value=case]").check()
    page.fill("input[name=case_number]", case.number)
    page.fill("textarea[name=reason]", reason)
    with page.expect_navigation():
        page.get_by_role("button", name=words(language, "确认设置保全", "Place the hold")).click()
    expect(page.locator("#holds")).to_contain_text(case.number)
    expect(page.locator("#holds")).to_contain_text(reason)
    _shoot(page, "holds", language)
    hold = LegalHold.objects.filter(target_type="cases.case", target_id=str(case.pk), released_at=None).get()

    page.goto(site.at(f"/desk/cases/{case.number}/"))
    panel = page.locator("[data-testid=legal-hold-panel]")
    expect(panel).to_contain_text(reason)
    _shoot(page, "case-panel", language)

    page.goto(site.at("/desk/privacy/holds/"))
    release = page.locator(f"form[action$='/holds/{hold.pk}/release/']")
    release.locator("input[name=reason]").fill(words(language, "诉讼结束", "The lawsuit ended"))
    with page.expect_navigation():
        release.get_by_role("button", name=words(language, "解除", "Release")).click()
    expect(page.get_by_text(words(language, "法律保全已解除", "The legal hold was released"))).to_be_visible()
    hold.refresh_from_db()
    assert hold.released_at is not None
