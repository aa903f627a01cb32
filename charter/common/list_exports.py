"""A list page as a file: the rows the page filtered, in the columns the export names, as CSV or XLSX.

The writer is the shared one (charter/common/exports.py): CSV is UTF-8 with a byte order mark, XLSX one
sheet, every text cell neutralised against formula injection. Aware times are written as the wall-clock
time of the reader's time zone (the one active when the export was asked for, kept while a CSV streams).

A list page asks for its file with `?format=csv` or `?format=xlsx` on its own address, with the page's other
parameters, so the file holds exactly the rows the page shows for those filters (every page, not just the
first). The audited entry point is `charter.audit.list_exports.list_export`; this module holds no rule of
any app and imports none.
"""

import csv
import io
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.functional import Promise
from openpyxl import Workbook

from charter.common.exports import BOM, EXTENSIONS, Cell, csv_line, sheet_title, xlsx_cell

Row = TypeVar("Row")

DEFAULT_MAX_ROWS = 100_000
FORMAT_PARAMETER = "format"
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of an export: its heading (translated when the file is written) and how a row gives its
    cell. The cell is what the page shows: a masked value stays masked."""

    heading: str | Promise
    value: Callable[[Row], Cell]


def export_max_rows() -> int:
    """The most rows one export may hold (`CHARTER_EXPORT_MAX_ROWS`, 100,000 unless set)."""
    return int(getattr(settings, "CHARTER_EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def export_extension(request: HttpRequest) -> str | None:
    """Return "csv" or "xlsx" when the request asks for the list as a file, else None."""
    extension = request.GET.get(FORMAT_PARAMETER, "")
    return extension if extension in EXTENSIONS else None


def list_query(query: QueryDict) -> str:
    """The page's query string without its page number and file format: what an export link or the way
    back from a refused export carries."""
    kept = query.copy()
    kept.pop(FORMAT_PARAMETER, None)
    kept.pop("page", None)
    return kept.urlencode()


def row_count_capped(rows: QuerySet[Any] | Sequence[Any], cap: int) -> int:
    """Count `rows`, but never past `cap + 1`: a larger list is refused anyway, and counting every match of a
    broad search costs more than it tells."""
    if isinstance(rows, QuerySet):
        return rows[: cap + 1].count()
    return min(len(rows), cap + 1)


def filter_value(value: Any) -> Any:
    """A filter's value as the audit chain keeps it: a row by its id, several rows by their ids, dates as
    text; anything else unchanged."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return [filter_value(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def filters_of(data: Mapping[str, Any], *, private: Iterable[str] = ("q",)) -> dict[str, Any]:
    """The filters a page applied (a form's cleaned_data, say), ready for the audit chain: empty and unticked
    ones left out, and for the `private` ones (free text, which may name a person) only that one was given."""
    hidden = set(private)
    return {
        name: (True if name in hidden else filter_value(value))
        for name, value in sorted(data.items())
        if value is not False
        and value not in (None, "", [], ())
        and not (isinstance(value, QuerySet) and not value.exists())
        and name != FORMAT_PARAMETER
    }


def _iterate(rows: QuerySet[Any] | Sequence[Any], cap: int) -> Iterator[Any]:
    if isinstance(rows, QuerySet):
        yield from rows[:cap].iterator(chunk_size=CHUNK_SIZE)
    else:
        yield from list(rows)[:cap]


def _local(value: Cell, zone: zoneinfo.ZoneInfo | Any) -> Cell:
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value, zone)  # type: ignore[arg-type]
    return value


def _cells(row: Any, columns: Sequence[Column[Any]], zone: Any) -> list[Cell]:
    return [_local(column.value(row), zone) for column in columns]


def list_csv(
    rows: QuerySet[Any] | Sequence[Any], columns: Sequence[Column[Any]], *, cap: int
) -> Iterator[bytes]:
    """Stream `rows` (at most `cap`) as UTF-8 CSV with a BOM, a line at a time, in the language and time zone
    active now: the lines are written later, while the response is sent, when neither is active any more."""
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def lines() -> Iterator[bytes]:
        with translation.override(language), timezone.override(zone):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            headers = [str(column.heading) for column in columns]
            yield (BOM + csv_line(writer, buffer, headers)).encode("utf-8")
            for row in _iterate(rows, cap):
                yield csv_line(writer, buffer, _cells(row, columns, zone)).encode("utf-8")

    return lines()


def list_xlsx(
    rows: QuerySet[Any] | Sequence[Any], columns: Sequence[Column[Any]], *, title: str, cap: int
) -> bytes:
    """Write `rows` (at most `cap`) as an XLSX workbook of one sheet named `title`, headings first."""
    zone = timezone.get_current_timezone()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title, set()))
    sheet.append([xlsx_cell(str(column.heading)) for column in columns])
    for row in _iterate(rows, cap):
        sheet.append([xlsx_cell(cell) for cell in _cells(row, columns, zone)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def form_filters(form: Any, *, private: Iterable[str] = ("q",)) -> dict[str, Any]:
    """`filters_of` a bound filter form's cleaned data; nothing when the form is not valid (its list is
    then empty too)."""
    return filters_of(form.cleaned_data, private=private) if form.is_valid() else {}
