"""One index per worker process, rebuilt or reloaded when the set of active list versions changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping

from screening.engine.index import Index, load_or_build
from screening.lists.record import Entry


class IndexHolder:
    """Holds the current index; ``get`` swaps in a new one atomically when the versions change.

    Readers never see a half-built index: the new index is built (or loaded from the disk cache)
    first and then replaces the reference in one assignment, so queries already running keep the
    index they started with. A lock makes concurrent callers build only once.
    """

    def __init__(self, cache_dir: str | os.PathLike[str]) -> None:
        self.cache_dir = cache_dir
        self._index: Index | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> Index | None:
        return self._index

    def get(self, versions: Mapping[str, str], entries_factory: Callable[[], Iterable[tuple[str, Entry]]]) -> Index:
        """The index for exactly these list versions (from memory, the disk cache, or built)."""
        index = self._index
        if index is not None and index.versions == dict(versions):
            return index
        with self._lock:
            index = self._index
            if index is None or index.versions != dict(versions):
                index = load_or_build(self.cache_dir, versions, entries_factory=entries_factory)
                self._index = index
            return index
