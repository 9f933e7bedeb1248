"""Read-only admin for the audit trail: browse and filter, never add, change or delete."""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest

from audit.api import READER_ROLES
from audit.models import AuditCheckpoint, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and (user.is_superuser or getattr(user, "role", None) in READER_ROLES)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "occurred_at", "action", "actor_type", "actor_label", "target_type", "target_id"]
    list_filter = ["actor_type", "action", "target_type", ("occurred_at", admin.DateFieldListFilter)]
    search_fields = ["=sequence", "action", "=actor_id", "=target_id", "=correlation_id"]
    ordering = ["-sequence"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "issued_at", "root_hash", "key_id"]
    ordering = ["-tree_size"]
    readonly_fields = [f.name for f in AuditCheckpoint._meta.fields if f.name != "compact_range"]
    exclude = ["compact_range"]


class FieldHistoryAdmin(LogEntryAdmin):
    """django-auditlog's field history, read like the audit trail.

    auditlog's own search names ``actor__first_name``, which our User does not have (a search
    answered 500); and it let any staff member with the model permission read the history.
    """

    search_fields = ["object_repr", "=object_pk", "changes", "=cid", "actor__email"]
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return ReadOnlyAdmin.has_view_permission(self, request, obj)  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, FieldHistoryAdmin)
