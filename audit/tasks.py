"""Celery tasks of the audit trail."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="audit.checkpoint_create", acks_late=True, soft_time_limit=900, time_limit=960)
def checkpoint_create_task() -> int | None:
    """Sign a checkpoint over new events (idempotent: nothing new, nothing signed); returns its size."""
    from audit.services import checkpoint_create

    checkpoint = checkpoint_create()
    return checkpoint.tree_size if checkpoint else None


@shared_task(name="audit.verify", acks_late=True, soft_time_limit=3000, time_limit=3600)
def verify_task() -> dict[str, object]:
    """Verify the whole log; returns the summary and the first fault (for monitoring)."""
    from audit.verification import verify_log

    report = verify_log()
    return {"ok": report.ok, "events": report.events, "fault": str(report.fault) if report.fault else None}
