"""Celery tasks of monitoring: thin, idempotent, JSON arguments; chunks retry with backoff, then surface."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_task, group, shared_task
from django.conf import settings

from common.metrics import TASK_FAILURES, TASK_RETRIES

log = logging.getLogger(__name__)

#: Seconds before retry 1, 2, ...: 10 s doubling, at most 10 minutes.
BACKOFF_BASE = 10
BACKOFF_MAX = 600


def max_retries() -> int:
    return int(getattr(settings, "TILLIT_MONITORING_CHUNK_RETRIES", 4))


def backoff(retries: int) -> int:
    """Seconds before the next attempt after ``retries`` failed ones."""
    return min(BACKOFF_MAX, BACKOFF_BASE * 2**retries)


def queue() -> str | None:
    """Where monitoring tasks go: ``TILLIT_MONITORING_QUEUE``, else the queue of the task sending them."""
    configured = getattr(settings, "TILLIT_MONITORING_QUEUE", None)
    if configured:
        return configured
    request = getattr(current_task, "request", None) if current_task else None
    if request is not None and not request.is_eager:
        return (request.delivery_info or {}).get("routing_key")
    return None


def _describe(exc: BaseException) -> str:
    # The type and message only: messages of the engine and the database name no personal data.
    return f"{type(exc).__name__}: {str(exc)[:500]}"


@shared_task(name="monitoring.dispatch_pending_chunks", acks_late=True, soft_time_limit=120, time_limit=150)
def dispatch_pending_chunks(job_id: str) -> int:
    """Send every unsettled chunk of a running job to the workers, as one group."""
    from monitoring.services import jobs

    ids = jobs.pending_chunk_ids(job_id=job_id)
    if not ids:
        jobs.job_settle(job_id=job_id)
        return 0
    group(chunk_run.s(chunk_id) for chunk_id in ids).apply_async(queue=queue())
    return len(ids)


@shared_task(name="monitoring.chunk_run", bind=True, acks_late=True)
def chunk_run(self: Any, chunk_id: str) -> str:
    """Process one chunk; transient errors retry with backoff, then the chunk fails and the job surfaces it."""
    from monitoring.services import jobs

    attempts = 1 if not self.request.is_eager else max_retries() + 1
    for attempt in range(attempts):
        try:
            return jobs.chunk_process(chunk_id=chunk_id, worker=self.request.hostname or "")
        except Exception as exc:  # any failure is retried, then surfaced on the job
            error = _describe(exc)
            log.warning("monitoring chunk attempt failed", extra={"chunk": chunk_id, "error": error})
            if self.request.is_eager:
                # Embedded mode has no scheduler to retry later: try again now, then give up.
                if attempt + 1 < attempts:
                    jobs.chunk_retrying(chunk_id=chunk_id, error=error)
                    continue
            elif self.request.retries < max_retries():
                jobs.chunk_retrying(chunk_id=chunk_id, error=error)
                TASK_RETRIES.labels("monitoring.chunk_run").inc()
                raise self.retry(countdown=backoff(self.request.retries), queue=queue()) from None
            TASK_FAILURES.labels("monitoring.chunk_run").inc()
            jobs.chunk_fail(chunk_id=chunk_id, error=error)
            return "failed"
    return "failed"


@shared_task(name="monitoring.schedule_full_rescreens", acks_late=True, soft_time_limit=600, time_limit=660)
def schedule_full_rescreens() -> str | None:
    """Beat: start the full rescreen of every customer due by its risk level."""
    from monitoring.services import jobs

    job = jobs.full_jobs_schedule(actor=None)
    return str(job.pk) if job else None


@shared_task(name="monitoring.resume_stalled", acks_late=True, soft_time_limit=300, time_limit=330)
def resume_stalled() -> int:
    """Beat safety net: start missed delta jobs; send again the chunks of jobs that have not moved for 15 minutes."""
    from datetime import timedelta

    from monitoring.services import jobs

    if getattr(settings, "TILLIT_MONITORING_ENABLED", True):
        for version in jobs.versions_without_job(since=timedelta(days=2)):
            jobs.delta_job_create(version=version, diff=None, actor=None)
    stalled = getattr(settings, "TILLIT_MONITORING_STALLED_AFTER", timedelta(minutes=15))
    ids = jobs.stalled_job_ids(older_than=stalled)
    for job_id in ids:
        dispatch_pending_chunks.apply_async((job_id,), queue=queue())
    return len(ids)


@shared_task(name="monitoring.drift_check", acks_late=True, soft_time_limit=900, time_limit=960)
def drift_check() -> str:
    """Beat (daily): the drift and bias checks; a second delivery within 12 hours returns the first run."""
    from datetime import timedelta

    from monitoring.services.drift import drift_check_run

    check = drift_check_run(actor=None, trigger="schedule", unless_within=timedelta(hours=12))
    return str(check.pk)
