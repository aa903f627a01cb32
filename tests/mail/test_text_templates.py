"""Plain-text mail is rendered without HTML escaping: a name arrives as the customer typed it. Pages that
show the same text (the template preview) still escape it."""

import pytest
from django.test import Client
from django.urls import reverse

from charter.accounts.models import User
from charter.mail.models import MailTemplate
from charter.mail.rendering import mail_render

pytestmark = pytest.mark.django_db
NAME = "O'Brien & <Co>"


def test_a_text_template_renders_names_as_typed() -> None:
    rendered = mail_render("cases.acknowledged", "en", {"recipient_name": NAME, "number": "TS-2026-000001"})

    assert NAME in rendered.body
    assert "&amp;" not in rendered.body and "&#x27;" not in rendered.body and "&lt;" not in rendered.body


def test_an_administrators_template_with_filters_keeps_the_text_as_typed() -> None:
    MailTemplate.objects.create(
        key="cases.acknowledged",
        language="en",
        subject="{{ recipient_name }}: {{ number }}",
        body="{{ recipient_name|upper }}\n{{ recipient_name|truncatechars:40 }}",
    )

    rendered = mail_render("cases.acknowledged", "en", {"recipient_name": NAME, "number": "TS-2026-000001"})

    assert rendered.subject == f"{NAME}: TS-2026-000001"
    assert rendered.body == "O'BRIEN & <CO>\n" + NAME + "\n"


def test_the_preview_page_still_escapes_what_it_shows(administrator: User, client: Client) -> None:
    client.force_login(administrator)
    url = reverse("mail:template_edit", args=["cases.acknowledged", "en"])

    response = client.post(
        url, {"subject": "Hello <b>{{ number }}</b>", "body": "<script>x</script> & more", "preview": "1"}
    )

    page = response.content.decode()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
