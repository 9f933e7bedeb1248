"""Syncing sources: download from the official URL (or import the local mirror when offline), record every run."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from screening import audit_actions
from screening.models import Source, SyncRun
from screening.models.watchlists import SyncOutcome
from screening.services import fetch as fetching
from screening.services.watchlists import WatchlistImportError, list_version_import
from screening.watchlist_sources import FOLDER_FILES

log = logging.getLogger(__name__)


def local_copy(source: Source) -> Path | None:
    """The offline file or folder for a source, if configured and present."""
    if not source.local_path:
        return None
    path = Path(source.local_path)
    if not path.is_absolute():
        base = getattr(settings, "TILLIT_WATCHLIST_DIR", None)
        if not base:
            return None
        path = Path(base) / path
    return path if path.exists() else None


def _download(source: Source, workdir: Path) -> tuple[Path | None, fetching.Fetched]:
    """Fetch the source's file (or the files of a folder format) into ``workdir``; None if not modified."""
    timeout = float(getattr(settings, "TILLIT_WATCHLIST_TIMEOUT", 60))
    retries = int(getattr(settings, "TILLIT_WATCHLIST_RETRIES", 3))
    files = FOLDER_FILES.get(source.format)
    if files is None:
        target = workdir / (Path(source.url.split("?")[0]).name or "list")
        got = fetching.fetch(
            source.url, target, etag=source.etag, last_modified=source.last_modified, timeout=timeout, retries=retries
        )
        return (None if got.not_modified else target), got
    folder = workdir / "set"
    folder.mkdir()
    base = source.url if source.url.endswith("/") else source.url + "/"
    primary: fetching.Fetched | None = None
    for index, (name, required) in enumerate(files):
        conditional = {"etag": source.etag, "last_modified": source.last_modified} if index == 0 else {}
        try:
            got = fetching.fetch(base + name, folder / name, timeout=timeout, retries=retries, **conditional)
        except fetching.FetchError as exc:
            if required or exc.transient:
                raise
            continue  # an optional file of the set (sdn_comments.csv) that is not published
        if index == 0:
            if got.not_modified:
                return None, got
            primary = got
    assert primary is not None
    return folder, primary


def source_sync(
    *, source: Source, actor: Any = None, allow_shrink: bool = False, offline: bool | None = None
) -> SyncRun:
    """Sync one source now and record the run (outcome, origin, version, message)."""
    run = SyncRun.objects.create(source=source, started_at=timezone.now())
    if offline is None:
        offline = bool(getattr(settings, "TILLIT_WATCHLIST_OFFLINE", False))
    try:
        with tempfile.TemporaryDirectory(prefix="tillit-sync-") as tmp:
            outcome, origin, version, message = _sync(source, Path(tmp), actor, offline, allow_shrink)
    except Exception as exc:  # recorded, then surfaced to the caller (task retry / command error)
        _finish(run, source, SyncOutcome.FAILED, "", None, f"internal error ({type(exc).__name__})", actor)
        raise
    return _finish(run, source, outcome, origin, version, message, actor)


def _sync(source: Source, workdir: Path, actor: Any, offline: bool, allow_shrink: bool):
    notes: list[str] = []
    if source.url and not offline:
        try:
            path, got = _download(source, workdir)
        except fetching.FetchError as exc:
            notes.append(f"download failed: {exc}")
            log.warning("watchlist download failed", extra={"source": source.code})
        else:
            if path is None:
                return SyncOutcome.NOT_MODIFIED, source.url, None, "the server reports no change"
            try:
                result = list_version_import(
                    source=source, path=path, actor=actor, origin=source.url, allow_shrink=allow_shrink
                )
            except WatchlistImportError as exc:
                return SyncOutcome.FAILED, source.url, exc.version, str(exc)
            Source.objects.filter(pk=source.pk).update(etag=got.etag[:200], last_modified=got.last_modified[:100])
            outcome = SyncOutcome.IMPORTED if result.created else SyncOutcome.UNCHANGED
            return outcome, source.url, result.version, result.reason
    local = local_copy(source)
    if local is None:
        notes.append(
            "no local copy configured (TILLIT_WATCHLIST_DIR + local_path)"
            if not source.local_path
            else f"local copy {source.local_path} not found"
        )
        return SyncOutcome.FAILED, "", None, "; ".join(notes)
    try:
        result = list_version_import(source=source, path=local, actor=actor, allow_shrink=allow_shrink)
    except WatchlistImportError as exc:
        return SyncOutcome.FAILED, str(local), exc.version, "; ".join([*notes, str(exc)])
    outcome = SyncOutcome.IMPORTED if result.created else SyncOutcome.UNCHANGED
    return (
        outcome,
        str(local),
        result.version,
        "; ".join([*notes, f"imported the local copy {local}", result.reason]).strip("; "),
    )


@transaction.atomic
def _finish(run: SyncRun, source: Source, outcome: str, origin: str, version, message: str, actor: Any) -> SyncRun:
    now = timezone.now()
    run.finished_at = now
    run.outcome = outcome
    run.origin = origin[:500]
    run.version = version
    run.message = message[:4000]
    run.save()
    Source.objects.filter(pk=source.pk).update(last_sync_at=now, next_sync_at=now + source.sync_interval)
    audit_record(
        action=audit_actions.SYNC_COMPLETED,
        actor=actor,
        target=run,
        payload={
            "source_code": source.code,
            "outcome_kind": outcome,
            "version_number": version.number if version else None,
        },
    )
    return run


def sources_due(*, now=None) -> list[Source]:
    """Enabled sources whose next sync time has come (or that were never synced)."""
    from django.db.models import Q

    now = now or timezone.now()
    return list(Source.objects.filter(enabled=True).filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now)))
