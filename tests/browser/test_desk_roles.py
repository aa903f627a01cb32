"""Journey 6: as each kind of staff member, every link of the desk navigation opens, in both languages.

Each role sees exactly the links it may open: a link that answers 403 or 404 fails the test (the page
watch fails on any 4xx/5xx), and so does a JavaScript error or CSP violation on any of the pages.
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Site, Watch, sign_in

ROLES = ["li.agent", "wang.supervisor", "sun.qa", "zhou.trainer", "admin"]


@pytest.mark.parametrize("username", ROLES)
def test_every_desk_link_opens_for_the_role_that_sees_it(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, username: str
) -> None:
    page, watch = browse(language)
    sign_in(page, site, username)
    page.goto(site.at("/desk/"))
    links = page.eval_on_selector_all(".desk-nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert len(links) >= 5, links

    opened = []
    for href in dict.fromkeys(links):
        if href.startswith("/admin/"):
            continue  # Django's own admin: not ours to judge here
        response = page.goto(site.at(href))
        assert response is not None and response.status == 200, (
            f"{username}: {href} answered {response and response.status}"
        )
        assert page.locator("main h1").count() >= 1, f"{username}: {href} has no heading"
        opened.append(href)

    assert watch.problems == []
    assert "/desk/" in opened
