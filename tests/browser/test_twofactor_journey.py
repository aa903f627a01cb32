"""Journey of two-factor authentication (issue 16), in Chinese and in English: a new administrator signs
in with his password and is sent to set up his authenticator (a QR code and the secret in text), confirms
it with the code his app shows, is shown his ten recovery codes once, reaches the desk, signs out, and signs
in again with his password and then a code. Pages photographed at 1280 and 390 px to /tmp/shots/signin."""

import base64
import uuid
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    PHONE,
    WIDE,
    Site,
    Watch,
    authenticator_code,
    page_overflow,
    words,
)

SHOTS = Path("/tmp/shots/signin")  # noqa: S108 - photographs for the reader of the report, not committed


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


def new_administrator() -> str:
    from charter.accounts.models import User

    username = f"admin.{uuid.uuid4().hex[:6]}"
    user = User.objects.create_user(
        username=username, password=DEMO_PASSWORD, email=f"{username}@example.com"
    )
    user.groups.add(Group.objects.get(name="administrator"))
    return username


def password_step(page: Page, site: Site, username: str) -> None:
    page.goto(site.at("/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_an_administrator_sets_up_two_factor_and_signs_in_with_a_code(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    username = new_administrator()
    page, _watch = browse(language)

    # The password alone leads to the set-up page, and nothing else opens until it is done.
    password_step(page, site, username)
    assert page.url == site.at("/accounts/2fa/")
    page.goto(site.at("/desk/"))
    assert page.url == site.at("/accounts/2fa/")
    expect(page.locator("main h1")).to_have_text(
        words(language, "设置双重验证", "Set up two-factor authentication")
    )
    expect(page.locator(".twofactor-qr svg")).to_be_visible()
    shoot(page, "twofactor-enrol", language)

    # The authenticator app is given the secret as typed from the page; it shows the code.
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    key = base64.b32decode(secret)
    page.fill("input[name=code]", "000000" if f"{totp(key):06d}" != "000000" else "111111")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    expect(page.locator("p.error")).to_be_visible()
    page.fill("input[name=code]", f"{totp(key):06d}")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    shoot(page, "twofactor-codes", language)

    page.goto(site.at("/desk/"))
    assert page.url == site.at("/desk/")

    # Sign out, then in again: the password, then the code.
    with page.expect_navigation():
        page.locator("header form[action='/accounts/logout/'] button").click()
    password_step(page, site, username)
    assert page.url == site.at("/accounts/login/code/")
    expect(page.locator("main h1")).to_have_text(words(language, "双重验证", "Two-factor authentication"))
    shoot(page, "twofactor-signin", language)
    page.goto(site.at("/desk/"))
    assert page.url.startswith(site.at("/accounts/login/"))  # not signed in before the code
    page.goto(site.at("/accounts/login/code/"))
    page.fill("input[name=code]", authenticator_code(username))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(site.at("/desk/"))
    assert page.url == site.at("/desk/")
    page.goto(site.at("/accounts/2fa/"))
    shoot(page, "twofactor-manage", language)
