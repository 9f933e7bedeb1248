"""Webhook endpoints of API clients, the deliveries made to them, each attempt; idempotency records."""

from __future__ import annotations

from django.db import models

from common.models import BaseModel
from vault.fields import SealedBinaryField


class WebhookEvent(models.TextChoices):
    CASE_STATUS_CHANGED = "case.status_changed", "A case changed status"
    CASE_DECIDED = "case.decided", "A case was decided (approved or rejected)"
    CUSTOMER_ALERT_RAISED = "customer.alert_raised", "A screening alert was raised on a customer"


class WebhookEndpoint(BaseModel):
    """Where a client wants events; the signing secret is sealed by the vault, shown once when created."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE, related_name="kyc_webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, blank=True, help_text="Event types to send; empty means all.")
    secret_sealed = SealedBinaryField(null=True)
    secret_hint = models.CharField(max_length=12, blank=True, help_text="First characters, to recognise it.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.events or event_type in self.events)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed (retries exhausted)"


class WebhookDelivery(BaseModel):
    """One event for one endpoint: its payload and how delivering it went."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=64, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(replay_of__isnull=True),
                name="kyc_webhookdelivery_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint} ({self.status})"


class WebhookAttempt(BaseModel):
    """One HTTP attempt of a delivery (the delivery log officers read)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"


class IdempotencyRecord(BaseModel):
    """The first response to a creating POST with an ``Idempotency-Key``, replayed for repeats."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="kyc_idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key[:12]}]"
