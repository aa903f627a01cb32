from enum import StrEnum


class ErrorCode(StrEnum):
    VIEW_DENIED = "audit_view_denied"
