"""Production mode refuses unsafe configuration; it runs in a subprocess so these tests' settings stay put."""

import base64
import os
import secrets
import subprocess
import sys

import pytest

GOOD_KEY = secrets.token_urlsafe(50)


def _load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CHARTER_")} | env
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE)"
    )
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=False)  # noqa: S603


def _production(**extra: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "charter.config.settings",
        "CHARTER_ENV": "production",
        "CHARTER_SECRET_KEY": GOOD_KEY,
        "CHARTER_ALLOWED_HOSTS": "charter.example.cn",
        "CHARTER_DATA_KEYS": "k1:" + base64.b64encode(b"x" * 32).decode(),
        "CHARTER_BLIND_INDEX_KEY": "blind-index-secret",
        "CHARTER_SITE_URL": "https://charter.example.cn",
        "CHARTER_AUDIT_KEY": secrets.token_urlsafe(40),
        "EMAIL_HOST": "smtp.example.cn",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v != "<unset>"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CHARTER_SECRET_KEY": "<unset>"}, "CHARTER_SECRET_KEY"),
        ({"CHARTER_SECRET_KEY": "short"}, "CHARTER_SECRET_KEY"),
        ({"CHARTER_ALLOWED_HOSTS": "<unset>"}, "CHARTER_ALLOWED_HOSTS"),
        ({"CHARTER_DATA_KEYS": "<unset>"}, "CHARTER_DATA_KEYS"),
        ({"CHARTER_DATA_KEYS": "k1:not-base64!"}, "CHARTER_DATA_KEYS"),
        ({"CHARTER_BLIND_INDEX_KEY": "<unset>"}, "CHARTER_BLIND_INDEX_KEY"),
        ({"CHARTER_AUDIT_KEY": "<unset>"}, "CHARTER_AUDIT_KEY"),
        ({"CHARTER_AUDIT_KEY": "short"}, "CHARTER_AUDIT_KEY"),
        ({"CHARTER_DEBUG": "1"}, "CHARTER_DEBUG"),
        ({"CHARTER_SITE_URL": "<unset>"}, "CHARTER_SITE_URL"),
        ({"CHARTER_SITE_URL": "charter.example.cn"}, "CHARTER_SITE_URL"),
        ({"CHARTER_DEBUG": "maybe"}, "boolean"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(change: dict[str, str], message: str) -> None:
    result = _load(_production(**change))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_with_real_settings_starts_with_secure_cookies() -> None:
    result = _load(_production())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_passes_djangos_deployment_checks() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARTER_")} | _production()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
