"""The export of an access request: everything Charter holds about one customer, as a ZIP.

The ZIP holds `data.json` (every table, the customer's profile first), one CSV per table under `csv/`
(UTF-8 with a byte order mark, formula-safe cells, as every export of Charter) and the files he sent under
`files/`. Each app that holds something about a customer contributes through its registered
`SubjectDataSource.export` (cases: his cases, the messages he wrote and the public replies to him, his
attachments; surveys: his answers; …), which leaves out staff-internal notes, other people's data and
internal scores. Privacy's own rows (his consents and his data requests) are a source like the others
(`privacy_subject_export`); his profile is written here.

Privacy's source also erases: the texts of his data requests become the marker and their export files are
deleted (`privacy_subject_erase`, run by `customer_erase` with every other source).
"""

import csv
import datetime as dt
import io
import json
import zipfile
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone

from charter.accounts.models import Customer
from charter.common.exports import BOM, cell_safe
from charter.privacy.models import ConsentRecord, DataSubjectRequest
from charter.privacy.registry import (
    ERASED_MARKER,
    SubjectDataSource,
    SubjectExport,
    subject_data_register,
    subject_data_sources,
)

FORMAT_VERSION = 1


def export_download_response(stored: FieldFile, number: str) -> FileResponse:
    """The HTTP answer that downloads an access request's export ZIP (the desk, the portal and the API all
    answer with this one): an attachment never sniffed into something else, never cached."""
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"{number}.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value


def customer_profile_row(customer: Customer) -> dict[str, Any]:
    """Return the customer's own record as one row, personal data in the clear."""
    return {
        "id": customer.pk,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "id_number": customer.id_number,
        "organisation": customer.organisation.name
        if customer.organisation_id and customer.organisation
        else "",
        "language": customer.language,
        "created_at": _iso(customer.created_at),
        "restricted_at": _iso(customer.restricted_at),
    }


def privacy_subject_export(customer: Customer) -> SubjectExport:
    """Return privacy's rows about `customer`: his consents (with their evidence) and his data requests
    (without the staff who handled them)."""
    consents = [
        {
            "purpose": record.purpose.code,
            "action": record.action,
            "at": _iso(record.at),
            "channel": record.channel,
            "notice_version": record.notice_version,
            "notice_language": record.notice_language,
            "notice_hash": record.notice_hash,
            "how_informed": record.how_informed,
        }
        for record in ConsentRecord.objects.filter(customer=customer)
        .select_related("purpose")
        .order_by("at", "pk")
    ]
    requests = [
        {
            "number": request.number,
            "kind": request.kind,
            "status": request.status,
            "channel": request.channel,
            "details": request.details,
            "identity_verification": request.identity_verification,
            "received_at": _iso(request.received_at),
            "due_at": _iso(request.due_at),
            "completed_at": _iso(request.completed_at),
            "outcome": request.outcome,
        }
        for request in DataSubjectRequest.objects.filter(customer=customer).order_by("received_at", "pk")
    ]
    return SubjectExport(tables={"privacy_consents": consents, "privacy_data_requests": requests})


def privacy_subject_erase(customer: Customer) -> dict[str, int]:
    """Replace the texts of `customer`'s data requests with the marker and delete their export files (after
    the commit, so a rolled-back erasure keeps them); return how many requests changed."""
    changed = 0
    for request in DataSubjectRequest.objects.select_for_update().filter(customer=customer):
        fields = []
        for name in ("details", "identity_verification", "outcome"):
            if getattr(request, name) and getattr(request, name) != ERASED_MARKER:
                setattr(request, name, ERASED_MARKER)
                fields.append(name)
        if request.export_file:
            storage, stored = request.export_file.storage, request.export_file.name
            transaction.on_commit(partial(storage.delete, stored))
            request.export_file = ""
            fields.append("export_file")
        if fields:
            request.save(update_fields=fields)
            changed += 1
    return {"privacy.datasubjectrequest": changed}


def privacy_source_register() -> None:
    """Register privacy's own personal data source (called from the app's `ready`)."""
    subject_data_register(
        SubjectDataSource(key="privacy", export=privacy_subject_export, erase=privacy_subject_erase)
    )


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    headers: list[str] = []
    for row in rows:
        headers.extend(key for key in row if key not in headers)
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        cells = []
        for header in headers:
            value = row.get(header)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
            cells.append(cell_safe(_iso(value)))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _safe_name(name: str) -> str:
    """A ZIP member name that stays inside its folder (no absolute path, no climbing, no backslash)."""
    cleaned = name.replace("\\", "/").split("/")
    parts = [part for part in cleaned if part not in ("", ".", "..")]
    return "/".join(parts) or "file"


def subject_export_zip(
    *, customer: Customer, request: DataSubjectRequest | None = None
) -> tuple[bytes, dict[str, int]]:
    """Build the access export of `customer`: return the ZIP's bytes and how many rows each table has.

    Reads every registered source; files that are gone from storage are skipped (named in `missing_files`
    of data.json). Writes nothing to the database.
    """
    tables: dict[str, list[dict[str, Any]]] = {"customer": [customer_profile_row(customer)]}
    files: list[tuple[str, Any]] = []
    for source in sorted(subject_data_sources(), key=lambda source: source.key):
        export = source.export(customer)
        for name, rows in export.tables.items():
            tables.setdefault(name, []).extend(rows)
        files.extend((_safe_name(name), stored) for name, stored in export.files)
    buffer = io.BytesIO()
    missing: list[str] = []
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, stored in files:
            first = member = f"files/{name}"
            stem, dot, suffix = first.rpartition(".")
            number = 2
            while member in used:
                member = f"{stem}-{number}.{suffix}" if dot else f"{first}-{number}"
                number += 1
            used.add(member)
            try:
                with stored.open("rb") as handle:
                    archive.writestr(member, handle.read())
            except (FileNotFoundError, OSError, ValueError):
                missing.append(member)
        document = {
            "format": FORMAT_VERSION,
            "generated_at": timezone.localtime().isoformat(),
            "request": request.number if request is not None else "",
            "tables": tables,
            "files": sorted(used - set(missing)),
            "missing_files": missing,
        }
        archive.writestr(
            "data.json",
            json.dumps(document, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode("utf-8"),
        )
        for name, rows in tables.items():
            archive.writestr(f"csv/{_safe_name(name)}.csv", _csv(rows))
    return buffer.getvalue(), {name: len(rows) for name, rows in tables.items()}
