"""Watchlist reads: sources with their active versions, versions, entries, diffs, and Entry objects.

Watchlists are reference data shared by every caller: any authenticated user or API client
may read them, so these selectors are not scoped per tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from screening.lists.record import BirthDate, Entry, Identifier, Name
from screening.models import EntryChange, ListEntry, ListVersion, Source, VersionStatus


def source_list() -> QuerySet[Source]:
    """Every source, each with its active version prefetched as ``active_versions``."""
    active = ListVersion.objects.filter(status=VersionStatus.ACTIVE)
    return Source.objects.prefetch_related(Prefetch("versions", queryset=active, to_attr="active_versions"))


def source_get(*, code: str) -> Source:
    """A source by code, or 404."""
    source = source_list().filter(code=code).first()
    if source is None:
        raise Http404(f"no watchlist source {code!r}")
    return source


def active_version(*, source: Source) -> ListVersion | None:
    """The version currently serving for a source, if any."""
    cached = getattr(source, "active_versions", None)
    if cached is not None:
        return cached[0] if cached else None
    return ListVersion.objects.filter(source=source, status=VersionStatus.ACTIVE).first()


def freshness(*, source: Source, version: ListVersion | None) -> dict:
    """How old the active version is, and whether it is overdue (older than twice the sync interval)."""
    if version is None or version.imported_at is None:
        return {"age_hours": None, "stale": True}
    age = timezone.now() - version.imported_at
    last_checked = source.last_sync_at or version.imported_at
    return {
        "age_hours": round(age / timedelta(hours=1), 1),
        "last_checked_at": last_checked,
        "stale": timezone.now() - last_checked > 2 * source.sync_interval,
    }


def version_list(*, source: Source) -> QuerySet[ListVersion]:
    """All versions of a source, newest first."""
    return ListVersion.objects.filter(source=source).order_by("-number")


def version_get(*, source: Source, number: int) -> ListVersion:
    version = ListVersion.objects.filter(source=source, number=number).select_related("source", "previous").first()
    if version is None:
        raise Http404(f"{source.code} has no version {number}")
    return version


def version_changes(*, version: ListVersion) -> QuerySet[EntryChange]:
    """The diff lines recorded for a version against the version it superseded."""
    return EntryChange.objects.filter(version=version).order_by("kind", "ref")


def entry_get(*, entry_id: UUID | str) -> ListEntry:
    """An entry by its id (any version), or 404."""
    try:
        UUID(str(entry_id))
    except ValueError:
        raise Http404("no such watchlist entry") from None
    entry = ListEntry.objects.select_related("version", "version__source").filter(pk=entry_id).first()
    if entry is None:
        raise Http404("no such watchlist entry")
    return entry


def entry_from_data(data: dict) -> Entry:
    """Rebuild the parser's Entry from a stored entry's JSON."""
    return Entry(
        ref=data["ref"],
        schema=data["schema"],
        names=[Name(**n) for n in data.get("names", [])],
        birth_dates=[BirthDate(**b) for b in data.get("birth_dates", [])],
        birth_places=list(data.get("birth_places", [])),
        nationalities=list(data.get("nationalities", [])),
        countries=list(data.get("countries", [])),
        identifiers=[Identifier(**i) for i in data.get("identifiers", [])],
        addresses=list(data.get("addresses", [])),
        programs=list(data.get("programs", [])),
        topics=list(data.get("topics", [])),
        gender=data.get("gender"),
        listed_on=data.get("listed_on"),
        remarks=data.get("remarks", ""),
    )


def active_entries(*, source_codes: list[str] | None = None, chunk_size: int = 2000) -> Iterator[tuple[str, Entry]]:
    """(source code, Entry) for every entry of every active version: what the screening index loads."""
    versions = ListVersion.objects.filter(status=VersionStatus.ACTIVE).select_related("source")
    if source_codes is not None:
        versions = versions.filter(source__code__in=source_codes)
    for version in versions:
        rows = ListEntry.objects.filter(version=version).order_by("pk").values_list("data", flat=True)
        for data in rows.iterator(chunk_size=chunk_size):
            yield version.source.code, entry_from_data(data)
