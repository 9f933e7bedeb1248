"""Events written per second by concurrent writers on PostgreSQL, and the cost of auditing one screening.

    .venv/bin/python -m benchmarks.audit.write [--writers 1 2 4 8] [--events 1500]
        [--database-url postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_audit] [--keep]

Recreates a dedicated database, then for each writer count starts that many processes, each
recording ``--events`` screening-sized events (about 1 KB of payload), one transaction per event,
as a service would. Reports events/s, checks the chain is gap-free and verifies, and measures
the latency that ``audit_record`` adds to a screening's transaction (p50/p95, single writer).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

from benchmarks.audit.common import (
    DEFAULT_URL,
    migrate,
    print_machine,
    register_bench_action,
    screening_payload,
    setup_django,
)
from benchmarks.stack import drop_database, recreate_database


def _writer(url: str, n: int, events: int, start: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    setup_django(url)
    code = register_bench_action()
    from django.db import transaction

    from audit.services import audit_record

    start.wait()
    for i in range(events):
        with transaction.atomic():
            audit_record(action=code, actor=None, payload=screening_payload(n * 1_000_000 + i))


def _run_writers(url: str, writers: int, events: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(url, n, events, start)) for n in range(writers)]
    for p in procs:
        p.start()
    time.sleep(3.0)  # let every process import Django and connect
    began = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer failed with exit code {p.exitcode}")
    return time.perf_counter() - began


def _overhead(samples: int) -> tuple[list[float], list[float]]:
    """Per-transaction time with and without one audit_record; both store a screening-sized row."""
    import json

    from django.db import connection, transaction

    from audit.services import audit_record

    code = register_bench_action()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_screening (id bigserial PRIMARY KEY, result jsonb)")
    with_audit, without = [], []
    for i in range(samples):
        payload = screening_payload(i)
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_screening (result) VALUES (%s)", [json.dumps(payload)])
        t1 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_screening (result) VALUES (%s)", [json.dumps(payload)])
            audit_record(action=code, actor=None, payload=payload)
        t2 = time.perf_counter()
        without.append(t1 - t0)
        with_audit.append(t2 - t1)
    return with_audit, without


def _cpu_cost(samples: int) -> tuple[float, float | None]:
    """CPU milliseconds per audit_record (in its own transaction): this process, and the PostgreSQL backend.

    CPU time does not depend on how busy the machine is, unlike the wall-clock figures above.
    The backend figure needs the server on this machine (read from /proc); None otherwise.
    """
    import os
    from pathlib import Path

    from django.db import connection, transaction

    from audit.services import audit_record

    code = register_bench_action()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def backend() -> float | None:
        if not stat.exists():
            return None
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    b0, c0 = backend(), time.process_time()
    for i in range(samples):
        with transaction.atomic():
            audit_record(action=code, actor=None, payload=screening_payload(i))
    c1, b1 = time.process_time(), backend()
    server = None if b0 is None or b1 is None else 1000 * (b1 - b0) / samples
    return 1000 * (c1 - c0) / samples, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--events", type=int, default=1500, help="events per writer")
    parser.add_argument("--overhead-samples", type=int, default=2000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--synchronous-commit",
        nargs="+",
        default=["on", "off"],
        choices=["on", "off"],
        help="run with each setting: 'on' pays a WAL flush per commit (disk-bound), 'off' shows the CPU-bound rate",
    )
    args = parser.parse_args()

    recreate_database(args.database_url)
    setup_django(args.database_url)
    migrate()
    print_machine()
    from django.db import connection, connections

    from audit.models import AuditEvent
    from audit.verification import verify_log

    name = connection.settings_dict["NAME"]
    for mode in args.synchronous_commit:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = {mode}')
        connections.close_all()
        print(f"\nsynchronous_commit={mode}: concurrent writers, {args.events} events each, one transaction each:")
        for writers in args.writers:
            before = AuditEvent.objects.count()
            seconds = _run_writers(args.database_url, writers, args.events)
            total = writers * args.events
            assert AuditEvent.objects.count() - before == total
            rate = total / seconds
            print(f"  {writers:>2} writer(s): {total:>6} events in {seconds:6.2f} s = {rate:8.0f} events/s")

        with_audit, without = _overhead(args.overhead_samples)
        ms = [1000 * (a - b) for a, b in zip(with_audit, without, strict=True)]
        base = [1000 * b for b in without]
        q = statistics.quantiles(ms, n=20)
        print(f"  audit overhead per screening transaction ({args.overhead_samples} samples, single writer):")
        print(
            f"    added p50 {statistics.median(ms):.3f} ms, p95 {q[18]:.3f} ms "
            f"(the transaction without audit: p50 {statistics.median(base):.3f} ms)"
        )
        client_ms, server_ms = _cpu_cost(args.overhead_samples)
        server = f"{server_ms:.3f} ms" if server_ms is not None else "n/a (server not local)"
        print(f"    CPU per audit_record: Python {client_ms:.3f} ms, PostgreSQL backend {server}")

    started = time.perf_counter()
    report = verify_log()
    print(
        f"\nchain after the run: {report.events} events, gap-free and valid = {report.ok} "
        f"(verified in {time.perf_counter() - started:.2f} s)"
    )
    if not report.ok:
        raise SystemExit(f"chain does not verify: {report.fault}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)


if __name__ == "__main__":
    main()
