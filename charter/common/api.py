"""The REST layer's shared pieces: one error shape, `{"code", "detail"}` plus `fields` for bad input."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from charter.common.errors import DomainError
from charter.common.http import int_param


def _field_errors(detail: Any) -> Any:
    """Turn DRF's nested ErrorDetail structure into [{code, detail}] lists, keeping its nesting."""
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            return [{"code": item.code, "detail": str(item)} for item in detail]
        return [_field_errors(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, exceptions.ErrorDetail):
        return [{"code": detail.code, "detail": str(detail)}]
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every error as JSON with a machine-readable `code` and a `detail` in the caller's language."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["fields"] = {exc.field: [{"code": exc.code, "detail": str(exc.message)}]}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _("The input is not valid; see the fields for what to change."),
            "fields": _field_errors(exc.detail),
        }
        return response
    assert isinstance(exc, exceptions.APIException)  # noqa: S101 (drf only answers for these)
    codes = exc.get_codes()
    response.data = {"code": codes if isinstance(codes, str) else "error", "detail": str(exc.detail)}
    return response


def not_found_json() -> Response:
    """A 404 in the API's error shape."""
    return Response(
        {"code": "not_found", "detail": str(exceptions.NotFound.default_detail)}, status.HTTP_404_NOT_FOUND
    )


def list_response(
    view: generics.GenericAPIView[Any],
    items: Any,
    serializer_class: type[serializers.BaseSerializer[Any]],
    context: dict[str, Any] | None = None,
) -> Response:
    """Answer a list: a page of `items` with the links to the others when the view paginates (every list of
    the API does, see REST_FRAMEWORK), else all of them; each item through `serializer_class`."""
    context = context if context is not None else {}
    page = view.paginate_queryset(items)
    if page is not None:
        return view.get_paginated_response(serializer_class(page, many=True, context=context).data)
    return Response(serializer_class(items, many=True, context=context).data)


# The schema of a write that needs the version its caller read: the If-Match header and the 428.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The version you read, as "7", when the body carries no `version`.',
)
VERSION_REQUIRED = OpenApiResponse(
    description="`<app>_version_required`: neither `version` nor If-Match was sent (`{code, detail}`)."
)


class VersionRequiredError(DomainError):
    """A write that could overwrite someone else's change came without the version its caller read."""

    status = 428


def expected_version(request: Any, serializer_value: int | None, *, code: str) -> int:
    """The version a write expects its object to be at: the body's `version`, else the `If-Match` header
    (`"7"`, `W/"7"` or `7`); neither answers 428 with `code` (the app's `<app>_version_required`), so that
    no client overwrites a change it never saw. A stale one is the service's 409, as before."""
    if serializer_value is not None:
        return serializer_value
    header = str(request.headers.get("If-Match", "")).strip()
    if header.startswith("W/"):
        header = header[2:]
    number = int_param(header.strip('"'))
    if number is not None and number >= 1:
        return number
    raise VersionRequiredError(
        _(
            'Send the version you read, in "version" or in an If-Match header: without it, this change could '
            "overwrite one you have not seen."
        ),
        code=code,
    )
