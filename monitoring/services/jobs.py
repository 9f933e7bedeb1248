"""Monitoring jobs: create (delta on a list update, full by risk schedule), dispatch, run chunks, settle.

A job is a set of chunks; each chunk is one Celery task (sent as a group, so more workers finish
sooner). The job's progress and outcome live in the database, not in a chord: a chunk that
settles counts the settled chunks and closes the job when none is left, which stays right when a
chunk is redelivered or runs twice (a Redis chord counter would not).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from audit.services import audit_record
from monitoring import audit_actions
from monitoring.models import (
    JOB_TRANSITIONS,
    AlertOutcome,
    ChunkStatus,
    CustomerMonitoring,
    JobKind,
    JobStatus,
    MonitoringAlert,
    MonitoringChunk,
    MonitoringJob,
    RemovalNote,
)
from monitoring.selectors import monitoring_risk_levels
from monitoring.services import rescreen

log = logging.getLogger(__name__)

DEFAULT_DELTA_CHUNK_SIZE = 100
DEFAULT_FULL_CHUNK_SIZE = 1000
#: Days between full rescreens per risk level ("unrated": customers without a rating yet).
DEFAULT_INTERVALS = {"prohibited": 30, "high": 30, "medium": 180, "low": 365, "unrated": 30}


class JobStateError(ValueError):
    """The job cannot make the asked move from its current status."""


def delta_chunk_size() -> int:
    return int(getattr(settings, "TILLIT_MONITORING_DELTA_CHUNK_SIZE", DEFAULT_DELTA_CHUNK_SIZE))


def full_chunk_size() -> int:
    return int(getattr(settings, "TILLIT_MONITORING_FULL_CHUNK_SIZE", DEFAULT_FULL_CHUNK_SIZE))


def rescreen_intervals() -> dict[str, timedelta]:
    """Days between full rescreens per risk level, from ``TILLIT_MONITORING_INTERVALS`` (days)."""
    conf = {**DEFAULT_INTERVALS, **(getattr(settings, "TILLIT_MONITORING_INTERVALS", None) or {})}
    return {level: timedelta(days=float(days)) for level, days in conf.items()}


def _batches(items: Sequence[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _transition(job: MonitoringJob, to: str) -> None:
    if to not in JOB_TRANSITIONS[job.status]:
        raise JobStateError(f"a {job.status} job cannot become {to}")
    job.status = to


def _dispatch_on_commit(job: MonitoringJob) -> None:
    from monitoring import tasks

    job_id = str(job.pk)
    transaction.on_commit(lambda: tasks.dispatch_pending_chunks(job_id))


# --- creating jobs ------------------------------------------------------------------------------------
@transaction.atomic
def delta_job_create(*, version: Any, diff: Any, actor: Any = None) -> MonitoringJob:
    """The delta job of a newly active list version (one per version: a second call returns the first)."""
    from screening.models import ListEntry

    key = f"delta:{version.pk}"
    existing = MonitoringJob.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if version.previous_id is None:
        # A first version: every entry is new to the customers.
        added = sorted(ListEntry.objects.filter(version=version).values_list("ref", flat=True))
        removed: list[str] = []
        changed: dict[str, list[str]] = {}
    else:
        if diff is None:  # not handed over (a catch-up of a missed version): recompute it from the stored entries
            from screening.services.watchlists import diff_versions

            diff = diff_versions(version.previous, version)
        added, removed, changed = sorted(diff.added), sorted(diff.removed), dict(diff.changed)
    screen = sorted({*added, *changed})
    size = delta_chunk_size()
    payloads = [
        {"version": str(version.pk), "screen": refs, "changed": {r: changed[r] for r in refs if r in changed}}
        for refs in _batches(screen, size)
    ]
    payloads += [{"version": str(version.pk), "remove": refs} for refs in _batches(removed, size)]
    job = _job_create(
        key=key,
        kind=JobKind.DELTA,
        list_version=version,
        payloads=payloads,
        parameters={
            "source_code": version.source.code,
            "version_number": version.number,
            "added_count": len(added),
            "changed_count": len(changed),
            "removed_count": len(removed),
        },
        actor=actor,
    )
    return job


@transaction.atomic
def full_job_create(
    *, customer_ids: Sequence[Any], actor: Any, key: str | None = None, parameters: dict | None = None
) -> MonitoringJob:
    """A full rescreen of the given customers, split into chunks of ``TILLIT_MONITORING_FULL_CHUNK_SIZE``."""
    ids = sorted(str(pk) for pk in customer_ids)
    key = key or f"full:{timezone.now().isoformat()}"
    existing = MonitoringJob.objects.filter(key=key).first()
    if existing is not None:
        return existing
    payloads = [{"customers": batch} for batch in _batches(ids, full_chunk_size())]
    return _job_create(
        key=key,
        kind=JobKind.FULL,
        list_version=None,
        payloads=payloads,
        parameters={"customer_count": len(ids), **(parameters or {})},
        actor=actor,
    )


def _job_create(
    *, key: str, kind: str, list_version: Any, payloads: list[dict], parameters: dict, actor: Any
) -> MonitoringJob:
    job = MonitoringJob(
        key=key,
        kind=kind,
        list_version=list_version,
        parameters=parameters,
        chunk_count=len(payloads),
        requested_by=actor if getattr(actor, "email", None) else None,
    )
    job.full_clean()
    job.save()
    MonitoringChunk.objects.bulk_create(
        [
            MonitoringChunk(
                job=job,
                number=number,
                key=f"{job.pk}:{number}",
                payload=payload,
                item_count=len(payload.get("screen") or payload.get("remove") or payload.get("customers") or []),
            )
            for number, payload in enumerate(payloads, start=1)
        ],
        batch_size=1000,
    )
    audit_record(
        action=audit_actions.JOB_CREATED,
        actor=actor,
        target=job,
        payload={"job_kind": kind, "chunk_count": len(payloads), "parameters": parameters},
    )
    if payloads:
        _dispatch_on_commit(job)
    else:
        _transition(job, JobStatus.RUNNING)
        job.started_at = timezone.now()
        _finish(job)
    return job


def customers_due(*, now: datetime | None = None) -> dict[str, list[str]]:
    """{risk level: customer ids} of the monitored customers whose next full rescreen is due."""
    now = now or timezone.now()
    intervals = rescreen_intervals()
    last = dict(CustomerMonitoring.objects.values_list("customer_id", "last_full_screen_at"))
    due: dict[str, list[str]] = {}
    for customer_id, level, created_at in monitoring_risk_levels():
        level = level or "unrated"
        interval = intervals.get(level, intervals["unrated"])
        since = last.get(customer_id) or created_at
        if since is None or since <= now - interval:
            due.setdefault(level, []).append(str(customer_id))
    return due


def full_jobs_schedule(*, actor: Any = None, now: datetime | None = None) -> MonitoringJob | None:
    """Start the full rescreen of every customer that is due (by risk level); once per hour at most."""
    now = now or timezone.now()
    due = customers_due(now=now)
    ids = [pk for level in sorted(due) for pk in due[level]]
    if not ids:
        return None
    return full_job_create(
        customer_ids=ids,
        actor=actor,
        key=f"full:scheduled:{now:%Y-%m-%dT%H}",
        parameters={"due_by_level_count": {level: len(v) for level, v in sorted(due.items())}},
    )


# --- running --------------------------------------------------------------------------------------
def pending_chunk_ids(*, job_id: Any) -> list[str]:
    """Chunks of a running job that still need a worker (what a dispatch sends)."""
    with transaction.atomic():
        job = MonitoringJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.PENDING:
            _transition(job, JobStatus.RUNNING)
            job.started_at = job.started_at or timezone.now()
            job.save(update_fields=["status", "started_at", "updated_at"])
        if job.status != JobStatus.RUNNING:
            return []
        ids = job.chunks.filter(status__in=[ChunkStatus.PENDING, ChunkStatus.RUNNING]).values_list("pk", flat=True)
        return [str(pk) for pk in ids]


def chunk_process(*, chunk_id: Any, worker: str = "") -> str:
    """Run one chunk (idempotent: a done chunk, or one of a paused or finished job, returns at once)."""
    with transaction.atomic():
        chunk = MonitoringChunk.objects.select_for_update().select_related("job").filter(pk=chunk_id).first()
        if chunk is None:
            return "gone"  # its job was deleted: a late or redelivered message has nothing to do
        if chunk.status in (ChunkStatus.DONE, ChunkStatus.FAILED):
            return chunk.status
        if chunk.job.status != JobStatus.RUNNING:
            return f"job {chunk.job.status}"
        chunk.status = ChunkStatus.RUNNING
        chunk.attempts += 1
        chunk.started_at = timezone.now()
        chunk.worker = worker[:200]
        chunk.save(update_fields=["status", "attempts", "started_at", "worker", "updated_at"])
    job = chunk.job
    if job.kind == JobKind.DELTA:
        outcome = rescreen.delta_chunk(chunk, as_of=job.created_at)
    else:
        outcome = rescreen.full_chunk(chunk)
    with transaction.atomic():
        chunk = MonitoringChunk.objects.select_for_update().get(pk=chunk_id)
        if chunk.status == ChunkStatus.DONE:
            return chunk.status  # a concurrent run (redelivery) finished first
        counts = MonitoringAlert.objects.filter(chunk=chunk).aggregate(
            raised=Count("pk", filter=Q(outcome=AlertOutcome.RAISED)),
            updated=Count("pk", filter=Q(outcome=AlertOutcome.UPDATED)),
        )
        chunk.status = ChunkStatus.DONE
        chunk.finished_at = timezone.now()
        chunk.item_count = outcome.items
        chunk.alerts_raised = counts["raised"]
        chunk.alerts_updated = counts["updated"]
        chunk.annotations = RemovalNote.objects.filter(chunk=chunk).count()
        chunk.error = ""
        chunk.save()
        if job.kind == JobKind.FULL:
            _mark_screened(chunk)
    job_settle(job_id=job.pk)
    return chunk.status


def _mark_screened(chunk: MonitoringChunk) -> None:
    now = timezone.now()
    CustomerMonitoring.objects.bulk_create(
        [
            CustomerMonitoring(customer_id=pk, last_full_screen_at=now, last_job_id=chunk.job_id)
            for pk in chunk.payload.get("customers") or []
        ],
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=["last_full_screen_at", "last_job", "updated_at"],
        batch_size=1000,
    )


def chunk_fail(*, chunk_id: Any, error: str) -> None:
    """A chunk gave up after its retries: record why, and let the job surface the failure."""
    with transaction.atomic():
        chunk = MonitoringChunk.objects.select_for_update().filter(pk=chunk_id).first()
        if chunk is None or chunk.status == ChunkStatus.DONE:
            return
        chunk.status = ChunkStatus.FAILED
        chunk.error = error[:2000]
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["status", "error", "finished_at", "updated_at"])
    log.error("monitoring chunk failed", extra={"chunk": str(chunk_id), "job": str(chunk.job_id)})
    job_settle(job_id=chunk.job_id)


def chunk_retrying(*, chunk_id: Any, error: str) -> None:
    """Note the error of an attempt that will be retried (the chunk goes back to pending)."""
    MonitoringChunk.objects.filter(pk=chunk_id, status=ChunkStatus.RUNNING).update(
        status=ChunkStatus.PENDING, error=error[:2000], updated_at=timezone.now()
    )


@transaction.atomic
def job_settle(*, job_id: Any) -> MonitoringJob:
    """Recount a job's progress from its chunks; complete or fail it when every chunk has settled."""
    job = MonitoringJob.objects.select_for_update().get(pk=job_id)
    done = Q(status=ChunkStatus.DONE)
    totals = job.chunks.aggregate(
        done=Count("pk", filter=done),
        failed=Count("pk", filter=Q(status=ChunkStatus.FAILED)),
        items=Sum("item_count", filter=done),
        screened=Sum("item_count", filter=done & Q(payload__has_key="screen")),  # delta chunks that screen
        raised=Sum("alerts_raised"),
        updated=Sum("alerts_updated"),
        notes=Sum("annotations"),
    )
    job.chunks_done, job.chunks_failed = totals["done"], totals["failed"]
    if job.kind == JobKind.DELTA:
        job.entries_screened = totals["screened"] or 0
    else:
        job.parties_screened = totals["items"] or 0
    job.alerts_raised, job.alerts_updated, job.annotations = (
        totals["raised"] or 0,
        totals["updated"] or 0,
        totals["notes"] or 0,
    )
    if job.status == JobStatus.RUNNING and job.chunks_done + job.chunks_failed >= job.chunk_count:
        _finish(job)
    else:
        job.save()
    return job


