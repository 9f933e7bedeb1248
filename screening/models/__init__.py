"""Screening models. Watchlists (sources, immutable versions, entries, diffs, syncs) live in ``watchlists``."""

from screening.models.watchlists import (
    EntryChange,
    ListEntry,
    ListVersion,
    Source,
    SyncRun,
    VersionStatus,
)

__all__ = ["EntryChange", "ListEntry", "ListVersion", "Source", "SyncRun", "VersionStatus"]
