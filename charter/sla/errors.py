from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    VIEW_DENIED = "sla_view_denied"
    EDIT_DENIED = "sla_edit_denied"
    DUPLICATE_CODE = "sla_duplicate_code"
    INVALID_CODE = "sla_invalid_code"
    NAME_REQUIRED = "sla_name_required"
    TEXT_TOO_LONG = "sla_text_too_long"
    INVALID_TEXT = "sla_invalid_text"
    INVALID_TIME_ZONE = "sla_invalid_time_zone"
    INVALID_WEEKDAY = "sla_invalid_weekday"
    INVALID_INTERVAL = "sla_invalid_interval"
    OVERLAPPING_INTERVAL = "sla_overlapping_interval"
    INVALID_DAY_KIND = "sla_invalid_day_kind"
    DUPLICATE_DAY = "sla_duplicate_day"
    WRONG_CALENDAR = "sla_wrong_calendar"
    DEFAULT_CALENDAR_REQUIRED = "sla_default_calendar_required"
    CALENDAR_IN_USE = "sla_calendar_in_use"
    INVALID_IMPORT = "sla_invalid_import"
    INVALID_CONDITION = "sla_invalid_condition"
    INVALID_SHARE = "sla_invalid_share"
    INVALID_METRIC = "sla_invalid_metric"
    INVALID_AMOUNT = "sla_invalid_amount"
    INVALID_UNIT = "sla_invalid_unit"
    INVALID_BASIS = "sla_invalid_basis"
    INVALID_ORDER = "sla_invalid_order"


# The codes of refused text (charter.common.text.clean_text); a missing name is NAME_REQUIRED.
TEXT_CODES = TextCodes(too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT)
