"""``manage.py vault_verify``: prove every stored identifier still decrypts and matches its token.

Run it after a restore, or after a rotation and before retiring (or destroying) an old key version.
Prints counts and the ids of failing rows only; never a value. Exits non-zero when any row fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vault.selectors import identifiers_verify


class Command(BaseCommand):
    help = "Check that every stored identifier decrypts and matches its token (prints no values)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="check at most this many rows")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        report = identifiers_verify(batch_size=options["batch_size"], limit=options["limit"])
        self.stdout.write(f"checked {report['checked']} stored identifiers; by KEK version: {report['by_kek_version']}")
        failures = report["failures"]
        assert isinstance(failures, list)
        for failure in failures[:100]:
            self.stdout.write(f"  FAILED {failure['id']}: {failure['error']}")
        if failures:
            raise CommandError(f"{len(failures)} stored identifier(s) failed verification")
        self.stdout.write(self.style.SUCCESS("all stored identifiers decrypt and match their tokens"))
