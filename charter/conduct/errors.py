from enum import StrEnum

from charter.common.files import FileCodes
from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    VIEW_DENIED = "conduct_view_denied"
    RECORD_DENIED = "conduct_record_denied"
    DECIDE_DENIED = "conduct_decide_denied"
    APPROVE_DENIED = "conduct_approve_denied"
    RESPOND_DENIED = "conduct_respond_denied"
    APPEAL_DENIED = "conduct_appeal_denied"
    MANAGE_DENIED = "conduct_manage_denied"
    NOT_STAFF = "conduct_not_staff"
    CLAUSE_NOT_CONDUCT = "conduct_clause_not_conduct"
    CLAUSE_NOT_PUBLISHED = "conduct_clause_not_published"
    CLAUSE_NOT_IN_FORCE = "conduct_clause_not_in_force"
    NOT_ACKNOWLEDGED = "conduct_not_acknowledged"
    SELF_DECISION = "conduct_self_decision"
    SAME_DECIDER = "conduct_same_decider"
    SAME_APPROVER = "conduct_same_approver"
    SAME_APPROVER_APPEAL = "conduct_same_approver_appeal"
    SECOND_APPEAL = "conduct_second_appeal"
    DEADLINE_PASSED = "conduct_deadline_passed"
    INVALID_STEP = "conduct_invalid_step"
    REASON_REQUIRED = "conduct_reason_required"
    TEXT_REQUIRED = "conduct_text_required"
    TOO_LONG = "conduct_too_long"
    INVALID_TEXT = "conduct_invalid_text"
    OCCURRED_IN_FUTURE = "conduct_occurred_in_future"
    INVALID_SEVERITY = "conduct_invalid_severity"
    INVALID_TEAM = "conduct_invalid_team"
    INVALID_EVIDENCE = "conduct_invalid_evidence"
    FILE_REQUIRED = "conduct_file_required"
    FILE_TOO_LARGE = "conduct_file_too_large"
    FILE_TYPE_REFUSED = "conduct_file_type_refused"
    INVALID_FILE_NAME = "conduct_invalid_file_name"
    FINES_DISABLED = "conduct_fines_disabled"
    INVALID_FINE = "conduct_invalid_fine"
    INVALID_SETTING = "conduct_invalid_setting"
    INVALID_OUTCOME = "conduct_invalid_outcome"


# The codes of refused text and files (charter.common.text.clean_text, charter.common.files.file_check).
TEXT_CODES = TextCodes(
    required=ErrorCode.TEXT_REQUIRED, too_long=ErrorCode.TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
FILE_CODES = FileCodes(
    required=ErrorCode.FILE_REQUIRED,
    too_large=ErrorCode.FILE_TOO_LARGE,
    type_refused=ErrorCode.FILE_TYPE_REFUSED,
    invalid_name=ErrorCode.INVALID_FILE_NAME,
)
