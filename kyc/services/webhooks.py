"""Webhooks: endpoints with a vault-sealed secret, HMAC-signed deliveries, retries with backoff, replay.

Signature (as Stripe does it): ``Tillit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` over
``"<t>.<raw body>"`` with the endpoint's secret. A receiver recomputes it, compares in constant
time and refuses timestamps older than a few minutes (replay protection). ``Tillit-Event-Id`` is
the same on every attempt and on a replay, so receivers can de-duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from kyc import audit_actions, integrations
from kyc.metrics import webhook_failure_observed
from kyc.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

SIGNATURE_HEADER = "Tillit-Signature"
EVENT_HEADER = "Tillit-Event-Id"
#: Seconds to wait before attempt 2, 3, ...; the last delay repeats until the attempts run out.
BACKOFF = (10, 60, 300, 1800, 7200, 21600)
TIMEOUT_SECONDS = 10


def max_attempts() -> int:
    return int(getattr(settings, "TILLIT_KYC_WEBHOOK_MAX_ATTEMPTS", 8))


def backoff(attempt: int) -> int:
    """Seconds before the next try after ``attempt`` failed attempts (1-based)."""
    return BACKOFF[min(attempt, len(BACKOFF)) - 1]


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: bytes, body: bytes, header: str, *, now: int | None = None, tolerance: int = 300) -> bool:
    """Check a signature header as a receiver should (constant-time, with a freshness window)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else int(time.time())) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _secret_of(endpoint: WebhookEndpoint) -> bytes:
    return integrations.secret_open(
        bytes(endpoint.secret_sealed), table=WebhookEndpoint._meta.db_table, record_id=str(endpoint.pk), field="secret"
    )


def _check_url(url: str) -> None:
    """https only, and never an address inside our own network (a webhook must not reach internal services).

    Set ``TILLIT_KYC_WEBHOOK_ALLOW_HTTP`` / ``TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE`` for local development.
    """
    allow_http = bool(getattr(settings, "TILLIT_KYC_WEBHOOK_ALLOW_HTTP", False))
    if not url.startswith("https://") and not (allow_http and url.startswith("http://")):
        raise ValidationError({"url": "Webhook URLs must use https."})
    if bool(getattr(settings, "TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE", False)):
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        addresses = set()  # not resolvable from here: nothing to refuse yet
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise ValidationError({"url": "Webhook URLs must not point to a private, loopback or reserved address."})


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once

    def __repr__(self) -> str:
        return f"NewEndpoint(endpoint={self.endpoint.pk}, secret=<redacted>)"


@transaction.atomic
def webhook_endpoint_create(*, client: Any, url: str, events: list[str], actor: Any) -> NewEndpoint:
    """Register an endpoint; its signing secret is returned once and kept only sealed by the vault."""
    _check_url(url)
    unknown = set(events) - set(WebhookEvent.values)
    if unknown:
        raise ValidationError({"events": f"Unknown event types: {', '.join(sorted(unknown))}."})
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(client=client, url=url, events=sorted(set(events)), secret_hint=secret[:10])
    endpoint.full_clean()
    endpoint.save()
    endpoint.secret_sealed = integrations.secret_seal(
        secret.encode(), table=WebhookEndpoint._meta.db_table, record_id=str(endpoint.pk), field="secret"
    )
    endpoint.save(update_fields=["secret_sealed"])
    audit_record(
        action=audit_actions.WEBHOOK_ENDPOINT_CREATED,
        actor=actor,
        target=endpoint,
        payload={"client_id": client.pk, "event_types": endpoint.events, "secret_hint_present": True},
    )
    return NewEndpoint(endpoint=endpoint, secret=secret)


def webhook_emit(*, client: Any, event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue one event for every endpoint of the client that wants it (sent after the commit)."""
    from kyc import tasks

    event_id = uuid.uuid4()
    created_at = timezone.now()
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(client=client, is_active=True):
        if not endpoint.wants(event_type):
            continue
        payload = {"id": str(event_id), "type": event_type, "created_at": created_at.isoformat(), "data": data}
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=event_id, event_type=event_type, payload=payload, next_attempt_at=created_at
        )
        deliveries.append(delivery)
        transaction.on_commit(lambda pk=str(delivery.pk): tasks.webhook_deliver.delay(pk))
    return deliveries


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:500]


def webhook_attempt(*, delivery_id: str) -> WebhookDelivery:
    """Make one attempt (the HTTP call is outside any transaction); record it; schedule the next if it failed."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery_id)
        if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            return delivery
        delivery.attempts += 1
        number = delivery.attempts
        delivery.save(update_fields=["attempts", "updated_at"])
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Tillit-Webhooks/1",
        EVENT_HEADER: str(delivery.event_id),
        SIGNATURE_HEADER: sign(_secret_of(endpoint), body, int(time.time())),
    }
    started = time.monotonic()
    status_code, error = _post(endpoint.url, body, headers)
    elapsed = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, status_code=status_code, error=error, duration_ms=elapsed
        )
        delivery.last_status_code = status_code
        delivery.last_error = error
        now = timezone.now()
        if ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
        elif number >= max_attempts():
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + timedelta(seconds=backoff(number))
        if not ok:
            webhook_failure_observed(event_type=delivery.event_type, final=delivery.status == DeliveryStatus.FAILED)
        delivery.save()
    return delivery


@transaction.atomic
def webhook_replay(*, delivery: WebhookDelivery, actor: Any) -> WebhookDelivery:
    """Send a delivery again (same event id and payload) as a new delivery with its own log."""
    from kyc import tasks

    original = delivery.replay_of or delivery
    replay = WebhookDelivery.objects.create(
        endpoint=original.endpoint,
        event_id=original.event_id,
        event_type=original.event_type,
        payload=original.payload,
        replay_of=original,
        next_attempt_at=timezone.now(),
    )
    audit_record(
        action=audit_actions.WEBHOOK_REPLAYED,
        actor=actor,
        target=replay,
        payload={"original_id": original.pk, "event_type": original.event_type},
    )
    transaction.on_commit(lambda: tasks.webhook_deliver.delay(str(replay.pk)))
    return replay
