"""JSON nested deeper than 100 levels is refused with 400 `request_too_deep` wherever a body is parsed.

Before the parser checked depth, 10,000 nested lists reached Python's recursion limit inside the JSON
decoder and the API answered with a 500.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from charter.accounts.models import User
from charter.common.errors import DomainError
from charter.common.parsers import JSON_MAX_DEPTH, json_depth_check, json_loads_limited
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_ten_thousand_levels_of_json_answer_400_request_too_deep_not_500(customer_user: User) -> None:
    client = api_client_for(customer_user)
    response = client.post("/api/v1/cases/", data=_nested(10_000), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "request_too_deep"
    assert response.json()["detail"]


def test_the_refusal_speaks_the_callers_language(customer_user: User) -> None:
    zh = api_client_for(customer_user).post(
        "/api/v1/cases/", data=_nested(500), content_type="application/json"
    )
    en = api_client_for(customer_user, "en").post(
        "/api/v1/cases/", data=_nested(500), content_type="application/json"
    )
    assert zh.json()["code"] == en.json()["code"] == "request_too_deep"
    assert zh.json()["detail"] != en.json()["detail"]


def test_objects_nested_deeper_than_the_limit_are_refused_too() -> None:
    deep = '{"a":' * (JSON_MAX_DEPTH + 1) + "1" + "}" * (JSON_MAX_DEPTH + 1)
    with pytest.raises(DomainError) as caught:
        json_loads_limited(deep)
    assert caught.value.code == "request_too_deep"


def test_json_at_the_limit_is_parsed() -> None:
    assert json_loads_limited(_nested(JSON_MAX_DEPTH)) == json.loads(_nested(JSON_MAX_DEPTH))


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"text": "[" * 5000 + "{" * 5000, "escaped": '\\"[[[['})
    json_depth_check(text)
    assert json_loads_limited(text)["text"].startswith("[[[")


def test_an_ordinary_json_body_still_reaches_the_view(customer_user: User) -> None:
    response = api_client_for(customer_user).post("/api/v1/cases/", data={"kind": "inquiry"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] != "request_too_deep"


def test_the_holiday_file_import_refuses_deep_json_as_a_form_error() -> None:
    from charter.sla.forms import ImportForm

    upload = SimpleUploadedFile("holidays.json", _nested(10_000).encode(), content_type="application/json")
    form = ImportForm(data={}, files=MultiValueDict({"file": [upload]}))
    assert not form.is_valid()
    assert "file" in form.errors


def test_bytes_and_streams_are_checked() -> None:
    with pytest.raises(DomainError):
        json_loads_limited(io.BytesIO(_nested(200).encode()).read())


def test_the_depth_count_stays_linear_on_escaped_quotes_without_end() -> None:
    import time

    hostile = '"' + '\\"' * 500_000 + "\\"
    started = time.monotonic()
    json_depth_check(hostile)
    assert time.monotonic() - started < 1.0
