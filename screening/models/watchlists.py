"""Watchlists: a source (an official list), its immutable versions, their entries and diffs.

A version is written once by ``screening.services.watchlists.list_version_import`` and never
edited afterwards except for its status moving along ``VERSION_TRANSITIONS``. Entries store the
parser's ``screening.lists.record.Entry`` as JSON plus its content hash, so a decision can be
replayed against the exact list content it used.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from common.models import BaseModel
from screening.lists import FORMATS

SOURCE_CODE = RegexValidator(
    r"^(us_ofac_sdn|us_ofac_cons|un_sc|eu_fsf|gb_hmt|gb_fcdo|ca_sema|us_bis_dpl|os_[a-z0-9_]+|custom_[a-z0-9_]+|demo_[a-z0-9_]+)$",
    "Source codes are us_ofac_sdn, us_ofac_cons, un_sc, eu_fsf, gb_hmt, gb_fcdo, ca_sema, us_bis_dpl, "
    "os_<dataset>, custom_<name> or demo_<name> (lower case, digits, underscores).",
)


class Source(BaseModel):
    """One official list (or a firm's own list), with where and how often to fetch it."""

    code = models.CharField(max_length=64, unique=True, validators=[SOURCE_CODE])
    name = models.CharField(max_length=200)
    format = models.CharField(max_length=20, choices=[(f, f) for f in FORMATS])
    url = models.URLField(
        max_length=500, blank=True, help_text="Official download URL (for ofac-csv: the folder URL ending in /)."
    )
    local_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="File or folder imported when the URL cannot be reached (relative to TILLIT_WATCHLIST_DIR).",
    )
    enabled = models.BooleanField(default=True)
    sync_interval = models.DurationField(default=timedelta(hours=6))
    max_shrink_ratio = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Refuse a version that drops more than this share of the active version's entries.",
    )
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    IMPORTING = "importing", "Importing"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"
    FAILED = "failed", "Failed"


# The only status changes a version may make (services check this map).
VERSION_TRANSITIONS: dict[str, set[str]] = {
    VersionStatus.IMPORTING: {VersionStatus.ACTIVE, VersionStatus.FAILED},
    VersionStatus.ACTIVE: {VersionStatus.SUPERSEDED},
    VersionStatus.SUPERSEDED: set(),
    VersionStatus.FAILED: set(),
}


class ListVersion(BaseModel):
    """One import of a source: immutable once active, superseded or failed."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(help_text="1, 2, 3 ... per source, in import order.")
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.IMPORTING)
    error = models.TextField(blank=True)
    origin = models.CharField(max_length=500, blank=True, help_text="File, folder or URL the content came from.")
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file bytes (of all files).")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 over the sorted entry hashes: equal content, equal hash."
    )
    published_on = models.DateField(null=True, blank=True, help_text="Publication date read from the file.")
    imported_at = models.DateTimeField(null=True, blank=True, help_text="When the version became active.")
    entry_count = models.PositiveIntegerField(default=0)
    name_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Entries per schema.")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Version diffed against."
    )
    added_count = models.PositiveIntegerField(default=0)
    removed_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["source", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="watchlist_version_number_unique"),
            models.UniqueConstraint(
                fields=["source"], condition=Q(status="active"), name="watchlist_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} v{self.number} ({self.status})"

    @property
    def diff_summary(self) -> str:
        if self.previous_id is None:
            return "first version" if self.status in (VersionStatus.ACTIVE, VersionStatus.SUPERSEDED) else ""
        return f"+{self.added_count} / -{self.removed_count} / ~{self.changed_count}"


class ListEntry(BaseModel):
    """One listed party in one version, keyed by the source's own reference."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    ref = models.CharField(max_length=200)
    schema = models.CharField(max_length=20)
    primary_name = models.CharField(max_length=500, db_index=True)
    data = models.JSONField(help_text="The parsed entry: names, dates, identifiers, programmes ...")
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["version", "ref"]
        verbose_name_plural = "list entries"
        constraints = [models.UniqueConstraint(fields=["version", "ref"], name="watchlist_entry_ref_unique")]

    def __str__(self) -> str:
        return f"{self.ref} {self.primary_name}"


class ChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    REMOVED = "removed", "Removed"
    CHANGED = "changed", "Changed"


class EntryChange(models.Model):
    """One line of a version's diff against the version it superseded."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="changes")
    ref = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=ChangeKind.choices)
    primary_name = models.CharField(max_length=500)
    fields = models.JSONField(default=list, blank=True, help_text="Changed fields (for kind=changed).")

    class Meta:
        ordering = ["version", "kind", "ref"]
        constraints = [models.UniqueConstraint(fields=["version", "ref"], name="watchlist_change_ref_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"


class SyncOutcome(models.TextChoices):
    IMPORTED = "imported", "New version imported"
    UNCHANGED = "unchanged", "Same content as the active version"
    NOT_MODIFIED = "not_modified", "Server said not modified"
    FAILED = "failed", "Failed"


class SyncRun(BaseModel):
    """Every sync attempt of a source (scheduled or manual), whatever its outcome."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="syncs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=SyncOutcome.choices, blank=True)
    origin = models.CharField(max_length=500, blank=True)
    version = models.ForeignKey(ListVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source.code} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
