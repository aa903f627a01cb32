from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    REASON_REQUIRED = "privacy_reason_required"
    NOT_PERSONAL_DATA = "privacy_not_personal_data"
    REVEAL_DENIED = "privacy_reveal_denied"
    INVALID_TEXT = "privacy_invalid_text"
    TEXT_TOO_LONG = "privacy_text_too_long"
    # data-subject requests
    REQUEST_DENIED = "privacy_request_denied"
    REQUEST_CLOSED = "privacy_request_closed"
    REQUEST_KIND_INVALID = "privacy_request_kind_invalid"
    REQUEST_IDENTITY_REQUIRED = "privacy_request_identity_required"
    REQUEST_NOT_CUSTOMER = "privacy_request_not_customer"
    REQUEST_OUTCOME_REQUIRED = "privacy_request_outcome_required"
    REQUEST_NOT_TAKEN = "privacy_request_not_taken"
    REQUEST_NO_CORRECTION = "privacy_request_no_correction"
    REQUEST_ANONYMISED = "privacy_request_customer_anonymised"
    LOG_DENIED = "privacy_log_denied"
    CONSENT_PURPOSE_UNKNOWN = "privacy_consent_purpose_unknown"
    CONSENT_INVALID = "privacy_consent_invalid"
    CONSENT_NOTICE_REQUIRED = "privacy_consent_notice_required"
    CONSENT_HOW_INFORMED_REQUIRED = "privacy_consent_how_informed_required"
    CONSENT_REQUIRED_PURPOSE = "privacy_consent_required_purpose"
    RETENTION_DENIED = "privacy_retention_denied"
    HOLD_SUBJECT_REQUIRED = "privacy_hold_subject_required"
    HOLD_RELEASED = "privacy_hold_released"
    # erasure
    LEGAL_HOLD = "privacy_legal_hold"
    ALREADY_ERASED = "privacy_already_erased"
    SCHEDULE_DAYS_INVALID = "privacy_schedule_days_invalid"
    RETENTION_RUNNING = "privacy_retention_running"


# The codes of refused text (charter.common.text.clean_text): the reason for seeing personal data.
TEXT_CODES = TextCodes(
    required=ErrorCode.REASON_REQUIRED, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
