"""Uploaded files, checked, stored and served one way for every app (case attachments, conduct evidence).

`file_check` refuses a file that is missing or empty; larger than the caller's limit (counted while reading,
whatever the upload declared); named with an extension that Windows or a desktop runs when the file is
opened (`.exe`, `.bat`, `.js`, `.lnk`…, whatever its content: a text file called `run.bat` is a program); of a
type its first bytes show to be a program or not among the caller's allowed types; or named with a control
or bidirectional-override character (U+202E shows `photo‮gpj.exe` as `photoexe.jpg`). The type is sniffed
from the first bytes (`content_type_sniff`), never taken from the name or the declared type; active content
(HTML, SVG, XML, JavaScript) may be accepted but is only ever served as opaque bytes to download.

Files are stored under MEDIA_ROOT, which no URL serves, as `<prefix>/<yyyy>/<random>` (`upload_path`), never
under the uploaded name; `stored_file_response` serves one to a caller who passed the app's permission
check: nosniff, sandboxed, inline only for images and PDF. Error codes are the calling app's (`FileCodes`).
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import IO, Any, Protocol, cast

from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.common.errors import DomainError
from charter.common.text import remove_control_characters

# Served only as downloads: a browser would run them.
ACTIVE_TYPES = frozenset({"text/html", "image/svg+xml", "application/xml", "text/javascript"})
# Refused whatever the caller allows: programs, and bytes nobody can tell apart from one.
REFUSED_ALWAYS = frozenset({"application/x-executable", "application/octet-stream"})
# Names that run when opened, on Windows (Explorer, Windows Script Host, PowerShell, installers, shortcuts)
# or a desktop (shell scripts, Java, packages), whatever the bytes inside them look like.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "apk", "app", "appx", "bat", "cmd", "com", "cpl", "dll", "exe", "gadget", "hta", "inf", "ins",
        "isp", "jar", "js", "jse", "lnk", "mjs", "msc", "msi", "msix", "msp", "mst", "pif", "ps1", "ps1xml",
        "ps2", "psc1", "psm1", "reg", "scf", "scr", "sct", "sh", "shb", "sys", "url", "vb", "vbe", "vbs",
        "ws", "wsc", "wsf", "wsh",
        # Office documents with macros, which run code when opened with macros allowed.
        "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "ppsm", "sldm",
        # Shortcuts, launchers and installers that open a program or a remote location.
        "appref-ms", "application", "jnlp", "desktop", "command", "settingcontent-ms", "library-ms",
        "searchconnector-ms", "chm",
        # Scripts and disk images that run or mount on a double click.
        "py", "pyw", "iso", "img", "vhd", "vhdx", "one",
    }
)  # fmt: skip
MAX_NAME_LENGTH = 255
SNIFF_BYTES = 2048
_CHUNK_BYTES = 65536
# Characters that reorder how a name is displayed, so that its real extension hides (U+202A-U+202E,
# U+2066-U+2069): refused anywhere in a name.
_DISGUISING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width characters: an emoji sequence joins its people with U+200D ("家庭👨‍👩‍👧.jpg"), so they are
# refused only where they can split or hide the extension (beside the last dot or inside the extension).
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def _hides_extension(name: str) -> bool:
    """True when a zero-width character stands in the extension or next to the dot before it."""
    if "." not in name:
        return False
    stem, suffix = name.rsplit(".", 1)
    return bool(_ZERO_WIDTH.intersection(suffix)) or (stem[-1:] in _ZERO_WIDTH)


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
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
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


@dataclass(frozen=True)
class FileCodes:
    """The error codes an app gives the ways its uploads are refused."""

    required: str  # no file, or an empty one
    too_large: str
    type_refused: str  # a program, by name or by content, or a type the app does not take
    invalid_name: str  # a control or disguising character in the name, or a name too long


@dataclass(frozen=True)
class CheckedFile:
    """What `file_check` found: the name to show, the sniffed type, the size read and its SHA-256."""

    name: str
    content_type: str
    size: int
    sha256: str

    @property
    def is_download_only(self) -> bool:
        """Whether a browser would run this content, so it may only be served as a download."""
        return self.content_type in ACTIVE_TYPES


def extension(name: str) -> str:
    """Return the lower-case extension of `name` after its last dot, or ""."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type_sniff(head: bytes, name: str) -> str:
    """Return the content type the first bytes of a file show, whatever its name or declared type claims.

    Binary formats are recognised by their signatures; text is whatever decodes as UTF-8 or GB18030
    without NULs, and counts as active content (HTML, SVG, XML, JavaScript) when it contains its markers.
    Anything else is `application/octet-stream`; programs are `application/x-executable`. The name only
    tells apart formats that share a container (a ZIP is a .docx or .xlsx; an OLE file a .doc or .xls).
    """
    suffix = extension(name)
    for signature, content_type in _SIGNATURES:
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
        return _OOXML.get(suffix, "application/zip")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE.get(suffix, "application/octet-stream")
    return _text_type(head, suffix)


def _text_type(head: bytes, suffix: str) -> str:
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
    if suffix in {"js", "mjs"}:
        return "text/javascript"
    if suffix == "csv":
        return "text/csv"
    return "text/plain"


