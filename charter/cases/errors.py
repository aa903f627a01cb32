from enum import StrEnum

from charter.common.files import FileCodes
from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    VIEW_DENIED = "case_view_denied"
    VERSION_REQUIRED = "case_version_required"
    INTAKE_THROTTLED = "case_intake_throttled"
    CREATE_DENIED = "case_create_denied"
    EDIT_DENIED = "case_edit_denied"
    REPLY_DENIED = "case_reply_denied"
    NOTE_DENIED = "case_note_denied"
    ASSIGN_DENIED = "case_assign_denied"
    RESOLVE_DENIED = "case_resolve_denied"
    MERGE_DENIED = "case_merge_denied"
    CONFIGURE_DENIED = "case_configure_denied"
    STATS_DENIED = "case_stats_denied"
    INVALID_KIND = "case_invalid_kind"
    INVALID_CHANNEL = "case_invalid_channel"
    INVALID_PRIORITY = "case_invalid_priority"
    INVALID_STATUS = "case_invalid_status"
    INVALID_FIELD = "case_invalid_field"
    INVALID_CATEGORY = "case_invalid_category"
    INVALID_SERVICE = "case_invalid_service"
    INVALID_OUTCOME = "case_invalid_outcome"
    INVALID_ROOT_CAUSE = "case_invalid_root_cause"
    INVALID_AMOUNT = "case_invalid_amount"
    INVALID_TEAM = "case_invalid_team"
    INVALID_ASSIGNEE = "case_invalid_assignee"
    INVALID_NAMED_STAFF = "case_invalid_named_staff"
    INVALID_QUEUE = "case_invalid_queue"
    INVALID_ORDER = "case_invalid_order"
    INVALID_TEXT = "case_invalid_text"
    TITLE_REQUIRED = "case_title_required"
    DESCRIPTION_REQUIRED = "case_description_required"
    BODY_REQUIRED = "case_body_required"
    REASON_REQUIRED = "case_reason_required"
    REASONS_REQUIRED = "case_reasons_required"
    TOO_LONG = "case_too_long"
    CUSTOMER_REQUIRED = "case_customer_required"
    NAMED_STAFF_EXCLUDED = "case_named_staff_excluded"
    SAME_HANDLER = "case_same_handler"
    UNQUALIFIED = "case_handler_unqualified"
    RESOLUTION_REQUIRED = "case_resolution_required"
    APPEAL_REQUIRED = "case_appeal_required"
    WINDOW_CLOSED = "case_window_closed"
    CASE_CLOSED = "case_closed"
    NOT_RESOLVED = "case_not_resolved"
    ALREADY_APPEALED = "case_already_appealed"
    SAME_CASE = "case_same_case"
    ALREADY_LINKED = "case_already_linked"
    MERGE_COMPLAINT = "case_merge_complaint"
    MERGE_CUSTOMER_MISMATCH = "case_merge_customer_mismatch"
    ALREADY_MERGED = "case_already_merged"
    NO_ARRIVAL_PROMISED = "case_no_arrival_promised"
    FILE_REQUIRED = "case_file_required"
    FILE_TOO_LARGE = "case_file_too_large"
    FILE_TYPE_REFUSED = "case_file_type_refused"
    FILE_CONTENT_MISMATCH = "case_file_content_mismatch"
    TOO_MANY_FILES = "case_too_many_files"
    TOKEN_INVALID = "case_token_invalid"  # noqa: S105 (an error code, not a secret)
    NO_ELIGIBLE_HANDLER = "case_no_eligible_handler"
    CONSENT_INVALID = "case_consent_invalid"


# The codes of refused text and files (charter.common.text.clean_text, charter.common.files.file_check);
# services.text_clean gives a required title, description, body or reasons its own code.
TEXT_CODES = TextCodes(
    required=ErrorCode.REASON_REQUIRED, too_long=ErrorCode.TOO_LONG, invalid=ErrorCode.INVALID_TEXT
)
FILE_CODES = FileCodes(
    required=ErrorCode.FILE_REQUIRED,
    too_large=ErrorCode.FILE_TOO_LARGE,
    type_refused=ErrorCode.FILE_TYPE_REFUSED,
    invalid_name=ErrorCode.INVALID_TEXT,
)
