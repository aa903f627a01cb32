"""The page frame every public and desk page shares: the icon, and the footer held at the bottom."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR, "charter", "static", "charter")


def test_pages_link_the_icon_and_the_automatic_favicon_request_finds_it(client: Client) -> None:
    page = client.get("/standards/").content.decode()
    automatic = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/charter/favicon.svg" type="image/svg+xml">' in page
    assert automatic.status_code == 302 and automatic["Location"] == "/static/charter/favicon.svg"
    icon = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    assert icon.startswith("<svg") and 'viewBox="0 0 32 32"' in icon


def test_the_body_is_a_column_as_tall_as_the_window_and_main_keeps_clear_of_the_header() -> None:
    css = (STATIC / "charter.css").read_text(encoding="utf-8")

    assert re.search(r"body \{ display: flex; flex-direction: column; min-height: 100vh; \}", css)
    # main is also .wrap, whose padding shorthand would win over a plain `main` rule.
    assert re.search(r"main\.wrap \{[^}]*flex: 1 0 auto;[^}]*padding-top: 1\.5rem;", css)
