from enum import StrEnum


class ErrorCode(StrEnum):
    VIEW_DENIED = "audit_view_denied"
    EXPORT_DESTINATION_INVALID = "audit_export_destination_invalid"
