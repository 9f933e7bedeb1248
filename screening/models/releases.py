"""Matching releases (an algorithm version plus a thresholds configuration) and their shadow results.

Exactly one release is live at a time (a partial unique index); screenings use its thresholds
and algorithm version and reference it. A release in shadow is evaluated beside the live one on
real traffic and on replays of recent screenings; each evaluation is one ``ShadowResult``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import BaseModel


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHADOW = "shadow", "In shadow (evaluated beside live)"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class MatchingRelease(BaseModel):
    """An algorithm version and the thresholds it alerts at. Immutable once created, except its status."""

    label = models.CharField(max_length=80, unique=True, help_text="A short name, e.g. '1.0.0 with OFAC at 0.80'.")
    algorithm = models.CharField(max_length=60)
    algorithm_version = models.CharField(max_length=20)
    thresholds = models.JSONField(help_text="{default, by_source, by_schema, by_source_schema}")
    status = models.CharField(max_length=8, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    notes = models.TextField(blank=True, help_text="Why this release: what changed and what evidence supports it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The live release this one replaced (what a rollback returns to).",
    )
    shadow_started_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="live"), name="matching_release_one_live")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.algorithm_version}, {self.status})"


class ShadowOrigin(models.TextChoices):
    TRAFFIC = "traffic", "Live traffic"
    REPLAY = "replay", "Replay of a stored screening"


class ShadowResult(BaseModel):
    """A shadow release's result for one stored screening, compared with the live result.

    Compact on purpose: alerts as {entity, source, schema, score}; the subject only as the kind of
    name (schema, script, one word or several), never the name itself.
    """

    release = models.ForeignKey(MatchingRelease, on_delete=models.CASCADE, related_name="shadow_results")
    screening = models.ForeignKey("screening.Screening", on_delete=models.CASCADE, related_name="shadow_results")
    origin = models.CharField(max_length=8, choices=ShadowOrigin.choices)
    subject_schema = models.CharField(max_length=20)
    name_script = models.CharField(max_length=12)
    name_shape = models.CharField(max_length=6, help_text="single or multi (words in the screened name)")
    live_outcome = models.CharField(max_length=16)
    shadow_outcome = models.CharField(max_length=16)
    shadow_matches = models.JSONField(default=list, blank=True, help_text="[{entity, source, schema, score}]")
    gained = models.JSONField(default=list, blank=True, help_text="Alerts the shadow raises and live does not.")
    lost = models.JSONField(default=list, blank=True, help_text="Alerts live raises and the shadow does not.")
    changed = models.JSONField(default=list, blank=True, help_text="[{entity, source, live, shadow, delta}]")
    baseline = models.CharField(
        max_length=8, default="stored", help_text="stored: the screening's own result; rerun: the live release re-run"
    )
    duration_ms = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["release", "screening"], name="shadow_result_once_per_screening")
        ]
        indexes = [models.Index(fields=["release", "-created_at"], name="shadow_result_recent")]

    def __str__(self) -> str:
        return f"{self.release_id} on {self.screening_id}: +{len(self.gained)} -{len(self.lost)}"
