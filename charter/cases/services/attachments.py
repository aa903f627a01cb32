"""Attachments: size, count and type limits, content sniffing, storage outside the web root."""

import datetime as dt
import hashlib
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.cases.conf import cases_setting
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseAttachment, CaseEvent, CaseMessage
from charter.cases.notifications import Audience, CaseNotification, notify_on_commit
from charter.cases.permissions import can_add_attachment, is_case_staff
from charter.cases.services._common import Actor, audit, event_record, require, staff_actor, text_clean
from charter.common.errors import DomainError

# Served only as downloads: a browser would run them.
ACTIVE_TYPES = frozenset({"text/html", "image/svg+xml", "application/xml", "text/javascript"})
REFUSED_ALWAYS = frozenset({"application/x-executable", "application/octet-stream"})
SNIFF_BYTES = 2048

_OOXML = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_OLE = {"doc": "application/msword", "xls": "application/vnd.ms-excel"}
_ACTIVE_MARKERS = (
    b"<html",
    b"<!doctype html",
    b"<script",
    b"<body",
    b"<iframe",
    b"<head",
    b"<meta",
    b"<object",
)


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type_sniff(head: bytes, name: str) -> str:
    """Return the content type the first bytes of a file show, whatever its name or declared type claims.

    Binary formats are recognised by their signatures; text is whatever decodes as UTF-8 or GB18030
    without NULs, and counts as active content (HTML, SVG, XML, JavaScript) when it contains its markers.
    Anything else is `application/octet-stream`; programs are `application/x-executable`.
    """
    extension = _extension(name)
    signatures: tuple[tuple[bytes, str], ...] = (
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"ID3", "audio/mpeg"),
        (b"MZ", "application/x-executable"),
        (b"\x7fELF", "application/x-executable"),
        (b"\xca\xfe\xba\xbe", "application/x-executable"),
        (b"\xcf\xfa\xed\xfe", "application/x-executable"),
        (b"#!", "application/x-executable"),
    )
    for signature, content_type in signatures:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:2] == b"\xff\xfb" or head[:2] == b"\xff\xf3":
        return "audio/mpeg"
    if head.startswith(b"PK\x03\x04"):
        return _OOXML.get(extension, "application/zip")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE.get(extension, "application/octet-stream")
    return _text_type(head, extension)


def _text_type(head: bytes, extension: str) -> str:
    if b"\x00" in head:
        return "application/octet-stream"
    body = head.removeprefix(b"\xef\xbb\xbf")
    # The sniffed window may cut a multi-byte character in two: decode what is whole.
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(body) - 4:
            try:
                body.decode("gb18030")
            except UnicodeDecodeError:
                return "application/octet-stream"
    lowered = body.lower().lstrip()
    if b"<svg" in lowered:
        return "image/svg+xml"
    if any(marker in lowered for marker in _ACTIVE_MARKERS):
        return "text/html"
    if lowered.startswith(b"<?xml"):
        return "application/xml"
    if extension in {"js", "mjs"}:
        return "text/javascript"
    if extension == "csv":
        return "text/csv"
    return "text/plain"


def _read_head(file: IO[Any]) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else str(head).encode()


