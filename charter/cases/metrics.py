"""The cases app's figures for /metrics: SLA warnings and breaches fired, counted from the clocks' rows."""

from collections.abc import Iterable

from django.db.models import Count, Q
from prometheus_client.core import CounterMetricFamily, Metric

from charter.cases.models import CaseClock


def sla_metrics() -> Iterable[Metric]:
    """Clocks that have fired their warning and their breach so far, by measure (each fires once)."""
    rows = (
        CaseClock.objects.order_by()
        .values("metric")
        .annotate(
            warned=Count("pk", filter=Q(warned_at__isnull=False)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
        )
    )
    warnings = CounterMetricFamily(
        "charter_sla_warnings",
        "SLA clocks whose deadline-near warning has fired, by measure.",
        labels=["metric"],
    )
    breaches = CounterMetricFamily(
        "charter_sla_breaches",
        "SLA clocks whose deadline was missed (breach fired), by measure.",
        labels=["metric"],
    )
    for row in rows:
        warnings.add_metric([row["metric"]], row["warned"])
        breaches.add_metric([row["metric"]], row["breached"])
    yield warnings
    yield breaches
