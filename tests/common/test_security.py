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


def test_client_address_comes_from_the_configured_proxy_header(settings: object) -> None:
    from django.test import RequestFactory

    from charter.common.http import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")

    assert client_ip(request) == "10.0.0.1"
    settings.CHARTER_CLIENT_IP_HEADER = "X-Forwarded-For"  # type: ignore[attr-defined]
    assert client_ip(request) == "203.0.113.9"
