"""``manage.py audit_verify``: check the hash chain, every checkpoint root and every signature."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.verification import verify_log


class Command(BaseCommand):
    help = "Verify the audit trail (hash chain, Merkle roots, Ed25519 signatures); name the first bad event."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=10_000, help="events read per query")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes hashing slices in parallel (default: one per core on PostgreSQL, 1 on SQLite)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int) -> None:
            if options["verbosity"] >= 2:
                self.stderr.write(f"  {done:,} events checked")

        workers = options["workers"]
        if workers is None:
            workers = (os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
        report = verify_log(batch_size=options["batch_size"], workers=workers, progress=progress)
        elapsed = time.perf_counter() - started
        summary = f"{report.events:,} events and {report.checkpoints:,} checkpoints in {elapsed:.1f} s"
        if not report.ok:
            raise CommandError(f"audit trail does NOT verify: {report.fault} ({summary})")
        self.stdout.write(self.style.SUCCESS(f"audit trail verifies: {summary}"))
        for note in report.notes:
            self.stdout.write(f"note: {note}")
