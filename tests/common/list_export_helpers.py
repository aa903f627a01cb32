"""Reading an exported list back in tests: a CSV or XLSX download's rows, and the export's audit events."""

import csv
import io
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import load_workbook

from charter.audit.models import AuditEvent


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of a CSV download (streamed or not), after checking its byte order mark."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    if isinstance(response, StreamingHttpResponse):
        content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    else:
        assert isinstance(response, HttpResponse)
        content = response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> list[list[Any]]:
    """The rows of an XLSX download's only sheet."""
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export_events(name: str) -> list[AuditEvent]:
    """The `audit.list_export` events of the list `name`, oldest first."""
    return list(AuditEvent.objects.filter(action="audit.list_export", data__list=name).order_by("pk"))
