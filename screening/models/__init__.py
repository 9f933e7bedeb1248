"""Screening models. Watchlists (sources, immutable versions, entries, diffs, syncs) live in ``watchlists``."""

from screening.models.releases import MatchingRelease, ReleaseStatus, ShadowOrigin, ShadowResult  # noqa: F401
from screening.models.screenings import BatchChunk, BatchScreening, FalsePositive, Screening, ScreeningMatch  # noqa: F401
from screening.models.watchlists import (
    EntryChange,
    ListEntry,
    ListVersion,
    Source,
    SyncRun,
    VersionStatus,
)

__all__ = ["EntryChange", "ListEntry", "ListVersion", "Source", "SyncRun", "VersionStatus"]
