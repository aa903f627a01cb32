"""The monthly service-quality report (服务质量月报): what it says, when it is due, and its generation.

`monthly_figures_compute` gathers everything the report prints into JSON-ready data (kept in
`MonthlyReport.figures`, so the PDFs can be printed again identically from the row alone): the dashboard's
figures for the month (in Chinese and in English, since their labels are resolved in the active language),
for the month before and the same month a year before (headline numbers), the twelve months' trend, the
published commitments and how often each was kept (the public charter's month rows), and the corrective
actions opened, closed, active and overdue. `monthly_report_generate` prints the two PDFs
(charter/reports/pdf.py) and keeps them; `monthly_report_due` says which month the worker should generate.
"""

import datetime as dt
import hashlib
import secrets
import time
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.catalog.selectors import organisation_name, service_version_list_in_force
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.improvement.models import ACTIVE_STATUSES, ActionItem, CorrectiveAction
from charter.reports.dashboard import dashboard_figures
from charter.reports.errors import ErrorCode
from charter.reports.figures import to_json
from charter.reports.models import (
    MonthlyReport,
    PeriodKind,
    ReportSubscription,
    RollupState,
    ServicePeriodFigures,
)
from charter.reports.periods import add_months, last_full_month, local_date, local_midnight
from charter.reports.permissions import can_generate_monthly_report, can_read_monthly_report
from charter.reports.rollups import DAILY, rollup_refresh
from charter.reports.services import figures_refresh
from charter.sla.deadlines import is_working_day
from charter.sla.selectors import calendar_for_team

FORMAT_VERSION = 1
LANGUAGES = ("zh-hans", "en")
TOP_CAUSES = 5


def month_start(day: dt.date) -> dt.date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def first_working_day(month: dt.date) -> dt.date:
    """The first working day of `month` in the default business calendar (调休 and holidays included)."""
    calendar = calendar_for_team(team=None)
    day = month_start(month)
    for _offset in range(31):
        if is_working_day(calendar, day):
            return day
        day += dt.timedelta(days=1)
    return month_start(month)  # a calendar without any working day in the month: its first day


def monthly_report_due(*, at: dt.datetime | None = None) -> dt.date | None:
    """Return the month whose report the worker should generate at `at` (default now): last month, from the
    first working day of this month on, while its report is not ready; else None."""
    at = at or timezone.now()
    today = local_date(at)
    if today < first_working_day(today):
        return None
    month = last_full_month(at).start
    if MonthlyReport.objects.filter(month=month, state=MonthlyReport.State.READY).exists():
        return None
    return month


# Figures -------------------------------------------------------------------------------------------------


def _headline(data: dict[str, Any]) -> dict[str, Any]:
    """The numbers compared month to month (the rows' labels are left out: they are per language)."""
    names = (
        "start",
        "end",
        "received",
        "resolved",
        "sla",
        "complaints",
        "csat",
        "nps",
        "good_bad",
        "qa_reviews",
        "qa_average",
        "violations",
        "training",
    )
    return {name: data.get(name) for name in names}


def _commitments(month: dt.date) -> list[dict[str, Any]]:
    """The published commitments of every service for `month` and how often each was kept: the public
    charter's month rows (ServicePeriodFigures), with the service's name in both languages."""
    rows = ServicePeriodFigures.objects.filter(period_kind=PeriodKind.MONTH, period_start=month).order_by(
        "service_id"
    )
    end = local_midnight(add_months(month, 1)) - dt.timedelta(microseconds=1)
    names = {
        version.service_id: (version.name_zh, version.name_en or version.name_zh)
        for version in service_version_list_in_force(at=end)
    }
    entries: list[dict[str, Any]] = []
    for row in rows:
        name_zh, name_en = names.get(row.service_id, (str(row.service_id), str(row.service_id)))
        for commitment in row.commitments:
            if not commitment.get("in_force") and not commitment.get("finished"):
                continue
            entries.append(
                {
                    "service_id": row.service_id,
                    "service_zh": name_zh,
                    "service_en": name_en,
                    "label_zh": commitment.get("label_zh", ""),
                    "label_en": commitment.get("label_en") or commitment.get("label_zh", ""),
                    "metric": commitment.get("metric", ""),
                    "met": int(commitment.get("met", 0)),
                    "finished": int(commitment.get("finished", 0)),
                }
            )
    entries.sort(key=lambda e: (e["service_zh"], e["label_zh"]))
    return entries


def _actions(month: dt.date, at: dt.datetime) -> dict[str, int]:
    """Corrective actions opened and closed in `month`; active and overdue (an item past its due date) at
    the end of the month, or at `at` when that is earlier."""
    since, until = local_midnight(month), local_midnight(add_months(month, 1))
    day = min(local_date(at), add_months(month, 1))
    active = CorrectiveAction.objects.filter(status__in=ACTIVE_STATUSES)
    overdue_item = ActionItem.objects.filter(action_id=OuterRef("pk")).overdue(day)
    return {
        "opened": CorrectiveAction.objects.filter(opened_at__gte=since, opened_at__lt=until).count(),
        "closed": CorrectiveAction.objects.filter(closed_at__gte=since, closed_at__lt=until).count(),
        "active": active.count(),
        "overdue": active.filter(Exists(overdue_item)).count(),
    }


