"""With real Celery workers on PostgreSQL + Redis: delta jobs end to end, and a worker killed mid-chunk.

Runs when CELERY_BROKER_URL is set (``.ci/run`` sets it). The kill test starts its own workers on a
private queue, so that it can SIGKILL one of them (its whole process group) while a chunk is half
written, start another, and check that the redelivered chunk completes the job with every alert
raised exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import _worker_database_url
from tests.monitoring.conftest import BASELINE, SOURCE, Lists, entry
from tests.shared import REPO

pytestmark = pytest.mark.integration

GIVEN = ["Aurelio", "Brunhilde", "Casimir", "Desdemona", "Evander", "Filomena", "Gaspard", "Hortensia"]
FAMILY = ["Quennell-Ostrova", "Marchetti-Ybarra", "Vuorinen-Lacroix", "Szczepanski-Holm", "Abernethy-Kovac"]


@pytest.fixture
def vault_keys() -> None:
    """Override the per-test key file: workers must open what this process sealed (the data folder's keys)."""
    from vault import keyring

    keyring.reset_provider_cache()


@pytest.fixture
def fresh_indexes() -> Iterator[None]:
    """Workers use the data folder's index caches; this process starts with empty in-memory ones."""
    from monitoring.party_index import holder
    from screening.runtime import runtime

    runtime.reset()
    holder.reset()
    yield
    runtime.reset()
    holder.reset()


def approved_customers(tenant: Any, count: int) -> list[Any]:
    """Customers as onboarding leaves them when approved (created through kyc's service)."""
    from kyc.models import Customer
    from kyc.services.customers import customer_create

    customers = []
    for number in range(count):
        given, family = GIVEN[number % len(GIVEN)], FAMILY[number // len(GIVEN) % len(FAMILY)]
        details = {"given_names": f"{given}", "family_name": f"{family}-{number:03d}", "nationalities": ["GB"]}
        customers.append(customer_create(client=tenant, kind="individual", details=details, actor=None))
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(status="approved")
    return customers


def listed(customer: Any) -> dict[str, Any]:
    party = customer.parties.get(is_subject=True)
    return entry(f"mon-{party.pk}", f"{party.given_names} {party.family_name}")


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str, log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    tail = log.read_text()[-4000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}", pytrace=False)


def job_of(version: Any) -> Any:
    from monitoring.models import MonitoringJob

    return MonitoringJob.objects.filter(key=f"delta:{version.pk}").first()


@pytest.fixture
def worker_lists(tmp_path: Path) -> Lists:
    """List versions imported with real commits (the signal fires after each one)."""
    from contextlib import nullcontext

    folder = tmp_path / "lists"
    folder.mkdir()
    return Lists(folder, lambda execute=True: nullcontext())


def test_a_delta_job_runs_on_the_worker_and_alerts_the_newly_listed_customer_once(
    celery_worker: Path, worker_lists: Lists
):
    from accounts import services
    from kyc.models import ScreeningHit
    from monitoring.services.jobs import delta_job_create
    from screening.services.watchlists import diff_versions

    tenant = services.api_client_create(name="monitoring-worker", actor=None)
    worker_lists.activate(BASELINE)
    target, bystander = approved_customers(tenant, 2)
    version = worker_lists.activate([*BASELINE, listed(target)])

    job = wait_for(lambda: (j := job_of(version)) and j.status == "completed" and j, timeout=90, what="the delta job")
    assert (job.entries_screened, job.alerts_raised) == (1, 1)
    assert ScreeningHit.objects.filter(party__customer=target).count() == 1
    assert ScreeningHit.objects.filter(party__customer=bystander).count() == 0
    assert job.chunks.get().worker.startswith(settings.CELERY_TASK_DEFAULT_QUEUE)

    # The same version again (the signal delivered twice): the same job, nothing new.
    assert delta_job_create(version=version, diff=diff_versions(version.previous, version), actor=None) == job
    assert ScreeningHit.objects.count() == 1


class Worker:
    """A `celery worker` in its own process group, on a private queue, that a test may SIGKILL."""

    def __init__(self, queue: str, name: str, log: Path) -> None:
        self.queue, self.name, self.log = queue, name, log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.monitoring.worker_settings",
            "DATABASE_URL": _worker_database_url(),
            "CELERY_BROKER_URL": settings.TILLIT_TEST_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.TILLIT_TEST_BROKER_URL,
            # A dead worker's unacknowledged message comes back after this many seconds.
            "CELERY_VISIBILITY_TIMEOUT": "10",
            "LOG_LEVEL": "INFO",
        }
        self.handle = log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-c", "1", "-n", name],
            cwd=REPO,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        from config.celery import app

        wait_for(
            lambda: (
                self.process.poll() is None
                and app.control.ping(destination=[self.name.replace("%h", os.uname().nodename)], timeout=0.5)
            ),
            timeout=60,
            what=f"worker {self.name} to start",
            log=self.log,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool process: nothing gets to clean up or acknowledge."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.handle.close()


@pytest.fixture
def private_queue(celery_worker_process: str, transactional_db: None, settings: Any) -> Iterator[str]:
    """A queue no other worker reads; monitoring sends its tasks there, and tasks are not eager."""
    from config.celery import app

    queue = f"monitoring-kill-{uuid.uuid4().hex[:8]}"
    settings.TILLIT_MONITORING_QUEUE = queue
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True


def test_a_worker_killed_mid_chunk_leads_to_redelivery_and_a_complete_job_without_duplicates(
    private_queue: str, worker_lists: Lists, settings: Any
):
    from accounts import services
    from kyc.models import Case, ScreeningHit
    from monitoring.models import MonitoringAlert

    settings.TILLIT_MONITORING_DELTA_CHUNK_SIZE = 30
    count = 40
    tenant = services.api_client_create(name="monitoring-kill", actor=None)
    worker_lists.activate(BASELINE)
    customers = approved_customers(tenant, count)
    log = Path(settings.TILLIT_DATA_DIR) / f"{private_queue}.log"
    first = Worker(private_queue, f"{private_queue}-1@%h", log)
    second = None
    try:
        first.wait_ready()
        version = worker_lists.activate([*BASELINE, *(listed(c) for c in customers)])
        job = job_of(version)
        assert job is not None and job.chunk_count == 2

        def half_written() -> Any:
            for chunk in job.chunks.filter(status="running"):
                written = MonitoringAlert.objects.filter(chunk=chunk).count()
                if 0 < written < chunk.item_count:
                    return chunk
            return None

        chunk = wait_for(half_written, timeout=120, what="a chunk half written", log=log)
        first.kill()
        chunk.refresh_from_db()
        written = MonitoringAlert.objects.filter(chunk=chunk).count()
        assert chunk.status == "running" and written < chunk.item_count, "the kill did not land mid-chunk"

        second = Worker(private_queue, f"{private_queue}-2@%h", log)
        second.wait_ready()
        wait_for(
            lambda: job.__class__.objects.get(pk=job.pk).status == "completed",
            timeout=120,
            what="the job to complete after redelivery",
            log=log,
        )
    finally:
        first.stop()
        if second is not None:
            second.stop()

    job.refresh_from_db()
    chunk.refresh_from_db()
    assert chunk.attempts >= 2  # the killed attempt and the redelivered one
    assert (job.chunks_done, job.chunks_failed, job.entries_screened) == (2, 0, count)
    assert job.alerts_raised == count
    for customer in customers:
        party = customer.parties.get(is_subject=True)
        assert ScreeningHit.objects.filter(party=party, entity=f"{SOURCE}:mon-{party.pk}").count() == 1
        assert Case.objects.filter(customer=customer).count() == 1
    assert ScreeningHit.objects.count() == count
    assert MonitoringAlert.objects.count() == count
