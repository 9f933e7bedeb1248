"""The inverse index: every monitored party as an Entry-shaped record, indexed by the screening engine.

Delta rescreening turns list entries into queries and runs them against this index, so its cost
follows the size of the list change, not the size of the customer base.

Keeping it current without rebuilding a million names on every change:

* a *base* index of all monitored parties, built with ``screening.engine.build_index``, pickled
  under ``TILLIT_MONITORING_INDEX_DIR`` (default ``<data folder>/monitoring-index``) so that a new
  worker loads it instead of rebuilding it (a file lock makes concurrent workers build it once);
* a small *delta* index of the parties changed since the base was read (``updated_at`` of the
  party or its customer), rebuilt in milliseconds; results from the base for those parties are
  ignored, so an edited or newly added party is always matched on its current details;
* parties deleted or no longer monitored may linger in the base: every candidate is re-read from
  the database before it can alert, so they never do. When the delta grows past
  ``TILLIT_MONITORING_INDEX_REBUILD_RATIO`` of the base (default 5 %), the base is rebuilt.

A base is read ``OVERLAP`` before its build started, so that a party saved by a transaction that
committed while the base was being read is in the delta as well.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from screening.engine import Index, Query, build_index, screen
from screening.engine.model import InvalidQuery
from screening.lists.record import BirthDate, Entry, Name

log = logging.getLogger(__name__)

PARTY_SOURCE = "party"
OVERLAP = timedelta(minutes=5)
_MAGIC = b"TILLIT-PARTY-INDEX-2\n"
#: Customer statuses whose parties are monitored (a draft is not submitted; a rejected customer is gone).
DEFAULT_MONITORED_STATUSES = ("onboarding", "in_review", "approved")
PARTY_FIELDS = (
    "id",
    "kind",
    "given_names",
    "family_name",
    "legal_name",
    "trading_names",
    "birth_date",
    "nationalities",
    "residence_country",
    "jurisdiction",
    "address",
)


def monitored_statuses() -> tuple[str, ...]:
    return tuple(getattr(settings, "TILLIT_MONITORING_CUSTOMER_STATUSES", DEFAULT_MONITORED_STATUSES))


def party_record(row: dict[str, Any]) -> Entry | None:
    """One party (a ``values()`` row) as an Entry: its names, birth date and countries; None without a name."""
    if row["kind"] == "person":
        name = " ".join(part for part in (row["given_names"], row["family_name"]) if part).strip()
        names = [Name(name)] if name else []
        schema = "Person"
    else:
        name = (row["legal_name"] or "").strip()
        names = [Name(name)] if name else []
        names += [Name(str(t).strip(), kind="aka") for t in row["trading_names"] or [] if str(t).strip()]
        schema = "Organization"
    if not names:
        return None
    birth = row["birth_date"]
    countries = {c for c in (row["residence_country"], row["jurisdiction"], (row["address"] or {}).get("country")) if c}
    return Entry(
        ref=str(row["id"]),
        schema=schema,
        names=names,
        birth_dates=[BirthDate(value=birth.isoformat())] if birth else [],
        nationalities=[c for c in row["nationalities"] or [] if isinstance(c, str)],
        countries=sorted(c for c in countries if isinstance(c, str)),
    )


def monitored_parties(changed_since: datetime | None = None) -> Iterator[tuple[str, Entry]]:
    """(PARTY_SOURCE, Entry) of every monitored party, or of those changed since a moment."""
    from kyc.models import Party

    rows = Party.objects.filter(customer__status__in=monitored_statuses())
    if changed_since is not None:
        rows = rows.filter(Q(updated_at__gt=changed_since) | Q(customer__updated_at__gt=changed_since))
    for row in rows.order_by().values(*PARTY_FIELDS).iterator(chunk_size=5000):
        entry = party_record(row)
        if entry is not None:
            yield PARTY_SOURCE, entry


def changed_party_ids(since: datetime) -> set[str]:
    """Every party (monitored or not any more) whose row or customer changed since a moment."""
    from kyc.models import Party

    rows = Party.objects.filter(Q(updated_at__gt=since) | Q(customer__updated_at__gt=since))
    return {str(pk) for pk in rows.values_list("id", flat=True)}


@dataclass
class PartyIndex:
    """A base index, the delta on top of it, and what each holds."""

    base: Index
    read_from: datetime  # the base holds every change made before this moment
    delta: Index | None = None
    delta_ids: frozenset[str] = frozenset()
    checked_at: datetime | None = None  # the delta holds every change committed before this moment
    since: datetime | None = None  # the next check reads the changes made after this moment
    delta_records: dict[str, Entry] = field(default_factory=dict, repr=False)  # what the delta index holds
    meta: dict[str, Any] = field(default_factory=dict)
    _positions: dict[str, int] | None = field(default=None, repr=False)

    def positions(self) -> dict[str, int]:
        """{entity id: position} of the base (built once per base, then handed from delta to delta)."""
        if self._positions is None:
            self._positions = {entity: n for n, entity in enumerate(self.base.entity_ids)}
        return self._positions

    @property
    def size(self) -> int:
        return self.base.size + (self.delta.size if self.delta is not None else 0)

    def candidates(self, query: Query, *, threshold: float, limit: int) -> dict[str, float]:
        """{party id: name score} of the parties whose name resembles the query's."""
        found: dict[str, float] = {}
        for match in screen(self.base, query, threshold=threshold, limit=limit):
            party_id = match.entity.split(":", 1)[1]
            if party_id not in self.delta_ids:
                found[party_id] = match.score
        if self.delta is not None:
            for match in screen(self.delta, query, threshold=threshold, limit=limit):
                found[match.entity.split(":", 1)[1]] = match.score
        return found


