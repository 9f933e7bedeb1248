"""Which screening tables keep a field-level history (django-auditlog).

Watchlist source settings, matching releases and false-positive decisions are registered.
A source's sync bookkeeping (ETag, Last-Modified, last and next sync) is excluded: it changes
at every sync and is not a setting. Its URL is masked (a download URL may carry an access
token) and so is its name (the identifier rule refuses a bare ``name``). A false positive's
reason is officer text that may quote the screened name, so it is masked.

Screenings, matches, shadow results, batch chunks, list entries and entry changes are not
registered: they are immutable results written on the screening hot path (screenings with
``common.prepared.insert_rows``, which sends no signals), already covered by the hash-chained
audit log.
"""

from __future__ import annotations

from audit.history import register_history

NOT_TRACKED = ["updated_at"]
SYNC_BOOKKEEPING = ["etag", "last_modified", "last_sync_at", "next_sync_at"]


def register() -> None:
    """Register the screening models whose changes compliance reviews field by field."""
    from screening.models import FalsePositive, MatchingRelease, Source

    register_history(Source, masked_fields=["name", "url"], exclude_fields=[*NOT_TRACKED, *SYNC_BOOKKEEPING])
    register_history(MatchingRelease, exclude_fields=NOT_TRACKED)
    register_history(FalsePositive, masked_fields=["reason"], exclude_fields=NOT_TRACKED)
