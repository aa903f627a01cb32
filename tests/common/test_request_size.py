"""A request larger than CHARTER_MAX_REQUEST_BYTES is refused with 413 before anything reads its body.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files: before the limit, a form of any number of files
(or a chunked body without end) was received in full, whatever each upload path allowed per file.
"""

import io
from typing import Any, cast

import pytest
from django.test import Client

from charter.accounts.models import User
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

LIMIT = 4096


@pytest.fixture(autouse=True)
def _small_limit(settings: Any) -> None:
    settings.CHARTER_MAX_REQUEST_BYTES = LIMIT


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "charterboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="a.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_the_default_limit_holds_ten_of_the_largest_case_attachments_and_a_lesson_file() -> None:
    from charter.cases.conf import DEFAULTS
    from charter.config import settings as configured
    from charter.training.courses import LESSON_FILE_MAX_BYTES

    assert configured.CHARTER_MAX_REQUEST_BYTES > 10 * DEFAULTS["CHARTER_CASES_ATTACHMENT_MAX_BYTES"]
    assert configured.CHARTER_MAX_REQUEST_BYTES > LESSON_FILE_MAX_BYTES


def test_a_page_post_over_the_limit_gets_a_413_page_in_the_users_language() -> None:
    body, content_type = _multipart(LIMIT * 2)
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/cases/new/", body, content_type=content_type)
    en = Client(HTTP_ACCEPT_LANGUAGE="en").post("/cases/new/", body, content_type=content_type)
    assert zh.status_code == en.status_code == 413
    assert "请求过大" in zh.content.decode()
    assert "Request too large" in en.content.decode()


def test_an_api_post_over_the_limit_gets_json_413(customer_user: User) -> None:
    body, content_type = _multipart(LIMIT * 2)
    response = api_client_for(customer_user, "en").post("/api/v1/cases/", body, content_type=content_type)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "MB" in response.json()["detail"]


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    class Untouchable(io.BytesIO):
        def read(self, *args: object, **kwargs: object) -> bytes:
            raise AssertionError("the body was read")

    response = Client().generic(
        "POST",
        "/cases/new/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(LIMIT + 1),
        **cast(Any, {"wsgi.input": Untouchable()}),
    )
    assert response.status_code == 413


def test_a_chunked_body_is_counted_and_refused_once_it_passes_the_limit() -> None:
    body, content_type = _multipart(LIMIT * 2)
    response = Client().generic(
        "POST",
        "/cases/new/",
        b"",
        content_type=content_type,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **cast(Any, {"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True}),
    )
    assert response.status_code == 413


def test_a_chunked_body_under_the_limit_is_read_whole(customer_user: User) -> None:
    client = api_client_for(customer_user, "en")
    payload = b'{"kind": "inquiry"}'
    response = client.generic(
        "POST",
        "/api/v1/cases/",
        "",
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **cast(Any, {"wsgi.input": io.BytesIO(payload), "wsgi.input_terminated": True}),
    )
    assert response.status_code == 400
    # The view saw the body: it complains of the missing fields, not of an empty body.
    assert "title" in response.json().get("fields", {})


def test_a_request_under_the_limit_passes() -> None:
    body, content_type = _multipart(100)
    response = Client().post("/cases/new/", body, content_type=content_type)
    assert response.status_code != 413
