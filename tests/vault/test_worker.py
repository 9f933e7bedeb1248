"""KEK rotation through a real Celery worker: the job is queued after commit and runs to completion."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from vault import keyring
from vault.models import RotationJob, StoredIdentifier
from vault.services import identifier_store, rotation_start

pytestmark = pytest.mark.integration

LEIS = ["5493001KJTIIGC8Y1R12", "213800KUD8LAJWSQ9D15", "0YPKKE5F0QW6RC51HE09", "1YTX3EVB2EG3PFFYOI09"]


def test_a_rotation_job_runs_in_a_real_worker_in_parallel_tasks(celery_worker: Path, settings: Any) -> None:
    # The worker is another process: both must use the default key file under the shared data folder.
    for name in ("TILLIT_VAULT_KEY_FILE", "TILLIT_VAULT_KEYS", "TILLIT_VAULT_KEY_PROVIDER"):
        if hasattr(settings, name):
            delattr(settings, name)
    keyring.reset_provider_cache()
    for value in LEIS:
        identifier_store(identifier_type="lei", value=value, actor=None)
    job = rotation_start(key_id="kek", actor=None, batch_size=1, workers=2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (RotationJob.Status.COMPLETED, RotationJob.Status.FAILED):
            break
        time.sleep(0.2)
    assert (job.status, job.error) == ("completed", "")
    assert job.done >= len(LEIS)
    assert set(StoredIdentifier.objects.values_list("kek_version", flat=True)) == {job.target_version}
    assert "vault.rotation_run" in celery_worker.read_text()
