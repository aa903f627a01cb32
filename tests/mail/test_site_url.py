"""The address mailed links start with: CHARTER_SITE_URL, required in production; in development the port
the server answers on (`PORT=8100 make run`), so the links the worker mails reach it."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from charter.config.settings import site_url_setting
from charter.mail.rendering import site_url


def test_development_follows_the_port_the_server_answers_on() -> None:
    assert site_url_setting("", production=False, port="8100") == "http://127.0.0.1:8100"
    assert site_url_setting("", production=False, port="") == "http://127.0.0.1:8000"


def test_a_configured_address_wins_and_loses_its_trailing_slash() -> None:
    assert (
        site_url_setting("https://charter.example.cn/", production=True, port="")
        == "https://charter.example.cn"
    )
    assert site_url_setting("http://10.0.0.5:9000/", production=False, port="8100") == "http://10.0.0.5:9000"


@pytest.mark.parametrize(
    ("configured", "production", "port"),
    [
        ("", True, "8100"),  # production never guesses
        ("charter.example.cn", True, ""),
        ("https://", False, ""),
        ("", False, "eighty"),
        ("", False, "70000"),
    ],
)
def test_a_missing_or_malformed_address_is_refused(configured: str, production: bool, port: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        site_url_setting(configured, production=production, port=port)


def _setting_in_a_fresh_process(env: dict[str, str]) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CHARTER_") and k != "PORT"} | env
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CHARTER_SITE_URL)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_settings_read_port_and_the_makefile_passes_the_address_to_web_and_worker() -> None:
    base = {"DJANGO_SETTINGS_MODULE": "charter.config.settings"}

    assert _setting_in_a_fresh_process(base | {"PORT": "8100"}) == "http://127.0.0.1:8100"
    assert _setting_in_a_fresh_process(base) == "http://127.0.0.1:8000"
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert 'export CHARTER_SITE_URL="$${CHARTER_SITE_URL:-http://127.0.0.1:$(PORT)}"' in run
    assert run.index("export CHARTER_SITE_URL") < run.index("run_huey") < run.index("runserver")


def test_mailed_links_start_with_the_setting(settings: Any) -> None:
    settings.CHARTER_SITE_URL = "http://127.0.0.1:8100"

    assert site_url("/track/abc/") == "http://127.0.0.1:8100/track/abc/"
