"""System checks of the deployment (`manage.py check --deploy`), registered by CommonConfig.ready."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

TOY_EMAIL_BACKENDS = ("console", "locmem", "dummy", "filebased")


def _toy_backend(backend: str) -> bool:
    parts = backend.split(".")
    return len(parts) >= 2 and parts[-2] in TOY_EMAIL_BACKENDS


@register(Tags.security, deploy=True)
def mail_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """charter.E001: a deployment must deliver mail. The console, in-memory, dummy and file backends never
    deliver it, and the console one prints sign-in links, tokens and personal data into the log."""
    backend = str(getattr(settings, "EMAIL_BACKEND", ""))
    if not _toy_backend(backend):
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {backend}, which never delivers mail and keeps or prints tokens and "
            "personal data.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS) to "
            "the SMTP server Charter sends through.",
            id="charter.E001",
        )
    ]


@register(Tags.security, deploy=True)
def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """charter.E002: the audit chain's key must be the operator's own, not derived from the secret key."""
    key = getattr(settings, "CHARTER_AUDIT_KEY", b"")
    secret = str(getattr(settings, "SECRET_KEY", ""))
    if key and key != ("charter-audit:" + secret).encode():
        return []
    return [
        Error(
            "CHARTER_AUDIT_KEY is not set: the audit chain is keyed with a value derived from the secret "
            "key.",
            hint="Set CHARTER_AUDIT_KEY to a random value of 32+ characters kept outside the database "
            "(README, Production).",
            id="charter.E002",
        )
    ]
