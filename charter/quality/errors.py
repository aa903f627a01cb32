from enum import StrEnum


class ErrorCode(StrEnum):
    MANAGE_DENIED = "quality_manage_denied"
    INVALID_PHRASE = "quality_invalid_phrase"
    DUPLICATE_PHRASE = "quality_duplicate_phrase"
    INVALID_CLAUSE = "quality_invalid_clause"
