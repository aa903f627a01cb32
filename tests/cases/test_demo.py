"""The demo cases load through the services, cover every kind and status, and load once."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.accounts import demo as accounts_demo
from charter.cases import demo as cases_demo
from charter.cases.models import CannedResponse, Case, CaseCategory, CaseClock, TeamRouting
from charter.catalog import demo as catalog_demo
from charter.common.vocabulary import CaseKind
from charter.sla import demo as sla_demo

pytestmark = pytest.mark.django_db


@time_machine.travel(
    dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC), tick=False
)  # a Wednesday, 10:00 in Shanghai
def test_the_demo_covers_kinds_statuses_named_staff_and_deadlines(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    admin = accounts_demo.demo_load()
    catalog_demo.demo_load(actor=admin)
    sla_demo.demo_load(actor=admin)

    made = cases_demo.demo_load(actor=admin)

    assert 18 <= made == Case.objects.count() <= 25
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses >= {
        "acknowledged",
        "in_progress",
        "waiting_customer",
        "escalated",
        "resolved",
        "reconsideration",
        "closed",
        "cancelled",
    }
    assert Case.objects.filter(kind="complaint", named_staff__isnull=False).count() >= 2
    assert CaseClock.objects.filter(breached_at__isnull=False, status="running").exists()
    assert CaseClock.objects.filter(
        warned_at__isnull=False, breached_at__isnull=True, status="running"
    ).exists()
    assert Case.objects.filter(merged_into__isnull=False).count() == 1
    # The fault-repair charter promises a crew on site: its case waits for the visit to be recorded.
    assert CaseClock.objects.filter(metric="on_site_arrival", status="running").exists()
    for complaint in Case.objects.filter(kind="complaint").prefetch_related("named_staff"):
        assert complaint.assignee not in list(complaint.named_staff.all())
    assert CaseCategory.objects.filter(parent__isnull=True).count() >= 4
    assert TeamRouting.objects.filter(is_default=True).count() == 1
    assert all(r.body_en for r in CannedResponse.objects.all())

    assert cases_demo.demo_load(actor=admin) == 0
    assert Case.objects.count() == made
