"""Journey of list exports (issue 17), in Chinese and in English, on the demo:

1. wang.supervisor filters his teams' cases to the complaints, clicks "导出 CSV" / "Export CSV" next to the
   filters, and the file he saves holds the complaints the page lists (same numbers, in the page's order),
   headed in his language.
2. On the violations list he clicks "导出 Excel" / "Export Excel": the workbook holds the page's rows.

And the queue with its export links at a desk's and a phone's width, photographed to /tmp/shots/exports.
"""

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.browser.conftest import PHONE, Site, Watch, sign_in, words

SHOTS = Path("/tmp/shots/exports")  # noqa: S108 - photographs for the reader of the report, not committed


def _download(page: Page, testid: str) -> tuple[str, bytes]:
    """Click the export link `testid` and return the saved file's suggested name and its bytes."""
    with page.expect_download() as info:
        page.get_by_test_id(testid).click()
    download = info.value
    path = download.path()
    assert path is not None
    return download.suggested_filename, Path(path).read_bytes()


def _numbers_on_page(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("table.table tbody tr td:nth-child(2) a").all_inner_texts()]


def test_a_supervisor_exports_the_filtered_queue_and_violations(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _watch = browse(language)
    sign_in(page, site, "wang.supervisor")

    page.goto(site.at("/desk/cases/?queue=my_teams&status=&kind=complaint"))
    shown = _numbers_on_page(page)
    assert shown, "the demo gives his teams complaints"
    link = page.get_by_test_id("export-csv")
    assert link.inner_text() == words(language, "导出 CSV", "Export CSV")
    assert "kind=complaint" in (link.get_attribute("href") or "")
    name, content = _download(page, "export-csv")

    assert name.startswith("cases-queue-") and name.endswith(".csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == words(language, "编号", "Number")
    assert [row[0] for row in rows[1:]][: len(shown)] == shown
    kinds = {row[2] for row in rows[1:]}
    assert kinds == {words(language, "投诉", "Complaint")}

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"queue-{language}-1280.png"), full_page=False)

    page.goto(site.at("/desk/conduct/violations/"))
    listed = page.locator("table.table tbody tr td:first-child a").count()
    name, content = _download(page, "export-xlsx")
    assert name.startswith("conduct-violations-") and name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][0] == words(language, "行为发生时间", "Date of the act")
    assert len(table) - 1 == listed


def test_the_export_links_fit_a_phone(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _watch = browse(language, viewport=PHONE)
    sign_in(page, site, "wang.supervisor")
    page.goto(site.at("/desk/cases/?queue=my_teams"))

    links = page.get_by_test_id("export-links")
    box = links.bounding_box()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"queue-{language}-{PHONE['width']}.png"), full_page=False)

    assert page.get_by_test_id("export-xlsx").is_visible()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_an_export_past_the_cap_says_to_narrow_the_filters(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, settings: Any
) -> None:
    settings.CHARTER_EXPORT_MAX_ROWS = 1
    page, _watch = browse(language)
    sign_in(page, site, "wang.supervisor")
    page.goto(site.at("/desk/cases/?queue=my_teams&status="))
    assert len(_numbers_on_page(page)) > 1

    with page.expect_navigation():
        page.get_by_test_id("export-csv").click()

    message = page.locator(".messages .message.error").inner_text()
    assert words(language, "缩小筛选范围", "Narrow the filters") in message
    assert "format=" not in page.url and "queue=my_teams" in page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"queue-cap-{language}-1280.png"), full_page=False)
