"""The API's pagination, in a module of its own: REST_FRAMEWORK names it in the settings, and DRF imports
it while loading its own views, so it may import nothing of DRF's views or of Charter's API modules."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, CursorPagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

MAX_PAGE_SIZE = 200


class PagePagination(LimitOffsetPagination):
    """Every list of the API: `?limit=` and `?offset=`, 50 a page unless asked, never more than 200 a page
    (a larger `limit` gets 200 and the `next` link), so no caller can ask for a whole table at once."""

    max_limit = MAX_PAGE_SIZE


class _Cursor(CursorPagination):
    """DRF's cursor pagination with the API's page size rules: `?limit=` asks for a page size (at most 200),
    and the ordering comes from the view (`cursor_ordering`), which checks the caller's `order`."""

    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_description = _(  # type: ignore[assignment]
        "Cursor pagination: send it empty for the first page, then follow `next`; omit it for ?limit/?offset."
    )

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any = None) -> tuple[str, ...]:
        return tuple(view.cursor_ordering(request))

    def decode_cursor(self, request: Request) -> Any:
        if not request.query_params.get(self.cursor_query_param):
            return None  # `?cursor=` (empty) asks for the first page in cursor mode
        try:
            return super().decode_cursor(request)
        except Exception as error:  # DRF answers 404 for a cursor it cannot read: it is bad input instead
            raise ValidationError({self.cursor_query_param: [_("This cursor is not valid.")]}) from error


class CursorOrPagePagination(BasePagination):
    """A large list (cases, audit events, survey responses): `?limit=`/`?offset=` with `count` as on every
    list (unchanged for existing clients), or cursor pagination when the caller sends `?cursor=` (empty for
    the first page, then the `next` link): no count and no deep offsets, so page 10,000 costs what page 1
    does and rows written meanwhile neither repeat nor go missing. At most 200 a page either way.

    The view says how cursor pages are ordered: `cursor_ordering(request) -> Sequence[str]`, model fields,
    the first unchanging and (nearly) unique (`("-sequence",)`, `("-created_at", "-pk")`); it raises a
    ValidationError for an `order` that cannot be cursor-paginated.
    """

    cursor_query_param = "cursor"

    def __init__(self) -> None:
        self._offset = PagePagination()
        self._cursor = _Cursor()
        self._active: BasePagination = self._offset

    def _mode(self, request: Request) -> BasePagination:
        return self._cursor if self.cursor_query_param in request.query_params else self._offset

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self._active = self._mode(request)
        return self._active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        return self._active.get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        body = self._offset.get_paginated_response_schema(schema)
        body["required"] = ["results"]
        body["properties"]["count"]["description"] = str(
            _("How many there are in all; absent in cursor mode (`?cursor=`).")
        )
        return body

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *self._offset.get_schema_operation_parameters(view),
            *[
                parameter
                for parameter in self._cursor.get_schema_operation_parameters(view)
                if parameter["name"] == self.cursor_query_param
            ],
        ]

    def get_results(self, data: dict[str, Any]) -> Any:
        return data["results"]


def cursor_ordering_for(
    request: Request, *, choices: dict[str, Sequence[str]], default: str, parameter: str = "order"
) -> Sequence[str]:
    """Return the cursor ordering the caller's `?order=` names among `choices` (default `default`); any
    other order answers 400 on `order` naming those that cursor pagination supports."""
    order = request.query_params.get(parameter) or default
    if order not in choices:
        raise ValidationError(
            {
                parameter: [
                    _("With cursor pagination, order by one of: %(orders)s.") % {"orders": ", ".join(choices)}
                ]
            }
        )
    return choices[order]
