from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    OPEN_DENIED = "improvement_open_denied"
    VERSION_REQUIRED = "improvement_version_required"
    MANAGE_DENIED = "improvement_manage_denied"
    VIEW_DENIED = "improvement_view_denied"
    INVALID_FIELD = "improvement_invalid_field"
    INVALID_TEXT = "improvement_invalid_text"
    TEXT_TOO_LONG = "improvement_text_too_long"
    INVALID_SOURCE = "improvement_invalid_source"
    INVALID_CASE = "improvement_invalid_case"
    ITEMS_NOT_DONE = "improvement_items_not_done"
    ITEM_DONE = "improvement_item_already_done"
    CHECK_NOT_DUE = "improvement_check_not_due"
    NOT_EFFECTIVE = "improvement_not_checked_effective"
    CLOSURE_BY_OWNER = "improvement_closure_by_owner"
    CHECK_BY_OWNER = "improvement_check_by_owner"
    CHECK_PERIOD_LOCKED = "improvement_check_period_locked"
    TEAM_DENIED = "improvement_team_denied"
    VERDICT_UNSUPPORTED = "improvement_verdict_unsupported"


# The codes of refused text (charter.common.text.clean_text); blank required text is an invalid field, with
# a message that says what to write.
TEXT_CODES = TextCodes(
    required=ErrorCode.INVALID_FIELD, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
