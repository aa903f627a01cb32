"""Journey 7: the public pages on a phone (390 px): nothing sticks out, and tables stay readable."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import PHONE, Site, Watch
from tests.browser.test_public import complain_about_a_service

# Tables wider than the screen must scroll inside a container of their own, not squeeze or push the page.
TABLES_FIT = """
() => Array.from(document.querySelectorAll('main table')).filter(table => {
  const width = document.documentElement.clientWidth;
  if (table.getBoundingClientRect().width <= width + 1) return false;
  for (let node = table.parentElement; node && node !== document.body; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && node.clientWidth <= width) return false;
  }
  return true;
}).map(table => table.outerHTML.slice(0, 120))
"""
# Text squeezed into a column a couple of characters wide is unreadable.
CELLS_READABLE = """
() => Array.from(document.querySelectorAll('main td, main th'))
  .filter(cell => {
    const width = cell.getBoundingClientRect().width;  // 0: hidden, as a stacked table hides its headers
    return cell.innerText.trim().length > 6 && width > 0 && width < 48;
  })
  .map(cell => cell.innerText.trim().slice(0, 40))
"""

PAGES = [
    "/",
    "/services/",
    "/services/{service}/",
    "/standards/",
    "/cases/new/",
    "/track/",
    "/accounts/login/",
]


def assert_fits_a_phone(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"
    assert page.evaluate(TABLES_FIT) == [], page.url
    assert page.evaluate(CELLS_READABLE) == [], page.url


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_fit_a_phone(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, path: str
) -> None:
    page, _watch = browse(language, viewport=PHONE)
    if "{service}" in path:
        page.goto(site.at("/services/"))
        path = page.locator("main a[href^='/services/'][href$='/']").last.get_attribute("href") or ""

    page.goto(site.at(path))

    assert_fits_a_phone(page)


def test_a_complaint_and_its_tracking_page_fit_a_phone(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _watch = browse(language, viewport=PHONE)

    complain_about_a_service(page, site, language, email="phone@example.com")

    assert "/track/" in page.url
    assert_fits_a_phone(page)
