from enum import StrEnum

from charter.common.text import TextCodes


class ErrorCode(StrEnum):
    DUPLICATE_CODE = "account_duplicate_code"
    INVALID_PARENT = "account_invalid_parent"
    CUSTOMER_NAME_REQUIRED = "account_customer_name_required"
    LOGIN_THROTTLED = "account_login_throttled"
    SIGNIN_FAILED = "account_signin_failed"
    SECOND_FACTOR_REQUIRED = "account_second_factor_required"
    SECOND_FACTOR_INVALID = "account_second_factor_invalid"
    PASSWORD_REFUSED = "account_password_refused"  # noqa: S105 (an error code, not a secret)
    NOT_A_MEMBER = "account_not_a_member"
    BUILT_IN_ROLE = "account_built_in_role"
    IN_USE = "account_in_use"
    INVALID_TEXT = "account_invalid_text"
    TEXT_TOO_LONG = "account_text_too_long"
    CUSTOMER_DENIED = "account_customer_denied"
    USERS_DENIED = "account_users_denied"
    SUPERUSER_ONLY = "account_superuser_only"
    ROLES_DENIED = "account_roles_denied"
    ORG_UNITS_DENIED = "account_org_units_denied"
    TEAMS_DENIED = "account_teams_denied"
    TOKEN_INVALID = "account_token_invalid"  # noqa: S105 (an error code, not a secret)
    TOKEN_EXPIRED = "account_token_expired"  # noqa: S105
    TOKEN_REVOKED = "account_token_revoked"  # noqa: S105
    TOKEN_USER_INACTIVE = "account_token_user_inactive"  # noqa: S105
    TOKEN_EXPIRY_INVALID = "account_token_expiry_invalid"  # noqa: S105


# The codes of refused text (charter.common.text.clean_text); blank text is refused by the services or the
# model's own validation (account_customer_name_required…).
TEXT_CODES = TextCodes(too_long=ErrorCode.TEXT_TOO_LONG, invalid=ErrorCode.INVALID_TEXT)
