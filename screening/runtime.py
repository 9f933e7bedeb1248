"""The screening index of this process: built from the active list versions, cached on disk, swapped atomically.

* The index for a set of list versions is pickled under ``TILLIT_SCREENING_INDEX_DIR`` (default
  ``<data folder>/screening-index``) by the engine's ``load_or_build``, keyed by those versions, so
  a new worker loads it in about a second instead of rebuilding it. A file lock per key makes
  concurrent workers build it once.
* Each process holds one ``Snapshot`` (index + the versions it holds) and replaces it with one
  assignment, so a request that already took the snapshot finishes on it while new requests see
  the new one.
* Per request ``current()`` compares the active version set with the snapshot's; the set comes
  from one small query cached in the process for ``TILLIT_SCREENING_VERSION_CHECK_SECONDS``
  (default 1 s). The ``watchlist_version_activated`` signal expires that cache at once.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from screening.engine import Index, cache_key, load_or_build
from screening.lists.record import Entry

KEEP_CACHED_INDEXES = 4


class NoActiveLists(RuntimeError):
    """No watchlist has an active version: screening would silently find nothing, so it is refused."""


@dataclass(frozen=True)
class VersionRef:
    """One list version an index holds."""

    source: str
    id: str
    number: int


@dataclass(frozen=True)
class Snapshot:
    """An index together with the exact list versions it was built from."""

    index: Index
    versions: tuple[VersionRef, ...]
    # entity id -> ListEntry primary key, filled as matches are stored (saves a query per repeated match)
    entry_ids: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def version_map(self) -> dict[str, str]:
        """{source code: version id}: the engine's cache key input."""
        return {ref.source: ref.id for ref in self.versions}

    @property
    def record(self) -> dict[str, dict[str, Any]]:
        """{source code: {id, number}}: what a screening stores."""
        return {ref.source: {"id": ref.id, "number": ref.number} for ref in self.versions}


def index_dir() -> Path:
    return Path(getattr(settings, "TILLIT_SCREENING_INDEX_DIR", Path(settings.TILLIT_DATA_DIR) / "screening-index"))


def active_versions() -> tuple[VersionRef, ...]:
    """The active version of every source, sorted by source code (one query)."""
    from screening.models import ListVersion, VersionStatus

    rows = (
        ListVersion.objects.filter(status=VersionStatus.ACTIVE)
        .order_by("source__code")
        .values_list("source__code", "id", "number")
    )
    return tuple(VersionRef(code, str(pk), number) for code, pk, number in rows)


def versions_by_id(ids: list[str]) -> tuple[VersionRef, ...]:
    """The given versions (any status), sorted by source code; missing ids are left out."""
    from screening.models import ListVersion

    rows = ListVersion.objects.filter(pk__in=ids).order_by("source__code").values_list("source__code", "id", "number")
    return tuple(VersionRef(code, str(pk), number) for code, pk, number in rows)


def entries_of(versions: tuple[VersionRef, ...], *, chunk_size: int = 2000) -> Iterator[tuple[str, Entry]]:
    """(source code, Entry) of exactly these versions, in a stable order (source code, then reference)."""
    from screening.models import ListEntry
    from screening.selectors import entry_from_data

    for ref in versions:
        rows = ListEntry.objects.filter(version_id=ref.id).order_by("ref").values_list("data", flat=True)
        for data in rows.iterator(chunk_size=chunk_size):
            yield ref.source, entry_from_data(data)


def load_snapshot(
    versions: tuple[VersionRef, ...], directory: Path | None = None, *, loader: Callable[..., Any] = load_or_build
) -> Snapshot:
    """The index of these versions: from the disk cache, or built (once across processes) and cached.

    ``loader`` is the ``load_or_build`` of the algorithm version that reads the index (the installed
    one unless a release of another version runs: ``screening.services.releases``).
    """
    directory = directory or index_dir()
    directory.mkdir(parents=True, exist_ok=True)
    version_map = {ref.source: ref.id for ref in versions}
    lock_path = directory / f".build-{cache_key(version_map)}.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker building the same index: wait, then load its file
        try:
            index = loader(directory, version_map, entries_factory=lambda: entries_of(versions))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _prune(directory)
    return Snapshot(index=index, versions=versions)


