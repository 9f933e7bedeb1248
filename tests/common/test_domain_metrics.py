"""Domain metrics at /metrics: screenings, alerts and scores per list, list age, MFA failures, webhook failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from prometheus_client import REGISTRY

from accounts.services import mfa
from tests.screening import screenings_support as support

pytestmark = pytest.mark.django_db

fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_screening_counts_its_outcome_candidates_latency_and_each_alert_per_list(
    sample_lists, screening_client, officer, client, django_capture_on_commit_callbacks
):
    before = {
        "screenings": sample("tillit_screenings_total", channel="api", outcome="potential_match"),
        "alerts": sample("tillit_screening_alerts_total", source="demo_un"),
        "scores": sample("tillit_screening_match_score_count", source="demo_un"),
        "candidates": sample("tillit_screening_candidates_count", channel="api"),
        "latency": sample("tillit_screening_duration_seconds_count", channel="api"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = screening_client.post("/api/v1/screenings/", {"name": "Ivan Obraztsov"}, format="json")
    assert response.status_code == 201
    un_matches = [m for m in response.json()["matches"] if m["source"] == "demo_un"]
    assert un_matches
    assert sample("tillit_screenings_total", channel="api", outcome="potential_match") == before["screenings"] + 1
    assert sample("tillit_screening_alerts_total", source="demo_un") == before["alerts"] + len(un_matches)
    assert sample("tillit_screening_match_score_count", source="demo_un") == before["scores"] + len(un_matches)
    assert sample("tillit_screening_candidates_count", channel="api") == before["candidates"] + 1
    assert sample("tillit_screening_candidates_sum", channel="api") >= len(un_matches)
    assert sample("tillit_screening_duration_seconds_count", channel="api") == before["latency"] + 1
    client.force_login(officer)
    body = client.get("/metrics").content.decode()
    assert 'tillit_screening_alerts_total{source="demo_un"}' in body
    assert 'tillit_watchlist_active_version_age_seconds{source="demo_un"}' in body


def test_a_screening_rolled_back_counts_for_nothing(sample_lists, django_capture_on_commit_callbacks):
    from django.db import transaction

    from screening.services import screenings as services

    before = sample("tillit_screenings_total", channel="cli", outcome="potential_match")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        subject = services.parse_subject({"name": "Ivan Obraztsov"})
        services.screening_run(actor=None, subject=subject, channel="cli")
        transaction.set_rollback(True)
    assert sample("tillit_screenings_total", channel="cli", outcome="potential_match") == before
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():  # the same, committed, counts
        services.screening_run(actor=None, subject=subject, channel="cli")
    assert sample("tillit_screenings_total", channel="cli", outcome="potential_match") == before + 1


def test_the_age_of_each_active_list_version_is_read_at_scrape_time(sample_lists, officer, client):
    client.force_login(officer)
    activated = sample_lists["demo_un"].imported_at
    with time_machine.travel(activated + timedelta(hours=3), tick=False):
        age = sample("tillit_watchlist_active_version_age_seconds", source="demo_un")
    assert age == pytest.approx(3 * 3600, abs=1)


def test_mfa_failures_and_lockouts_are_counted(officer, totp, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        seed = totp.enrol(officer)
        clock.shift(timedelta(seconds=60))
        failures = sample("tillit_mfa_failures_total", purpose="login", reason="invalid")
        lockouts = sample("tillit_mfa_lockouts_total")
        right = totp.code(seed)
        wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
        locked = sample("tillit_mfa_failures_total", purpose="login", reason="locked")
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(10):  # the tenth failure locks the authenticator
                result = mfa.totp_verify(user=officer, code=wrong)
                if result.outcome.value != "locked":
                    clock.shift(timedelta(seconds=(result.retry_after or 0) + 1))
        assert sample("tillit_mfa_lockouts_total") == lockouts + 1
        with django_capture_on_commit_callbacks(execute=True):
            assert mfa.totp_verify(user=officer, code=totp.code(seed)).outcome.value == "locked"
    assert sample("tillit_mfa_failures_total", purpose="login", reason="invalid") == failures + 10
    assert sample("tillit_mfa_failures_total", purpose="login", reason="locked") == locked + 1


def test_failed_webhook_attempts_are_counted(settings, client_api, django_capture_on_commit_callbacks):
    from kyc.services.webhooks import webhook_attempt, webhook_emit

    settings.TILLIT_KYC_WEBHOOK_ALLOW_HTTP = True
    settings.TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE = True
    settings.TILLIT_KYC_WEBHOOK_MAX_ATTEMPTS = 2
    client_api.post("/api/v1/webhooks/endpoints/", {"url": "http://127.0.0.1:9/nothing-listens"})
    (delivery,) = webhook_emit(client=client_api.tenant, event_type="case.decided", data={"case_id": "x"})
    retrying = sample("tillit_webhook_delivery_failures_total", event_type="case.decided", final="no")
    gave_up = sample("tillit_webhook_delivery_failures_total", event_type="case.decided", final="yes")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_attempt(delivery_id=str(delivery.pk))
        webhook_attempt(delivery_id=str(delivery.pk))
    assert sample("tillit_webhook_delivery_failures_total", event_type="case.decided", final="no") == retrying + 1
    assert sample("tillit_webhook_delivery_failures_total", event_type="case.decided", final="yes") == gave_up + 1
