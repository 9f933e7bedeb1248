"""The beat task's sync runs in a real Celery worker (another process) and records its outcome."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from screening.lists import SAMPLES_DIR
from screening.models import ListVersion, SyncRun, VersionStatus
from screening.services import watchlists as services
from screening.tasks import sync_due

pytestmark = pytest.mark.integration


def test_sync_due_queues_a_sync_that_a_real_worker_imports(celery_worker: Path) -> None:
    # No URL, an absolute local path: the worker process needs neither network nor extra settings.
    source = services.source_create(
        code="custom_worker_dpl",
        name="Worker test",
        fmt="bis-dpl",
        actor=None,
        local_path=str(SAMPLES_DIR / "bis" / "dpl.txt"),
    )
    assert sync_due.delay().get(timeout=60) == ["custom_worker_dpl"]
    deadline = time.monotonic() + 60
    run = None
    while time.monotonic() < deadline:
        run = SyncRun.objects.filter(source=source, finished_at__isnull=False).first()
        if run is not None:
            break
        time.sleep(0.2)
    assert run is not None, celery_worker.read_text()[-2000:]
    assert run.outcome == "imported"
    version = ListVersion.objects.get(source=source, status=VersionStatus.ACTIVE)
    assert version.entry_count == 2
    assert "screening.watchlists.sync_source" in celery_worker.read_text()
