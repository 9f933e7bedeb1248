"""Prometheus metrics: HTTP latency per route, Celery task durations, retries and failures, queue depth.

Apps define their own domain metrics in ``<app>/metrics.py`` (screening latency, candidates, scores
and alerts per list, list age: ``screening.metrics``; MFA failures and lockouts: ``accounts.metrics``;
webhook delivery failures: ``kyc.metrics``); they all appear at /metrics. With several gunicorn processes, set
PROMETHEUS_MULTIPROC_DIR so that every process's samples are aggregated.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from common.errors import envelope

HTTP_LATENCY = Histogram(
    "tillit_http_request_duration_seconds",
    "Time to answer an HTTP request, per route pattern.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)
TASK_DURATION = Histogram(
    "tillit_celery_task_duration_seconds",
    "Run time of Celery tasks.",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)
TASK_RETRIES = Counter("tillit_celery_task_retries_total", "Celery task retries.", ["task"])
TASK_FAILURES = Counter("tillit_celery_task_failures_total", "Celery tasks that failed for good.", ["task"])


class MetricsMiddleware:
    """Time every request and label it with its URL pattern (never the raw path, which holds ids)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = f"/{match.route}" if match is not None and match.route else "unmatched"
        HTTP_LATENCY.labels(request.method, route, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


class QueueDepthCollector(Collector):
    """Messages waiting in the Celery queues, read from Redis at scrape time."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric name without asking the broker (registration happens at start-up)."""
        yield GaugeMetricFamily("tillit_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        broker = getattr(settings, "CELERY_BROKER_URL", None)
        if not broker or not broker.startswith("redis") or settings.CELERY_TASK_ALWAYS_EAGER:
            return
        gauge = GaugeMetricFamily("tillit_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"])
        try:
            import redis

            client = redis.Redis.from_url(broker, socket_timeout=1)
            queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
            gauge.add_metric([queue], client.llen(queue))
        except Exception:  # an unreachable broker shows in /readyz; the scrape still answers
            return
        yield gauge


_scrape_collectors: list[Collector] = []


def register_scrape_collector(collector: Collector) -> None:
    """A collector that reads current state at scrape time (the database, the broker).

    It is served in single-process mode (the default registry) and with PROMETHEUS_MULTIPROC_DIR
    (the per-scrape registry), where only counters and histograms are aggregated from files.
    """
    _scrape_collectors.append(collector)
    REGISTRY.register(collector)


register_scrape_collector(QueueDepthCollector())

_task_started: dict[str, float] = {}


def _prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _task_started.pop(task_id or "", None)
    if started is not None and task is not None:
        TASK_DURATION.labels(task.name, state or "UNKNOWN").observe(time.perf_counter() - started)


def _retry(sender: Any = None, **_: Any) -> None:
    TASK_RETRIES.labels(getattr(sender, "name", "unknown")).inc()


def _failure(sender: Any = None, **_: Any) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="tillit-metrics-prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="tillit-metrics-postrun")
    signals.task_retry.connect(_retry, weak=False, dispatch_uid="tillit-metrics-retry")
    signals.task_failure.connect(_failure, weak=False, dispatch_uid="tillit-metrics-failure")


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "TILLIT_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, for a scraper with the metrics token or a staff session."""
    if not _allowed(request):
        return JsonResponse(
            envelope("not_authenticated", "Metrics need the metrics token or a staff login."), status=401
        )
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        for collector in _scrape_collectors:
            registry.register(collector)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
