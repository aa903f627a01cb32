from enum import StrEnum


class ErrorCode(StrEnum):
    MANAGE_DENIED = "mail_manage_denied"
    UNKNOWN_TEMPLATE = "mail_unknown_template"
    INVALID_TEMPLATE = "mail_invalid_template"
    INVALID_ADDRESS = "mail_invalid_address"
    NOT_QUARANTINED = "mail_not_quarantined"
    NOT_FAILED = "mail_not_failed"
    WEBHOOK_URL_REFUSED = "mail_webhook_url_refused"
    INVALID_FIELD = "mail_invalid_field"
