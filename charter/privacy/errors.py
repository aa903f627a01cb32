from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    REASON_REQUIRED = "privacy_reason_required"
    NOT_PERSONAL_DATA = "privacy_not_personal_data"
    REVEAL_DENIED = "privacy_reveal_denied"
    INVALID_TEXT = "privacy_invalid_text"
    TEXT_TOO_LONG = "privacy_text_too_long"
    # erasure
    LEGAL_HOLD = "privacy_legal_hold"
    ALREADY_ERASED = "privacy_already_erased"
    RETENTION_DENIED = "privacy_retention_denied"
    HOLD_SUBJECT_REQUIRED = "privacy_hold_subject_required"
    HOLD_RELEASED = "privacy_hold_released"
    SCHEDULE_DAYS_INVALID = "privacy_schedule_days_invalid"
    RETENTION_RUNNING = "privacy_retention_running"


# The codes of refused text (charter.common.text.clean_text): the reason for seeing personal data.
TEXT_CODES = TextCodes(
    required=ErrorCode.REASON_REQUIRED, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
