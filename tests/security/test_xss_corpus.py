"""Stored XSS: a corpus of payloads sent through the text inputs customers and staff fill in, and every page
that shows them fetched: each payload appears only escaped (its marker is there, its markup is not).

Inputs: the public intake form (subject, description, what the customer wants, his name), the customer's
reply on the tracking page, the staff reply and internal note, and five staff forms' texts (survey name,
course title, service name and summary, service category name and description, canned response title).
"""

from typing import Any

import pytest
from django.test import Client

from charter.accounts.models import User
from charter.cases.models import Case
from charter.cases.services import canned_response_create, case_reply
from charter.catalog.models import ServiceCategory
from charter.catalog.services import CategoryContent, service_category_create, service_create
from charter.surveys.services import survey_create
from charter.training.courses import course_create
from tests.security.conftest import World, _verified_client

pytestmark = pytest.mark.django_db

# Each payload carries a marker that must reach the page, and markup that must not reach it raw.
CORPUS = (
    '<script>alert("XSS1")</script>',
    "\"><img src=x onerror=alert('XSS2')>",
    "javascript:alert('XSS3')",
    '<svg onload=alert("XSS4")>',
    '{{ 7|add:"XSS5" }}{% debug %}',
    "<a href=\"javascript:alert('XSS6')\">XSS6</a>",
    "</textarea><script>XSS7</script>",
    "<iframe srcdoc='<script>XSS8</script>'>",
)
ALL = " ".join(CORPUS)
SHORT = '<script>alert("XSS1")</script> "><img src=x onerror=alert(XSS2)> javascript:XSS3'
# What must never appear in a page that shows the texts above.
RAW = (
    "<script>alert",
    "<script>XSS7",
    "<img src=x",
    "<svg onload",
    'href="javascript:',
    "href='javascript:",
    "<iframe srcdoc",
    "7XSS5",  # a template rendered the text
)


def assert_only_escaped(html: str, *markers: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} reached the page unescaped"
    for marker in markers:
        assert marker in html, f"{marker} is not on the page: the text was not shown"


def test_the_public_intake_texts_are_escaped_on_the_tracking_page_and_the_desk(world: World) -> None:
    visitor = Client()
    page = visitor.get("/cases/new/")
    token = page.context["form"]["form_token"].value()
    response = visitor.post(
        "/cases/new/",
        {
            "kind": "inquiry",
            "title": SHORT,
            "description": ALL,
            "remedy_sought": ALL,
            "name": '<script>alert("XSS1")</script>李',
            "phone": "13900000123",
            "consent": "on",
            "form_token": token,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    track = visitor.get(response["Location"]).content.decode()
    assert_only_escaped(track, "XSS1", "XSS2", "XSS4", "XSS5", "XSS6", "XSS8")

    case = Case.objects.exclude(pk__in=[world.case.pk, world.other_case.pk]).get()
    # New cases go to the other team (the world's default routing at the end).
    desk = _verified_client(world.users["outsider"]).get(f"/desk/cases/{case.number}/")
    assert desk.status_code == 200
    assert_only_escaped(desk.content.decode(), "XSS1", "XSS2", "XSS6")


def test_the_customers_reply_is_escaped_for_him_and_for_staff(world: World) -> None:
    link = f"/track/{world.tokens['case']}/"
    visitor = Client()
    answer = visitor.post(link, {"action": "reply", "body": ALL})
    assert answer.status_code == 302

    assert_only_escaped(visitor.get(link).content.decode(), "XSS1", "XSS6", "XSS8")
    desk = _verified_client(world.users["agent"]).get(f"/desk/cases/{world.case.number}/")
    assert_only_escaped(desk.content.decode(), "XSS1", "XSS6", "XSS8")


def test_a_staff_reply_and_note_are_escaped_on_the_desk_and_the_reply_for_the_customer(
    world: World,
) -> None:
    agent: User = world.users["agent"]
    case_reply(actor=agent, case=world.case, body=ALL)
    case_reply(actor=agent, case=world.case, body=ALL.replace("XSS", "NOTE"), is_internal=True)

    desk = _verified_client(agent).get(f"/desk/cases/{world.case.number}/").content.decode()
    assert_only_escaped(desk, "XSS1", "NOTE1", "XSS6")
    track = Client().get(f"/track/{world.tokens['case']}/").content.decode()
    assert_only_escaped(track, "XSS1", "XSS6")
    assert "NOTE1" not in track


@pytest.fixture
def admin_client(world: World) -> Client:
    return _verified_client(world.users["administrator"])


def _check(client: Client, url: str, *markers: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    assert_only_escaped(response.content.decode(), *markers)


def test_five_staff_forms_texts_are_escaped_where_they_are_shown(world: World, admin_client: Client) -> None:
    admin: User = world.users["administrator"]
    survey = survey_create(actor=admin, code="xss-survey", name_zh=SHORT, intro_zh=ALL)
    course = course_create(actor=admin, code="xss-course", title_zh=SHORT)
    category = service_category_create(
        actor=admin, slug="xss-category", content=CategoryContent(name_zh=SHORT, description_zh=ALL)
    )
    service = service_create(
        actor=admin, slug="xss-service", category=category, name_zh=SHORT, summary_zh=SHORT
    )
    canned_response_create(actor=admin, code="xss-canned", title_zh=SHORT, body_zh=ALL)

    _check(admin_client, "/desk/surveys/config/", "XSS1")
    _check(admin_client, f"/desk/surveys/config/{survey.pk}/", "XSS1")
    _check(admin_client, "/desk/training/courses/", "XSS1")
    _check(admin_client, f"/desk/training/courses/{course.pk}/", "XSS1")
    _check(admin_client, "/desk/service-categories/", "XSS1")
    _check(admin_client, f"/desk/services/{service.slug}/", "XSS1")
    _check(admin_client, "/desk/services/", "XSS1")
    _check(admin_client, f"/desk/cases/{world.case.number}/", "XSS1")
    assert ServiceCategory.objects.filter(slug="xss-category").exists()


def test_a_bidi_override_in_a_name_is_refused_or_shown_inert(world: World) -> None:
    visitor = Client()
    token = visitor.get("/cases/new/").context["form"]["form_token"].value()
    response: Any = visitor.post(
        "/cases/new/",
        {
            "kind": "inquiry",
            "title": "\u202eXSS9 gpj.exe",
            "description": "\u2066<b>XSS9</b>\u2069",
            "name": "王\u202e五",
            "phone": "13900000124",
            "consent": "on",
            "form_token": token,
        },
    )
    if response.status_code == 302:
        html = visitor.get(response["Location"]).content.decode()
        assert "<b>XSS9" not in html
    else:
        assert response.status_code == 200 and "XSS9" in response.content.decode()
