"""Tasks round-trip through a real Celery worker (Redis broker), carrying the correlation id."""

from __future__ import annotations

import time

import pytest

from common.correlation import bind_correlation_id, get_correlation_id
from common.tasks import ping

pytestmark = pytest.mark.integration


def test_a_task_round_trips_through_a_real_worker_with_the_callers_correlation_id(celery_worker):
    bind_correlation_id("cid-roundtrip-0001")
    try:
        result = ping.delay().get(timeout=60)
    finally:
        bind_correlation_id(None)
    from django.db import connection

    assert result == {"pong": True, "correlation_id": "cid-roundtrip-0001", "database": connection.vendor}
    deadline = time.monotonic() + 10
    while "cid-roundtrip-0001" not in celery_worker.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "cid-roundtrip-0001" in celery_worker.read_text()  # the worker's log lines carry it


@pytest.mark.django_db
def test_tasks_run_eagerly_in_embedded_mode_and_keep_the_callers_correlation_id():
    bind_correlation_id("cid-eager-000001")
    try:
        result = ping.delay().get(timeout=5)
        assert get_correlation_id() == "cid-eager-000001"
    finally:
        bind_correlation_id(None)
    assert result["pong"] is True
    assert result["correlation_id"] == "cid-eager-000001"
