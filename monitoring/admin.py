"""Operators' view of monitoring: jobs with progress, duration, entries screened and alerts raised.

Jobs and chunks are records: nobody edits them here. Pause, resume and re-run are admin actions
that call one service each (``monitoring.services.jobs``), allowed by ``monitoring.operate``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accounts import policy
from monitoring.apps import ACTION_OPERATE, ACTION_VIEW
from monitoring.models import MonitoringChunk, MonitoringJob
from monitoring.services import jobs


class ReadOnly:
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, ACTION_VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, ACTION_VIEW)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChunkInline(ReadOnly, admin.TabularInline):
    model = MonitoringChunk
    fields = ["number", "status", "item_count", "attempts", "alerts_raised", "annotations", "worker", "error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = False
    ordering = ["number"]

    verbose_name_plural = "chunks not done (failed, running or waiting)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[MonitoringChunk]:
        # What an operator opens a job page for; the done ones are counted on the job.
        return super().get_queryset(request).exclude(status="done").order_by("number")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


@admin.register(MonitoringJob)
class MonitoringJobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "trigger",
        "status_label",
        "progress_bar",
        "duration_label",
        "entries_screened",
        "parties_screened",
        "alerts_raised",
        "alerts_updated",
        "annotations",
    ]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    inlines = [ChunkInline]
    actions = ["pause", "resume", "rerun"]
    fields = [
        "key",
        "kind",
        "status",
        "list_version",
        "rerun_of",
        "parameters",
        "requested_by",
        "progress_bar",
        "chunk_count",
        "chunks_done",
        "chunks_failed",
        "entries_screened",
        "parties_screened",
        "alerts_raised",
        "alerts_updated",
        "annotations",
        "started_at",
        "finished_at",
        "duration_label",
        "error",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[MonitoringJob]:
        return super().get_queryset(request).select_related("list_version__source")

    @admin.display(description="trigger")
    def trigger(self, job: MonitoringJob) -> str:
        if job.list_version_id:
            return f"{job.list_version.source.code} v{job.list_version.number}"
        return f"{job.parameters.get('customer_count', 0)} customers"

    @admin.display(description="status", ordering="status")
    def status_label(self, job: MonitoringJob) -> str:
        colour = {"failed": "#ba2121", "completed": "#447e36", "paused": "#a06000"}.get(job.status, "#333")
        return format_html('<strong style="color:{}">{}</strong>', colour, job.get_status_display())

    @admin.display(description="progress")
    def progress_bar(self, job: MonitoringJob) -> str:
        percent = int(job.progress * 100)
        return format_html(
            '<progress max="100" value="{}"></progress> {}% ({} of {} chunks{})',
            percent,
            percent,
            job.chunks_done + job.chunks_failed,
            job.chunk_count,
            f", {job.chunks_failed} failed" if job.chunks_failed else "",
        )

    @admin.display(description="duration")
    def duration_label(self, job: MonitoringJob) -> str:
        return _duration(job.duration)

    def _operate(self, request: HttpRequest, queryset: QuerySet[MonitoringJob], service: Any, verb: str) -> None:
        if not policy.can(request.user, ACTION_OPERATE):
            self.message_user(request, f"Your role does not allow {ACTION_OPERATE!r}.", messages.ERROR)
            return
        done = 0
        for job in queryset:
            try:
                service(job=job, actor=request.user)
                done += 1
            except jobs.JobStateError as exc:
                self.message_user(request, f"{job}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, f"{verb} {done} job(s).", messages.SUCCESS)

    @admin.action(description="Pause the selected jobs")
    def pause(self, request: HttpRequest, queryset: QuerySet[MonitoringJob]) -> None:
        self._operate(request, queryset, jobs.job_pause, "Paused")

    @admin.action(description="Resume the selected jobs (retry failed chunks)")
    def resume(self, request: HttpRequest, queryset: QuerySet[MonitoringJob]) -> None:
        self._operate(request, queryset, jobs.job_resume, "Resumed")

    @admin.action(description="Run the selected jobs again")
    def rerun(self, request: HttpRequest, queryset: QuerySet[MonitoringJob]) -> None:
        self._operate(request, queryset, jobs.job_rerun, "Started again")


from monitoring.dashboard import admin as dashboard_admin  # noqa: E402, F401  (registers the dashboard)