def _prune(directory: Path) -> None:
    """Keep the few most recent index files; old list versions are rebuilt on demand (replay)."""
    files = sorted(directory.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[KEEP_CACHED_INDEXES:]:
        stale.unlink(missing_ok=True)
        (directory / f".build-{stale.stem.removeprefix('index-')}.lock").unlink(missing_ok=True)


class Runtime:
    """The per-process holder of the current snapshot."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._checked: tuple[float, tuple[VersionRef, ...]] | None = None
        self._build_lock = threading.Lock()

    @property
    def check_seconds(self) -> float:
        return float(getattr(settings, "TILLIT_SCREENING_VERSION_CHECK_SECONDS", 1.0))

    def _active(self) -> tuple[VersionRef, ...]:
        checked = self._checked
        now = time.monotonic()
        if checked is not None and now - checked[0] < self.check_seconds:
            return checked[1]
        versions = active_versions()
        self._checked = (now, versions)
        return versions

    def current(self) -> Snapshot:
        """The snapshot for the active versions, loading or building it first when they changed."""
        versions = self._active()
        if not versions:
            raise NoActiveLists("no watchlist has an active version; import one with load_watchlist")
        snapshot = self._snapshot
        if snapshot is not None and snapshot.versions == versions:
            return snapshot
        if snapshot is not None and not self._build_lock.acquire(blocking=False):
            return snapshot  # another thread of this process is swapping: keep serving the previous lists
        if snapshot is None:
            self._build_lock.acquire()
        try:
            latest = self._snapshot
            if latest is not None and latest.versions == versions:
                return latest
            fresh = load_snapshot(versions)
            self._snapshot = fresh  # one assignment: the swap is atomic for readers
            return fresh
        finally:
            self._build_lock.release()

    def peek(self) -> Snapshot | None:
        """The snapshot in memory, without checking the database."""
        return self._snapshot

    def expire(self) -> None:
        """Forget the cached active-version set, so the next request re-reads it."""
        self._checked = None

    def reset(self) -> None:
        """Drop everything held in memory (tests, and after a fork when needed)."""
        self._snapshot = None
        self._checked = None


runtime = Runtime()


def on_version_activated(sender: Any, version: Any = None, **kwargs: Any) -> None:
    """Receiver of ``watchlist_version_activated``: a process serving screenings swaps its index now.

    A process that never screened (an import job) only expires its version cache and, when a broker
    is configured, asks a worker to build the new index into the disk cache (``screening.index.warm``),
    so that web workers load it in a second instead of building it inside a request.
    """
    runtime.expire()
    if settings.CELERY_BROKER_URL and not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        from screening.tasks_screenings import index_warm_task

        index_warm_task.delay()
    if runtime.peek() is not None:
        try:
            runtime.current()
        except NoActiveLists:  # pragma: no cover - a version was just activated
            pass


def readiness_check() -> tuple[bool, str]:
    """Readiness "watchlists": at least one active list version exists and its index loads."""
    try:
        snapshot = runtime.current()
    except NoActiveLists:
        return False, "no active watchlist version"
    described = ", ".join(f"{ref.source} v{ref.number}" for ref in snapshot.versions)
    return True, f"{snapshot.index.size} entries from {described}"


def snapshot_for_versions(recorded: Mapping[str, Mapping[str, Any]]) -> Snapshot:
    """An index of exactly the recorded list versions (superseded ones included), for replay."""
    ids = [str(item["id"]) for item in recorded.values()]
    versions = versions_by_id(ids)
    found = {ref.source: ref.id for ref in versions}
    missing = [code for code, item in recorded.items() if found.get(code) != str(item["id"])]
    if missing:
        raise LookupError(f"recorded list versions are no longer in the database: {', '.join(sorted(missing))}")
    current = runtime.peek()
    if current is not None and current.versions == versions:
        return current
    return load_snapshot(versions)
