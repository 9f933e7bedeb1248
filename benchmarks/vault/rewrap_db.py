"""KEK rotation on PostgreSQL: re-wrap N stored identifiers (default 1,000,000) through the real job.

    .venv/bin/python -m benchmarks.vault.rewrap_db [--values 1000000] [--batch-size 2000] [--workers 1]
        [--database-url postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_vault] [--keep]

Creates (and afterwards drops, unless --keep) a dedicated database, migrates it, seeds N rows of
``vault_storedidentifier`` with real envelopes and tokens (COPY), adds and promotes a new KEK version,
then runs ``vault.services.rotation_run`` - the code the Celery task runs - in ``--workers`` processes
(they share the work through SELECT ... FOR UPDATE SKIP LOCKED) and reports rows/s. Finally it
checks that nothing is left on the old version and retires it.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import sys
import tempfile
import time
import uuid

from benchmarks.stack import drop_database, recreate_database
from benchmarks.vault.machine import print_machine


def _setup(url: str, key_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["TILLIT_VAULT_KEY_FILE"] = os.path.join(key_dir, "vault-keys.json")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.conf import settings

    django.setup()
    settings.TILLIT_VAULT_KEY_FILE = os.environ["TILLIT_VAULT_KEY_FILE"]


def _seed(n: int) -> float:
    """Insert n rows with real envelopes and tokens through COPY; returns seconds."""
    from django.db import connection
    from django.utils import timezone

    from vault.crypto import mask, seal, token_for
    from vault.keyring import kek_ring, token_ring
    from vault.services.identifiers import context_for

    kek, tokens = kek_ring(), token_ring()
    now = timezone.now()
    start = time.perf_counter()
    columns = (
        "id, created_at, updated_at, token, token_key_version, identifier_type, scheme, masked, "
        "ciphertext, kek_id, kek_version"
    )
    chunk = 50_000
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for offset in range(0, n, chunk):
            with raw.copy(f"COPY vault_storedidentifier ({columns}) FROM STDIN") as copy:
                for i in range(offset, min(n, offset + chunk)):
                    row_id = uuid.uuid4()
                    value = f"GB{i % 97:02d}BENCH{i:014d}"
                    copy.write_row(
                        (
                            row_id,
                            now,
                            now,
                            token_for(tokens, "iban", value),
                            tokens.primary,
                            "iban",
                            "GB",
                            mask(value),
                            seal(kek, value.encode(), context_for(row_id)),
                            kek.key_id,
                            kek.primary,
                        )
                    )
            print(f"    seeded {min(n, offset + chunk):>10,} rows", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE vault_storedidentifier")
    print()
    return time.perf_counter() - start


def _worker(url: str, key_dir: str, job_id: str, budget: float) -> None:
    _setup(url, key_dir)
    from vault.services import rotation_run

    while True:
        job = rotation_run(job_id=job_id, time_budget=budget)
        if job.status != "running":
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default="postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_vault")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    print("vault KEK re-wrap benchmark on PostgreSQL")
    print_machine()
    key_dir = tempfile.mkdtemp(prefix="tillit-bench-keys-")
    recreate_database(args.database_url)
    try:
        _setup(args.database_url, key_dir)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"  postgresql    {cursor.fetchone()[0]}")
        print(f"  values        {args.values:,}; batch size {args.batch_size}; workers {args.workers}")
        seed_s = _seed(args.values)
        print(f"  seeding (seal + token + COPY) {seed_s:8.1f} s ({args.values / seed_s:,.0f} rows/s)")

        import vault.services.keys as keys
        from vault.models import StoredIdentifier
        from vault.services import key_version_retire

        keys._enqueue = lambda job_id, **kwargs: None  # run the job here, in --workers processes, not through Celery
        job = keys.rotation_start(key_id="kek", actor=None, batch_size=args.batch_size)
        print(f"  job {job.pk}: {job.total:,} values to re-wrap onto kek v{job.target_version}")
        connection.close()
        start = time.perf_counter()
        ctx = multiprocessing.get_context("fork")
        procs = [
            ctx.Process(target=_worker, args=(args.database_url, key_dir, str(job.pk), 5.0))
            for _ in range(args.workers)
        ]
        for proc in procs:
            proc.start()
        slices: list[tuple[float, int]] = [(0.0, 0)]
        while any(proc.is_alive() for proc in procs):
            time.sleep(0.5)
            job.refresh_from_db()
            elapsed = time.perf_counter() - start
            print(f"    {job.done:>10,}/{job.total:,} ({job.percent:5.1f}%) {job.done / elapsed:,.0f} rows/s", end="\r")
            if job.done - slices[-1][1] >= job.total / 10:
                slices.append((elapsed, job.done))
        # The rate per tenth of the run: flat means each batch costs the same however far the job is.
        tenths = [f"{(d1 - d0) / max(t1 - t0, 1e-9):,.0f}" for (t0, d0), (t1, d1) in itertools.pairwise(slices)]
        print()
        print(f"  rows/s per tenth of the run: {' '.join(tenths)}")
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - start
        job.refresh_from_db()
        print()
        print(f"  re-wrap job: {job.status}, {job.done:,} rows in {elapsed:.1f} s = {job.done / elapsed:,.0f} rows/s")
        left = StoredIdentifier.objects.filter(kek_version=1).count()
        print(f"  rows left on kek v1: {left}")
        start = time.perf_counter()
        key_version_retire(key_id="kek", version=1, actor=None)
        print(f"  kek v1 retired (usage check + retire took {time.perf_counter() - start:.2f} s)")
        connection.close()
    finally:
        if not args.keep:
            drop_database(args.database_url)
    sys.exit(0)


if __name__ == "__main__":
    main()
