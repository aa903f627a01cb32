"""Writes of the reports app: the refresh of the published figures, and the disclosure settings."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.catalog import selectors as catalog
from charter.catalog.models import ServiceCommitment
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.reports import selectors
from charter.reports.errors import ErrorCode
from charter.reports.models import DisclosureSettings, ServicePeriodFigures
from charter.reports.periods import Period, periods_to_refresh
from charter.reports.permissions import can_manage_disclosure

_UPDATED = ["period_end", "cases_handled", "csat_satisfied", "csat_answers", "commitments", "computed_at"]


@dataclass(frozen=True)
class _Commitment:
    pk: int
    service_id: int
    version: int
    ordering: int
    metric: str
    label_zh: str
    label_en: str

    @classmethod
    def of(cls, commitment: ServiceCommitment) -> "_Commitment":
        return cls(
            pk=commitment.pk,
            service_id=commitment.version.service_id,
            version=commitment.version.number,
            ordering=commitment.ordering,
            metric=commitment.metric,
            label_zh=commitment.wording_zh,
            label_en=commitment.wording_en,
        )


def _in_force(at: dt.datetime) -> dict[int, list[_Commitment]]:
    """{service id: its commitments in force at `at`} for every active service with a version in force."""
    return {
        version.service_id: [_Commitment.of(c) for c in version.commitments.all()]
        for version in catalog.service_version_list_in_force(at=at, with_fees_and_commitments=True)
    }


def _instant(period: Period, at: dt.datetime) -> dt.datetime:
    # The last moment of the period, or now for the current one.
    return min(period.ends_at() - dt.timedelta(microseconds=1), at)


def _commitment_entries(
    *,
    period: Period,
    in_force: list[_Commitment],
    earlier: list[_Commitment],
    clocks: dict[int, dict[dt.date, selectors.ClockCount]],
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    months = period.months()
    for commitment, is_in_force in [(c, True) for c in in_force] + [(c, False) for c in earlier]:
        counts = clocks.get(commitment.pk, {})
        met = sum(counts[m].met for m in months if m in counts)
        finished = sum(counts[m].finished for m in months if m in counts)
        if not is_in_force and finished == 0:
            continue
        entries.append(
            {
                "commitment_id": commitment.pk,
                "version": commitment.version,
                "metric": commitment.metric,
                "label_zh": commitment.label_zh,
                "label_en": commitment.label_en,
                "in_force": is_in_force,
                "met": met,
                "finished": finished,
            }
        )
    return entries


def figures_refresh(*, at: dt.datetime | None = None) -> int:
    """Recompute every service's figures for the last full month and quarter and the current ones.

    Cases handled, commitments kept and satisfaction come from three GROUP BY queries over the six months
    involved (never a loop over cases); the rows are upserted on (service, period kind, first day), so running
    it twice gives the same table. `at` (default now) is also stored as the time computed. Returns the
    number of rows written. A constant number of queries whatever the volume of cases.

    A commitment's clocks count for the service whose charter the commitment belongs to (not the case's
    current service); its entry lists the commitments in force at the period's end (or now), then any of an
    earlier version whose clocks finished in the period.
    """
    at = at or timezone.now()
    periods = periods_to_refresh(at)
    months = sorted({month for period in periods for month in period.months()})
    cases = selectors.cases_handled_by_month(months=months)
    clocks = selectors.commitment_clocks_by_month(months=months)
    csat = selectors.csat_by_month(months=months)
    known = {
        commitment.pk: _Commitment.of(commitment)
        for commitment in ServiceCommitment.objects.filter(pk__in=list(clocks)).select_related("version")
    }
    in_force_at = {instant: _in_force(instant) for instant in {_instant(p, at) for p in periods}}
    by_service: dict[int, list[_Commitment]] = defaultdict(list)
    for commitment in sorted(known.values(), key=lambda c: (-c.version, c.ordering, c.pk)):
        by_service[commitment.service_id].append(commitment)
    service_ids = set(in_force_at[_instant(periods[1], at)]) | set(cases) | set(csat) | set(by_service)

    rows = []
    for service_id in sorted(service_ids):
        for period in periods:
            months_in = period.months()
            current = in_force_at[_instant(period, at)].get(service_id, [])
            current_ids = {c.pk for c in current}
            answers = [csat.get(service_id, {}).get(m, (0, 0)) for m in months_in]
            rows.append(
                ServicePeriodFigures(
                    service_id=service_id,
                    period_kind=period.kind,
                    period_start=period.start,
                    period_end=period.end,
                    cases_handled=sum(cases.get(service_id, {}).get(m, 0) for m in months_in),
                    csat_satisfied=sum(satisfied for satisfied, _ in answers),
                    csat_answers=sum(total for _, total in answers),
                    commitments=_commitment_entries(
                        period=period,
                        in_force=current,
                        earlier=[c for c in by_service.get(service_id, []) if c.pk not in current_ids],
                        clocks=clocks,
                    ),
                    computed_at=at,
                )
            )
    with transaction.atomic():
        ServicePeriodFigures.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["service", "period_kind", "period_start"],
            update_fields=_UPDATED,
        )
    return len(rows)


def disclosure_settings_save(
    *,
    actor: User,
    show_cases_handled: bool,
    show_commitments: bool,
    show_satisfaction: bool,
    minimum_sample: int,
) -> DisclosureSettings:
    """Store which figures the public charter shows, and the smallest sample a published share may have.

    Requires `reports.manage_disclosure` (administrators); records `reports.disclosure_save` in the audit
    trail with the values before and after, in the same transaction.
    """
    require(can_manage_disclosure(actor))
    if minimum_sample < 1:
        raise DomainError(
            _("The minimum sample must be at least 1."),
            code=ErrorCode.INVALID_MINIMUM_SAMPLE,
            field="minimum_sample",
        )
    with transaction.atomic():
        row = DisclosureSettings.objects.select_for_update().filter(pk=1).first()
        before = _disclosure_data(row) if row is not None else None
        row = row or DisclosureSettings(pk=1)
        row.show_cases_handled = show_cases_handled
        row.show_commitments = show_commitments
        row.show_satisfaction = show_satisfaction
        row.minimum_sample = minimum_sample
        row.updated_by = actor
        row.save()
        audit_record(
            actor=actor,
            action="reports.disclosure_save",
            target=row,
            data={"before": before, "after": _disclosure_data(row)},
        )
    return row


def _disclosure_data(row: DisclosureSettings) -> dict[str, Any]:
    return {
        "show_cases_handled": row.show_cases_handled,
        "show_commitments": row.show_commitments,
        "show_satisfaction": row.show_satisfaction,
        "minimum_sample": row.minimum_sample,
    }
