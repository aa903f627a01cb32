from enum import StrEnum


class ErrorCode(StrEnum):
    REASON_REQUIRED = "privacy_reason_required"
    NOT_PERSONAL_DATA = "privacy_not_personal_data"
    REVEAL_DENIED = "privacy_reveal_denied"
