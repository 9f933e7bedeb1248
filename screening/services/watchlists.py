"""Watchlist writes: register sources, import versions atomically, record diffs, sync.

An import either fully succeeds and becomes the source's active version, or is refused with a
clear message and recorded as a *failed* version with no entries, while the previous version
keeps serving. Content identical to the active version creates no version at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Model
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from audit.services import audit_record
from screening import audit_actions
from screening.lists import FORMATS, parser_for
from screening.lists.record import ParseError, canonical_hash
from screening.models import EntryChange, ListEntry, ListVersion, Source, VersionStatus
from screening.models.watchlists import VERSION_TRANSITIONS, ChangeKind
from screening.signals import watchlist_version_activated
from screening.watchlist_sources import DEFAULT_SOURCES

log = logging.getLogger(__name__)

BATCH = 2000
REF_MAX = 200  # ListEntry.ref max_length
DIFF_FIELDS = (
    "schema",
    "names",
    "birth_dates",
    "birth_places",
    "nationalities",
    "countries",
    "identifiers",
    "addresses",
    "programs",
    "topics",
    "gender",
    "listed_on",
    "remarks",
)


class WatchlistImportError(Exception):
    """An import was refused. ``version`` is the failed version recorded for it."""

    def __init__(self, message: str, *, version: ListVersion | None = None) -> None:
        super().__init__(message)
        self.version = version


class _Refused(Exception):
    """Raised inside the import transaction to roll it back with a reason."""


class _Unchanged(Exception):
    """Raised inside the import transaction when the content equals the active version."""


@dataclass
class VersionDiff:
    """What changed between two versions of a source, by the source's own refs."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # ref -> changed field names

    @property
    def refs(self) -> set[str]:
        """Every ref that monitoring should rescreen."""
        return {*self.added, *self.removed, *self.changed}


@dataclass
class ImportResult:
    version: ListVersion
    created: bool
    diff: VersionDiff | None = None
    reason: str = ""


# --- sources ----------------------------------------------------------------------------------------
@transaction.atomic
def source_create(
    *,
    code: str,
    name: str,
    fmt: str,
    actor: Any,
    url: str = "",
    local_path: str = "",
    sync_interval: timedelta | None = None,
) -> Source:
    """Register a watchlist source (``custom_<name>``, ``os_<dataset>`` or an official code)."""
    if fmt not in FORMATS:
        raise WatchlistImportError(f"unknown list format {fmt!r}; known formats: {', '.join(sorted(FORMATS))}")
    overrides = getattr(settings, "TILLIT_WATCHLIST_URLS", {}) or {}
    source = Source(code=code, name=name, format=fmt, url=overrides.get(code, url), local_path=local_path)
    if sync_interval is not None:
        source.sync_interval = sync_interval
    source.full_clean()
    source.save()
    audit_record(
        action=audit_actions.SOURCE_CREATED,
        actor=actor,
        target=source,
        payload={"source_code": code, "format_type": fmt},
    )
    return source


SOURCE_EDITABLE = ("name", "url", "local_path", "enabled", "sync_interval", "max_shrink_ratio")


@transaction.atomic
def source_update(*, source: Source, changes: dict[str, Any], actor: Any) -> Source:
    """Reconfigure a source; the audit event records each changed field with its old and new value."""
    unknown = set(changes) - set(SOURCE_EDITABLE)
    if unknown:
        raise ValueError(f"fields that cannot be changed: {', '.join(sorted(unknown))}")
    current = Source.objects.select_for_update().get(pk=source.pk)
    diff = {
        name: {"from": str(getattr(current, name)), "to": str(value)}
        for name, value in changes.items()
        if getattr(current, name) != value
    }
    if not diff:
        return current
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    audit_record(action=audit_actions.SOURCE_CHANGED, actor=actor, target=current, payload={"changes": diff})
    return current


def source_ensure(*, code: str, actor: Any, fmt: str | None = None, name: str | None = None) -> Source:
    """The source with this code, registering it (from DEFAULT_SOURCES, or with ``fmt``) if new."""
    existing = Source.objects.filter(code=code).first()
    if existing is not None:
        if fmt and existing.format != fmt:
            raise WatchlistImportError(f"source {code} holds {existing.format} lists, not {fmt}")
        return existing
    spec = DEFAULT_SOURCES.get(code)
    if spec is not None:
        if fmt and fmt != spec.format:
            raise WatchlistImportError(f"source {code} holds {spec.format} lists, not {fmt}")
        return source_create(
            code=code,
            name=spec.name,
            fmt=spec.format,
            url=spec.url,
            local_path=spec.local_path,
            sync_interval=spec.sync_interval,
            actor=actor,
        )
    if fmt is None:
        raise WatchlistImportError(f"unknown source {code!r}: give its format to register it")
    return source_create(code=code, name=name or code, fmt=fmt, actor=actor)