def _rollups_cover(month: dt.date) -> None:
    """Refresh the dashboard's rollups when their last refresh was before the month ended, so the report
    counts the month's last hours (the hourly refresh normally did it already)."""
    end = local_midnight(add_months(month, 1))
    state = RollupState.objects.filter(name=DAILY).first()
    if state is None or state.refreshed_at is None or state.refreshed_at < end:
        rollup_refresh()


def _service_figures_cover(month: dt.date, at: dt.datetime) -> None:
    """Refresh the public charter's figures when the month's rows were computed before it ended (only last
    month's can still be refreshed: figures_refresh recomputes the last full and the current month)."""
    end = local_midnight(add_months(month, 1))
    if month != last_full_month(at).start or at < end:
        return
    stale = ServicePeriodFigures.objects.filter(
        period_kind=PeriodKind.MONTH, period_start=month, computed_at__lt=end
    ).exists()
    fresh = ServicePeriodFigures.objects.filter(
        period_kind=PeriodKind.MONTH, period_start=month, computed_at__gte=end
    ).exists()
    if stale or not fresh:
        figures_refresh(at=at)


def monthly_figures_compute(*, month: dt.date, at: dt.datetime | None = None) -> dict[str, Any]:
    """Return everything the report of `month` prints, as JSON-ready data (FORMAT_VERSION 1).

    Reads the dashboard's rollups (refreshed first when they end before the month does), the public
    charter's month rows and the corrective actions: a fixed number of queries whatever the volume."""
    at = at or timezone.now()
    month = month_start(month)
    _rollups_cover(month)
    _service_figures_cover(month, at)
    end = add_months(month, 1)
    current: dict[str, Any] = {}
    for language in LANGUAGES:
        with translation.override(language):
            current[language] = to_json(dashboard_figures(team_ids=None, start=month, end=end))
    previous = to_json(dashboard_figures(team_ids=None, start=add_months(month, -1), end=month))
    year_before = to_json(
        dashboard_figures(team_ids=None, start=add_months(month, -12), end=add_months(end, -12))
    )
    with translation.override("zh-hans"):
        organisation_zh = organisation_name()
    with translation.override("en"):
        organisation_en = organisation_name()
    return {
        "version": FORMAT_VERSION,
        "month": month.isoformat(),
        "organisation": {"zh-hans": organisation_zh, "en": organisation_en},
        "computed_at": at.isoformat(),
        "current": current,
        "previous": _headline(previous),
        "year_before": _headline(year_before),
        "commitments": _commitments(month),
        "actions": _actions(month, at),
    }


# Generation ----------------------------------------------------------------------------------------------


def _store(report: MonthlyReport, language: str, content: bytes) -> str:
    """Save one PDF under a random name; return its storage name."""
    field = report.file_zh if language == "zh-hans" else report.file_en
    field.save(f"{secrets.token_hex(16)}.pdf", ContentFile(content), save=False)
    return field.name or ""


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)


def _row_for(month: dt.date) -> MonthlyReport:
    try:
        with transaction.atomic():
            report, _created = MonthlyReport.objects.get_or_create(month=month)
    except IntegrityError:  # another worker created it between our look-up and our insert
        report = MonthlyReport.objects.get(month=month)
    return report


def _generation_failed(
    month: dt.date, actor: User | None, error: Exception, new_files: list[str]
) -> MonthlyReport:
    """Record a failed generation of `month`: its new files are deleted; a first generation becomes FAILED,
    but a READY report stays READY with its old files (the error is kept on the row and in the audit
    event), so a failed "generate again" never withdraws a good, already issued report."""
    _delete_files(new_files)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(month=month)
        if report.state == MonthlyReport.State.READY and actor is None:
            return report  # another worker generated it meanwhile
        if report.state != MonthlyReport.State.READY:
            report.state = MonthlyReport.State.FAILED
        report.error = f"{type(error).__name__}: {error}"[:2000]
        report.save(update_fields=["state", "error"])
        audit_record(
            actor=actor,
            action="reports.monthly_generate_failed",
            target=report,
            data={"month": month.isoformat(), "error": type(error).__name__, "state": report.state},
            actor_label="" if actor else "worker",
        )
    return report


