"""Liveness and readiness endpoints are machine-readable and honest."""

from __future__ import annotations

import pytest

from common import health


def test_healthz_answers_ok_without_touching_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_check_and_is_ready_when_all_pass(client, monkeypatch):
    for name in list(health._checks):  # app checks (e.g. watchlists loaded) pass for this test
        monkeypatch.setitem(health._checks, name, lambda: (True, "ok"))
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_failing_check(client, monkeypatch):
    monkeypatch.setitem(health._checks, "watchlists", lambda: (False, "no active list version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["watchlists"] == {
        "ok": False,
        "detail": "no active list version",
        "ms": pytest.approx(0, abs=50),
    }


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_a_readiness_check_name_cannot_be_registered_twice():
    health.register_readiness_check("test-once", lambda: (True, ""))
    with pytest.raises(ValueError, match="already registered"):
        health.register_readiness_check("test-once", lambda: (True, ""))
    del health._checks["test-once"]


def test_every_response_carries_a_correlation_id_and_echoes_a_valid_one(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="req-12345678")["X-Request-ID"] == "req-12345678"
    injected = client.get("/healthz", HTTP_X_REQUEST_ID="bad value\nwith newline")["X-Request-ID"]
    assert injected != "bad value\nwith newline" and len(injected) == 32