def index_dir() -> Path:
    default = Path(settings.TILLIT_DATA_DIR) / "monitoring-index"
    return Path(getattr(settings, "TILLIT_MONITORING_INDEX_DIR", default))


def _database_key() -> str:
    """Which database an index file belongs to (test and production databases never share one)."""
    conf = connection.settings_dict
    raw = f"{conf['ENGINE']}|{conf.get('HOST')}|{conf.get('PORT')}|{conf['NAME']}|{','.join(monitored_statuses())}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _path() -> Path:
    return index_dir() / f"parties-{_database_key()}.pickle"


def _save(index: PartyIndex, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".parties-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC)
            pickle.dump((index.read_from, index.base), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path) -> PartyIndex | None:
    """The base index on disk (a private folder written only by ``_save``), or None."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        if handle.readline() != _MAGIC:
            return None
        read_from, base = pickle.load(handle)  # noqa: S301  # private cache written by _save
    if not isinstance(base, Index):
        return None
    return PartyIndex(base=base, read_from=read_from, meta={"loaded_from": str(path)})


def build_base() -> PartyIndex:
    """Read every monitored party and index it (the slow path: a million parties take minutes)."""
    read_from = timezone.now() - OVERLAP
    base = build_index(monitored_parties(), versions={"parties": read_from.isoformat()})
    return PartyIndex(base=base, read_from=read_from, meta={"built": True})


def build_delta(index: PartyIndex, *, now: datetime, max_size: int | None = None) -> PartyIndex | None:
    """The same base with its delta brought up to date with the parties changed since the last check.

    Each check reads only what changed since the previous one (less the overlap). A changed party
    whose current record hashes as the base holds it is left to the base, so that after a bulk
    load the delta stays small instead of repeating the whole load.
    """
    since = index.since or index.read_from
    changed = changed_party_ids(since)
    records = dict(index.delta_records)
    ignored = set(index.delta_ids)
    positions = index.positions()
    seen = set()
    for _, record in monitored_parties(changed_since=since) if changed else ():
        seen.add(record.ref)
        position = positions.get(f"{PARTY_SOURCE}:{record.ref}")
        if position is not None and index.base.content_hash(position) == record.content_hash():
            records.pop(record.ref, None)  # the base already holds exactly this
            ignored.discard(record.ref)
        else:
            records[record.ref] = record
            ignored.add(record.ref)
            if max_size is not None and len(records) > max_size:
                return None
    for party_id in changed - seen:  # no longer monitored (or nameless): its base entry must not match
        records.pop(party_id, None)
        ignored.add(party_id)
    entries = [(PARTY_SOURCE, record) for record in records.values()]
    delta = build_index(entries, versions={"delta": now.isoformat()}) if entries else None
    return PartyIndex(
        base=index.base,
        read_from=index.read_from,
        delta=delta,
        delta_ids=frozenset(ignored),
        checked_at=now,
        since=now - OVERLAP,
        delta_records=records,
        meta=index.meta,
        _positions=positions,
    )


def rebuild_ratio() -> float:
    return float(getattr(settings, "TILLIT_MONITORING_INDEX_REBUILD_RATIO", 0.05))


class Holder:
    """The per-process party index, refreshed on demand."""

    def __init__(self) -> None:
        self._index: PartyIndex | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        self._index = None

    def peek(self) -> PartyIndex | None:
        return self._index

    def current(self, *, as_of: datetime) -> PartyIndex:
        """An index holding every party change committed before ``as_of``."""
        index = self._index
        if index is not None and index.checked_at is not None and index.checked_at >= as_of:
            return index
        with self._lock:
            index = self._index
            if index is not None and index.checked_at is not None and index.checked_at >= as_of:
                return index
            now = timezone.now()
            if index is None:
                index = self._load_or_build()
            fresh = build_delta(index, now=now, max_size=int(max(1000, rebuild_ratio() * index.base.size)))
            if fresh is None:
                fresh = build_delta(self._rebuild(), now=now)
            assert fresh is not None  # no size limit on a fresh base
            self._index = fresh
            return fresh

    def _load_or_build(self) -> PartyIndex:
        path = _path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with (path.parent / f".{path.stem}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker building it: wait, then load its file
            try:
                index = _load(path)
                if index is None:
                    index = build_base()
                    _save(index, path)
                return index
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _rebuild(self) -> PartyIndex:
        path = _path()
        with (path.parent / f".{path.stem}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                on_disk = _load(path)
                # Another worker may have rebuilt it a moment ago: use theirs when it is recent enough.
                if on_disk is not None and self._index is not None and on_disk.read_from > self._index.read_from:
                    return on_disk
                index = build_base()
                _save(index, path)
                log.info("monitoring party index rebuilt", extra={"parties": index.base.size})
                return index
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


holder = Holder()


def entry_queries(entry: Entry) -> list[Query]:
    """One name-only query per distinct name of a list entry (names the engine refuses are skipped)."""
    schema = entry.schema if entry.schema in ("Person", "Organization", "Vessel", "Aircraft") else "Any"
    queries: list[Query] = []
    seen: set[str] = set()
    for name in entry.names:
        key = name.full.casefold().strip()
        if not key or key in seen:
            continue
        seen.add(key)
        try:
            queries.append(Query(name=name.full, schema=schema))
        except InvalidQuery:
            continue
    return queries
