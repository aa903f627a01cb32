from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    VIEW_DENIED = "standard_view_denied"
    EDIT_DENIED = "standard_edit_denied"
    ACKNOWLEDGE_DENIED = "standard_acknowledge_denied"
    REPORT_DENIED = "standard_report_denied"
    DUPLICATE_CODE = "standard_duplicate_code"
    INVALID_CODE = "standard_invalid_code"
    INVALID_KIND = "standard_invalid_kind"
    TITLE_REQUIRED = "standard_title_required"
    DRAFT_EXISTS = "standard_draft_exists"
    VERSION_NOT_DRAFT = "standard_version_not_draft"
    VERSION_EMPTY = "standard_version_empty"
    EFFECTIVE_AT_REQUIRED = "standard_effective_at_required"
    EFFECTIVE_BEFORE_PREVIOUS = "standard_effective_before_previous"
    INVALID_NUMBER = "standard_invalid_number"
    DUPLICATE_NUMBER = "standard_duplicate_number"
    TEXT_REQUIRED = "standard_text_required"
    MEASURE_REQUIRED = "standard_measure_required"
    COMPLAINT_ROUTE_REQUIRED = "standard_complaint_route_required"
    CATEGORY_REQUIRED = "standard_category_required"
    INVALID_CATEGORY = "standard_invalid_category"
    FIELD_NOT_APPLICABLE = "standard_field_not_applicable"
    INVALID_CITATION = "standard_invalid_citation"
    NOT_ACKNOWLEDGEABLE = "standard_not_acknowledgeable"
    ALREADY_ACKNOWLEDGED = "standard_already_acknowledged"
    # A registered gate (training: a required course still open) refuses the acknowledgement for now.
    ACKNOWLEDGEMENT_NEEDS_TRAINING = "standard_acknowledgement_needs_training"
    INVALID_TEXT = "standard_invalid_text"
    TEXT_TOO_LONG = "standard_text_too_long"


# The codes of refused text (charter.common.text.clean_text); blank text is refused by the services, with a
# code per field (standard_title_required, standard_text_required…).
TEXT_CODES = TextCodes(too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT)
