"""Read-only admin for screenings: subject, matches with their explanations, versions; batches; false positives."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from accounts import policy
from screening.models import BatchScreening, FalsePositive, Screening, ScreeningMatch
from screening.screenings_setup import VIEW_ACTION


class ReadOnly:
    """Screenings are records: nobody adds, edits or deletes them here; readers by policy may view them."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return policy.can(request.user, VIEW_ACTION) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, VIEW_ACTION) or super().has_module_permission(request)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def explanation_html(explanation: dict[str, Any]) -> str:
    """The per-feature contributions of a score as a small table an officer reads."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td style='text-align:right'>{}</td><td>{}</td></tr>",
        ((f["feature"], f"{float(f['contribution']):+.2f}", f["detail"]) for f in explanation.get("features", [])),
    )
    return format_html(
        "<div>{}</div><table><tr><th>feature</th><th>contribution</th><th>why</th></tr>{}</table>"
        "<div style='color:#666'>{} {} · threshold {}</div>",
        explanation.get("summary", ""),
        rows,
        explanation.get("algorithm", ""),
        explanation.get("algorithm_version", ""),
        explanation.get("threshold", ""),
    )


class MatchInline(ReadOnly, admin.TabularInline):
    model = ScreeningMatch
    extra = 0
    can_delete = False
    fields = ["rank", "entity", "listed_name", "schema", "topics", "score", "explained", "list_entry", "content_hash"]
    readonly_fields = fields

    @admin.display(description="explanation")
    def explained(self, match: ScreeningMatch) -> str:
        return explanation_html(match.explanation)


@admin.register(Screening)
class ScreeningAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "name",
        "schema",
        "outcome",
        "match_count",
        "channel",
        "owner_key",
        "algorithm_version",
    ]
    list_filter = ["outcome", "channel", "schema", "algorithm_version"]
    search_fields = ["name", "reference", "=id"]
    date_hierarchy = "created_at"
    inlines = [MatchInline]
    fields = [
        "id",
        "created_at",
        "outcome",
        "reference",
        "name",
        "schema",
        "birth_date",
        "countries",
        "gender",
        "identifiers_masked",
        "channel",
        "owner_key",
        "api_client",
        "requested_by",
        "batch",
        "batch_line",
        "algorithm",
        "algorithm_version",
        "release",
        "list_versions",
        "sources",
        "threshold",
        "thresholds",
        "suppressed",
        "match_count",
        "duration_ms",
        "subject_key",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("api_client", "requested_by", "release")

    @admin.display(description="identifiers")
    def identifiers_masked(self, screening: Screening) -> str:
        return ", ".join(f"{i['type'] or 'id'} {i['masked']}" for i in screening.identifiers) or "-"


@admin.register(BatchScreening)
class BatchScreeningAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "status", "total", "invalid_count", "owner_key", "finished_at"]
    list_filter = ["status"]
    fields = ["id", "created_at", "status", "total", "invalid_count", "errors", "sources", "threshold", "owner_key"]
    readonly_fields = fields


@admin.register(FalsePositive)
class FalsePositiveAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "entity", "owner_key", "marked_by", "reason"]
    search_fields = ["entity", "=subject_key"]
    fields = [
        "id",
        "created_at",
        "entity",
        "content_hash",
        "owner_key",
        "subject_key",
        "screening",
        "marked_by",
        "reason",
    ]
    readonly_fields = fields
