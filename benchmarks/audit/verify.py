"""``audit_verify`` over a large log on PostgreSQL (default 1,000,000 events; target under 60 s).

    .venv/bin/python -m benchmarks.audit.verify [--events 1000000] [--checkpoints 10]
        [--database-url postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_audit] [--keep]

Recreates a dedicated database and fills it with a valid chain of screening-sized events
(hashed in Python exactly as ``audit_record`` does, loaded with COPY, since recording a
million events one transaction at a time only measures the disk). Signs ``--checkpoints``
checkpoints along the way with the real ``checkpoint_create`` (which itself verifies the new
events), then times the real ``manage.py audit_verify`` (chain, every Merkle root, every
signature), an ``audit_proof`` for an event in the largest tree, and a tampered-row check.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from benchmarks.audit.common import (
    DEFAULT_URL,
    migrate,
    print_machine,
    register_bench_action,
    screening_payload,
    setup_django,
)
from benchmarks.stack import drop_database, recreate_database

COLUMNS = (
    "id, sequence, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, "
    "correlation_id, payload, prev_hash, hash"
)


def _fill(first: int, last: int, prev_hash: str, code: str) -> str:
    """COPY events first..last (a valid chain continuing from prev_hash); returns the last hash."""
    from django.db import connection

    from audit import chain

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY audit_auditevent ({COLUMNS}) FROM STDIN") as copy,
    ):
        for seq in range(first, last + 1):
            payload = screening_payload(seq)
            record = chain.EventRecord(
                event_id=str(uuid.UUID(int=seq, version=4)),
                sequence=seq,
                occurred_at=t0 + timedelta(milliseconds=37 * seq),
                actor_type="api_client",
                actor_id="5f0c1c9e-8a1e-4c55-9a55-2b8f3c0d0001",
                actor_label="api-client:onboarding",
                action=code,
                target_type="screening.screening",
                target_id=str(payload["screening_id"]),
                correlation_id=f"req{seq:013x}",
                payload=payload,
                prev_hash=prev_hash,
            )
            digest = record.compute_hash(strict=False)
            copy.write_row(
                (
                    record.event_id,
                    seq,
                    record.occurred_at,
                    record.actor_type,
                    record.actor_id,
                    record.actor_label,
                    code,
                    record.target_type,
                    record.target_id,
                    record.correlation_id,
                    json.dumps(payload),
                    prev_hash,
                    digest,
                )
            )
            prev_hash = digest
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s", [last, prev_hash])
    return prev_hash


def _cpu_per_event(sample: int) -> tuple[float, float | None, int]:
    """Microseconds of CPU per verified event: this process, and its PostgreSQL backend (if local)."""
    from pathlib import Path

    from django.db import connection

    from audit.verification import verify_slice

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def backend() -> float | None:
        if not stat.exists():
            return None
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    b0, c0 = backend(), time.process_time()
    verify_slice((0, sample))
    c1, b1 = time.process_time(), backend()
    server = None if b0 is None or b1 is None else 1e6 * (b1 - b0) / sample
    return 1e6 * (c1 - c0) / sample, server, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    recreate_database(args.database_url)
    setup_django(args.database_url)
    migrate()
    print_machine()
    code = register_bench_action()

    from django.core.management import call_command
    from django.db import connection, connections

    from audit import chain
    from audit.services import checkpoint_create

    step = max(1, args.events // args.checkpoints)
    prev = chain.GENESIS_HASH
    fill_s = sign_s = 0.0
    done = 0
    while done < args.events:
        last = min(args.events, done + step)
        t = time.perf_counter()
        prev = _fill(done + 1, last, prev, code)
        fill_s += time.perf_counter() - t
        t = time.perf_counter()
        checkpoint_create()
        sign_s += time.perf_counter() - t
        done = last
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_auditevent")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('audit_auditevent'))")
        size = cursor.fetchone()[0]
    print(f"\nfilled {args.events:,} events ({size} with indexes) in {fill_s:.1f} s (hashing + COPY)")
    print(f"signed {args.checkpoints} checkpoints in {sign_s:.1f} s (checkpoint_create verifies each new slice)")

    out = io.StringIO()
    t = time.perf_counter()
    call_command("audit_verify", stdout=out)
    verify_s = time.perf_counter() - t
    print(f"\naudit_verify: {verify_s:.1f} s -> {out.getvalue().strip()}")
    print(f"  {args.events / verify_s:,.0f} events/s; target for 1,000,000 events: under 60 s")

    # CPU time does not depend on other load on the machine: measure it on one slice, in process.
    cpu_python, cpu_server, sample = _cpu_per_event(min(args.events, 100_000))
    total = cpu_python + (cpu_server or 0.0)
    cores = os.cpu_count() or 1
    print(
        f"  CPU per event (one process, {sample:,} events): Python {cpu_python:.1f} us + PostgreSQL backend "
        + (f"{cpu_server:.1f} us" if cpu_server is not None else "n/a")
        + f" = {total:.1f} us; {args.events:,} events need {total * args.events / 1e6:.0f} CPU-s, "
        f"about {total * args.events / 1e6 / cores:.0f} s on {cores} idle cores"
    )

    t = time.perf_counter()
    call_command("audit_proof", str(args.events // 3), stdout=io.StringIO())
    print(f"audit_proof for event #{args.events // 3} in a tree of {done:,}: {time.perf_counter() - t:.1f} s")

    # Tamper with one row (triggers suspended as the table owner) and check it is found.
    from audit import immutability
    from audit.verification import verify_log

    victim = args.events - args.events // 4
    with immutability.suspended(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET payload = '{}' WHERE sequence = %s", [victim])
    t = time.perf_counter()
    report = verify_log()
    print(f"after altering #{victim}: {report.fault} (found in {time.perf_counter() - t:.1f} s)")

    if not args.keep:
        connections.close_all()
        drop_database(args.database_url)


if __name__ == "__main__":
    main()
