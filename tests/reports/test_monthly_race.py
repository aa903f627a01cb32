"""PostgreSQL: two workers running the monthly report's daily step at once generate the month once and mail
each subscriber once (the report's row is locked while generating; `mailed_at` is claimed)."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.mail.models import OutboundMessage
from charter.reports.models import MonthlyReport, ReportSubscription
from charter.reports.monthly import monthly_report_run

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers by itself"),
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _together(work: Callable[[], Any], count: int = 2) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_workers_generate_the_month_once_and_mail_it_once(
    supervisor: User, administrator: User, settings: Any
) -> None:
    supervisor.email, administrator.email = "sam@example.cn", "admin@example.cn"
    supervisor.save()
    administrator.save()
    ReportSubscription.objects.create(user=supervisor, language="zh-hans")
    ReportSubscription.objects.create(user=administrator, language="en")

    reports = _together(monthly_report_run)

    assert len({report.pk for report in reports}) == 1
    assert MonthlyReport.objects.get().state == MonthlyReport.State.READY
    assert AuditEvent.objects.filter(action="reports.monthly_generate").count() == 1
    # the supervisor, confined to his subtree, no longer qualifies for the organisation-wide report
    assert list(OutboundMessage.objects.values_list("recipient", flat=True)) == ["admin@example.cn"]
    report = MonthlyReport.objects.get()
    kept = {Path(report.file_zh.path), Path(report.file_en.path)}
    assert set(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == kept  # the later worker deleted its own files
