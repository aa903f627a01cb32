from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    MANAGE_DENIED = "quality_manage_denied"
    FINDINGS_DENIED = "quality_findings_denied"
    INVALID_PHRASE = "quality_invalid_phrase"
    DUPLICATE_PHRASE = "quality_duplicate_phrase"
    INVALID_CLAUSE = "quality_invalid_clause"
    # Scorecards and sampling.
    SCORECARD_DENIED = "quality_scorecard_denied"
    VERSION_NOT_DRAFT = "quality_version_not_draft"
    WEIGHTS_NOT_100 = "quality_weights_not_100"
    NO_CRITERIA = "quality_no_criteria"
    INVALID_CRITERION = "quality_invalid_criterion"
    UNPUBLISHED_CLAUSE = "quality_unpublished_clause"
    NO_PUBLISHED_VERSION = "quality_no_published_version"
    INVALID_RULE = "quality_invalid_rule"
    # Reviews.
    REVIEW_DENIED = "quality_review_denied"
    SELF_REVIEW = "quality_self_review"
    NOT_CASE_AGENT = "quality_not_case_agent"
    REVIEWER_OUT_OF_SCOPE = "quality_reviewer_out_of_scope"
    NO_REVIEWER = "quality_no_reviewer"
    INVALID_SCORE = "quality_invalid_score"
    REVIEW_CHANGED = "quality_review_changed"
    ALREADY_DISPUTED = "quality_already_disputed"
    REASON_REQUIRED = "quality_reason_required"
    # Calibration.
    CALIBRATION_DENIED = "quality_calibration_denied"
    CALIBRATION_STATE = "quality_calibration_state"
    # Text (charter.common.text.clean_text).
    INVALID_TEXT = "quality_invalid_text"
    TEXT_TOO_LONG = "quality_text_too_long"


# The codes of refused text (charter.common.text.clean_text); blank text is refused by the services, with a
# code per field (quality_reason_required, quality_invalid_criterion…).
TEXT_CODES = TextCodes(too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT)
