"""End to end on PostgreSQL + Redis with real workers: delta rescreen after a 1 % list change, full rescreen.

    .venv/bin/python -m benchmarks.monitoring.rescreen --customers 100000 --entries 20000 --workers 2

Uses its own database (``tillit_bench_monitoring``, created and migrated on first run; ``--reuse``
keeps the customers of an earlier run), its own Redis database and queue, and its own data folder.

1. Loads N approved customers (bulk inserts: the benchmark measures monitoring, not onboarding),
   ``--planted`` of them named like list entries that the second version will change.
2. Imports a list of ``--entries`` fictional people as a new source: its first version is screened in
   full against every customer (this also builds and caches the party index in the workers).
3. Imports a second version in which 1 % of the entries changed (half of them now name a planted
   customer) and times from the version becoming active to the delta job having raised every alert.
4. Runs a full rescreen of ``--full`` customers and reports parties screened per second per worker.
5. Prints the peak memory (VmHWM) of each worker process (the pool process holds both indexes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DB_NAME = "tillit_bench_monitoring"
QUEUE = "bench-monitoring"
SOURCE = "custom_bench_monitoring"
CELERY = [sys.executable, "-m", "celery", "-A", "config", "worker"]


def configure(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.monitoring.settings"
    os.environ["DATABASE_URL"] = f"postgres://tillit:tillit@127.0.0.1:5432/{DB_NAME}"
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    os.environ["CELERY_RESULT_BACKEND"] = os.environ["CELERY_BROKER_URL"]
    os.environ["TILLIT_DATA_DIR"] = str(data_dir)


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgres://tillit:tillit@127.0.0.1:5432/tillit", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}" OWNER tillit')


def populate(customers: int, planted: list, names: object) -> None:
    """Bulk-load approved customers and their subject parties with COPY (the ORM would take an hour at 1M)."""
    import uuid as uuidlib

    from django.db import connection
    from django.utils import timezone

    from accounts import services
    from accounts.models import ApiClient

    client = ApiClient.objects.filter(name="bench-monitoring").first() or services.api_client_create(
        name="bench-monitoring", actor=None
    )
    started = time.perf_counter()
    now = timezone.now()
    everyone = iter([*planted, *names.people(customers - len(planted), seed=1)])  # type: ignore[attr-defined]
    batch = 50_000
    made = 0
    with connection.cursor() as cursor:
        raw = cursor.connection
        while made < customers:
            size = min(batch, customers - made)
            rows = []
            for _ in range(size):
                person = next(everyone)
                rows.append((uuidlib.uuid4(), uuidlib.uuid4(), person))
            with raw.cursor().copy(
                "COPY kyc_customer (id, created_at, updated_at, kind, external_ref, status, client_id) FROM STDIN"
            ) as copy:
                for customer_id, _, _ in rows:
                    copy.write_row((customer_id, now, now, "individual", "", "approved", client.pk))
            with raw.cursor().copy(
                "COPY kyc_party (id, created_at, updated_at, is_subject, kind, given_names, family_name, birth_date, "
                "nationalities, residence_country, legal_name, trading_names, registration_number, jurisdiction, "
                "industry, address, customer_id) FROM STDIN"
            ) as copy:
                for customer_id, party_id, person in rows:
                    copy.write_row(
                        (
                            party_id,
                            now,
                            now,
                            True,
                            "person",
                            person.given,
                            person.family,
                            person.birth,
                            json.dumps([person.country]),
                            "",
                            "",
                            "[]",
                            "",
                            "",
                            "",
                            "{}",
                            customer_id,
                        )
                    )
            made += size
            print(f"  customers loaded {made:>10,}  ({time.perf_counter() - started:.0f} s)", flush=True)


def write_list(path: Path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def start_workers(count: int, log: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    workers = []
    for number in range(count):
        workers.append(
            subprocess.Popen(
                [*CELERY, "-Q", QUEUE, "-c", "1", "-n", f"{QUEUE}-{number}@%h", "--without-gossip", "--without-mingle"],
                cwd=REPO,
                env=env,
                stdout=log.open("a"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    from config.celery import app

    names = [f"{QUEUE}-{n}@{os.uname().nodename}" for n in range(count)]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=names, timeout=1.0)
        if len(replies) == count:
            return workers
    raise SystemExit(f"workers did not start; see {log}")


def peak_memory(workers: list[subprocess.Popen]) -> list[tuple[int, float]]:
    """(pid, VmHWM MiB) of every process in each worker's process group (main process and pool child)."""
    groups = {w.pid for w in workers}
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) in groups:
                status = (stat.parent / "status").read_text()
                hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
                found.append((int(stat.parent.name), int(hwm.split()[1]) / 1024))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return sorted(found)


