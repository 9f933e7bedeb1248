"""Liveness and readiness.

/healthz answers while the process runs. /readyz checks what the service needs to do useful work:
the database, the broker when one is configured, and whatever apps register (for example
"watchlists loaded"). Apps add a check with ``register_readiness_check`` in their AppConfig.ready().
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A check returns (ok, detail); it must be quick and must not raise for an expected failure.
ReadinessCheck = Callable[[], tuple[bool, str]]
_checks: dict[str, ReadinessCheck] = {}


def register_readiness_check(name: str, check: ReadinessCheck) -> None:
    if name in _checks and _checks[name] is not check:
        raise ValueError(f"readiness check {name!r} is already registered")
    _checks[name] = check


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means not ready
        return False, type(exc).__name__
    return True, connection.vendor


def check_broker() -> tuple[bool, str]:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) or not settings.CELERY_BROKER_URL:
        return True, "embedded (tasks run eagerly)"
    from config.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport.driver_name
    except Exception as exc:  # an unreachable broker is a readiness failure, not a crash
        return False, type(exc).__name__
    return True, f"{transport} reachable"


def run_checks() -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in {"database": check_database, "broker": check_broker, **_checks}.items():
        started = time.perf_counter()
        try:
            ok, detail = check()
        except Exception as exc:  # a broken check reports not-ready instead of a 500
            ok, detail = False, f"check raised {type(exc).__name__}"
        results[name] = {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    ready = all(item["ok"] for item in checks.values())
    return JsonResponse({"status": "ready" if ready else "not_ready", "checks": checks}, status=200 if ready else 503)