def _finish(job: MonitoringJob) -> None:
    failed = job.chunks_failed
    _transition(job, JobStatus.FAILED if failed else JobStatus.COMPLETED)
    job.finished_at = timezone.now()
    if failed:
        errors = job.chunks.filter(status=ChunkStatus.FAILED).values_list("number", "error")[:5]
        job.error = f"{failed} of {job.chunk_count} chunks failed after their retries: " + "; ".join(
            f"chunk {n}: {e.splitlines()[0] if e else 'unknown error'}" for n, e in errors
        )
        log.error("monitoring job failed", extra={"job": str(job.pk), "failed_chunks": failed})
    job.save()
    audit_record(
        action=audit_actions.JOB_FINISHED,
        actor=None,
        target=job,
        payload={
            "job_kind": job.kind,
            "status_kind": job.status,
            "chunk_count": job.chunk_count,
            "failed_count": failed,
            "entries_screened_count": job.entries_screened,
            "parties_screened_count": job.parties_screened,
            "alerts_raised_count": job.alerts_raised,
            "alerts_updated_count": job.alerts_updated,
            "annotations_count": job.annotations,
        },
    )


# --- operators: pause, resume, re-run ---------------------------------------------------------------
@transaction.atomic
def job_pause(*, job: MonitoringJob, actor: Any) -> MonitoringJob:
    """Stop handing out chunks (a chunk already running finishes); resume picks up the rest."""
    job = MonitoringJob.objects.select_for_update().get(pk=job.pk)
    _transition(job, JobStatus.PAUSED)
    job.save(update_fields=["status", "updated_at"])
    audit_record(action=audit_actions.JOB_PAUSED, actor=actor, target=job, payload={"job_kind": job.kind})
    return job


