"""End to end with a real Celery worker: API submission → screening → rating → decision → signed webhooks.

Runs when CELERY_BROKER_URL is set (``.ci/run`` sets it); the worker shares the test database, the
data folder (vault keys, screening index) and this process's localhost webhook receiver.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from kyc.models import DeliveryStatus, WebhookDelivery
from kyc.services import webhooks
from tests.kyc.conftest import add_party, load_watchlist
from tests.kyc.test_webhooks import Receiver

pytestmark = pytest.mark.integration

TERMINAL_OR_REVIEW = {"approved", "rejected", "review"}


@pytest.fixture
def vault_keys() -> None:
    """Override the per-test key file: the worker must open what this process sealed (the data folder's keys)."""
    from vault import keyring

    keyring.reset_provider_cache()


@pytest.fixture
def worker_watchlist(celery_worker: Path) -> Any:
    """The hand-made list as an active version in the database the worker shares."""
    from screening.runtime import runtime

    runtime.reset()
    return load_watchlist()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.TILLIT_KYC_WEBHOOK_ALLOW_HTTP = True
    settings.TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def wait_for(check: Callable[[], Any], *, timeout: float = 90.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


def test_the_onboarding_flows_run_on_a_real_worker(
    celery_worker: Path, worker_watchlist: Any, client_api: APIClient, receiver: Receiver
) -> None:
    receiver.statuses = [500, 200]  # the first delivery fails once and is retried after its backoff
    endpoint = client_api.post("/api/v1/webhooks/endpoints/", {"url": receiver.url}).json()

    def customer(kind: str = "individual", **details: Any) -> str:
        response = client_api.post("/api/v1/customers/", {"kind": kind, "details": details}, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    clean = customer(given_names="Alice", family_name="Johnson", birth_date="1985-02-17", nationalities=["GB"])
    client_api.post(
        f"/api/v1/customers/{clean}/documents/",
        {"document_type": "passport", "issuing_country": "GBR", "expires_on": "2031-01-01"},
        format="json",
    )
    misspelt = customer(given_names="Victor", family_name="Zarenkov")
    pep = customer(given_names="Elena", family_name="Stoyanova", nationalities=["BG"])
    company = customer("business", legal_name="Harbour Freight Ltd", jurisdiction="GB")
    holdings = []
    for name, share in (("Northwind Capital SA", "30"), ("Bluewater Investments BV", "25")):
        holdings.append(
            add_party(
                client_api,
                company,
                kind="company",
                details={"legal_name": name},
                relationships=[{"role": "shareholder", "ownership_percentage": share}],
            )["id"]
        )
    for holding, (given, family) in zip(
        holdings, (("Viktor", "Zarenko"), ("Marta", "Kolesnikova-Brandt")), strict=True
    ):
        add_party(
            client_api,
            company,
            kind="person",
            details={"given_names": given, "family_name": family},
            relationships=[{"of_party": holding, "role": "shareholder", "ownership_percentage": "100"}],
        )

    cases = {}
    for name, customer_id in (("clean", clean), ("misspelt", misspelt), ("pep", pep), ("company", company)):
        response = client_api.post(f"/api/v1/customers/{customer_id}/submit/", HTTP_IDEMPOTENCY_KEY=f"submit-{name}")
        assert response.status_code == 202
        cases[name] = response.json()["id"]

    def settled() -> dict[str, dict] | None:
        found = {name: client_api.get(f"/api/v1/cases/{case_id}/").json() for name, case_id in cases.items()}
        return found if all(case["status"] in TERMINAL_OR_REVIEW for case in found.values()) else None

    results = wait_for(settled, what="the pipeline to settle every case")
    assert results["clean"]["status"] == "approved" and results["clean"]["decision"]["automated"] is True
    assert results["misspelt"]["status"] == "review"
    assert results["misspelt"]["hits"] == [{"kind": "sanction", "open": 1, "total": 1}]
    assert results["pep"]["status"] == "review" and results["pep"]["hits"][0]["kind"] == "pep"
    assert results["company"]["risk"]["level"] == "prohibited"
    assert any(
        "55%" in reason["detail"]
        for reason in results["company"]["risk"]["reasons"]
        if reason["code"] == "ofac_50_percent"
    )

    # Webhooks: the approved case's decision arrives signed, after one failed attempt somewhere.
    def decided() -> list[dict]:
        return [
            r for r in receiver.events("case.decided") if json.loads(r["body"])["data"]["case_id"] == cases["clean"]
        ]

    (event,) = wait_for(decided, what="the case.decided webhook")
    assert webhooks.verify(endpoint["secret"].encode(), event["body"], event["headers"][webhooks.SIGNATURE_HEADER])
    retried = wait_for(
        lambda: WebhookDelivery.objects.filter(attempts__gte=2, status=DeliveryStatus.SUCCEEDED).first(),
        what="a retried delivery",
    )
    assert list(retried.attempt_log.values_list("status_code", flat=True)) == [500, 200]

    # Replay: the same event again, with its own log.
    original = WebhookDelivery.objects.get(event_type="case.decided", payload__data__case_id=cases["clean"])
    seen_before = len(receiver.requests)
    replay = webhooks.webhook_replay(delivery=original, actor=None)
    wait_for(
        lambda: WebhookDelivery.objects.filter(pk=replay.pk, status=DeliveryStatus.SUCCEEDED).exists(),
        what="the replayed delivery",
    )
    # Other deliveries' retries may land meanwhile: the replay is among the requests since it was sent.
    since = receiver.requests[seen_before:]
    assert str(original.event_id) in [request["headers"][webhooks.EVENT_HEADER] for request in since]
