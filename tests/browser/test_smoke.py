"""The browser suite's own check: Chromium opens the charter home in both languages."""

from collections.abc import Callable

from playwright.sync_api import Page

from tests.browser.conftest import Site, Watch, words


def test_the_charter_home_opens_in_the_chosen_language(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _watch = browse(language)

    assert page.locator("html").get_attribute("lang") == words(language, "zh-CN", "en")
    assert page.locator(".site-nav").inner_text().strip() != ""