@transaction.atomic
def job_resume(*, job: MonitoringJob, actor: Any) -> MonitoringJob:
    """Continue a paused job, or retry the failed chunks of a failed one."""
    job = MonitoringJob.objects.select_for_update().get(pk=job.pk)
    retried = 0
    if job.status == JobStatus.FAILED:
        retried = job.chunks.filter(status=ChunkStatus.FAILED).update(
            status=ChunkStatus.PENDING, updated_at=timezone.now()
        )
        job.finished_at = None
        job.error = ""
        job.chunks_failed = 0
    _transition(job, JobStatus.RUNNING)
    job.started_at = job.started_at or timezone.now()
    job.save()
    audit_record(
        action=audit_actions.JOB_RESUMED,
        actor=actor,
        target=job,
        payload={"job_kind": job.kind, "retried_count": retried},
    )
    _dispatch_on_commit(job)
    return job


@transaction.atomic
def job_rerun(*, job: MonitoringJob, actor: Any) -> MonitoringJob:
    """Run a job's chunks again as a new job (alerts already raised are not raised twice)."""
    job = MonitoringJob.objects.select_for_update().get(pk=job.pk)
    if job.status in (JobStatus.PENDING, JobStatus.RUNNING):
        raise JobStateError("the job is still running: pause it or let it finish before running it again")
    count = job.reruns.count() + 1
    rerun = _job_create(
        key=f"{job.key}:rerun:{count}",
        kind=job.kind,
        list_version=job.list_version,
        payloads=list(job.chunks.order_by("number").values_list("payload", flat=True)),
        parameters={**job.parameters, "rerun_count": count},
        actor=actor,
    )
    rerun.rerun_of = job
    rerun.save(update_fields=["rerun_of", "updated_at"])
    audit_record(
        action=audit_actions.JOB_RERUN,
        actor=actor,
        target=rerun,
        payload={"job_kind": job.kind, "rerun_of_id": job.pk, "rerun_count": count},
    )
    return rerun


