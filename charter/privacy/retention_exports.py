"""Retention of access exports: the ZIP of an access request holds everything about the customer, so it is
kept only as long as he needs to download it (default 30 days after the request was completed). The file
is deleted; the request row stays (number, dates, outcome) so the answer to the request stays on record.
"""

import datetime as dt
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from charter.privacy.models import DataSubjectRequest
from charter.privacy.registry import RetentionRule, retention_rule_register

DATA_EXPORTS_DAYS = 30


def _expired(cutoff: dt.datetime) -> "QuerySet[DataSubjectRequest]":
    return DataSubjectRequest.objects.filter(completed_at__lt=cutoff).exclude(export_file="")


def data_exports_due(cutoff: dt.datetime, limit: int) -> list[int]:
    """Return up to `limit` requests completed before `cutoff` whose export file is still stored, oldest
    first. (A legal hold keeps the data the export was made from, not the copy made for the customer.)"""
    rows = _expired(cutoff).order_by("completed_at", "pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def data_exports_apply(ids: Sequence[int]) -> int:
    """Delete the export files of these requests (after the batch commits) and clear the field."""
    from charter.privacy.erasure import files_delete_on_commit

    count = 0
    for request in (
        DataSubjectRequest.objects.select_for_update().filter(pk__in=list(ids)).exclude(export_file="")
    ):
        files_delete_on_commit(request.export_file.storage, [request.export_file.name])
        request.export_file = ""
        request.save(update_fields=["export_file", "updated_at"])
        count += 1
    return count


def retention_rules_register() -> None:
    """Register the access exports' retention rule."""
    retention_rule_register(
        RetentionRule(
            record_type="data_exports",
            label=_("Access request exports (the ZIP files; the requests stay)"),
            default_days=DATA_EXPORTS_DAYS,
            due=data_exports_due,
            apply=data_exports_apply,
        )
    )
