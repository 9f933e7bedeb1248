"""Read-only admin views: stored identifiers (masked), key versions and rotation progress."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vault.models import KeyVersion, RotationJob, StoredIdentifier


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredIdentifier)
class StoredIdentifierAdmin(ReadOnlyAdmin):
    list_display = ["masked", "identifier_type", "scheme", "token", "kek_version", "token_key_version", "created_at"]
    list_filter = ["identifier_type", "kek_version", "token_key_version"]
    search_fields = ["token"]
    # The ciphertext is never shown: it is useless to an officer and only invites copying.
    exclude = ["ciphertext"]


@admin.register(KeyVersion)
class KeyVersionAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "version", "state", "provider", "promoted_at", "retired_at"]
    list_filter = ["key_id", "state"]


@admin.register(RotationJob)
class RotationJobAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "target_version", "status", "done", "total", "percent", "created_at", "finished_at"]
    list_filter = ["key_id", "status"]
    readonly_fields = ["percent"]
