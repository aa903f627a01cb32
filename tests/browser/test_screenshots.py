"""`make screenshots`: PNGs of the main pages in both languages, at 1280 and 390 px, in docs/screenshots/.

Runs only when CHARTER_SCREENSHOTS names the folder; each page is also checked like any other the browser
suite opens (no console error, no CSP violation, no unexpected 4xx/5xx).
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from tests.browser.conftest import PHONE, WIDE, Site, Watch, sign_in
from tests.browser.test_public import complain_about_a_service

FOLDER = os.environ.get("CHARTER_SCREENSHOTS", "")
pytestmark = pytest.mark.skipif(not FOLDER, reason="set CHARTER_SCREENSHOTS (make screenshots)")

# (name, who signs in or "", path; "{case}" is a case the agent handles, "{track}" its tracking page)
PAGES = [
    ("home", "", "/"),
    ("service", "", "/services/{service}/"),
    ("contact", "", "/cases/new/"),
    ("tracking", "", "{track}"),
    ("standards", "", "/standards/"),
    ("desk-home", "li.agent", "/desk/"),
    ("desk-queue", "li.agent", "/desk/cases/"),
    ("desk-case", "{handler}", "{case}"),
    ("customer", "{handler}", "{customer}"),
    ("lost-link", "", "/track/"),
    ("qa-review", "admin", "{review}"),
    ("violations-report", "wang.supervisor", "/desk/conduct/reports/"),
    ("team-load", "wang.supervisor", "/desk/cases/supervisor/"),
    ("survey-results", "wang.supervisor", "/desk/surveys/results/"),
    ("qa-report", "sun.qa", "/desk/quality/reports/"),
    ("audit", "admin", "/desk/audit/"),
]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_screenshots_of_the_main_pages(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, viewport: dict[str, int]
) -> None:
    from charter.cases.models import Case
    from charter.quality.models import Review

    folder = Path(settings.BASE_DIR) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    visitor, _ = browse(language, viewport=viewport)
    number = complain_about_a_service(visitor, site, language, email="shots@example.com")
    track = visitor.url.removeprefix(site.url)
    case = Case.objects.select_related("assignee").get(number=number)
    handler = case.assignee.username if case.assignee else "wang.supervisor"
    visitor.goto(site.at("/services/"))
    service = visitor.locator("main a[href^='/services/'][href$='/']").first.get_attribute("href") or "/"
    review = Review.objects.order_by("pk").values_list("pk", flat=True).first()
    pages: dict[str, Page] = {"": visitor}

    for name, who, path in PAGES:
        who = handler if who == "{handler}" else who
        if who not in pages:
            pages[who], _ = browse(language, viewport=viewport)
            sign_in(pages[who], site, who)
        page = pages[who]
        target = (
            path.replace("{track}", track)
            .replace("{case}", f"/desk/cases/{number}/")
            .replace("{customer}", f"/desk/customers/{case.customer_id}/")
            .replace("{review}", f"/desk/quality/reviews/{review}/")
        )
        page.goto(site.at(target.replace("/services/{service}/", service)))
        suffix = "zh" if language == "zh-hans" else "en"
        page.screenshot(path=str(folder / f"{name}-{suffix}-{viewport['width']}.png"), full_page=True)
