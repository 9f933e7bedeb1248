"""Screenings: one subject screened against the active watchlists, its matches, false positives, batches.

A screening records everything needed to replay it (``screening_replay``): the subject as
screened (names and birth dates are the screened data; identifiers only as vault tokens and
masked values, plus a vault-sealed copy for replay), the list versions of the index it ran on,
the algorithm name and version, the thresholds in force, and the suppressions applied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import BaseModel
from vault.fields import SealedBinaryField


class Outcome(models.TextChoices):
    CLEAR = "clear", "Clear (no match at or above the threshold)"
    POTENTIAL_MATCH = "potential_match", "Potential match (needs review)"


class Channel(models.TextChoices):
    API = "api", "REST API"
    BATCH = "batch", "Batch job"
    CLI = "cli", "Command line"


class Screening(BaseModel):
    """One subject screened once. Immutable after it is written."""

    # Who asked: an API client (tenant) or a person; ``owner_key`` is "client:<id>" or "user:<id>".
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_key = models.CharField(max_length=60, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    batch = models.ForeignKey(
        "screening.BatchScreening", null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    batch_line = models.PositiveIntegerField(null=True, blank=True, help_text="1-based position in the batch.")
    idempotency_key = models.CharField(max_length=200, blank=True)
    request_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the request (idempotency).")

    # The subject as screened.
    reference = models.CharField(max_length=200, blank=True, help_text="The caller's own id for the subject.")
    subject_key = models.CharField(
        max_length=64, db_index=True, help_text="What false positives are keyed on (hash of reference or name)."
    )
    name = models.CharField(max_length=300)
    schema = models.CharField(max_length=20)
    birth_date = models.CharField(max_length=10, blank=True)
    countries = models.JSONField(default=list, blank=True)
    gender = models.CharField(max_length=6, blank=True)
    identifiers = models.JSONField(default=list, blank=True, help_text="[{type, masked, token}]: never plaintext.")
    identifiers_sealed = SealedBinaryField(null=True, blank=True, help_text="Vault-sealed identifiers, for replay.")

    # How it was screened.
    sources = models.JSONField(null=True, blank=True, help_text="Source codes asked for; null = every source.")
    threshold = models.FloatField(null=True, blank=True, help_text="Caller's threshold override, if any.")
    thresholds = models.JSONField(default=dict, help_text="Thresholds configuration in force.")
    max_matches = models.PositiveSmallIntegerField(default=10)
    list_versions = models.JSONField(default=dict, help_text="{source code: {id, number}} of the index used.")
    algorithm = models.CharField(max_length=60)
    algorithm_version = models.CharField(max_length=20)
    release = models.ForeignKey(
        "screening.MatchingRelease",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screenings",
        help_text="The matching release that produced it (null: before releases, or no live release yet).",
    )
    suppressed = models.JSONField(
        default=list, blank=True, help_text="[{entity, content_hash}] dropped as known false positives."
    )

    # What came out.
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    match_count = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.FloatField(help_text="Engine time plus lookups, in milliseconds.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner_key", "-created_at"], name="screening_owner_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_key", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="screening_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["batch", "batch_line"], condition=Q(batch__isnull=False), name="screening_batch_line_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.outcome}, {self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.name


class ScreeningMatch(BaseModel):
    """One list entry that scored at or above the threshold, with the explanation of its score."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="matches")
    rank = models.PositiveSmallIntegerField(help_text="1 = best match.")
    entity = models.CharField(max_length=280, help_text="<source code>:<source reference>")
    list_entry = models.ForeignKey(
        "screening.ListEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=64)
    listed_name = models.CharField(max_length=500)
    schema = models.CharField(max_length=20)
    topics = models.JSONField(default=list, blank=True)
    score = models.FloatField()
    threshold = models.FloatField()
    explanation = models.JSONField(help_text="Per-feature contributions, algorithm version and threshold.")
    content_hash = models.CharField(max_length=64, help_text="The list entry's content hash when it matched.")

    class Meta:
        ordering = ["screening", "rank"]
        verbose_name_plural = "screening matches"
        constraints = [models.UniqueConstraint(fields=["screening", "rank"], name="screening_match_rank_unique")]

    def __str__(self) -> str:
        return f"{self.entity} {self.score:.2f}"


class FalsePositive(BaseModel):
    """An officer's decision that a subject is not a list entry; holds while the entry's content is unchanged."""

    owner_key = models.CharField(max_length=60, help_text="Tenant whose screenings it suppresses.")
    subject_key = models.CharField(max_length=64)
    entity = models.CharField(max_length=280)
    content_hash = models.CharField(max_length=64, help_text="Suppression ends when the entry's content changes.")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="false_positives")
    match = models.ForeignKey(ScreeningMatch, on_delete=models.PROTECT, related_name="false_positives")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_key", "subject_key", "entity", "content_hash"], name="false_positive_unique"
            )
        ]
        indexes = [models.Index(fields=["owner_key", "subject_key"], name="false_positive_subject")]

    def __str__(self) -> str:
        return f"{self.entity} not {self.subject_key[:12]}"


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"


class BatchScreening(BaseModel):
    """Up to 10,000 subjects screened in Celery, in chunks; progress is the sum of its chunks."""

    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_key = models.CharField(max_length=60, db_index=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    total = models.PositiveIntegerField(help_text="Subjects submitted (valid or not).")
    invalid_count = models.PositiveIntegerField(default=0, help_text="Lines refused at submission.")
    errors = models.JSONField(default=list, blank=True, help_text="[{line, field, message}] refused at submission.")
    sources = models.JSONField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_key", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="batch_idempotency_unique",
            )
        ]
        verbose_name = "batch screening"

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.status}, {self.total} subjects)"


class BatchChunk(BaseModel):
    """A slice of a batch handled by one task; its subjects are vault-sealed (they may hold identifiers)."""

    batch = models.ForeignKey(BatchScreening, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    subjects_sealed = SealedBinaryField(null=True, blank=True, help_text="[[line, subject]], cleared when done.")
    size = models.PositiveIntegerField()
    processed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{line, field, message}] met while screening.")
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="batch_chunk_number_unique")]

    def __str__(self) -> str:
        return f"chunk {self.number} of {self.batch_id}"
