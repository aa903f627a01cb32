"""Production refuses a mail backend that never delivers (and prints tokens), names its cookies `__Host-`,
and `check --deploy` reports the mail backend (charter.E001). Settings load in a subprocess, as in
test_settings.py, so these tests' own settings stay put."""

import os
import subprocess
import sys

import pytest
from django.core.checks import Error
from django.test import override_settings

from charter.common.checks import audit_key_check, mail_backend_check
from tests.common.test_settings import _production


def _run(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTER_", "EMAIL_"))} | env
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=False)  # noqa: S603


SETUP = "import django; django.setup(); from django.conf import settings as s; "


def test_production_refuses_to_start_without_an_smtp_server() -> None:
    result = _run(_production(EMAIL_HOST="<unset>"), SETUP + "print(s.EMAIL_BACKEND)")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_HOST" in result.stderr and "console" in result.stderr


def test_production_sends_through_smtp_and_names_its_cookies_host_only() -> None:
    result = _run(
        _production(),
        SETUP + "print(s.EMAIL_BACKEND, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
    ]


def test_development_keeps_the_plain_cookie_names() -> None:
    result = _run(
        {"DJANGO_SETTINGS_MODULE": "charter.config.settings"}, SETUP + "print(s.SESSION_COOKIE_NAME)"
    )

    assert result.stdout.strip() == "sessionid"


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_the_deploy_check_reports_a_mail_backend_that_never_delivers(backend: str) -> None:
    with override_settings(EMAIL_BACKEND=backend):
        messages = mail_backend_check()

    assert [(type(m), m.id) for m in messages] == [(Error, "charter.E001")]


def test_the_deploy_check_accepts_smtp_and_the_audit_key() -> None:
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", CHARTER_AUDIT_KEY=b"k" * 40
    ):
        assert mail_backend_check() == []
        assert audit_key_check() == []


def test_check_deploy_fails_with_charter_e001_in_development() -> None:
    env = {"DJANGO_SETTINGS_MODULE": "charter.config.settings"}
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTER_", "EMAIL_"))} | env
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=full,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "charter.E001" in result.stdout + result.stderr
