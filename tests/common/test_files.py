"""Uploaded files (charter.common.files): checked, sniffed, named, stored and served one way."""

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from charter.common.errors import DomainError
from charter.common.files import (
    EXECUTABLE_EXTENSIONS,
    FileCodes,
    content_type_sniff,
    file_check,
    upload_path,
)

CODES = FileCodes(
    required="test_file_required",
    too_large="test_file_too_large",
    type_refused="test_file_type_refused",
    invalid_name="test_invalid_file_name",
)
ALLOWED = frozenset({"application/pdf", "image/png", "text/plain", "text/html"})
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00" + b"\x00" * 60


def _check(upload: Any, max_bytes: int = 1024) -> Any:
    return file_check(upload, field="file", codes=CODES, max_bytes=max_bytes, allowed_types=ALLOWED)


def _refusal(upload: Any, max_bytes: int = 1024) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _check(upload, max_bytes)
    assert refused.value.field == "file"
    return refused.value


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("photo.txt", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("note.txt", "水表读数异常，请核查。".encode(), "text/plain"),
        ("note.txt", "水表读数".encode("gb18030"), "text/plain"),
        ("data.csv", b"a,b\n1,2\n", "text/csv"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "text/html"),
        ("icon.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        ("feed.xml", b'<?xml version="1.0"?><feed/>', "application/xml"),
        ("app.js", b"console.log(1)", "text/javascript"),
        (
            "report.docx",
            b"PK\x03\x04" + b"\x00" * 30,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 30, "application/x-executable"),
        ("blob.bin", b"\x00\x01\x02\x03\xff", "application/octet-stream"),
    ],
)
def test_content_is_sniffed_from_the_first_bytes_not_the_name(
    name: str, content: bytes, expected: str
) -> None:
    assert content_type_sniff(content, name) == expected


def test_a_file_is_checked_by_its_bytes_and_left_at_its_start() -> None:
    upload = SimpleUploadedFile("账单.txt", PDF, content_type="text/plain")

    checked = _check(upload)

    assert (checked.name, checked.content_type, checked.size) == ("账单.txt", "application/pdf", len(PDF))
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest() and not checked.is_download_only
    assert upload.read() == PDF


def test_active_content_is_accepted_only_as_a_download() -> None:
    checked = _check(SimpleUploadedFile("a.txt", b"<!DOCTYPE html><p>hi", "text/plain"))

    assert checked.content_type == "text/html" and checked.is_download_only


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.pdf", EXE),  # a program under a document's name
        ("photo.png", b"\x7fELF" + b"\x00" * 20),
        ("run.txt", b"#!/bin/sh\nrm -rf ~\n"),
        ("run.bat", b"del /s /q C:\\*\r\n"),  # text, but Windows runs it when opened
        ("invoice.pdf.exe", PDF),
        ("report.JS", b"WScript.Echo(1)"),
        ("shortcut.lnk", b"L\x00\x00\x00"),
        ("blob.dat", b"\x00\x01\x02" * 10),  # bytes nobody can tell from a program
        ("sheet.xlsx", b"PK\x03\x04" + b"\x00" * 30),  # not among the caller's types
    ],
)
def test_a_program_or_a_type_not_allowed_is_refused_whatever_it_is_called(name: str, content: bytes) -> None:
    assert _refusal(SimpleUploadedFile(name, content)).code == "test_file_type_refused"


def test_every_executable_extension_is_refused_even_with_harmless_content() -> None:
    for suffix in sorted(EXECUTABLE_EXTENSIONS):
        assert _refusal(SimpleUploadedFile(f"a.{suffix}", b"hello")).code == "test_file_type_refused"


def test_the_size_limit_counts_the_bytes_read_not_the_declared_size() -> None:
    refused = _refusal(SimpleUploadedFile("big.pdf", PDF + b"0" * 2048), max_bytes=1024)
    assert refused.code == "test_file_too_large"
    with translation.override("en"):
        assert "1 MB" in str(refused.message)

    lying = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    lying.size = 10
    assert _refusal(lying, max_bytes=1024).code == "test_file_too_large"

    assert _check(SimpleUploadedFile("exact.pdf", PDF), max_bytes=len(PDF)).size == len(PDF)


def test_a_missing_or_empty_file_is_refused() -> None:
    assert _refusal(None).code == "test_file_required"
    assert _refusal("not a file").code == "test_file_required"
    assert _refusal(SimpleUploadedFile("empty.pdf", b"")).code == "test_file_required"


@pytest.mark.parametrize(
    "name",
    [
        "bad\x00name.pdf",
        "two\nlines.pdf",
        "photo\u202egpj.exe.pdf",  # shows as photo fdp.exe.jpg: the real extension hidden
        "invoice\u200b.pdf",  # a zero-width character beside the dot
        "invoice.p\u200bdf",  # or inside the extension
        "x" * 252 + ".pdf",
    ],
)
def test_a_name_that_hides_what_the_file_is_or_is_too_long_is_refused(name: str) -> None:
    upload = io.BytesIO(PDF)
    upload.name = name

    assert _refusal(upload).code == "test_invalid_file_name"


def test_an_emoji_joined_by_zero_width_characters_is_a_name_like_any_other() -> None:
    upload = io.BytesIO(PDF)
    upload.name = "家庭\U0001f468\u200d\U0001f469\u200d\U0001f467 合影.pdf"

    assert _check(upload).name == upload.name


def test_an_office_document_with_macros_is_refused_though_it_is_a_zip() -> None:
    assert (
        _refusal(SimpleUploadedFile("budget.xlsm", b"PK\x03\x04" + b"\x00" * 30)).code
        == "test_file_type_refused"
    )


def test_the_shown_name_is_the_last_part_of_a_path() -> None:
    upload = io.BytesIO(PDF)
    upload.name = "C:\\fakepath\\水费.pdf"
    assert _check(upload).name == "水费.pdf"

    nameless = io.BytesIO(PDF)
    assert _check(nameless).name == "file"


def test_a_stored_name_is_random_under_its_prefix_and_year() -> None:
    first, second = upload_path("cases"), upload_path("cases")

    year = dt.datetime.now(tz=dt.UTC).year
    assert first.startswith(f"cases/{year}/") and first != second
    assert len(Path(first).name) == 32 and "." not in Path(first).name
