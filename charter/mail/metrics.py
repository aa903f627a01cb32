"""The mail app's figures for /metrics: outbound mails sent and failed, from the delivery log."""

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from charter.mail.models import OutboundMessage


def mail_metrics() -> Iterable[Metric]:
    """Mails the delivery log holds as sent and as failed (given up), and those still waiting."""
    counts = dict(
        OutboundMessage.objects.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    status = OutboundMessage.Status
    sent = CounterMetricFamily("charter_mails_sent", "Outbound mails the SMTP server accepted.")
    sent.add_metric([], counts.get(status.SENT, 0))
    yield sent
    failed = CounterMetricFamily("charter_mails_failed", "Outbound mails given up after their last attempt.")
    failed.add_metric([], counts.get(status.FAILED, 0))
    yield failed
    waiting = GaugeMetricFamily("charter_mails_waiting", "Outbound mails queued or being sent.")
    waiting.add_metric([], counts.get(status.QUEUED, 0) + counts.get(status.SENDING, 0))
    yield waiting