def monthly_report_generate(*, month: dt.date, actor: User | None = None) -> MonthlyReport:
    """Generate and keep the report of `month` (any day of it) and return its row.

    Without `actor` (the worker) it is idempotent: a ready report is returned as it is. With `actor` (who
    must hold can_generate_monthly_report) the report is generated again and its old files are deleted
    after the commit. The rollups are refreshed, the figures computed and both PDFs printed outside any
    transaction (the refreshes lock on their own; no database lock is held while printing); the row is then
    locked only to re-check its state and write it, so two workers keep one generation: the later one finds
    it ready and deletes its own files. pending → ready, or → failed with the error kept (a ready report
    stays ready: `_generation_failed`); audited as reports.monthly_generate (or
    reports.monthly_generate_failed).
    """
    from charter.reports.pdf import monthly_report_pdf

    if actor is not None:
        require(can_generate_monthly_report(actor))
    month = month_start(month)
    if month > last_full_month(timezone.now()).start:
        raise DomainError(
            _("A month is reported once it has ended."), code=ErrorCode.MONTHLY_NOT_ENDED, field="month"
        )
    draft = _row_for(month)
    if draft.state == MonthlyReport.State.READY and actor is None:
        return draft
    started = time.perf_counter()
    new_files: list[str] = []
    hashes: dict[str, str] = {}
    try:
        figures = monthly_figures_compute(month=month)
        for language in LANGUAGES:
            content = monthly_report_pdf(figures, language)
            new_files.append(_store(draft, language, content))
            hashes[language] = hashlib.sha256(content).hexdigest()
    except Exception as error:
        return _generation_failed(month, actor, error, new_files)
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.select_for_update().get(month=month)
            if report.state == MonthlyReport.State.READY and actor is None:
                transaction.on_commit(lambda: _delete_files(new_files))  # another worker generated it
                return report
            old_files = [report.file_zh.name or "", report.file_en.name or ""]
            report.file_zh.name, report.file_en.name = new_files
            report.figures = figures
            report.sha256_zh, report.sha256_en = hashes["zh-hans"], hashes["en"]
            report.state = MonthlyReport.State.READY
            report.error = ""
            report.generated_at = timezone.now()
            report.generated_by = actor
            report.generation_seconds = Decimal(f"{time.perf_counter() - started:.2f}")
            report.save()
            audit_record(
                actor=actor,
                action="reports.monthly_generate",
                target=report,
                data={
                    "month": month.isoformat(),
                    "sha256_zh": report.sha256_zh,
                    "sha256_en": report.sha256_en,
                    "seconds": str(report.generation_seconds),
                    "again": any(old_files),
                },
                actor_label="" if actor else "worker",
            )
            stale = [name for name in old_files if name and name not in new_files]
            transaction.on_commit(lambda: _delete_files(stale))
    except Exception as error:
        return _generation_failed(month, actor, error, new_files)
    return report


def monthly_report_list() -> list[MonthlyReport]:
    """Return the kept reports, newest month first."""
    return list(MonthlyReport.objects.order_by("-month"))


def monthly_report_get(*, pk: object) -> MonthlyReport | None:
    """Return the report `pk`, or None."""
    try:
        return MonthlyReport.objects.filter(pk=int(str(pk))).first()
    except ValueError:
        return None


# Subscriptions -------------------------------------------------------------------------------------------


def report_subscription_get(*, user: User) -> ReportSubscription | None:
    """Return `user`'s subscription to the monthly report, or None."""
    return ReportSubscription.objects.filter(user=user).first()


def report_subscription_save(*, user: User, language: str) -> ReportSubscription:
    """Subscribe `user` to the monthly report in `language` ("zh-hans" or "en"), or change its language.

    He must pass can_read_monthly_report (the report is organisation-wide). Audited as
    reports.monthly_subscribe."""
    require(can_read_monthly_report(user))
    if language not in LANGUAGES:
        raise DomainError(_("Choose Chinese or English."), code=ErrorCode.MONTHLY_LANGUAGE, field="language")
    with transaction.atomic():
        subscription, _created = ReportSubscription.objects.update_or_create(
            user=user, defaults={"language": language}
        )
        audit_record(
            actor=user, action="reports.monthly_subscribe", target=subscription, data={"language": language}
        )
    return subscription


def report_subscription_delete(*, user: User) -> bool:
    """Stop sending the monthly report to `user`; False when he was not subscribed. Audited as
    reports.monthly_unsubscribe."""
    with transaction.atomic():
        deleted, _rows = ReportSubscription.objects.filter(user=user).delete()
        if deleted:
            audit_record(actor=user, action="reports.monthly_unsubscribe", target=user)
    return bool(deleted)


def monthly_report_download_record(*, user: User, report: MonthlyReport, language: str) -> None:
    """Record in the audit chain that `user` downloaded `report` in `language` (reports.monthly_download)."""
    audit_record(actor=user, action="reports.monthly_download", target=report, data={"language": language})


def monthly_report_run(*, at: dt.datetime | None = None) -> MonthlyReport | None:
    """The worker's daily step: from the first working day of a month on, generate last month's report
    when it is not ready yet, then mail it to the subscribers once. Returns last month's report (None
    before its first working day). Safe on several workers at once (row lock, claimed `mailed_at`)."""
    from charter.reports.mailing import monthly_report_mail

    at = at or timezone.now()
    month = monthly_report_due(at=at)
    if month is not None:
        report: MonthlyReport | None = monthly_report_generate(month=month)
    else:
        if local_date(at) < first_working_day(local_date(at)):
            return None
        report = MonthlyReport.objects.filter(month=last_full_month(at).start).first()
    if report is not None and report.state == MonthlyReport.State.READY and report.mailed_at is None:
        monthly_report_mail(report_id=report.pk)
        report.refresh_from_db()
    return report
