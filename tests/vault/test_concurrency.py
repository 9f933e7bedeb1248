"""Concurrency on PostgreSQL: racing stores of one identifier, and rotation workers sharing a job."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from vault.models import StoredIdentifier
from vault.services import identifier_store, key_version_add, key_version_promote, rotation_run
from vault.services.keys import RotationJob, _remaining

pytestmark = [pytest.mark.usefixtures("vault_keys")]


def _parallel(target: Callable[[], Any], n: int) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # collected and asserted on by the test
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def postgres(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.mark.usefixtures("postgres")
def test_concurrent_stores_of_one_identifier_yield_one_row() -> None:
    from vault.keyring import kek_ring, token_ring

    kek_ring(), token_ring()  # bootstrap the key versions before the race
    results = _parallel(
        lambda: identifier_store(identifier_type="iban", value="DE89 3704 0044 0532 0130 00", actor=None), 4
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    assert StoredIdentifier.objects.count() == 1


@pytest.mark.usefixtures("postgres")
def test_two_rotation_workers_share_a_job_and_move_every_row_once() -> None:
    from vault.validation.banking import validate_iban

    for i in range(60):
        bban = f"37040044{i:010d}"
        check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
        value, _ = validate_iban(f"DE{check:02d}{bban}")
        identifier_store(identifier_type="iban", value=value, actor=None)
    key_version_add(key_id="kek", actor=None)
    key_version_promote(key_id="kek", version=2, actor=None)
    job = RotationJob.objects.create(key_id="kek", target_version=2, batch_size=7, total=_remaining("kek", 2))
    results = _parallel(lambda: rotation_run(job_id=job.pk, max_batches=50), 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("completed", 60, 60)
    assert set(StoredIdentifier.objects.values_list("kek_version", flat=True)) == {2}


@pytest.mark.usefixtures("postgres")
def test_a_promotion_waits_for_an_in_flight_store_to_commit() -> None:
    from django.db import transaction

    from vault.keyring import rings

    rings()  # bootstrap
    key_version_add(key_id="kek", actor=None)
    locked, committed_at, promoted_at = threading.Event(), [], []

    def store() -> None:
        try:
            with transaction.atomic():
                kek, _ = rings(lock=True)  # what identifier_store does first
                assert kek.primary == 1
                locked.set()
                time.sleep(0.5)
            committed_at.append(time.monotonic())
        finally:
            connections.close_all()

    def promote() -> None:
        try:
            locked.wait(5)
            key_version_promote(key_id="kek", version=2, actor=None)
            promoted_at.append(time.monotonic())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=store), threading.Thread(target=promote)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert committed_at and promoted_at
    assert promoted_at[0] >= committed_at[0]
