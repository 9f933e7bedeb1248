"""Celery tasks of the vault: the resumable rotation job."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from vault.models import RotationJob


@shared_task(
    name="vault.rotation_run",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def rotation_run_task(job_id: str) -> dict[str, object]:
    """Re-wrap (or re-tokenise) a slice of a rotation job, then re-enqueue itself until it is done."""
    from vault.services import rotation_run

    budget = float(getattr(settings, "TILLIT_VAULT_ROTATION_TASK_SECONDS", 120))
    job = rotation_run(job_id=job_id, time_budget=budget)
    if job.status == RotationJob.Status.RUNNING:
        rotation_run_task.delay(job_id)
    return {"job": str(job.pk), "status": job.status, "done": job.done, "total": job.total}
