"""Every filtered staff list as a CSV or XLSX file, audited: the one helper each list view calls.

The view computes its rows once, with its permission scope and its filters, and hands the same queryset to
its page and, when the request asks `?format=csv|xlsx`, to `list_export`. The export writes them through the
shared formula-safe writer (charter/common/list_exports.py), refuses a list longer than
`CHARTER_EXPORT_MAX_ROWS` with a message asking to narrow the filters, and records one `audit.list_export`
event naming the list, its filters (free text only as "given": it may name a person), the format and the
number of rows; never a row's content.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from charter.audit.services import audit_record
from charter.common.exports import Table, download_response, tables_download
from charter.common.list_exports import (
    Column,
    export_max_rows,
    list_csv,
    list_query,
    list_xlsx,
    row_count_capped,
)


def export_audit(
    request: HttpRequest, *, name: str, filters: Mapping[str, Any], extension: str, rows: int
) -> None:
    """Record that the requesting user exported the list or report `name`: its filters (no personal data),
    the format and the number of rows. For an export with a writer of its own; `list_export` and
    `tables_export` call it themselves."""
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="audit.list_export",
            data={"list": name, "filters": dict(filters), "format": extension, "rows": rows},
            request=request,
        )


def export_count(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], *, back: str
) -> tuple[int, HttpResponse | None]:
    """Count the rows of an export, up to one past `CHARTER_EXPORT_MAX_ROWS`; over it, also the refusal:
    a message asking to narrow the filters and a redirect to the page `back` with the same filters. For an
    export with a writer of its own; `list_export` calls it itself."""
    cap = export_max_rows()
    count = row_count_capped(rows, cap)
    if count <= cap:
        return count, None
    messages.error(
        request,
        _(
            "This list has more than %(cap)s rows, more than one export may hold. Narrow the filters "
            "(a shorter period, one team or status) and export again."
        )
        % {"cap": number_format(cap, force_grouping=True)},
    )
    query = list_query(request.GET)
    return count, HttpResponseRedirect(back + (f"?{query}" if query else ""))


def list_export(
    request: HttpRequest,
    *,
    name: str,
    title: str | Promise,
    rows: QuerySet[Any] | Sequence[Any],
    columns: Sequence[Column[Any]],
    filters: Mapping[str, Any],
    extension: str,
) -> HttpResponse | StreamingHttpResponse:
    """Answer the list `name` (its rows already filtered and scoped for the requesting user) as a file.

    Preconditions: the caller has checked that the user may see the page, and `rows` are exactly the page's
    rows for its filters (every page of them). `filters` is JSON-serialisable and holds no personal data
    (see `charter.common.list_exports.filters_of`). Side effects: audit `audit.list_export` with the list,
    filters, format and row count; over the cap, no file and no event, but a message on the page.
    """
    cap = export_max_rows()
    count, refusal = export_count(request, rows, back=request.path)
    if refusal is not None:
        return refusal
    export_audit(request, name=name, filters=filters, extension=extension, rows=count)
    stem = _stem(name)
    if extension == "csv":
        return download_response(list_csv(rows, columns, cap=cap), stem=stem, extension="csv")
    return download_response(list_xlsx(rows, columns, title=str(title), cap=cap), stem=stem, extension="xlsx")


def tables_export(
    request: HttpRequest,
    *,
    name: str,
    tables: Sequence[Table],
    filters: Mapping[str, Any],
    extension: str,
    stem: str = "",
) -> HttpResponse | StreamingHttpResponse:
    """Answer a report page's tables (figures, not people's rows) as one file, audited like a list; the file
    is named `stem` (by default the report's name) and the date.

    Preconditions: as `list_export`. Side effects: audit `audit.list_export` with the report, its filters,
    the format and the number of rows over all tables.
    """
    rows = sum(len(table.rows) for table in tables)
    export_audit(request, name=name, filters=filters, extension=extension, rows=rows)
    return tables_download(tables, stem=stem or _stem(name), extension=extension)


def _stem(name: str) -> str:
    """A file name's start from a list's name: cases.queue → cases-queue."""
    return name.replace(".", "-").replace("_", "-")
