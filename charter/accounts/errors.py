from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE_CODE = "account_duplicate_code"
    INVALID_PARENT = "account_invalid_parent"
    CUSTOMER_NAME_REQUIRED = "account_customer_name_required"
    LOGIN_THROTTLED = "account_login_throttled"
    PASSWORD_REFUSED = "account_password_refused"  # noqa: S105 (an error code, not a secret)
    NOT_A_MEMBER = "account_not_a_member"
    BUILT_IN_ROLE = "account_built_in_role"
    IN_USE = "account_in_use"
