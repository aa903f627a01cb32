"""The demo `make run` loads: complete, idempotent, and with a month of history behind it."""

import pytest
from django.core.management import call_command
from django.test import Client

from charter.cases.models import Case
from charter.reports.models import ServicePeriodFigures
from charter.surveys.models import Response

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_without_change_and_publishes_last_months_figures(client: Client) -> None:
    call_command("load_demo", stdout=None)
    cases, responses = Case.objects.count(), Response.objects.count()
    call_command("load_demo", stdout=None)

    assert (Case.objects.count(), Response.objects.count()) == (cases, responses)
    assert responses > 0
    published = ServicePeriodFigures.objects.filter(period_kind="month", cases_handled__gt=0)
    assert published.exists()
    page = client.get(f"/services/{published.first().service.slug}/").content.decode()
    assert "上月" in page and "满意" in page
