from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    MANAGE_DENIED = "mail_manage_denied"
    UNKNOWN_TEMPLATE = "mail_unknown_template"
    INVALID_TEMPLATE = "mail_invalid_template"
    INVALID_ADDRESS = "mail_invalid_address"
    NOT_QUARANTINED = "mail_not_quarantined"
    NOT_FAILED = "mail_not_failed"
    WEBHOOK_URL_REFUSED = "mail_webhook_url_refused"
    MAIL_HOST_REFUSED = "mail_host_refused"
    INVALID_FIELD = "mail_invalid_field"
    INVALID_TEXT = "mail_invalid_text"
    TEXT_TOO_LONG = "mail_text_too_long"


# The codes of refused text (charter.common.text.clean_text) an administrator enters; blank text is refused
# by the services (mail_invalid_template, or mail_invalid_field by the model's own validation). Inbound mail
# is never refused for its characters: charter.mail.parsing drops them.
TEXT_CODES = TextCodes(too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT)
