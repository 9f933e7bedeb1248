"""Celery tasks of batch screenings: one task per chunk, so more workers finish a batch sooner."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from screening.runtime import NoActiveLists
from screening.services.screenings import screening_batch_chunk_process


@shared_task(
    name="screening.batch.process_chunk",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
    autoretry_for=(OperationalError, NoActiveLists),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def batch_chunk_task(chunk_id: str) -> dict[str, object]:
    """Screen one chunk of a batch; idempotent (a redelivery skips the lines already screened)."""
    chunk = screening_batch_chunk_process(chunk_id=chunk_id)
    if chunk is None:
        return {"chunk": chunk_id, "status": "missing"}
    return {"chunk": chunk_id, "processed": chunk.processed, "failed": chunk.failed, "done": chunk.done}


@shared_task(name="screening.index.warm", acks_late=True, soft_time_limit=900, time_limit=960)
def index_warm_task() -> dict[str, object]:
    """Build the index of the active list versions into the disk cache, so web workers only load it."""
    from screening.runtime import active_versions, load_snapshot

    versions = active_versions()
    if not versions:
        return {"status": "no active lists"}
    snapshot = load_snapshot(versions)
    return {"status": "ready", "entries": snapshot.index.size, "versions": snapshot.version_map}
