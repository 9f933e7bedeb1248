"""``manage.py vault_rotate``: rotate the key-encryption key or the token key, show progress, retire.

vault_rotate                    add a KEK version, make it primary, start the re-wrap job
vault_rotate --token            the same for the token key (re-tokenise, dual lookup meanwhile)
vault_rotate --status           key versions and the latest jobs with their progress
vault_rotate --resume [JOB]     continue an unfinished or failed job (default: the latest)
vault_rotate --retire N         retire version N (refused while any value still uses it)
vault_rotate --inline           run the job in this process instead of a Celery worker
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vault.crypto import VaultCryptoError
from vault.models import KEK, TOKEN_KEY, RotationJob
from vault.selectors import key_versions_list, rotation_jobs_list
from vault.services import (
    VaultError,
    key_version_retire,
    rotation_resume,
    rotation_run,
    rotation_start,
)


class Command(BaseCommand):
    help = "Rotate vault keys: add a version, make it primary, re-wrap in batches; show progress; retire."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--token", action="store_true", help="rotate the token key instead of the KEK")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--status", action="store_true", help="show key versions and job progress")
        action.add_argument("--resume", nargs="?", const="latest", metavar="JOB", help="resume a job")
        action.add_argument("--retire", type=int, metavar="VERSION", help="retire an unused version")
        action.add_argument(
            "--rewrap-only", action="store_true", help="start a job for the current primary, adding no version"
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--workers", type=int, default=1, help="Celery tasks sharing the job (parallelism)")
        parser.add_argument("--inline", action="store_true", help="run here, not in a Celery worker")
        parser.add_argument("--actor", metavar="EMAIL", help="officer to record in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        key_id = TOKEN_KEY if options["token"] else KEK
        actor = self._actor(options["actor"])
        try:
            if options["status"]:
                self._status()
                return
            if options["retire"] is not None:
                row = key_version_retire(key_id=key_id, version=options["retire"], actor=actor)
                self.stdout.write(self.style.SUCCESS(f"{key_id} version {row.version} is retired"))
                return
            if options["resume"]:
                job = self._job(options["resume"], key_id)
                job = rotation_resume(job_id=job.pk, actor=actor, workers=options["workers"])
            else:
                job = rotation_start(
                    key_id=key_id,
                    actor=actor,
                    batch_size=options["batch_size"],
                    add_version=not options["rewrap_only"],
                    workers=options["workers"],
                )
                self.stdout.write(f"{key_id}: version {job.target_version} is primary; job {job.pk}")
            if options["inline"]:
                self._run_inline(job)
            else:
                self.stdout.write(
                    f"job {job.pk} queued for the Celery worker ({job.total} values); "
                    "follow it with: manage.py vault_rotate --status"
                )
        except (VaultError, VaultCryptoError) as exc:
            raise CommandError(str(exc)) from exc

    def _actor(self, email: str | None) -> Any:
        if not email:
            return None
        user = get_user_model().objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"no user with e-mail {email}")
        return user

    def _job(self, ref: str, key_id: str) -> RotationJob:
        if ref == "latest":
            job = RotationJob.objects.filter(key_id=key_id).order_by("-created_at").first()
        else:
            job = RotationJob.objects.filter(pk=ref).first()
        if job is None:
            raise CommandError("no such rotation job")
        return job

    def _run_inline(self, job: RotationJob) -> None:
        started = time.monotonic()
        while True:
            job = rotation_run(job_id=job.pk, time_budget=2.0)
            self.stdout.write(f"  {job.done}/{job.total} ({job.percent}%) {job.status}")
            if job.status != RotationJob.Status.RUNNING:
                break
        if job.status == RotationJob.Status.FAILED:
            raise CommandError(f"rotation job {job.pk} failed: {job.error}")
        self.stdout.write(
            self.style.SUCCESS(f"job {job.pk} completed: {job.done} values in {time.monotonic() - started:.1f}s")
        )

    def _status(self) -> None:
        for key_id in (KEK, TOKEN_KEY):
            versions = ", ".join(f"v{row.version} {row.state}" for row in key_versions_list(key_id=key_id))
            self.stdout.write(f"{key_id}: {versions}")
        for job in rotation_jobs_list():
            line = (
                f"job {job.pk} {job.key_id}->v{job.target_version} {job.status} {job.done}/{job.total} ({job.percent}%)"
            )
            self.stdout.write(line + (f" error: {job.error}" if job.error else ""))
