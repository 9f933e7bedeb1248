"""Webhook delivery metrics for Prometheus: failed attempts, and deliveries that gave up."""

from __future__ import annotations

from django.db import transaction
from prometheus_client import Counter

WEBHOOK_FAILURES = Counter(
    "tillit_webhook_delivery_failures_total",
    "Webhook delivery attempts that failed; final=yes when the delivery gave up (no attempt left).",
    ["event_type", "final"],
)


def webhook_failure_observed(*, event_type: str, final: bool) -> None:
    transaction.on_commit(lambda: WEBHOOK_FAILURES.labels(event_type, "yes" if final else "no").inc())
