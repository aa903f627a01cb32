from enum import StrEnum

from charter.common.files import FileCodes
from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    VIEW_DENIED = "case_view_denied"
    CREATE_DENIED = "case_create_denied"
    EDIT_DENIED = "case_edit_denied"
    REPLY_DENIED = "case_reply_denied"
    NOTE_DENIED = "case_note_denied"
    ASSIGN_DENIED = "case_assign_denied"
    RESOLVE_DENIED = "case_resolve_denied"
    MERGE_DENIED = "case_merge_denied"
    CONFIGURE_DENIED = "case_configure_denied"
    CONFLICT = "conflict"
    INVALID_KIND = "invalid_kind"
    INVALID_CHANNEL = "invalid_channel"
    INVALID_PRIORITY = "invalid_priority"
    INVALID_STATUS = "invalid_status"
    INVALID_FIELD = "invalid_field"
    INVALID_CATEGORY = "invalid_category"
    INVALID_SERVICE = "invalid_service"
    INVALID_OUTCOME = "invalid_outcome"
    INVALID_ROOT_CAUSE = "invalid_root_cause"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_TEAM = "invalid_team"
    INVALID_ASSIGNEE = "invalid_assignee"
    INVALID_NAMED_STAFF = "invalid_named_staff"
    INVALID_QUEUE = "invalid_queue"
    INVALID_ORDER = "invalid_order"
    INVALID_TEXT = "invalid_text"
    TITLE_REQUIRED = "title_required"
    DESCRIPTION_REQUIRED = "description_required"
    BODY_REQUIRED = "body_required"
    REASON_REQUIRED = "reason_required"
    REASONS_REQUIRED = "reasons_required"
    TOO_LONG = "too_long"
    CUSTOMER_REQUIRED = "customer_required"
    NAMED_STAFF_EXCLUDED = "named_staff_excluded"
    SAME_HANDLER = "same_handler"
    RESOLUTION_REQUIRED = "resolution_required"
    APPEAL_REQUIRED = "appeal_required"
    WINDOW_CLOSED = "window_closed"
    CASE_CLOSED = "case_closed"
    NOT_RESOLVED = "not_resolved"
    ALREADY_APPEALED = "already_appealed"
    SAME_CASE = "same_case"
    ALREADY_LINKED = "already_linked"
    MERGE_COMPLAINT = "merge_complaint"
    MERGE_CUSTOMER_MISMATCH = "merge_customer_mismatch"
    ALREADY_MERGED = "already_merged"
    NO_ARRIVAL_PROMISED = "case_no_arrival_promised"
    FILE_REQUIRED = "file_required"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_REFUSED = "file_type_refused"
    FILE_CONTENT_MISMATCH = "file_content_mismatch"
    TOO_MANY_FILES = "too_many_files"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (an error code, not a secret)
    NO_ELIGIBLE_HANDLER = "no_eligible_handler"


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
