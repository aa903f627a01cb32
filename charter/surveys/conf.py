"""The surveys app's settings, each with a default; read when used, never at import time."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Nobody is asked twice within this many days (by any survey).
    "CHARTER_SURVEYS_COOLDOWN_DAYS": 30,
    # A link works for this many days after it was sent.
    "CHARTER_SURVEYS_LINK_DAYS": 14,
    # One reminder, this many hours after the invitation, if still unanswered (0: never remind).
    "CHARTER_SURVEYS_REMIND_AFTER_HOURS": 72,
    # Scores that open a recovery task: CSAT at or below, NPS at or below, CES at or below (1 = very hard).
    "CHARTER_SURVEYS_LOW_CSAT": 2,
    "CHARTER_SURVEYS_LOW_NPS": 4,
    "CHARTER_SURVEYS_LOW_CES": 2,
    # Words that make a comment negative (a recovery task), in both languages; case-insensitive.
    "CHARTER_SURVEYS_NEGATIVE_WORDS": (
        "不满意",
        "很差",
        "太差",
        "差劲",
        "失望",
        "态度恶劣",
        "态度差",
        "敷衍",
        "推诿",
        "没人管",
        "terrible",
        "awful",
        "disappointed",
        "rude",
        "worst",
        "unacceptable",
    ),
    # The recovery task's deadline (amount, unit, basis as in sla), in the team's business calendar.
    "CHARTER_SURVEYS_RECOVERY_TARGET": (2, "working_days", "working_time"),
    # 好差评 (国办发〔2019〕51号): a bad review ruled valid is rectified within this many working days of its
    # verification, and an appeal against it is filed within this many, both in the team's calendar.
    "CHARTER_SURVEYS_RECTIFY_WORKING_DAYS": 15,
    "CHARTER_SURVEYS_APPEAL_WORKING_DAYS": 5,
    # See charter.common.outbox: case events are read once no earlier transaction can still commit.
    "CHARTER_SURVEYS_EVENT_LAG_SECONDS": 30,
    # Longest free-text answer.
    "CHARTER_SURVEYS_TEXT_MAX_LENGTH": 2000,
}


def surveys_setting(name: str) -> Any:
    """Return the setting `name`, or its default from DEFAULTS."""
    return getattr(settings, name, DEFAULTS[name])