def file_name_clean(raw: object, *, field: str, codes: FileCodes) -> str:
    """Return the name to show for an upload: its last path part (browsers and mail clients may send
    `C:\\fakepath\\a.pdf`), stripped; "file" when blank.

    Raises DomainError (`codes.invalid_name`) for a name with a control or bidirectional-override
    character, a zero-width character in or beside its extension, or longer than MAX_NAME_LENGTH
    characters. Writes nothing.
    """
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if (
        remove_control_characters(name, multiline=False) != name
        or _DISGUISING.intersection(name)
        or _hides_extension(name)
    ):
        raise DomainError(
            _("The file name contains characters that can hide what the file is; rename the file."),
            code=codes.invalid_name,
            field=field,
        )
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(
            _("The file name is too long (at most %(limit)d characters).") % {"limit": MAX_NAME_LENGTH},
            code=codes.invalid_name,
            field=field,
        )
    return name or "file"


def _head(file: IO[Any]) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else str(head).encode()


def _too_large(limit: int, *, field: str, codes: FileCodes) -> DomainError:
    return DomainError(
        _("The file is too large (at most %(limit)d MB).") % {"limit": max(limit // (1024 * 1024), 1)},
        code=codes.too_large,
        field=field,
    )


def file_check(
    file: object, *, field: str, codes: FileCodes, max_bytes: int, allowed_types: frozenset[str] | set[str]
) -> CheckedFile:
    """Check one upload and return its name, sniffed type, size and SHA-256 (see the module's rules).

    `file` is any object with `read` and `seek` (an UploadedFile, a File); its declared size and type are
    not trusted: the bytes are read once, counted and hashed, and the position is left at the start.
    Raises DomainError on `field` with the caller's `codes`. Writes nothing.
    """
    if file is None or not hasattr(file, "read") or not hasattr(file, "seek"):
        raise DomainError(_("Choose a file."), code=codes.required, field=field)
    upload = cast(IO[Any], file)
    name = file_name_clean(getattr(upload, "name", ""), field=field, codes=codes)
    if extension(name) in EXECUTABLE_EXTENSIONS:
        raise DomainError(_("Files of this type cannot be attached."), code=codes.type_refused, field=field)
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_large(max_bytes, field=field, codes=codes)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    while chunk := upload.read(_CHUNK_BYTES):
        data = chunk if isinstance(chunk, bytes) else str(chunk).encode()
        size += len(data)
        if size > max_bytes:
            upload.seek(0)
            raise _too_large(max_bytes, field=field, codes=codes)
        digest.update(data)
    upload.seek(0)
    if size == 0:
        raise DomainError(_("The file is empty."), code=codes.required, field=field)
    content_type = content_type_sniff(_head(upload), name)
    if content_type in REFUSED_ALWAYS or content_type not in allowed_types:
        raise DomainError(_("Files of this type cannot be attached."), code=codes.type_refused, field=field)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())


def upload_path(prefix: str) -> str:
    """Return a new storage name `<prefix>/<yyyy>/<random>` for an upload: never the uploaded name, so no
    name can climb out of MEDIA_ROOT, collide or be guessed. For a FileField's `upload_to`."""
    return f"{prefix}/{timezone.now():%Y}/{secrets.token_hex(16)}"


class StoredUpload(Protocol):
    """A row that keeps a checked upload: a case attachment, an evidence file."""

    file: FieldFile
    original_name: str
    content_type: str
    is_download_only: bool


def stored_file_response(stored: StoredUpload) -> FileResponse:
    """Serve a stored upload so that no browser ever runs it from our origin: active content as opaque
    bytes to download, images and PDF inline, everything else as a download; always nosniff, sandboxed and
    never cached by a shared cache. The caller has checked that the user may see it. A row whose file was
    deleted (an erased customer's upload keeps its row) answers 404."""
    if not stored.file:
        raise Http404
    is_download_only = stored.is_download_only
    inline = not is_download_only and stored.content_type.startswith(("image/", "application/pdf"))
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=not inline,
        filename=stored.original_name,
        content_type="application/octet-stream" if is_download_only else stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_orphans_delete(
    *, prefix: str, model: type[models.Model], field: str = "file", older_than: dt.timedelta
) -> int:
    """Delete files under `prefix/<yyyy>/` that no row of `model` refers to through `field` and that are
    older than `older_than`; return how many.

    A file is written before its row commits; when the transaction rolls back, the file stays behind. The
    age margin keeps the files of transactions still running.
    """
    cutoff = timezone.now() - older_than
    deleted = 0
    if not default_storage.exists(prefix):
        return 0
    years, _files = default_storage.listdir(prefix)
    for year in years:
        _dirs, names = default_storage.listdir(f"{prefix}/{year}")
        for start in range(0, len(names), 500):
            batch = [f"{prefix}/{year}/{name}" for name in names[start : start + 500]]
            known = set(
                model._default_manager.filter(**{f"{field}__in": batch}).values_list(field, flat=True)
            )
            for path in batch:
                if path not in known and default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    deleted += 1
    return deleted
