"""/metrics exposes Prometheus metrics to a scraper with the token or a staff session, and no one else."""

from __future__ import annotations

import pytest

from common.tasks import ping

pytestmark = pytest.mark.django_db


def test_metrics_are_refused_to_anonymous_callers(client):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_metrics_are_refused_with_a_wrong_token(client, settings):
    settings.TILLIT_METRICS_TOKEN = "scrape-token-0123456789"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_scraper_with_the_token_sees_request_latency_per_route(client, settings):
    settings.TILLIT_METRICS_TOKEN = "scrape-token-0123456789"
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'tillit_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"}' in body


def test_a_staff_session_can_read_metrics_including_task_durations(client, officer):
    ping.delay()
    client.force_login(officer)
    body = client.get("/metrics").content.decode()
    assert 'tillit_celery_task_duration_seconds_count{state="SUCCESS",task="common.ping"}' in body


def test_raw_paths_with_ids_never_become_metric_labels(client, officer):
    client.force_login(officer)
    client.get("/api/v1/no-such/0f8fad5b-d9cb-469f-a165-70867728950e/")
    body = client.get("/metrics").content.decode()
    assert "0f8fad5b" not in body
