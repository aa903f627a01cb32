from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    MANAGE_DENIED = "survey_manage_denied"
    RESULTS_DENIED = "survey_results_denied"
    RECOVERY_DENIED = "survey_recovery_denied"
    NOT_DRAFT = "survey_not_draft"
    NO_QUESTIONS = "survey_no_questions"
    INVALID_FIELD = "survey_invalid_field"
    INVALID_ANSWER = "survey_invalid_answer"
    INVALID_TEXT = "survey_invalid_text"
    TEXT_TOO_LONG = "survey_text_too_long"
    ANSWER_REQUIRED = "survey_answer_required"
    ALREADY_ANSWERED = "survey_already_answered"
    EXPIRED = "survey_expired"
    VERSION_REQUIRED = "survey_version_required"
    # 好差评: the review loop and its appeal (charter/surveys/reviews.py).
    REVIEW_DENIED = "survey_review_denied"
    REVIEW_INVALID = "survey_review_invalid"
    REVIEW_EVIDENCE_REQUIRED = "survey_review_evidence_required"
    APPEAL_DENIED = "survey_appeal_denied"
    APPEAL_NOT_ALLOWED = "survey_appeal_not_allowed"
    APPEAL_ALREADY_FILED = "survey_appeal_already_filed"
    APPEAL_TOO_LATE = "survey_appeal_too_late"
    APPEAL_DECIDE_DENIED = "survey_appeal_decide_denied"


# The codes of refused text (charter.common.text.clean_text): in the configuration and in an answer.
TEXT_CODES = TextCodes(
    required=ErrorCode.INVALID_FIELD, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
ANSWER_TEXT_CODES = TextCodes(
    required=ErrorCode.ANSWER_REQUIRED, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
REVIEW_TEXT_CODES = TextCodes(
    required=ErrorCode.REVIEW_INVALID, too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
