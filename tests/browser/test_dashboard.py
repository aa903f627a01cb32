"""The management dashboard in the demo: a supervisor sees his subtree's figures, an administrator the whole
organisation's; both filter by unit and period, follow a tile to its list, and read it on a phone."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Site, Watch, page_overflow, sign_in, words

SHOTS = Path(os.environ.get("CHARTER_DASHBOARD_SHOTS") or Path(tempfile.gettempdir()) / "shots" / "dashboard")


def _shoot(page: Page, name: str, language: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)


def test_a_supervisor_reads_his_teams_dashboard_and_follows_a_tile(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "wang.supervisor")
    page.goto(site.at("/desk/"))
    page.locator(".desk-nav").get_by_role(
        "link", name=words(language, "管理看板", "Management dashboard")
    ).click()

    expect(page.locator("h1")).to_have_text(words(language, "管理看板", "Management dashboard"))
    expect(page.get_by_test_id("dashboard-refreshed")).to_contain_text(
        words(language, "刷新于", "refreshed at")
    )
    tiles = page.get_by_test_id("dashboard-tiles")
    expect(tiles.get_by_test_id("tile-received")).to_be_visible()
    expect(page.get_by_test_id("chart-dash-backlog").locator("svg title").first).to_have_text(
        words(language, "按时长分的未结工单", "Open cases by age")
    )
    page.select_option("select[name=period]", "last_12_months")
    with page.expect_navigation():
        page.get_by_test_id("dashboard-filters").locator("button[type=submit]").click()
    assert "period=last_12_months" in page.url
    _shoot(page, "supervisor", language)

    with page.expect_navigation():
        tiles.get_by_test_id("tile-complaints").click()
    assert "/desk/cases/" in page.url and "kind=complaint" in page.url
    expect(page.locator("select[name=kind]")).to_have_value("complaint")


def test_an_administrator_filters_by_unit_and_reads_it_on_a_phone(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.accounts.models import OrgUnit

    page, _ = browse(language)
    sign_in(page, site, "admin")
    page.goto(site.at("/desk/dashboard/?period=this_year"))
    whole = page.get_by_test_id("dashboard-scope").inner_text()
    assert words(language, "整个组织", "The whole organisation") in whole
    _shoot(page, "administrator", language)

    unit = OrgUnit.objects.filter(teams__isnull=False).order_by("path").first()
    assert unit is not None
    page.select_option("select[name=unit]", str(unit.pk))
    with page.expect_navigation():
        page.get_by_test_id("dashboard-filters").locator("button[type=submit]").click()
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text(
        str(unit.name_zh if language == "zh-hans" else unit.name_en or unit.name_zh)
    )

    phone, _ = browse(language, viewport=PHONE)
    sign_in(phone, site, "admin")
    phone.goto(site.at("/desk/dashboard/?period=last_12_months"))
    expect(phone.get_by_test_id("dashboard-tiles")).to_be_visible()
    assert page_overflow(phone) == 0
    _shoot(phone, "administrator", language)
