"""The journey of a data-subject access request (issue 16), in Chinese and in English, on the demo
(charter/demo/privacy_story.py):

1. liu.customer opens "My personal data" from her portal, asks for a copy of her data and sees the request
   received, with its number and its deadline;
2. qian.privacy (the data protection officer, signing in with the demo's authenticator) finds it in the desk's
   list of data requests, takes it and completes it: the ZIP is built;
3. liu.customer downloads the ZIP from her portal: it holds her profile and her request;
4. the download is the newest line of the officer's personal-data log.

And the pages at a desk's and a phone's width, photographed to /tmp/shots/dsr.
"""

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WIDE, Site, Watch, sign_in, words

SHOTS = Path("/tmp/shots/dsr")  # noqa: S108 - photographs for the reader of the report, not committed


def shoot(page: Page, name: str, language: str) -> None:
    """Photograph the page at its width; at a phone's width, first check nothing makes it wider."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width <= PHONE["width"]:
        scroll = int(page.evaluate("document.documentElement.scrollWidth"))
        assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)


def test_a_customer_asks_for_her_data_the_officer_completes_and_she_downloads_the_zip(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    # 1. The customer asks in her portal.
    liu, _ = browse(language)
    sign_in(liu, site, "liu.customer")
    liu.goto(site.at("/portal/"))
    liu.get_by_test_id("portal-privacy").click()
    expect(liu.locator("h1")).to_have_text(words(language, "我的个人信息", "My personal data"))
    form = liu.get_by_test_id("privacy-request-form")
    form.locator("select[name=kind]").select_option("access")
    form.locator("textarea[name=details]").fill(
        words(language, "请提供我的资料副本。", "A copy of my data, please.")
    )
    with liu.expect_navigation():
        form.locator("button[type=submit]").click()
    row = liu.get_by_test_id("privacy-requests").locator("tbody tr").first
    number = row.locator("td").first.inner_text().strip()
    assert number.startswith("PR-"), number
    expect(row).to_contain_text(words(language, "已受理", "Received"))
    expect(liu.locator(".messages").first).to_contain_text(number)
    shoot(liu, "portal", language)
    liu.set_viewport_size(PHONE)  # type: ignore[arg-type]
    liu.reload()
    shoot(liu, "portal", language)

    # 2. The data protection officer takes and completes it.
    qian, _ = browse(language)
    sign_in(qian, site, "qian.privacy")
    qian.goto(site.at("/desk/"))
    qian.get_by_test_id("tile-privacy-requests").click()
    expect(qian.get_by_test_id(f"request-{number}")).to_be_visible()
    shoot(qian, "desk-list", language)
    qian.get_by_test_id(f"request-{number}").locator("a").first.click()
    expect(qian.get_by_test_id("request-facts")).to_contain_text(
        words(language, "登录客户中心", "signing in to the portal")
    )
    with qian.expect_navigation():
        qian.get_by_test_id("take").click()
    qian.get_by_test_id("complete-form").locator("textarea[name=outcome]").fill(
        words(language, "资料已整理，请登录下载。", "Your data is ready to download.")
    )
    with qian.expect_navigation():
        qian.get_by_test_id("complete").click()
    expect(qian.get_by_test_id("request-status")).to_have_text(words(language, "已办结", "Completed"))
    expect(qian.get_by_test_id("request-export")).to_be_visible()
    shoot(qian, "desk-detail", language)
    qian.set_viewport_size(PHONE)  # type: ignore[arg-type]
    qian.reload()
    shoot(qian, "desk-detail", language)
    qian.set_viewport_size(WIDE)  # type: ignore[arg-type]

    # 3. The customer downloads her ZIP.
    liu.set_viewport_size(WIDE)  # type: ignore[arg-type]
    liu.reload()
    with liu.expect_download() as download_info:
        liu.get_by_test_id(f"download-{number}").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.zip"
    content = Path(download.path()).read_bytes()
    document = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    assert document["request"] == number
    assert document["tables"]["customer"][0]["name"] == "刘晓梅"
    assert number in [row["number"] for row in document["tables"]["privacy_data_requests"]]
    shoot(liu, "portal-done", language)

    # 4. The officer sees the download in the personal-data log.
    qian.goto(site.at("/desk/privacy/log/"))
    log = qian.get_by_test_id("personal-data-log")
    expect(log.locator("tbody tr").first).to_contain_text(
        words(language, "个人信息导出文件已下载", "Personal data export downloaded")
    )
    expect(log.locator("tbody tr").first).to_contain_text("Ms Liu")
    shoot(qian, "log", language)
    qian.set_viewport_size(PHONE)  # type: ignore[arg-type]
    qian.reload()
    shoot(qian, "log", language)
