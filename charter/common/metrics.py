"""Prometheus metrics at `/metrics`, with the official client library, for a scraper on the intranet.

Two kinds of figures:

- What each web process sees (requests by route and status, their latency): counted in-process by
  `MetricsMiddleware`. Under gunicorn's several workers, set `PROMETHEUS_MULTIPROC_DIR` to an empty
  directory of the instance (emptied at each start): every worker writes its counts there and the scrape
  adds them up (prometheus_client's multiprocess mode). Without it, a scrape shows the answering process.
- What the installation has done, read at scrape time from shared storage, so that any process answers
  for all of them and nothing is lost when one restarts: the queue's length and the tasks that failed
  (Huey's storage: Redis in production), the worker's heartbeat age (the row /healthz reads), and what
  the apps register in `metric_sources` (cases: SLA warnings and breaches fired; mail: mails sent and
  failed), each a function returning metric families, registered in the app's `AppConfig.ready()` so that
  this lower app never imports them.

The view answers 404 while `CHARTER_METRICS_TOKEN` is unset, 401 to a request without
`Authorization: Bearer <token>` or with another token (compared in constant time).
"""

import hmac
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from charter.common.logging import route_name

MetricSource = Callable[[], Iterable[Metric]]
# The Huey storage counter of task failures (shared by every consumer, read by every web process).
TASK_FAILURES_KEY = "charter:metrics:task_failures"

# The in-process figures live in a registry of their own: a scrape never shows the client library's
# default process and platform collectors twice, or a test's leftovers.
_PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter(
    "charter_http_requests",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
    registry=_PROCESS_REGISTRY,
)
HTTP_LATENCY = Histogram(
    "charter_http_request_duration_seconds",
    "Time from the request's arrival in Django to its answer, by route name.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=_PROCESS_REGISTRY,
)


class MetricSources:
    """The functions that add installation-wide figures to a scrape, in registration order."""

    def __init__(self) -> None:
        self._sources: list[MetricSource] = []

    def register(self, source: MetricSource) -> None:
        if source not in self._sources:
            self._sources.append(source)

    def collect(self) -> Iterable[Metric]:
        for source in self._sources:
            yield from source()


metric_sources = MetricSources()


class MetricsMiddleware:
    """Count each request by route name, method and status, and observe its duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_name(request)
        HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(route, method_label(request.method), str(response.status_code)).inc()
        return response


# The methods counted under their own name; any other (a client may send any token as its method) is
# counted as "other", so that a client cannot add series to the scrape.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str | None) -> str:
    """The request's method as a metrics label: one of `KNOWN_METHODS`, else "other"."""
    return method if method in KNOWN_METHODS else "other"


def task_failure_record(task: Any, *args: Any) -> None:
    """Huey signal receiver: count a task that ended in an error (retried or not) in the shared storage."""
    from huey.contrib.djhuey import HUEY

    HUEY.storage.incr(TASK_FAILURES_KEY, 1)


def queue_metrics() -> Iterable[Metric]:
    """The queue's pending tasks and the failures counted so far, from Huey's storage."""
    from huey.contrib.djhuey import HUEY

    pending = GaugeMetricFamily("charter_queue_pending_tasks", "Tasks waiting in the queue for a worker.")
    pending.add_metric([], HUEY.pending_count())
    yield pending
    failures = CounterMetricFamily(
        "charter_task_failures", "Background task runs that ended in an error (a retried run counts too)."
    )
    failures.add_metric([], HUEY.storage.incr(TASK_FAILURES_KEY, 0))
    yield failures


def heartbeat_metrics() -> Iterable[Metric]:
    """Seconds since the worker's last heartbeat (the one /healthz reads); absent before the first."""
    from charter.common.models import Heartbeat

    age = GaugeMetricFamily(
        "charter_worker_heartbeat_age_seconds", "Seconds since a background worker last reported alive."
    )
    beat = Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    if beat is not None:
        age.add_metric([], max((timezone.now() - beat).total_seconds(), 0.0))
    yield age


class _Collected:
    """A collector that yields what a function yields at each scrape."""

    def __init__(self, collect: Callable[[], Iterable[Metric]]) -> None:
        self._collect = collect

    def collect(self) -> Iterable[Metric]:
        return self._collect()


def metrics_registry() -> CollectorRegistry:
    """A registry of everything one scrape reports (built per scrape: the sources read current rows)."""
    registry = CollectorRegistry(auto_describe=False)
    if settings.CHARTER_METRICS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.CHARTER_METRICS_MULTIPROC_DIR)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Collected(_PROCESS_REGISTRY.collect))
    for collect in (queue_metrics, heartbeat_metrics, metric_sources.collect):
        registry.register(_Collected(collect))
    return registry


def bearer_token_matches(request: HttpRequest, expected: str) -> bool:
    """True when the request's `Authorization: Bearer <token>` is `expected` (compared in constant time)."""
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        given = ""
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition of `metrics_registry()`, for the holder of CHARTER_METRICS_TOKEN."""
    token = settings.CHARTER_METRICS_TOKEN
    if not token:
        raise Http404
    if not bearer_token_matches(request, token):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)


def huey_metrics_register(huey: Any) -> None:
    """Count `huey`'s task errors in its storage (once per Huey instance; safe to call twice)."""
    from huey import signals

    if getattr(huey, "_charter_metrics_hooks", False):
        return
    huey.signal(signals.SIGNAL_ERROR)(task_failure_record)
    huey._charter_metrics_hooks = True
