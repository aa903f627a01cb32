"""Journey of API tokens (issue 16), in Chinese and in English: a member of staff opens his API tokens from
his preferences, makes one named for his script with a 30-day expiry, copies the secret shown once, his
script uses it, the page no longer shows it, he revokes the token and the script is refused. Pages
photographed at 1280 and 390 px to /tmp/shots/tokens."""

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, WIDE, Site, Watch, page_overflow, sign_in, words

SHOTS = Path("/tmp/shots/tokens")  # noqa: S108 - photographs for the reader of the report, not committed


def shoot(page: Page, name: str, language: str) -> None:
    """Photograph the page at a desk's and a phone's width; at the phone's, nothing sticks out sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    short = "zh" if language == "zh-hans" else "en"
    for label, viewport in (("1280", WIDE), ("390", PHONE)):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.screenshot(path=str(SHOTS / f"{name}-{short}-{label}.png"), full_page=True)
        if viewport is PHONE:
            assert page_overflow(page) == 0, f"{name} is wider than a phone"
    page.set_viewport_size(WIDE)  # type: ignore[arg-type]


def new_agent() -> str:
    from charter.accounts.models import User

    username = f"agent.{uuid.uuid4().hex[:6]}"
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name="李明")
    user.groups.add(Group.objects.get(name="agent"))
    return username


def call_api(site: Site, secret: str) -> tuple[int, dict[str, str]]:
    """What the person's script gets from /api/v1/me/ with the token."""
    request = urllib.request.Request(  # noqa: S310 - the live test server
        site.at("/api/v1/me/"), headers={"Authorization": f"Token {secret}", "Accept-Language": "en"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_member_of_staff_makes_uses_and_revokes_an_api_token(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    username = new_agent()
    page, _watch = browse(language)
    sign_in(page, site, username)

    # From his preferences to his tokens: none yet.
    page.goto(site.at("/accounts/preferences/"))
    page.locator("[data-testid=api-tokens-link]").click()
    expect(page.locator("main h1")).to_have_text(words(language, "API 令牌", "API tokens"))
    expect(page.locator("[data-testid=no-tokens]")).to_be_visible()
    shoot(page, "tokens-empty", language)

    # He makes one for his nightly export, for 30 days.
    page.fill("input[name=name]", words(language, "夜间导出脚本", "Nightly export script"))
    page.select_option("select[name=expires_in_days]", "30")
    with page.expect_navigation():
        page.locator("[data-testid=token-form] button[type=submit]").click()
    secret = page.locator("[data-testid=token-secret]").inner_text().strip()
    assert secret.startswith("cht_") and len(secret) > 40
    expect(page.locator("[data-testid=new-token]")).to_contain_text(
        words(language, "只显示这一次", "shown only this once")
    )
    expect(page.locator("[data-testid=token-list] .badge")).to_have_text(words(language, "有效", "active"))
    shoot(page, "tokens-made", language)

    # His script uses it.
    status, body = call_api(site, secret)
    assert status == 200 and body["username"] == username

    # The page never shows the secret again.
    page.goto(site.at("/accounts/tokens/"))
    assert secret not in page.content()
    expect(page.locator("[data-testid=token-list]")).to_contain_text(
        words(language, "夜间导出脚本", "Nightly export script")
    )

    # He revokes it; the script is refused from then on.
    with page.expect_navigation():
        page.locator("[data-testid=token-list] button[name=revoke]").click()
    expect(page.locator(".messages")).to_contain_text(words(language, "已撤销", "was revoked"))
    expect(page.locator("[data-testid=token-list] .badge")).to_have_text(words(language, "已撤销", "revoked"))
    expect(page.locator("[data-testid=token-list] button[name=revoke]")).to_have_count(0)
    shoot(page, "tokens-revoked", language)
    status, body = call_api(site, secret)
    assert status == 401 and body["code"] == "account_token_revoked"
