from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE_CODE = "duplicate_code"
    INVALID_PARENT = "invalid_parent"
    CUSTOMER_NAME_REQUIRED = "customer_name_required"
    LOGIN_THROTTLED = "login_throttled"
