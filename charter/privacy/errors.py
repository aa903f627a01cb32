from enum import StrEnum


class ErrorCode(StrEnum):
    REASON_REQUIRED = "reason_required"
    NOT_PERSONAL_DATA = "not_personal_data"
    REVEAL_DENIED = "reveal_denied"
