"""Keep the secrets that travel in URLs out of the logs.

A customer's tracking link (`/track/<token>/`), a survey link (`/s/<token>/`), a consent opt-out link
(`/privacy/opt-out/<token>/`) and a password-reset link
(`/accounts/reset/<uid>/<token>/`) are bearer secrets: whoever reads one in a log can open the case, answer
the survey or set the password. Django logs the path of every 404 and 500 (`django.request`), the
development server every request (`django.server`), and gunicorn's access log every request line and
referrer. `RedactSecretsFilter` (installed on the console handler by the settings) and `GunicornLogger`
(`--logger-class charter.common.logredact.GunicornLogger`) replace each such token with `[redacted]`.
"""

import logging
import re
from typing import Any

from gunicorn import glogging

_SECRET_PATHS = re.compile(r"(/track/|/s/|/privacy/opt-out/|/accounts/reset/[^/\s?#]+/)([^/\s?#\"']+)")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """Return `text` with the token of every secret link in it replaced by `[redacted]`."""
    return _SECRET_PATHS.sub(lambda match: match.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that redacts the secret links in a record's message (formatted once, here).

    It also drops the traceback Django attaches to its warning about each refused or missing page (4xx):
    the one line says what happened; a traceback is kept for server errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        try:
            message = record.getMessage()
        except Exception:  # a malformed call is the handler's to report, not the caller's problem
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with every access-log atom redacted (the request line, the path, the referrer, and
    the headers and environment variables a custom format can name) and its error log filtered."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # gunicorn's own error log names the path of a request it failed to handle.
        self.error_log.addFilter(RedactSecretsFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