def _checked(case: Case, file: Any) -> tuple[str, str, int]:
    if file is None or not hasattr(file, "read"):
        raise DomainError(_("Choose a file."), code=ErrorCode.FILE_REQUIRED, field="file")
    name = text_clean(
        str(getattr(file, "name", "") or "file").rsplit("/", 1)[-1], field="file", max_length=255
    )
    name = name or "file"
    size = int(getattr(file, "size", 0) or 0)
    limit = int(cases_setting("CHARTER_CASES_ATTACHMENT_MAX_BYTES"))
    if size > limit:
        raise DomainError(
            _("The file is too large (at most %(limit)d MB).") % {"limit": max(limit // (1024 * 1024), 1)},
            code=ErrorCode.FILE_TOO_LARGE,
            field="file",
        )
    if size == 0:
        raise DomainError(_("The file is empty."), code=ErrorCode.FILE_REQUIRED, field="file")
    if case.attachments.count() >= int(cases_setting("CHARTER_CASES_ATTACHMENTS_PER_CASE")):
        raise DomainError(
            _("This case has as many files as it may have."), code=ErrorCode.TOO_MANY_FILES, field="file"
        )
    content_type = content_type_sniff(_read_head(file), name)
    allowed = set(cases_setting("CHARTER_CASES_ATTACHMENT_TYPES"))
    if content_type in REFUSED_ALWAYS or content_type not in allowed:
        raise DomainError(
            _("Files of this type cannot be attached."), code=ErrorCode.FILE_TYPE_REFUSED, field="file"
        )
    return name, content_type, size


def attachment_store(
    *, actor: Actor, case: Case, file: Any, message: CaseMessage | None = None, is_internal: bool = False
) -> CaseAttachment:
    """Check and store one file on `case` without a permission check (for services that made theirs).

    Stores under MEDIA_ROOT/cases/<yyyy>/<random>; records the sniffed content type, size and SHA-256, and
    marks active content download-only. Records `attachment_added`.
    """
    # A file on an internal note is internal, whatever the caller said.
    is_internal = is_internal or (message is not None and message.is_internal)
    name, content_type, size = _checked(case, file)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    attachment = CaseAttachment(
        case=case,
        message=message,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        is_download_only=content_type in ACTIVE_TYPES,
        is_internal=is_internal,
        uploaded_by=staff_actor(actor),
    )
    attachment.file.save("upload", File(file), save=False)
    attachment.save()
    event_record(
        case,
        CaseEvent.Kind.ATTACHMENT_ADDED,
        actor=actor,
        is_internal=is_internal,
        message=message,
        data={"attachment": attachment.pk, "name": name, "size": size},
    )
    return attachment


def attachment_add(
    *, actor: Actor, case: Case, file: Any, message: CaseMessage | None = None, is_internal: bool = False
) -> CaseAttachment:
    """Attach `file` to `case` (optionally to one of its messages).

    Staff in scope may add files (internal ones too); the customer may add public files to his own case.
    `actor` None is the holder of the case's tracking link, whom the calling view has verified. Raises
    DomainError for a missing, empty, oversized or refused file, or a case with too many files. Audited as
    `cases.attachment_add`.
    """
    case = Case.objects.get(pk=case.pk)
    user = staff_actor(actor)
    if user is not None:
        require(
            can_add_attachment(user, case), _("You may not add files to this case."), ErrorCode.EDIT_DENIED
        )
    if is_internal and (user is None or not is_case_staff(user)):
        raise DomainError(_("Only staff add internal files."), code=ErrorCode.NOTE_DENIED)
    if message is not None and message.case_id != case.pk:
        raise DomainError(
            _("The message belongs to another case."), code=ErrorCode.INVALID_FIELD, field="message"
        )
    with transaction.atomic():
        attachment = attachment_store(
            actor=actor, case=case, file=file, message=message, is_internal=is_internal
        )
        audit(
            actor,
            "attachment_add",
            case,
            {"attachment": attachment.pk, "content_type": attachment.content_type},
        )
        if user is None or not is_case_staff(user):
            # A file from the customer: the handler should look. Staff files travel with their replies.
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.ATTACHMENT_ADDED,
                    case_id=case.pk,
                    audience=Audience.HANDLER if case.assignee_id else Audience.TEAM,
                    recipient_id=case.assignee_id,
                )
            )
    return attachment


def attachment_orphans_delete(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete stored files that no attachment row refers to and that are older than `older_than`.

    A file is written before its row commits; when the transaction rolls back, the file stays behind. The
    age margin keeps files of transactions still running. Returns how many files were deleted.
    """
    cutoff = timezone.now() - older_than
    deleted = 0
    if not default_storage.exists("cases"):
        return 0
    years, _files = default_storage.listdir("cases")
    for year in years:
        _dirs, names = default_storage.listdir(f"cases/{year}")
        for start in range(0, len(names), 500):
            batch = [f"cases/{year}/{name}" for name in names[start : start + 500]]
            known = set(CaseAttachment.objects.filter(file__in=batch).values_list("file", flat=True))
            for path in batch:
                if path not in known and default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    deleted += 1
    return deleted
