"""Webhooks to API clients: HMAC signatures, retries with backoff, the delivery log and replay.

A real HTTP server on localhost plays the client's receiver (only the clock is ever faked).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from kyc.models import DeliveryStatus, WebhookDelivery
from kyc.services import webhooks

pytestmark = pytest.mark.django_db


class Receiver:
    """Records every request; the n-th request for one event gets ``statuses[n]`` (the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses = [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                event = self.headers.get("Tillit-Event-Id")
                seen = sum(1 for r in receiver.requests if r["headers"].get("Tillit-Event-Id") == event)
                status = receiver.statuses[min(seen, len(receiver.statuses)) - 1]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, event_type: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if json.loads(r["body"])["type"] == event_type]


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.TILLIT_KYC_WEBHOOK_ALLOW_HTTP = True  # the local receiver has no TLS
    settings.TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE = True  # and listens on 127.0.0.1
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def endpoint(client_api: APIClient, receiver: Receiver) -> dict[str, Any]:
    response = client_api.post("/api/v1/webhooks/endpoints/", {"url": receiver.url})
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def submit(client_api: APIClient, django_capture_on_commit_callbacks: Any) -> Callable[[str], None]:
    def run(customer_id: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert client_api.post(f"/api/v1/customers/{customer_id}/submit/").status_code == 202

    return run


def test_status_changes_and_decisions_are_sent_signed(
    endpoint: dict, receiver: Receiver, create_customer: Callable, submit: Callable, watchlist: Any
) -> None:
    customer = create_customer(external_ref="crm-7")
    submit(customer["id"])
    statuses = [json.loads(r["body"])["data"]["status"] for r in receiver.events("case.status_changed")]
    assert statuses == ["screening", "approved"]
    (decided,) = receiver.events("case.decided")
    body = json.loads(decided["body"])
    assert body["data"]["decision"]["outcome"] == "approve" and body["data"]["external_ref"] == "crm-7"
    assert "Alice" not in decided["body"].decode()  # ids and codes, no personal data
    secret = endpoint["secret"].encode()
    header = decided["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(secret, decided["body"], header)
    assert not webhooks.verify(b"whsec_wrong", decided["body"], header)
    assert not webhooks.verify(secret, decided["body"] + b" ", header)
    assert decided["headers"][webhooks.EVENT_HEADER] == body["id"]


def test_an_alert_raised_on_a_customer_is_sent(
    endpoint: dict, receiver: Receiver, create_customer: Callable, submit: Callable, watchlist: Any
) -> None:
    customer = create_customer(details={"given_names": "Viktor", "family_name": "Zarenko"})
    submit(customer["id"])
    (alert,) = receiver.events("customer.alert_raised")
    assert json.loads(alert["body"])["data"]["hit_kind"] == "sanction"


def test_an_old_signature_is_refused_by_the_verifier() -> None:
    header = webhooks.sign(b"s", b"{}", 1_000)
    assert webhooks.verify(b"s", b"{}", header, now=1_100)
    assert not webhooks.verify(b"s", b"{}", header, now=1_000 + 301)
    assert not webhooks.verify(b"s", b"{}", "garbage")


def test_failed_deliveries_are_retried_and_logged(
    endpoint: dict, receiver: Receiver, create_customer: Callable, submit: Callable, watchlist: Any
) -> None:
    from kyc import tasks

    receiver.statuses = [500, 503, 200]
    submit(create_customer()["id"])
    delivery = WebhookDelivery.objects.order_by("created_at").first()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.next_attempt_at > delivery.created_at
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert tasks.webhooks_resend_due() >= 1  # what beat does when a retry falls due
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.RETRYING
    tasks.webhook_deliver(str(delivery.pk))  # the third, scheduled attempt
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    log = list(delivery.attempt_log.values_list("number", "status_code"))
    assert log == [(1, 500), (2, 503), (3, 200)]
    mine = [r for r in receiver.requests if r["headers"][webhooks.EVENT_HEADER] == str(delivery.event_id)]
    assert len(mine) == 3  # the same event id on every attempt


def test_a_delivery_gives_up_after_the_last_attempt(
    endpoint: dict, receiver: Receiver, create_customer: Callable, submit: Callable, watchlist: Any, settings: Any
) -> None:
    from kyc import tasks

    settings.TILLIT_KYC_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [503]
    submit(create_customer()["id"])
    delivery = WebhookDelivery.objects.order_by("created_at").first()
    for _ in range(4):
        tasks.webhook_deliver(str(delivery.pk))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3 and delivery.last_status_code == 503 and delivery.next_attempt_at is None


def test_an_unreachable_endpoint_is_logged_with_the_error(settings: Any, client_api: APIClient) -> None:
    from kyc.services.webhooks import webhook_attempt, webhook_emit

    settings.TILLIT_KYC_WEBHOOK_ALLOW_HTTP = True
    settings.TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE = True
    client_api.post("/api/v1/webhooks/endpoints/", {"url": "http://127.0.0.1:9/nothing-listens"})
    (delivery,) = webhook_emit(client=client_api.tenant, event_type="case.decided", data={"case_id": "x"})
    delivery = webhook_attempt(delivery_id=str(delivery.pk))
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error
    assert delivery.next_attempt_at is not None


def test_backoff_grows_and_then_stays_at_its_ceiling() -> None:
    delays = [webhooks.backoff(n) for n in range(1, 10)]
    assert delays == sorted(delays) and delays[0] == 10 and delays[-1] == delays[-2] == 21600


def test_an_officer_replays_a_delivery_from_the_admin(
    endpoint: dict,
    receiver: Receiver,
    create_customer: Callable,
    submit: Callable,
    watchlist: Any,
    make_user: Callable,
    login_api: Callable,
    django_capture_on_commit_callbacks: Any,
) -> None:
    submit(create_customer()["id"])
    original = WebhookDelivery.objects.filter(event_type="case.decided").get()
    sent = len(receiver.requests)
    officer = login_api(make_user("officer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            "/admin/kyc/webhookdelivery/",
            {"action": "replay", "_selected_action": [str(original.pk)]},
            format="multipart",
        )
    assert response.status_code == 302
    replay = WebhookDelivery.objects.get(replay_of=original)
    assert replay.status == DeliveryStatus.SUCCEEDED and replay.event_id == original.event_id
    assert len(receiver.requests) == sent + 1
    assert receiver.requests[-1]["headers"][webhooks.EVENT_HEADER] == str(original.event_id)
    page = officer.get(f"/admin/kyc/webhookdelivery/{original.pk}/change/")
    assert page.status_code == 200


def test_analysts_cannot_replay(
    endpoint: dict, make_user: Callable, login_api: Callable, client_api: APIClient
) -> None:
    from kyc.services.webhooks import webhook_emit

    (delivery,) = webhook_emit(client=client_api.tenant, event_type="case.decided", data={"case_id": "x"})
    analyst = login_api(make_user("analyst"))
    response = analyst.post(
        "/admin/kyc/webhookdelivery/", {"action": "replay", "_selected_action": [str(delivery.pk)]}, format="multipart"
    )
    assert response.status_code == 200  # the list again: the action is not one the analyst is offered
    assert b'value="replay"' not in response.content
    assert not WebhookDelivery.objects.filter(replay_of=delivery).exists()


def test_the_secret_is_stored_only_sealed(endpoint: dict) -> None:
    from kyc.models import WebhookEndpoint

    row = WebhookEndpoint.objects.get(pk=endpoint["id"])
    assert row.secret_sealed
    assert endpoint["secret"].encode() not in bytes(row.secret_sealed)
    assert webhooks._secret_of(row) == endpoint["secret"].encode()  # sealed, and opens to the secret
    assert endpoint["secret"] not in json.dumps(list(WebhookEndpoint.objects.values("url", "events", "secret_hint")))
