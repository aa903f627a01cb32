from enum import StrEnum


class ErrorCode(StrEnum):
    MANAGE_DENIED = "survey_manage_denied"
    RESULTS_DENIED = "survey_results_denied"
    RECOVERY_DENIED = "survey_recovery_denied"
    NOT_DRAFT = "survey_not_draft"
    NO_QUESTIONS = "survey_no_questions"
    INVALID_FIELD = "survey_invalid_field"
    INVALID_ANSWER = "survey_invalid_answer"
    ANSWER_REQUIRED = "survey_answer_required"
    ALREADY_ANSWERED = "survey_already_answered"
    EXPIRED = "survey_expired"
    CONFLICT = "conflict"
