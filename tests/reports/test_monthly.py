"""The monthly service-quality report: its figures against a small March 2026, the two PDFs, idempotent
generation, the first working day, the mail to subscribers once, and the desk pages' permissions."""

import datetime as dt
import hashlib
import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case, CaseClock, CaseStatus
from charter.catalog.models import Service
from charter.common.errors import DomainError, PermissionDeniedError
from charter.improvement.models import ActionItem, CorrectiveAction, SourceKind
from charter.mail.models import OutboundMessage
from charter.reports.mailing import monthly_report_mail
from charter.reports.models import MonthlyReport, ReportSubscription, RollupState
from charter.reports.monthly import (
    first_working_day,
    monthly_report_due,
    monthly_report_generate,
    monthly_report_run,
    report_subscription_save,
)
from charter.reports.pdf import monthly_report_pdf
from charter.reports.rollups import rollup_refresh
from charter.reports.services import figures_refresh
from tests.conftest import client_for
from tests.reports.conftest import commitment, local, make_clock

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
MARCH = dt.date(2026, 3, 1)
# Wednesday 1 April 2026 10:00 in Shanghai: the first working day after March.
APRIL_FIRST = local(2026, 4, 1, 10)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _case(
    customer: Customer,
    *,
    team: Team | None,
    received_at: dt.datetime,
    kind: str = "inquiry",
    service: Service | None = None,
    root_cause: str = "",
    resolved_at: dt.datetime | None = None,
) -> Case:
    return Case.objects.create(
        number=f"M-{next(_numbers):06d}",
        kind=kind,
        channel="web",
        title="水费账单疑问",
        description="金额不对。",
        customer=customer,
        team=team,
        service=service,
        status=CaseStatus.RESOLVED if resolved_at else CaseStatus.IN_PROGRESS,
        received_at=received_at,
        resolved_at=resolved_at,
        root_cause=root_cause,
    )


