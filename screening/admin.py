"""Admin for compliance officers: sources, versions (counts, status, diff), read-only searchable entries, syncs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from accounts import policy
from accounts.admin import StepUpAdminMixin
from screening.models import EntryChange, ListEntry, ListVersion, Source, SyncRun
from screening.services.sync import source_sync
from screening.services.watchlists import SOURCE_EDITABLE, source_update


class ReadOnlyAdmin(admin.ModelAdmin):
    """Versions, entries, diffs and syncs are records: nobody edits or deletes them here."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(StepUpAdminMixin, admin.ModelAdmin):
    """Reconfiguring a source or syncing it is an administrator's action, behind a step-up, and audited."""

    step_up_action = "screening.list_source.change"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # official list URLs are https
    list_display = ["code", "name", "format", "enabled", "active_version", "last_sync_at", "next_sync_at"]
    list_filter = ["format", "enabled"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "format", "etag", "last_modified", "last_sync_at", "next_sync_at", "created_at"]
    fields = [
        "code",
        "name",
        "format",
        "url",
        "local_path",
        "enabled",
        "sync_interval",
        "max_shrink_ratio",
        "etag",
        "last_modified",
        "last_sync_at",
        "next_sync_at",
        "created_at",
    ]
    actions = ["sync_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sources are registered by load_watchlist / sync_watchlists

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return policy.can(request.user, "screening.list_source.change")

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in SOURCE_EDITABLE}
        source_update(source=obj, changes=changes, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Active version")
    def active_version(self, source: Source) -> str:
        version = source.versions.filter(status="active").first()
        if version is None:
            return "-"
        return f"v{version.number}: {version.entry_count} entries, published {version.published_on or 'n/a'}"

    @admin.action(description="Sync now (download, or the local copy when offline)")
    def sync_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            run = source_sync(source=source, actor=request.user)
            level = messages.ERROR if run.outcome == "failed" else messages.INFO
            self.message_user(request, f"{source.code}: {run.outcome}. {run.message}", level)


class ChangeInline(admin.TabularInline):
    model = EntryChange
    fields = ["kind", "ref", "primary_name", "fields"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ListVersion)
class ListVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "source",
        "number",
        "status",
        "published_on",
        "imported_at",
        "entry_count",
        "name_count",
        "diff",
        "created_at",
    ]
    list_filter = ["status", "source"]
    search_fields = ["source__code", "checksum", "content_hash", "error"]
    readonly_fields = [
        "source",
        "number",
        "status",
        "error",
        "origin",
        "published_on",
        "imported_at",
        "entry_count",
        "name_count",
        "counts",
        "previous",
        "added_count",
        "removed_count",
        "changed_count",
        "checksum",
        "content_hash",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [ChangeInline]

    @admin.display(description="Diff (added / removed / changed)")
    def diff(self, version: ListVersion) -> str:
        return version.diff_summary


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["primary_name", "ref", "schema", "source", "version_number", "version_status"]
    list_filter = ["schema", "version__status", "version__source"]
    search_fields = ["primary_name", "=ref"]
    list_select_related = ["version", "version__source"]
    readonly_fields = [
        "ref",
        "schema",
        "source",
        "version",
        "all_names",
        "birth",
        "nationality_and_countries",
        "identifier_table",
        "address_list",
        "programmes_and_topics",
        "listed_on",
        "remarks",
        "content_hash",
    ]
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description="Source")
    def source(self, entry: ListEntry) -> str:
        return entry.version.source.code

    @admin.display(description="Version")
    def version_number(self, entry: ListEntry) -> int:
        return entry.version.number

    @admin.display(description="Status")
    def version_status(self, entry: ListEntry) -> str:
        return entry.version.status

    @admin.display(description="Names")
    def all_names(self, entry: ListEntry) -> str:
        return format_html_join(
            "",
            "<div>{} <small>({}{})</small></div>",
            (
                (n["full"], n["kind"], f", {n['script']}" if n.get("script") else "")
                for n in entry.data.get("names", [])
            ),
        )

    @admin.display(description="Birth dates and places")
    def birth(self, entry: ListEntry) -> str:
        dates = [b["value"] or f"{b['year_from']}-{b['year_to']}" for b in entry.data.get("birth_dates", [])]
        return format_html("{}<br>{}", ", ".join(dates) or "-", "; ".join(entry.data.get("birth_places", [])) or "-")

    @admin.display(description="Nationalities / countries")
    def nationality_and_countries(self, entry: ListEntry) -> str:
        nationalities = ", ".join(entry.data.get("nationalities", [])) or "-"
        return f"{nationalities} / {', '.join(entry.data.get('countries', [])) or '-'}"

    @admin.display(description="Identifiers")
    def identifier_table(self, entry: ListEntry) -> str:
        return (
            format_html_join(
                "",
                "<div>{}: {} {}</div>",
                (
                    (i["type"], i["number"], f"({i['country']})" if i.get("country") else "")
                    for i in entry.data.get("identifiers", [])
                ),
            )
            or "-"
        )

    @admin.display(description="Addresses")
    def address_list(self, entry: ListEntry) -> str:
        return format_html_join("", "<div>{}</div>", ((a,) for a in entry.data.get("addresses", []))) or "-"

    @admin.display(description="Programmes / topics")
    def programmes_and_topics(self, entry: ListEntry) -> str:
        return f"{', '.join(entry.data.get('programs', [])) or '-'} / {', '.join(entry.data.get('topics', [])) or '-'}"

    @admin.display(description="Listed on")
    def listed_on(self, entry: ListEntry) -> str:
        return entry.data.get("listed_on") or "-"

    @admin.display(description="Remarks")
    def remarks(self, entry: ListEntry) -> str:
        return entry.data.get("remarks") or "-"


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ["source", "started_at", "finished_at", "outcome", "origin", "version"]
    list_filter = ["outcome", "source"]
    readonly_fields = ["source", "started_at", "finished_at", "outcome", "origin", "version", "message"]
    fields = readonly_fields


# Screenings, matches, batches, false positives; matching releases (shadow runs, promotion, rollback).
from screening import releases_admin, screenings_admin  # noqa: E402, F401
