from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    VIEW_DENIED = "catalog_view_denied"
    EDIT_DENIED = "catalog_edit_denied"
    PUBLISH_DENIED = "catalog_publish_denied"
    DUPLICATE_SLUG = "catalog_duplicate_slug"
    INVALID_SLUG = "catalog_invalid_slug"
    NAME_REQUIRED = "catalog_name_required"
    SUMMARY_REQUIRED = "catalog_summary_required"
    WORDING_REQUIRED = "catalog_wording_required"
    INVALID_CHANNEL = "catalog_invalid_channel"
    CHANNEL_REQUIRED = "catalog_channel_required"
    INVALID_AMOUNT = "catalog_invalid_amount"
    FREE_ITEM_HAS_AMOUNT = "catalog_free_item_has_amount"
    AMOUNT_REQUIRED = "catalog_amount_required"
    INVALID_TARGET = "catalog_invalid_target"
    INVALID_CHOICE = "catalog_invalid_choice"
    TIME_BASIS_MISMATCH = "catalog_time_basis_mismatch"
    DUPLICATE_COMMITMENT = "catalog_duplicate_commitment"
    DRAFT_EXISTS = "catalog_draft_exists"
    NOT_A_DRAFT = "catalog_not_a_draft"
    WRONG_VERSION = "catalog_wrong_version"
    EFFECTIVE_AT_REQUIRED = "catalog_effective_at_required"
    EFFECTIVE_AT_TOO_EARLY = "catalog_effective_at_too_early"
    TOO_LONG = "catalog_too_long"
    INVALID_TEXT = "catalog_invalid_text"


# The codes of refused text (charter.common.text.clean_text); blank text is refused by the services, with a
# code per field (NAME_REQUIRED…).
TEXT_CODES = TextCodes(too_long=ErrorCode.TOO_LONG, invalid=ErrorCode.INVALID_TEXT)