@pytest.fixture
def world(customer: Customer, team: Team, service: Service, administrator: User) -> dict[str, Any]:
    """March 2026: four cases (three complaints, two about communication), a commitment kept once of two
    clocks, a corrective action opened (with an overdue item) and one closed; one case in February 2026 and
    two in March 2025 to compare with."""
    promise = commitment(service, "resolution")
    complaints = [
        _case(
            customer,
            team=team,
            kind="complaint",
            received_at=local(2026, 3, day, 9),
            root_cause=cause,
            resolved_at=local(2026, 3, day + 1, 9),
        )
        for day, cause in ((2, "communication"), (9, "communication"), (16, "process"))
    ]
    _case(customer, team=team, received_at=local(2026, 3, 20, 9), service=service)
    _case(customer, team=team, received_at=local(2026, 2, 10, 9))
    _case(customer, team=team, received_at=local(2025, 3, 10, 9))
    _case(customer, team=team, received_at=local(2025, 3, 11, 9))
    make_clock(
        complaints[0],
        promise,
        CaseClock.Status.MET,
        started_at=local(2026, 3, 2, 9),
        met_at=local(2026, 3, 3, 9),
    )
    make_clock(
        complaints[1],
        promise,
        CaseClock.Status.BREACHED,
        started_at=local(2026, 3, 9, 9),
        breached_at=local(2026, 3, 12, 9),
    )
    opened = CorrectiveAction.objects.create(
        number="CA-2026-0001",
        title="沟通不到位",
        source_kind=SourceKind.OTHER,
        problem="客户多次投诉解释不清。",
        owner=administrator,
        opened_by=administrator,
        opened_at=local(2026, 3, 20, 9),
    )
    ActionItem.objects.create(
        action=opened, description="培训", owner=administrator, due_on=dt.date(2026, 3, 25)
    )
    CorrectiveAction.objects.create(
        number="CA-2026-0002",
        title="旧问题",
        source_kind=SourceKind.OTHER,
        problem="已解决。",
        owner=administrator,
        opened_by=administrator,
        opened_at=local(2026, 1, 5, 9),
        status="closed",
        closed_at=local(2026, 3, 28, 9),
    )
    with time_machine.travel(APRIL_FIRST, tick=False):
        rollup_refresh(full=True)
        figures_refresh()
    return {"promise": promise}


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(  # noqa: S603 (a fixed Debian tool on our own file)
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_figures_are_those_of_the_month_against_the_previous_and_last_year(world: dict[str, Any]) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        report = monthly_report_generate(month=dt.date(2026, 3, 15))

    assert report.state == MonthlyReport.State.READY
    assert report.month == MARCH
    figures = report.figures
    zh, en = figures["current"]["zh-hans"], figures["current"]["en"]
    assert zh["received"] == en["received"] == 4
    assert zh["complaints"] == 3
    assert figures["previous"]["received"] == 1
    assert figures["year_before"]["received"] == 2
    assert zh["sla"] == {"part": 1, "whole": 2}
    causes = {row["key"]: row["count"] for row in zh["complaints_by_root_cause"]}
    assert causes == {"communication": 2, "process": 1}
    # Labels are kept in each language: the PDFs are printed from the row alone.
    zh_labels = {row["key"]: row["label"] for row in zh["complaints_by_root_cause"]}
    en_labels = {row["key"]: row["label"] for row in en["complaints_by_root_cause"]}
    assert en_labels["communication"] == "Communication"
    assert zh_labels["communication"] != en_labels["communication"]
    [kept] = [entry for entry in figures["commitments"] if entry["metric"] == "resolution"]
    assert (kept["met"], kept["finished"]) == (1, 2)
    assert kept["service_zh"] and kept["label_en"]
    assert figures["actions"] == {"opened": 1, "closed": 1, "active": 1, "overdue": 1}


def test_both_pdfs_are_a4_with_chinese_headings_and_their_hashes_kept(
    world: dict[str, Any], tmp_path: Path
) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        report = monthly_report_generate(month=MARCH)

    chinese = report.file_zh.read()
    english = report.file_en.read()
    assert chinese.startswith(b"%PDF") and english.startswith(b"%PDF")
    assert hashlib.sha256(chinese).hexdigest() == report.sha256_zh
    assert hashlib.sha256(english).hexdigest() == report.sha256_en
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in chinese  # A4 portrait
    text_zh = _pdf_text(chinese, tmp_path)
    assert "服务质量月报" in text_zh
    assert "2026年3月" in text_zh
    assert "一、" in text_zh and "二、服务承诺兑现情况" in text_zh
    assert re.search(r"第\s*1\s*页", text_zh)
    assert "2026-04-01 10:00" in text_zh  # generated at, in Beijing time
    text_en = _pdf_text(english, tmp_path)
    assert "Monthly service quality report" in text_en
    assert "March 2026" in text_en
    assert "Page 1" in text_en
    # The random storage names say nothing of the month.
    assert "2026-03" not in report.file_zh.name and report.file_zh.name.endswith(".pdf")


def test_the_same_figures_print_the_same_bytes(world: dict[str, Any]) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        report = monthly_report_generate(month=MARCH)

    assert monthly_report_pdf(report.figures, "zh-hans") == report.file_zh.read()


def test_the_worker_generates_a_month_once(world: dict[str, Any]) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        first = monthly_report_generate(month=MARCH)
        second = monthly_report_generate(month=MARCH)

    assert second.pk == first.pk
    assert second.file_zh.name == first.file_zh.name
    assert AuditEvent.objects.filter(action="reports.monthly_generate").count() == 1


def test_an_administrator_generates_again_and_the_old_files_go(
    world: dict[str, Any], administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        first = monthly_report_generate(month=MARCH)
        old_path = Path(first.file_zh.path)
        with django_capture_on_commit_callbacks(execute=True):
            again = monthly_report_generate(month=MARCH, actor=administrator)

    assert again.file_zh.name != first.file_zh.name
    assert again.sha256_zh == first.sha256_zh  # same figures, same time: the same file
    assert not old_path.exists()
    assert again.generated_by == administrator
    event = AuditEvent.objects.filter(action="reports.monthly_generate").latest("pk")
    assert event.actor == administrator and event.data["again"] is True


def test_only_administrators_generate_and_only_ended_months(world: dict[str, Any], supervisor: User) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        with pytest.raises(PermissionDeniedError):
            monthly_report_generate(month=MARCH, actor=supervisor)
        with pytest.raises(DomainError):
            monthly_report_generate(month=dt.date(2026, 4, 1))

    assert not MonthlyReport.objects.exists()


def test_a_failure_is_kept_on_the_row_and_leaves_no_file(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    def broken(figures: dict[str, Any], language: str) -> bytes:
        raise RuntimeError("font missing")

    monkeypatch.setattr("charter.reports.pdf.monthly_report_pdf", broken)
    with time_machine.travel(APRIL_FIRST, tick=False):
        report = monthly_report_generate(month=MARCH)

    assert report.state == MonthlyReport.State.FAILED
    assert "font missing" in report.error
    assert not report.file_zh
    assert AuditEvent.objects.filter(action="reports.monthly_generate_failed").count() == 1
    media = Path(settings.MEDIA_ROOT)
    assert not list(media.rglob("*.pdf"))


def test_a_failed_regeneration_keeps_the_ready_report_and_its_files(
    world: dict[str, Any], administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        first = monthly_report_generate(month=MARCH)

        def broken(figures: dict[str, Any], language: str) -> bytes:
            raise RuntimeError("font missing")

        monkeypatch.setattr("charter.reports.pdf.monthly_report_pdf", broken)
        again = monthly_report_generate(month=MARCH, actor=administrator)

    again.refresh_from_db()
    assert again.state == MonthlyReport.State.READY
    assert again.file_zh.name == first.file_zh.name and Path(again.file_zh.path).exists()
    assert again.sha256_zh == first.sha256_zh
    assert "font missing" in again.error
    event = AuditEvent.objects.get(action="reports.monthly_generate_failed")
    assert event.actor == administrator and event.data["state"] == MonthlyReport.State.READY
    download = client_for(administrator).get(f"/desk/reports/monthly/{again.pk}/en.pdf")
    assert download.status_code == 200


def test_the_refreshes_and_the_pdfs_run_outside_the_reports_transaction(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    depth = len(connection.atomic_blocks)
    seen: dict[str, int] = {}
    real_refresh, real_pdf = rollup_refresh, monthly_report_pdf

    def refresh(**kwargs: Any) -> Any:
        seen["refresh"] = len(connection.atomic_blocks)
        return real_refresh(**kwargs)

    def pdf(figures: dict[str, Any], language: str) -> bytes:
        seen[language] = len(connection.atomic_blocks)
        return real_pdf(figures, language)

    monkeypatch.setattr("charter.reports.monthly.rollup_refresh", refresh)
    monkeypatch.setattr("charter.reports.pdf.monthly_report_pdf", pdf)
    RollupState.objects.filter(name="daily").update(refreshed_at=None)  # the month's end not yet covered
    with time_machine.travel(APRIL_FIRST, tick=False):
        report = monthly_report_generate(month=MARCH)

    assert report.state == MonthlyReport.State.READY
    assert seen == {"refresh": depth, "zh-hans": depth, "en": depth}


def test_the_first_working_day_skips_the_weekend() -> None:
    # 1 August 2026 is a Saturday: the first working day is Monday the 3rd.
    assert first_working_day(dt.date(2026, 8, 20)) == dt.date(2026, 8, 3)
    assert first_working_day(dt.date(2026, 4, 9)) == dt.date(2026, 4, 1)


def test_last_month_is_due_from_the_first_working_day_until_it_is_ready(db: None) -> None:
    assert monthly_report_due(at=local(2026, 8, 2, 10)) is None  # Sunday 2 August: not yet
    assert monthly_report_due(at=local(2026, 8, 3, 10)) == dt.date(2026, 7, 1)
    assert monthly_report_due(at=local(2026, 8, 12, 10)) == dt.date(2026, 7, 1)  # the worker was down
    MonthlyReport.objects.create(month=dt.date(2026, 7, 1), state=MonthlyReport.State.READY)
    assert monthly_report_due(at=local(2026, 8, 12, 10)) is None


def test_the_daily_run_generates_and_mails_each_subscriber_once_in_his_language(
    world: dict[str, Any],
    supervisor: User,
    administrator: User,
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    supervisor.email, administrator.email, member.email = "sam@example.cn", "admin@example.cn", "a@example.cn"
    for user in (supervisor, administrator, member):
        user.save()
    report_subscription_save(user=administrator, language="en")
    ReportSubscription.objects.create(user=member, language="zh-hans")  # lost the right since
    ReportSubscription.objects.create(user=supervisor, language="zh-hans")  # scoped to his subtree

    with time_machine.travel(APRIL_FIRST, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_run()
        again = monthly_report_run()

    assert report is not None and again is not None
    assert report.state == MonthlyReport.State.READY and report.mailed_at is not None
    messages = OutboundMessage.objects.filter(template="reports.monthly_report")
    assert sorted(m.recipient for m in messages) == ["admin@example.cn"]  # organisation-wide readers only
    english = messages.get()
    assert "March 2026" in english.subject
    assert f"/desk/reports/monthly/{report.pk}/en.pdf" in english.body
    assert len(mail.outbox) == 1
    assert monthly_report_mail(report_id=report.pk) == 0


def test_the_daily_run_does_nothing_before_the_first_working_day(world: dict[str, Any]) -> None:
    with time_machine.travel(local(2026, 8, 1, 10), tick=False):  # Saturday
        assert monthly_report_run() is None

    assert not MonthlyReport.objects.exists()


# Pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def ready(world: dict[str, Any]) -> MonthlyReport:
    with time_machine.travel(APRIL_FIRST, tick=False):
        return monthly_report_generate(month=MARCH)


def test_an_administrator_lists_and_downloads_and_it_is_audited(
    ready: MonthlyReport, administrator: User
) -> None:
    client = client_for(administrator)

    page = client.get("/desk/reports/monthly/")
    download = client.get(f"/desk/reports/monthly/{ready.pk}/zh-hans.pdf")

    assert page.status_code == 200
    assert f"/desk/reports/monthly/{ready.pk}/en.pdf" in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="reports.monthly_download")
    assert event.actor == administrator and event.data == {"language": "zh-hans"}


def test_a_supervisor_scoped_to_his_subtree_gets_neither_the_list_nor_the_file(
    ready: MonthlyReport, supervisor: User
) -> None:
    client = client_for(supervisor)

    assert client.get("/desk/reports/monthly/").status_code == 403
    assert client.get(f"/desk/reports/monthly/{ready.pk}/zh-hans.pdf").status_code == 403
    assert client.post("/desk/reports/monthly/subscription/", {"language": "en"}).status_code == 403
    assert not ReportSubscription.objects.filter(user=supervisor).exists()
    assert not AuditEvent.objects.filter(action="reports.monthly_download").exists()
    dashboard = client.get("/desk/dashboard/").content.decode()
    assert 'data-testid="dashboard-monthly-link"' not in dashboard
    assert 'href="/desk/reports/monthly/"' not in dashboard


def test_an_agent_gets_neither_the_list_nor_the_file(ready: MonthlyReport, member: User) -> None:
    client = client_for(member)

    assert client.get("/desk/reports/monthly/").status_code == 403
    assert client.get(f"/desk/reports/monthly/{ready.pk}/zh-hans.pdf").status_code == 403
    assert not AuditEvent.objects.filter(action="reports.monthly_download").exists()


def test_an_unknown_language_or_report_is_404(ready: MonthlyReport, administrator: User) -> None:
    client = client_for(administrator)

    assert client.get(f"/desk/reports/monthly/{ready.pk}/fr.pdf").status_code == 404
    assert client.get(f"/desk/reports/monthly/{ready.pk + 1000}/en.pdf").status_code == 404


def test_only_an_administrator_generates_from_the_page(
    world: dict[str, Any], supervisor: User, administrator: User
) -> None:
    with time_machine.travel(APRIL_FIRST, tick=False):
        refused = client_for(supervisor).post("/desk/reports/monthly/generate/", {"month": "2026-03"})
        assert refused.status_code == 403
        assert not MonthlyReport.objects.exists()
        client = client_for(administrator)
        assert 'data-testid="monthly-generate"' in client.get("/desk/reports/monthly/").content.decode()
        done = client.post("/desk/reports/monthly/generate/", {"month": "2026-03"})

    assert done.status_code == 302
    assert MonthlyReport.objects.get(month=MARCH).state == MonthlyReport.State.READY


def test_subscribing_and_unsubscribing(administrator: User, member: User) -> None:
    client = client_for(administrator)

    client.post("/desk/reports/monthly/subscription/", {"language": "en"})
    assert ReportSubscription.objects.get(user=administrator).language == "en"
    client.post("/desk/reports/monthly/subscription/", {"language": "zh-hans"})
    assert ReportSubscription.objects.get(user=administrator).language == "zh-hans"
    bad = client.post("/desk/reports/monthly/subscription/", {"language": "fr"})
    assert bad.status_code == 302 and ReportSubscription.objects.get(user=administrator).language == "zh-hans"
    client.post("/desk/reports/monthly/subscription/", {"unsubscribe": "1"})
    assert not ReportSubscription.objects.filter(user=administrator).exists()
    assert (
        client_for(member).post("/desk/reports/monthly/subscription/", {"language": "en"}).status_code == 403
    )
    assert not ReportSubscription.objects.filter(user=member).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="reports.monthly_").values_list("action", flat=True)
    )
    assert (
        actions.count("reports.monthly_subscribe") == 2 and actions.count("reports.monthly_unsubscribe") == 1
    )


def test_the_mail_templates_render_their_example() -> None:
    from charter.mail.rendering import template_default, template_preview

    for language in ("zh-hans", "en"):
        subject, body = template_default("reports.monthly_report", language)
        rendered = template_preview("reports.monthly_report", subject, body)
        assert "2026年11月" in rendered.subject
