from enum import StrEnum


class ErrorCode(StrEnum):
    DISCLOSURE_DENIED = "disclosure_denied"
    INVALID_MINIMUM_SAMPLE = "invalid_minimum_sample"
