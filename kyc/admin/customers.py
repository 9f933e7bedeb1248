"""Customers and webhooks in the admin: read-only pages, a delivery log, and replay."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from kyc import integrations
from kyc.admin.base import ReadOnlyPolicy, can
from kyc.models import (
    Case,
    Customer,
    Party,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from kyc.services import webhooks


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    fields = ["kind", "is_subject", "given_names", "family_name", "legal_name", "birth_date", "jurisdiction"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseInline(admin.TabularInline):
    model = Case
    extra = 0
    fields = ["status", "assigned_to", "sla_due_at", "created_at", "closed_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyPolicy, admin.ModelAdmin):
    view_action = "customer.view"
    list_display = ["__str__", "kind", "status", "client", "external_ref", "created_at"]
    list_filter = ["kind", "status", "client"]
    search_fields = ["=id", "external_ref", "parties__family_name", "parties__legal_name"]
    inlines = [PartyInline, CaseInline]
    readonly_fields = ["client", "kind", "external_ref", "status", "created_at", "updated_at"]
    fields = readonly_fields


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyPolicy, admin.ModelAdmin):
    list_display = ["url", "client", "events", "secret_hint", "is_active", "created_at"]
    list_filter = ["client", "is_active"]
    fields = ["client", "url", "events", "secret_hint", "is_active", "created_at"]
    readonly_fields = fields


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ["number", "status_code", "error", "duration_ms", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyPolicy, admin.ModelAdmin):
    list_display = ["event_type", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at", "created_at"]
    list_filter = ["status", "event_type", "endpoint__client"]
    search_fields = ["=event_id"]
    fields = [
        "endpoint",
        "event_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "replay_of",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(description="Replay the selected deliveries (same event id, new attempt log)")
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        integrations.require_role(request.user, integrations.ACTION_DECIDE)
        count = 0
        for delivery in queryset.select_related("endpoint"):
            webhooks.webhook_replay(delivery=delivery, actor=request.user)
            count += 1
        messages.success(request, f"Replaying {count} deliveries.")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # ReadOnlyPolicy refuses change permission, which would hide actions: allow deciders to replay.
        actions = super().get_actions(request)
        if not can(request, integrations.ACTION_DECIDE):
            actions.pop("replay", None)
        return actions