# --- checksums ----------------------------------------------------------------------------------------
def file_checksum(path: str | Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and bytes, sorted by name)."""
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(f.name.encode() + b"\0")
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


# --- versions -------------------------------------------------------------------------------------
def _transition(version: ListVersion, status: str) -> None:
    if status not in VERSION_TRANSITIONS[version.status]:
        raise ValueError(f"a {version.status} version cannot become {status}")
    version.status = status


def _next_number(source: Source) -> int:
    return (ListVersion.objects.filter(source=source).aggregate(n=Max("number"))["n"] or 0) + 1


def _published(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def list_version_import(
    *,
    source: Source,
    path: str | Path,
    actor: Any,
    origin: str | None = None,
    allow_shrink: bool = False,
) -> ImportResult:
    """Import a list file into a new active version of ``source``, or refuse it and keep the active one.

    Deliberately not one transaction: the entries and the activation are (``_import``), while a
    refusal is recorded afterwards as a failed version that must survive that rollback.
    """
    path = Path(path)
    origin = origin or str(path)
    if not path.exists():
        raise _record_failure(source, origin, "", f"{path}: no such file or folder", actor)
    checksum = file_checksum(path)
    active = ListVersion.objects.filter(source=source, status=VersionStatus.ACTIVE).first()
    if active is not None and active.checksum == checksum:
        return ImportResult(version=active, created=False, reason="same file as the active version")
    try:
        with transaction.atomic():
            return _import(
                source=source, path=path, actor=actor, origin=origin, checksum=checksum, allow_shrink=allow_shrink
            )
    except _Unchanged:
        active = ListVersion.objects.get(source=source, status=VersionStatus.ACTIVE)
        return ImportResult(version=active, created=False, reason="same content as the active version")
    except (ParseError, _Refused) as exc:
        raise _record_failure(source, origin, checksum, str(exc), actor) from None
    except Exception as exc:
        # Not the file's fault (database, bug): record it, then let it surface.
        _record_failure(source, origin, checksum, f"internal error ({type(exc).__name__}); see the logs", actor)
        raise


def _record_failure(source: Source, origin: str, checksum: str, message: str, actor: Any) -> WatchlistImportError:
    """Keep a failed version (no entries) with the reason; the active version is untouched."""
    with transaction.atomic():
        Source.objects.select_for_update().get(pk=source.pk)
        version = ListVersion.objects.create(
            source=source,
            number=_next_number(source),
            status=VersionStatus.FAILED,
            error=message[:4000],
            origin=origin[:500],
            checksum=checksum,
        )
        audit_record(
            action=audit_actions.VERSION_FAILED,
            actor=actor,
            target=version,
            payload={"source_code": source.code, "version_number": version.number, "error_message": message[:1000]},
        )
    log.warning("watchlist import refused", extra={"source": source.code, "version": version.number})
    return WatchlistImportError(message, version=version)


def _import(*, source: Source, path: Path, actor: Any, origin: str, checksum: str, allow_shrink: bool) -> ImportResult:
    source = Source.objects.select_for_update().get(pk=source.pk)  # one import per source at a time
    active = ListVersion.objects.filter(source=source, status=VersionStatus.ACTIVE).first()
    meta, stream = parser_for(source.format).parse(str(path))
    version = ListVersion.objects.create(
        source=source,
        number=_next_number(source),
        status=VersionStatus.IMPORTING,
        origin=origin[:500],
        checksum=checksum,
        published_on=_published(meta.published_on),
    )
    hashes: dict[str, str] = {}
    counts: Counter[str] = Counter()
    names = 0
    writer = _Inserter(ListEntry, _ENTRY_COLUMNS, json_names=("data",))
    pk = ListEntry._meta.pk
    now = ListEntry._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    version_id = ListEntry._meta.get_field("version").get_db_prep_save(version.pk, connection)
    for entry in stream:
        if entry.ref in hashes:
            raise _Refused(f"{path}: entry {entry.ref} appears twice")
        if len(entry.ref) > REF_MAX:
            raise _Refused(f"{path}: entry key {entry.ref[:40]}... is longer than {REF_MAX} characters")
        canonical = entry.canonical_json()
        entry_hash = canonical_hash(canonical)
        hashes[entry.ref] = entry_hash
        counts[entry.schema] += 1
        names += len(entry.names)
        # The JSON serialised for the content hash is stored as is: no second json.dumps.
        row_id = pk.get_db_prep_save(uuid.uuid4(), connection)
        writer.add(
            (row_id, now, now, version_id, entry.ref, entry.schema, entry.primary_name[:500], canonical, entry_hash)
        )
    writer.flush()
    total = len(hashes)
    if total == 0:
        raise _Refused(f"{path}: the file holds no entries")
    if meta.declared_count is not None and meta.declared_count != total:
        raise _Refused(f"{path}: the file declares {meta.declared_count} records but {total} were read (truncated?)")
    if active is not None and active.entry_count and not allow_shrink:
        floor = active.entry_count * (1 - source.max_shrink_ratio)
        if total < floor:
            raise _Refused(
                f"{path}: {total} entries would replace {active.entry_count} (more than "
                f"{source.max_shrink_ratio:.0%} dropped); refused as a suspicious shrink"
            )
    content_hash = hashlib.sha256(
        "\n".join(f"{ref}\t{h}" for ref, h in sorted(hashes.items())).encode("utf-8")
    ).hexdigest()
    if active is not None and active.content_hash == content_hash:
        raise _Unchanged
    diff = _diff_against(active, version, hashes) if active is not None else VersionDiff()
    version.content_hash = content_hash
    version.entry_count = total
    version.name_count = names
    version.counts = dict(sorted(counts.items()))
    version.previous = active
    version.added_count, version.removed_count, version.changed_count = (
        len(diff.added),
        len(diff.removed),
        len(diff.changed),
    )
    version.imported_at = timezone.now()
    if active is not None:
        _transition(active, VersionStatus.SUPERSEDED)
        active.save(update_fields=["status", "updated_at"])
    _transition(version, VersionStatus.ACTIVE)
    version.full_clean()
    version.save()
    audit_record(
        action=audit_actions.VERSION_ACTIVATED,
        actor=actor,
        target=version,
        payload={
            "source_code": source.code,
            "version_number": version.number,
            "checksum_hash": checksum,
            "content_hash": content_hash,
            "entry_count": total,
            "added_count": version.added_count,
            "removed_count": version.removed_count,
            "changed_count": version.changed_count,
            "published_on": version.published_on,
        },
    )
    transaction.on_commit(lambda: watchlist_version_activated.send(sender=ListVersion, version=version, diff=diff))
    return ImportResult(version=version, created=True, diff=diff)


class _Inserter:
    """Inserts rows of one model with one parameterised ``executemany`` per ``BATCH`` rows.

    The same rows ``bulk_create`` would write, without its per-row model instances and value
    preparation, and without the ``UNNEST`` arrays it builds on PostgreSQL (psycopg escapes every
    JSON document inside the array literal in Python: the largest cost of an import before).
    Rows are tuples of database-ready values in the order of ``names``; an auto-increment primary
    key is left to the database, and every other column must be named (checked, so that a new
    model field cannot be silently left out).
    """

    def __init__(self, model: type[Model], names: tuple[str, ...], json_names: tuple[str, ...] = ()) -> None:
        fields = [model._meta.get_field(name) for name in names]
        required = {f.column for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)}
        if required != {f.column for f in fields}:
            raise RuntimeError(f"{model.__name__} has changed: update the columns its import writes")
        quote = connection.ops.quote_name
        json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
        placeholders = ", ".join("%s" + (json_cast if f.name in json_names else "") for f in fields)
        columns = ", ".join(quote(f.column) for f in fields)
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self._rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self._rows.append(row)
        if len(self._rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self._rows)
            self._rows = []


_ENTRY_COLUMNS = ("id", "created_at", "updated_at", "version", "ref", "schema", "primary_name", "data", "content_hash")
_CHANGE_COLUMNS = ("version", "ref", "kind", "primary_name", "fields")


def changed_fields(old: dict, new: dict) -> list[str]:
    """Names of the entry fields whose values differ between two stored entries."""
    return [name for name in DIFF_FIELDS if old.get(name) != new.get(name)]


def diff_versions(old: ListVersion, new: ListVersion) -> VersionDiff:
    """Added, removed and changed refs between any two versions of a source (from stored entries)."""
    new_hashes = dict(ListEntry.objects.filter(version=new).values_list("ref", "content_hash"))
    return _diff(old, new, new_hashes)


def _diff_against(active: ListVersion, version: ListVersion, hashes: dict[str, str]) -> VersionDiff:
    diff = _diff(active, version, hashes)
    changes = _Inserter(EntryChange, _CHANGE_COLUMNS, json_names=("fields",))
    version_id = EntryChange._meta.get_field("version").get_db_prep_save(version.pk, connection)
    for kind, refs, holder in (
        (ChangeKind.ADDED, diff.added, version),
        (ChangeKind.REMOVED, diff.removed, active),
        (ChangeKind.CHANGED, sorted(diff.changed), version),
    ):
        for chunk in _chunks(refs, BATCH):
            names = dict(ListEntry.objects.filter(version=holder, ref__in=chunk).values_list("ref", "primary_name"))
            for ref in chunk:
                fields = diff.changed[ref] if kind == ChangeKind.CHANGED else []
                changes.add((version_id, ref, str(kind), names.get(ref, ""), json.dumps(fields)))
    changes.flush()
    return diff


def _diff(old: ListVersion, new: ListVersion, new_hashes: dict[str, str]) -> VersionDiff:
    old_hashes = dict(ListEntry.objects.filter(version=old).values_list("ref", "content_hash"))
    diff = VersionDiff(
        added=sorted(set(new_hashes) - set(old_hashes)),
        removed=sorted(set(old_hashes) - set(new_hashes)),
    )
    changed = sorted(ref for ref, h in new_hashes.items() if ref in old_hashes and old_hashes[ref] != h)
    for chunk in _chunks(changed, BATCH):
        before = dict(ListEntry.objects.filter(version=old, ref__in=chunk).values_list("ref", "data"))
        after = dict(ListEntry.objects.filter(version=new, ref__in=chunk).values_list("ref", "data"))
        for ref in chunk:
            diff.changed[ref] = changed_fields(before[ref], after[ref])
    return diff


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
