"""Monitoring jobs, their chunks, the alerts they raised and the removal notes they wrote.

Every row that a chunk writes carries a unique key derived from what it is about (never from
when it ran), so a chunk that is redelivered after its worker died, retried after an error, or
run again in a re-run job finds its earlier work and creates nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import BaseModel


class JobKind(models.TextChoices):
    DELTA = "delta", "Delta (a list version became active)"
    FULL = "full", "Full rescreen (scheduled by risk)"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed (some chunks gave up)"


#: The only status changes a job may make (``monitoring.services.jobs`` checks this map).
JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.PENDING: frozenset({JobStatus.RUNNING, JobStatus.PAUSED}),
    JobStatus.RUNNING: frozenset({JobStatus.PAUSED, JobStatus.COMPLETED, JobStatus.FAILED}),
    JobStatus.PAUSED: frozenset({JobStatus.RUNNING}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset({JobStatus.RUNNING}),  # resume = retry the failed chunks
}


class MonitoringJob(BaseModel):
    """One rescreening run: its trigger, progress, counters and outcome (what the admin shows)."""

    key = models.CharField(max_length=120, unique=True, help_text="What the job is for: one job per key.")
    kind = models.CharField(max_length=8, choices=JobKind.choices)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING)
    list_version = models.ForeignKey(
        "screening.ListVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns")
    parameters = models.JSONField(default=dict, blank=True, help_text="Risk levels and intervals, chunk size ...")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chunk_count = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    chunks_failed = models.PositiveIntegerField(default=0)
    entries_screened = models.PositiveIntegerField(default=0, help_text="List entries used as queries (delta).")
    parties_screened = models.PositiveIntegerField(default=0, help_text="Parties screened (full rescreen).")
    alerts_raised = models.PositiveIntegerField(default=0)
    alerts_updated = models.PositiveIntegerField(default=0)
    annotations = models.PositiveIntegerField(default=0, help_text="Open alerts annotated: entry removed.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' (')[0]} job {str(self.id)[:8]} ({self.status})"

    @property
    def progress(self) -> float:
        """Share of chunks settled (done or given up), 0..1."""
        if not self.chunk_count:
            return 1.0 if self.status == JobStatus.COMPLETED else 0.0
        return (self.chunks_done + self.chunks_failed) / self.chunk_count

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish (or to now while running)."""
        if self.started_at is None:
            return None
        from django.utils import timezone

        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (retries exhausted)"


class MonitoringChunk(BaseModel):
    """A slice of a job that one task processes: list refs (delta) or party ids (full)."""

    job = models.ForeignKey(MonitoringJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    key = models.CharField(max_length=80, unique=True, help_text="<job id>:<number>: the task's idempotency key.")
    status = models.CharField(max_length=8, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    payload = models.JSONField(help_text="{'refs': [...]} for a delta chunk, {'parties': [...]} for a full one.")
    item_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)
    alerts_updated = models.PositiveIntegerField(default=0)
    annotations = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="monitoring_chunk_number_unique")]
        indexes = [models.Index(fields=["job", "status"])]

    def __str__(self) -> str:
        return f"chunk {self.number} of {self.job_id} ({self.status})"


class AlertOutcome(models.TextChoices):
    RAISED = "raised", "New alert raised"
    UPDATED = "updated", "Open alert updated (entry changed)"


class MonitoringAlert(BaseModel):
    """That monitoring alerted one (party, list entry content) once: the per-alert idempotency key.

    ``key`` is a hash of the party, the entity and the entry's content hash: the same entry content
    never alerts the same party twice, and a changed entry (new content hash) may alert again.
    """

    key = models.CharField(max_length=64, unique=True)
    party = models.ForeignKey("kyc.Party", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    hit = models.ForeignKey("kyc.ScreeningHit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=8, choices=AlertOutcome.choices)
    job = models.ForeignKey(MonitoringJob, on_delete=models.CASCADE, related_name="alerts")
    chunk = models.ForeignKey(MonitoringChunk, on_delete=models.CASCADE, related_name="alerts")
    score = models.FloatField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["party", "entity"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.entity}"


class RemovalNote(BaseModel):
    """An open alert annotated because its list entry was removed (once per alert and version)."""

    hit = models.ForeignKey("kyc.ScreeningHit", on_delete=models.CASCADE, related_name="+")
    list_version = models.ForeignKey("screening.ListVersion", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(MonitoringJob, on_delete=models.CASCADE, related_name="removal_notes")
    chunk = models.ForeignKey(MonitoringChunk, on_delete=models.CASCADE, related_name="removal_notes")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["hit", "list_version"], name="monitoring_removal_unique")]


class CustomerMonitoring(BaseModel):
    """When a customer was last fully rescreened (drives the schedule by risk level)."""

    customer = models.OneToOneField("kyc.Customer", on_delete=models.CASCADE, related_name="monitoring")
    last_full_screen_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_job = models.ForeignKey(MonitoringJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["customer"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_full_screen_at__isnull=False) | Q(last_job__isnull=True),
                name="monitoring_last_job_has_time",
            )
        ]


class DriftCheck(BaseModel):
    """One run of the drift and bias checks: every comparison made (``metrics``) and those beyond bounds (``flags``).

    ``metrics`` holds score PSI and alert rates between the two latest versions of each list and
    between time windows, and alert and false-positive rates by nationality and by script of the
    name (``monitoring.services.drift``); ``flags`` lists the comparisons that crossed a bound.
    """

    trigger = models.CharField(max_length=16, help_text="schedule, command or admin.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    window_start = models.DateTimeField(help_text="Oldest observation read.")
    window_end = models.DateTimeField(help_text="When the check ran (end of the recent window).")
    parameters = models.JSONField(default=dict, help_text="Bounds, windows and bins in force.")
    metrics = models.JSONField(default=dict)
    flags = models.JSONField(default=list, blank=True)
    subjects = models.PositiveIntegerField(default=0, help_text="Screened subjects read.")
    alerts = models.PositiveIntegerField(default=0, help_text="Alerts read.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Drift check {self.created_at:%Y-%m-%d %H:%M} ({self.flag_count} flag(s))"

    @property
    def flag_count(self) -> int:
        """How many comparisons crossed a bound."""
        return len(self.flags)


class ComplianceDashboard(DriftCheck):
    """The compliance dashboard's entry in the admin (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "compliance dashboard"
        verbose_name_plural = "compliance dashboard"
