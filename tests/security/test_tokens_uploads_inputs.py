"""The 60-check list's sections on tokens, uploads and input validation, as tests.

Tokens: the links that carry a bearer secret (tracking, survey, opt-out, password reset) carry at least 256
random bits, are stored only as hashes and compared in constant time, and never reach a log line.
Uploads: a program is refused whatever its name or declared type, an oversized file while it is read, an
office file that is a ZIP bomb is never inflated, and a name with a path is stored under a random name.
Input: an id beyond any integer column, a NUL or an overlong text answer 404 or a form error, never a 500.
"""

import inspect
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from charter.cases import selectors as case_selectors
from charter.cases.models import Case, CaseAttachment
from charter.cases.services._common import token_hash
from charter.cases.services._common import token_new as case_token_new
from charter.common.logredact import redact
from charter.surveys.invitations import token_new as survey_token_new
from tests.security.conftest import Route, World, _verified_client, route_url, routes

pytestmark = pytest.mark.django_db

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


# Tokens ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [case_token_new, survey_token_new], ids=["tracking", "survey"])
def test_link_tokens_carry_256_random_bits(make: Any) -> None:
    tokens = {make() for _ in range(200)}

    assert len(tokens) == 200
    assert all(len(token) >= 43 and URLSAFE.match(token) for token in tokens)


def test_the_database_holds_only_the_hash_of_a_tracking_token(world: World) -> None:
    token = world.tokens["case"]
    row = Case.objects.filter(pk=world.case.pk).values().get()

    assert row["tracking_token_hash"] == token_hash(token)
    assert token not in " ".join(str(value) for value in row.values())


def test_the_tracking_token_is_compared_in_constant_time() -> None:
    source = inspect.getsource(case_selectors.case_get_for_tracking)

    assert "compare_digest" in source


def _secret_routes() -> list[Route]:
    return [route for route in routes() if "token" in route.kwargs]


def test_every_route_carrying_a_token_is_known() -> None:
    assert {route.pattern for route in _secret_routes()} >= {
        "track/<str:token>/",
        "s/<str:token>/",
        "accounts/reset/<uidb64>/<token>/",
    }


@pytest.mark.parametrize("route", _secret_routes(), ids=lambda r: r.pattern)
def test_no_token_of_a_secret_link_reaches_a_log_line(route: Route, world: World) -> None:
    world.tokens["case"] = "T" * 43
    url = route_url(route, world)
    secret = "T" * 43 if route.pattern.startswith("track/") else "0" * 43

    for line in (f"Not Found: {url}", f'"GET {url} HTTP/1.1" 404 179 "-"', f"Referer: https://x{url}"):
        assert secret not in redact(line), f"{route.pattern}: the token is logged ({redact(line)})"


def test_the_console_log_handler_redacts() -> None:
    logging: Any = settings.LOGGING
    assert "redact" in logging["handlers"]["console"]["filters"]


# Uploads --------------------------------------------------------------------------------------------


def _reply_with(world: World, upload: SimpleUploadedFile) -> Any:
    return Client().post(
        f"/track/{world.tokens['case']}/", {"action": "reply", "body": "附件", "attachments": upload}
    )


def _files(world: World) -> int:
    return CaseAttachment.objects.filter(case=world.case).count()


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200, "image/jpeg"),
        ("invoice.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "application/pdf"),
        ("run.bat", b"echo hello", "text/plain"),
        ("script.js", b"alert(1)", "text/plain"),
        ("readme.txt\u202egpj.exe", b"hello", "text/plain"),
        ("macro.docm", b"PK\x03\x04" + b"\x00" * 100, "application/octet-stream"),
    ],
)
def test_a_program_is_refused_whatever_its_name_or_declared_type(
    world: World, name: str, content: bytes, declared: str
) -> None:
    before = _files(world)

    response = _reply_with(world, SimpleUploadedFile(name, content, content_type=declared))

    assert response.status_code in (200, 302)
    assert _files(world) == before


def test_an_oversized_file_is_refused(world: World, settings: Any) -> None:
    settings.CHARTER_CASES_ATTACHMENT_MAX_BYTES = 1000
    before = _files(world)

    _reply_with(world, SimpleUploadedFile("big.txt", b"a" * 5000, content_type="text/plain"))

    assert _files(world) == before


def _zip_bomb() -> bytes:
    """A .docx-shaped ZIP whose one entry inflates to 200 MB (about 200 KB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


def test_an_office_file_that_is_a_zip_bomb_is_never_inflated(world: World) -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024

    started = time.monotonic()
    _reply_with(world, SimpleUploadedFile("report.docx", bomb, content_type="application/msword"))
    elapsed = time.monotonic() - started

    # Stored as opaque bytes (or refused): reading 200 MB of zeros would take far longer and fill memory.
    assert elapsed < 10
    stored = CaseAttachment.objects.filter(case=world.case, original_name="report.docx").first()
    if stored is not None:
        assert stored.size == len(bomb)


@pytest.mark.parametrize(
    "name", ["../../../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/abs/path/notes.txt"]
)
def test_a_name_with_a_path_is_stored_under_a_random_name_inside_the_media_folder(
    world: World, name: str
) -> None:
    before = set(CaseAttachment.objects.filter(case=world.case).values_list("pk", flat=True))

    _reply_with(world, SimpleUploadedFile(name, b"plain words", content_type="text/plain"))

    added = CaseAttachment.objects.filter(case=world.case).exclude(pk__in=before)
    for attachment in added:
        stored = Path(attachment.file.path).resolve()
        assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
        assert "/" not in attachment.original_name and "\\" not in attachment.original_name


# Input validation ----------------------------------------------------------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/desk/customers/{HUGE}/",
        f"/desk/training/courses/{HUGE}/",
        f"/desk/surveys/config/{HUGE}/",
        f"/api/v1/cases/{HUGE}/",
        f"/api/v1/customers/{HUGE}/",
        "/api/v1/cases/abc/",
        "/api/v1/cases/-1/",
    ],
)
def test_an_id_beyond_any_integer_column_answers_404_not_500(world: World, path: str) -> None:
    client = _verified_client(world.users["administrator"])
    client.raise_request_exception = False

    assert client.get(path).status_code == 404


def test_a_case_number_beyond_any_integer_answers_404(world: World) -> None:
    client = _verified_client(world.users["customer"])
    client.raise_request_exception = False

    assert client.get(f"/portal/cases/{world.case.number}/files/{HUGE}/").status_code == 404
    assert Client().get(f"/track/{world.tokens['case']}/files/{HUGE}/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "a\x00b"), ("description", "x\x00"), ("title", "长" * 201), ("name", "n" * 101)],
)
def test_a_nul_or_an_overlong_text_on_the_public_form_is_a_field_error(field: str, value: str) -> None:
    client = Client()
    client.raise_request_exception = False
    form = {
        "kind": "inquiry",
        "title": "标题",
        "description": "内容",
        "name": "王五",
        "phone": "13900000999",
        "consent": "on",
    }

    response = client.post("/cases/new/", {**form, field: value})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Case.objects.exists()