def wait_job(job_filter: dict, *, timeout: float) -> object:
    from monitoring.models import MonitoringJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = MonitoringJob.objects.filter(**job_filter).first()
        if job is not None and job.status in ("completed", "failed"):
            return job
        time.sleep(0.2)
    raise SystemExit(f"job {job_filter} did not finish in {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--planted", type=int, default=100, help="customers named like changed entries")
    parser.add_argument("--full", type=int, default=20_000, help="customers in the full-rescreen run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the customers of an earlier run")
    parser.add_argument("--data-dir", default=str(REPO / "data" / "bench-monitoring"))
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    configure(data_dir)
    sys.path.insert(0, str(REPO))
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.machine import describe
    from benchmarks.monitoring.synthetic import Names, list_line
    from kyc.models import Customer, ScreeningHit
    from monitoring.models import MonitoringJob
    from monitoring.services.jobs import full_job_create
    from screening.services.watchlists import list_version_import, source_ensure

    print(f"machine: {describe()}")
    print("note: the machine is shared with other sessions' work (load above 2 cores); figures are upper bounds")
    call_command("migrate", verbosity=0)
    names = Names()
    rng = random.Random(11)
    listed = list(names.people(args.entries, seed=5))
    planted_people = list(names.people(args.planted, seed=77))
    existing = Customer.objects.count()
    if not (args.reuse and existing == args.customers):
        with connection.cursor() as cursor:  # a clean slate: the tables this benchmark fills
            cursor.execute(
                "TRUNCATE monitoring_monitoringalert, monitoring_removalnote, monitoring_customermonitoring, "
                "monitoring_monitoringchunk, monitoring_monitoringjob, kyc_customer, screening_listversion, "
                "screening_source CASCADE"
            )
        print(f"loading {args.customers:,} customers ...", flush=True)
        populate(args.customers, planted_people, names)
    else:
        with connection.cursor() as cursor:  # keep the customers, start the lists and alerts afresh
            cursor.execute(
                "TRUNCATE monitoring_monitoringalert, monitoring_removalnote, monitoring_customermonitoring, "
                "monitoring_monitoringchunk, monitoring_monitoringjob, kyc_case, screening_listversion, "
                "screening_source CASCADE"
            )
        print(f"reusing {existing:,} customers")
    source = source_ensure(code=SOURCE, fmt="ftm-json", name="monitoring benchmark", actor=None)
    log = data_dir / "workers.log"
    workers = start_workers(args.workers, log)
    try:
        folder = Path(tempfile.mkdtemp(dir=data_dir))
        v1_lines = [list_line(f"bench-{n}", person) for n, person in enumerate(listed)]
        write_list(folder / "v1.json", v1_lines)
        started = time.perf_counter()
        first = list_version_import(source=source, path=folder / "v1.json", actor=None, origin=f"v1-{uuid.uuid4()}")
        job1 = wait_job({"list_version": first.version}, timeout=3600)
        print(
            f"first version ({args.entries:,} entries, cold workers: party index built or loaded): "
            f"{time.perf_counter() - started:.1f} s wall, job {job1.duration:.1f} s, "  # type: ignore[attr-defined]
            f"{job1.alerts_raised} alerts"  # type: ignore[attr-defined]
        )

        # Version 2: 1 % of the entries change; half of those now name a planted customer.
        changed = rng.sample(range(args.entries), max(2, args.entries // 100))
        v2_lines = list(v1_lines)
        expected = set()
        for i, n in enumerate(changed):
            if i < min(args.planted, len(changed) // 2):
                v2_lines[n] = list_line(f"bench-{n}", planted_people[i])
                expected.add(f"{SOURCE}:bench-{n}")
            else:
                v2_lines[n] = list_line(f"bench-{n}", listed[n], note="amended listing")
        write_list(folder / "v2.json", v2_lines)
        hits_before = ScreeningHit.objects.count()
        started = time.perf_counter()
        second = list_version_import(source=source, path=folder / "v2.json", actor=None, origin=f"v2-{uuid.uuid4()}")
        imported = time.perf_counter()
        job2 = wait_job({"list_version": second.version}, timeout=3600)
        done = time.perf_counter()
        version = second.version
        version.refresh_from_db()
        raised = ScreeningHit.objects.filter(entity__in=expected).count()
        latency = (job2.finished_at - version.imported_at).total_seconds()  # type: ignore[attr-defined]
        print(f"delta: {len(changed)} changed entries of {args.entries:,} against {args.customers:,} customers")
        print(f"  version active -> all alerts raised      {latency:>8.1f} s   (target <= 60 s)")
        print(f"  import call {imported - started:.1f} s, then job to completion {done - imported:.1f} s (wall)")
        new_hits = ScreeningHit.objects.count() - hits_before
        print(
            f"  job: {job2.chunk_count} chunks, {job2.entries_screened} entries screened, "  # type: ignore[attr-defined]
            f"{job2.alerts_raised} alerts raised, {job2.alerts_updated} updated; "  # type: ignore[attr-defined]
            f"planted customers alerted {raised} of {len(expected)}; new hits {new_hits}"
        )

        # Full rescreen throughput.
        ids = list(Customer.objects.order_by("?").values_list("pk", flat=True)[: args.full])
        started = time.perf_counter()
        full = full_job_create(customer_ids=ids, actor=None, key=f"full:bench:{uuid.uuid4()}")
        job3 = wait_job({"pk": full.pk}, timeout=7200)
        wall = time.perf_counter() - started
        rate = job3.parties_screened / job3.duration  # type: ignore[attr-defined]
        print(
            f"full rescreen: {job3.parties_screened:,} parties in {job3.duration:.1f} s "  # type: ignore[attr-defined]
            f"({wall:.1f} s wall) = {rate:,.0f} parties/s with {args.workers} workers, "
            f"{rate / args.workers:,.0f} parties/s per worker; {job3.alerts_raised} alerts"  # type: ignore[attr-defined]
        )
        for pid, mib in peak_memory(workers):
            print(f"worker process {pid}: peak memory (VmHWM) {mib:,.0f} MiB")
        print(f"jobs in the database: {MonitoringJob.objects.count()}")
    finally:
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
