"""The REST layer's shared pieces: one error shape, `{"code", "detail"}` plus `fields` for bad input, and
one check of list endpoints' query parameters (`KnownParametersMixin`)."""

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from charter.common.errors import CommonErrorCode, DomainError
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
        if isinstance(exc, UnknownParameterError):
            body["unknown"] = exc.unknown
            body["known"] = exc.known
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


# References by id or slug -----------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "The id (an integer) or the slug (a string).",
    }
)
class IdOrSlugRelatedField(serializers.RelatedField[Any, Any, Any]):
    """A reference to a row by its id (a JSON integer or a string of digits) or its slug, so a client may
    send what it read from either field of the resource's output. A string is looked up as a slug first,
    then (digits only) as an id, as the catalogue's paths are: a slug of digits ("12345", a hotline) names
    its own row, never another whose id it happens to be. Outputs the id."""

    default_error_messages = {
        "does_not_exist": _("There is none with the id or slug %(value)s."),
        "incorrect_type": _("Give an id (a number) or a slug (text)."),
    }

    def __init__(self, *, slug_field: str = "slug", **kwargs: Any) -> None:
        self.slug_field = slug_field
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        queryset = self.get_queryset()
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type")
        text = str(data).strip()
        if not text or len(text) > 200:
            self.fail("does_not_exist", value=repr(text))
        if queryset is None:
            self.fail("does_not_exist", value=repr(text))
        found = None if isinstance(data, int) else queryset.filter(**{self.slug_field: text}).first()
        if found is None and text.isascii() and text.isdigit():
            found = queryset.filter(pk=int(text)).first()
        if found is None:
            self.fail("does_not_exist", value=repr(text))
        return found

    def to_representation(self, value: Any) -> Any:
        return value.pk


# Unknown query parameters -----------------------------------------------------------------------------------


class UnknownParameterError(DomainError):
    """A list was asked for with a query parameter it does not know (a typo'd filter would otherwise be
    ignored silently and answer every row)."""

    def __init__(self, *, unknown: list[str], known: list[str]) -> None:
        super().__init__(
            _("Unknown query parameter: %(unknown)s. This list knows: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(known)},
            code=CommonErrorCode.UNKNOWN_PARAMETER,
        )
        self.unknown = unknown
        self.known = known


def _parameter_names(parameter: Any) -> set[str]:
    """The query parameter names one entry of `@extend_schema(parameters=[…])` declares: an
    OpenApiParameter in the query, or every field of a serializer (class or instance) used as parameters."""
    if isinstance(parameter, OpenApiParameter):
        if parameter.location != OpenApiParameter.QUERY or parameter.response:
            return set()
        return {parameter.name}
    if isinstance(parameter, type) and issubclass(parameter, serializers.Serializer):
        parameter = parameter()
    if isinstance(parameter, serializers.Serializer):
        return set(parameter.fields)
    return set()


def _operation_schema(view: Any, request: Request) -> Any:
    """The drf-spectacular schema object of the operation `request` asks `view` for: the one `@extend_schema`
    put on the action's method (as the schema generator finds it), else the view's own; None when the view has
    no handler for the request's method (DRF answers it 405 after this check)."""
    handler = getattr(view, getattr(view, "action", None) or str(request.method).lower(), None)
    if handler is None:
        return None
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    schema = schema_class() if schema_class is not None else view.schema
    if isinstance(schema, type):
        schema = schema()
    schema.view = view
    schema.method = request.method
    schema.path = request.path
    return schema


_KNOWN: dict[tuple[type, str, str], frozenset[str] | None] = {}


def list_query_parameters(view: Any, request: Request) -> frozenset[str] | None:
    """Return the query parameters a list endpoint documents, or None when the operation is not a list.

    One declaration feeds the schema and this check: the operation's `@extend_schema(parameters=…)` (query
    parameters and query serializers' fields), its paginator's parameters (limit, offset, cursor) and the
    format override. A list is the `list` action or an operation documented with a list response.
    """
    method = str(request.method)
    action = str(getattr(view, "action", None) or method.lower())
    key = (type(view), action, method)
    if key not in _KNOWN:
        schema = _operation_schema(view, request)
        if schema is None:
            return None
        responses = schema.get_response_serializers()
        if isinstance(responses, dict) and responses:
            by_code = {str(code): value for code, value in responses.items()}
            responses = by_code[min(by_code)]
        if action != "list" and not is_list_serializer(responses):
            _KNOWN[key] = None
        else:
            names: set[str] = {str(api_settings.URL_FORMAT_OVERRIDE or "format")}
            for parameter in schema.get_override_parameters():
                names |= _parameter_names(parameter)
            paginator = getattr(view, "paginator", None)
            if paginator is not None:
                names |= {item["name"] for item in paginator.get_schema_operation_parameters(view)}
            _KNOWN[key] = frozenset(names)
    return _KNOWN[key]


class KnownParametersMixin:
    """Every API view: a list asked for with a query parameter it does not document answers 400
    `{"code": "unknown_parameter", "detail", "unknown": [...], "known": [...]}` (checked after sign-in and
    permissions, before the view reads anything). The known ones are those the schema shows: declare a
    filter in the list's `@extend_schema(parameters=[…])` and it is documented and accepted at once."""

    check_query_parameters: ClassVar[bool] = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not self.check_query_parameters or request.method not in ("GET", "HEAD"):
            return
        known = list_query_parameters(self, request)
        if known is None:
            return
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise UnknownParameterError(unknown=unknown, known=sorted(known))
