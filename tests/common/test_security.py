import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy() -> None:
    response = Client().get("/accounts/login/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_other_origins() -> None:
    html = Client().get("/accounts/login/").content.decode()

    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "/static/vendor/htmx/" in html
