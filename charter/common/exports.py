"""Tables as files for download: CSV (UTF-8 with a byte order mark, so that Excel opens Chinese text
correctly) and XLSX, and the download response for either.

Every text cell is neutralised against formula injection (OWASP, CSV injection): a value that starts with
=, +, -, @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of
running it. Numbers stay numbers. Times are written as the wall-clock time of the reader's time zone.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = ("csv", "xlsx")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

Cell = str | int | float | Decimal | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def cell_safe(value: Cell) -> Cell:
    """Return `value` ready for a spreadsheet: text that a spreadsheet would read as a formula is prefixed
    with an apostrophe; other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(writer: Any, buffer: io.StringIO, row: Sequence[Cell]) -> str:
    writer.writerow([_csv_cell(cell) for cell in row])
    line = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return line


def _csv_cell(value: Cell) -> Cell:
    value = cell_safe(value)
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, dt.datetime) else value


def tables_csv(tables: Iterable[Table]) -> bytes:
    """Write `tables` one after the other (title, headings, rows, a blank line) as UTF-8 CSV with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    out = [BOM]
    for table in tables:
        out.append(csv_line(writer, buffer, [table.title]))
        out.append(csv_line(writer, buffer, table.headers))
        out.extend(csv_line(writer, buffer, row) for row in table.rows)
        out.append(csv_line(writer, buffer, []))
    return "".join(out).encode("utf-8")


def sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()[:28] or "Sheet"
    candidate, number = cleaned, 2
    while candidate.lower() in used:
        candidate, number = f"{cleaned[:25]} {number}", number + 1
    used.add(candidate.lower())
    return candidate


def xlsx_cell(value: Cell) -> Cell:
    value = cell_safe(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Spreadsheets have no time zones: write the reader's wall-clock time.
        value = value.replace(tzinfo=None)
    return value


def tables_xlsx(tables: Iterable[Table]) -> bytes:
    """Write `tables` as an XLSX workbook, one sheet per table, headings in the first row."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title, used))
        sheet.append([xlsx_cell(header) for header in table.headers])
        for row in table.rows:
            sheet.append([xlsx_cell(cell) for cell in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def download_filename(stem: str, extension: str) -> str:
    """`stem-YYYYMMDD.ext`, dated in the reader's time zone."""
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def download_response(
    content: bytes | Iterable[bytes], *, stem: str, extension: str
) -> HttpResponse | StreamingHttpResponse:
    """A file to save, never cached: `content` is the whole file, or an iterator of CSV lines to stream."""
    content_type = CSV_TYPE if extension == "csv" else XLSX_TYPE
    response: HttpResponse | StreamingHttpResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{download_filename(stem, extension)}"'
    response["Cache-Control"] = "no-store"
    return response


def tables_download(
    tables: Sequence[Table], *, stem: str, extension: str
) -> HttpResponse | StreamingHttpResponse:
    """`tables` as a CSV or XLSX download."""
    content = tables_csv(tables) if extension == "csv" else tables_xlsx(tables)
    return download_response(content, stem=stem, extension=extension)
