"""Domain errors: raised by services, shown by views as form errors and by the API as {code, detail}."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused an operation; nothing was written.

    `code` is machine-readable (each app lists its codes in its own `errors.py`), `message` is translatable
    text for people, `field` names the input at fault when there is one.
    """

    status = 400
    default_code = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field


class PermissionDeniedError(DomainError):
    status = 403
    default_code = "permission_denied"


class ConflictError(DomainError):
    """The row changed since the caller read it (optimistic locking)."""

    status = 409
    default_code = "conflict"


class InvalidTransitionError(ConflictError):
    """A workflow does not allow this move from the row's current state (charter/common/workflow.py), or a
    condition of the move refuses it, or the row's state allows no such action at all."""

    default_code = "invalid_transition"


class NotFoundError(DomainError):
    """The object is missing or outside the caller's scope: answered exactly like a missing object (404)."""

    status = 404
    default_code = "not_found"
