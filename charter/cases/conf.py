"""The cases app's settings, each with a default; read when used, never at import time.

An installation overrides any of them in charter/config/settings.py (or a test with `settings`).
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Case numbers: PREFIX-YYYY-NNNNNN, the year in the installation's time zone.
    "CHARTER_CASES_NUMBER_PREFIX": "TS",
    # How far back (calendar days) staff may date a case they log after the call or visit.
    "CHARTER_CASES_BACKDATE_DAYS": 30,
    # How long after resolution (calendar days) a case may be reopened by staff.
    "CHARTER_CASES_REOPEN_DAYS": 30,
    # How long after resolution (calendar days) the customer may accept or appeal.
    "CHARTER_CASES_APPEAL_DAYS": 15,
    # The reconsideration's own deadline when no SLA target names one: an amount, unit and basis as in sla.
    "CHARTER_CASES_RECONSIDERATION_TARGET": (10, "working_days", "working_time"),
    # The targets used for a metric sla has none for (amount, unit, basis).
    "CHARTER_CASES_FALLBACK_TARGETS": {
        "first_response": (1, "working_days", "working_time"),
        "next_response": (3, "working_days", "working_time"),
        "resolution": (5, "working_days", "working_time"),
    },
    # Share of a target after which a clock warns, when the target gives none.
    "CHARTER_CASES_WARN_AT_SHARE": "0.75",
    # Attachments.
    "CHARTER_CASES_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "CHARTER_CASES_ATTACHMENTS_PER_CASE": 50,
    "CHARTER_CASES_ATTACHMENT_TYPES": (
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "audio/mpeg",
        "audio/wav",
        "video/mp4",
        # Active content is accepted as evidence but only ever served as a download.
        "text/html",
        "image/svg+xml",
        "application/xml",
        "text/javascript",
    ),
    # Texts.
    "CHARTER_CASES_TITLE_MAX_LENGTH": 200,
    "CHARTER_CASES_TEXT_MAX_LENGTH": 20000,
    # E-mail from an inquiry mailbox becomes another kind when its subject has one of these words.
    "CHARTER_CASES_MAIL_KIND_WORDS": {
        "complaint": ("投诉", "complaint"),
        "suggestion": ("建议", "suggestion"),
        "praise": ("表扬", "感谢信", "praise"),
    },
    # The sweep handles due clocks in batches of this size.
    "CHARTER_CASES_SWEEP_BATCH": 500,
    # Requests for a new tracking link (the lost-link page) per case number per hour; per client address
    # the public forms' CHARTER_INTAKE_MAX_PER_HOUR applies.
    "CHARTER_CASES_LINK_REQUESTS_PER_HOUR": 5,
}


def cases_setting(name: str) -> Any:
    """Return the setting `name`, or its default from DEFAULTS."""
    return getattr(settings, name, DEFAULTS[name])