def versions_without_job(*, since: timedelta) -> list[Any]:
    """List versions activated recently whose delta job was never created (the signal's process died)."""
    from screening.models import ListVersion

    recent = ListVersion.objects.filter(
        status__in=["active", "superseded"], imported_at__gte=timezone.now() - since
    ).select_related("source", "previous")
    keys = set(MonitoringJob.objects.filter(key__startswith="delta:").values_list("key", flat=True))
    return [version for version in recent if f"delta:{version.pk}" not in keys]


def stalled_job_ids(*, older_than: timedelta) -> list[str]:
    """Running jobs with unsettled chunks where nothing has moved for a while (a lost message, a dead worker).

    Judged per job, not per chunk: the chunks of a long job wait their turn in the queue, and
    sending them again while others are moving would only fill the queue with duplicates.
    """
    cutoff = timezone.now() - older_than
    unsettled = Q(chunks__status__in=[ChunkStatus.PENDING, ChunkStatus.RUNNING])
    jobs = (
        MonitoringJob.objects.filter(status=JobStatus.RUNNING)
        .annotate(last_move=Max("chunks__updated_at"), unsettled=Count("chunks", filter=unsettled))
        .filter(last_move__lt=cutoff, unsettled__gt=0)
    )
    return [str(pk) for pk in jobs.values_list("pk", flat=True)]
