"""Domain errors: raised by services, shown by views as form errors and by the API as {code, detail}."""

from enum import StrEnum

from django.utils.functional import Promise


class CommonErrorCode(StrEnum):
    """The only codes without an app's prefix: refusals every app answers alike (see DomainError below).

    Every other code is in its app's `errors.py` and starts with the app's prefix (`case_`, `conduct_`…);
    tests/common/test_error_codes.py holds each code to it and all of them unique.
    """

    INVALID = "invalid"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    INVALID_TRANSITION = "invalid_transition"
    NOT_FOUND = "not_found"
    # Refused before any view reads the body (charter.common.limits, charter.common.parsers).
    REQUEST_TOO_LARGE = "request_too_large"
    REQUEST_TOO_DEEP = "request_too_deep"
    # An API request's Idempotency-Key (charter.common.idempotency).
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"
    # A list endpoint's query parameter it does not know (charter.common.api.KnownParametersMixin).
    UNKNOWN_PARAMETER = "unknown_parameter"


class DomainError(Exception):
    """A rule of the domain refused an operation; nothing was written.

    `code` is machine-readable (each app lists its codes in its own `errors.py`), `message` is translatable
    text for people, `field` names the input at fault when there is one.
    """

    status = 400
    default_code: str = CommonErrorCode.INVALID

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field


class PermissionDeniedError(DomainError):
    status = 403
    default_code = CommonErrorCode.PERMISSION_DENIED


class ConflictError(DomainError):
    """The row changed since the caller read it (optimistic locking)."""

    status = 409
    default_code = CommonErrorCode.CONFLICT


class InvalidTransitionError(ConflictError):
    """A workflow does not allow this move from the row's current state (charter/common/workflow.py), or a
    condition of the move refuses it, or the row's state allows no such action at all."""

    default_code = CommonErrorCode.INVALID_TRANSITION


class NotFoundError(DomainError):
    """The object is missing or outside the caller's scope: answered exactly like a missing object (404)."""

    status = 404
    default_code = CommonErrorCode.NOT_FOUND
