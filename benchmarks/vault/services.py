"""Vault service throughput on PostgreSQL: identifier_store, identifier_lookup and identifier_reveal.

    .venv/bin/python -m benchmarks.vault.services [--values 5000]
        [--database-url postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_vault_svc] [--keep]

End to end per call: validation, token(s), de-duplication query, envelope encryption, insert and
the audit event (store); validation, tokens and an indexed query (lookup); permission, purpose,
rate limit, audit event and decryption (reveal). One process, one connection, a scratch database.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from benchmarks.vault.machine import print_machine
from benchmarks.vault.rewrap_db import _drop, _recreate, _setup


def _iban(i: int) -> str:
    bban = f"37040044{i:010d}"
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    return f"DE{check:02d}{bban}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=5000)
    parser.add_argument("--database-url", default="postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_vault_svc")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    print("vault services benchmark on PostgreSQL")
    print_machine()
    _recreate(args.database_url)
    try:
        _setup(args.database_url, tempfile.mkdtemp(prefix="tillit-bench-keys-"))
        from django.conf import settings
        from django.contrib.auth.models import Permission
        from django.core.management import call_command
        from django.db import connection

        from accounts.models import User
        from vault.selectors import identifier_lookup
        from vault.services import identifier_reveal, identifier_store

        call_command("migrate", verbosity=0)
        settings.TILLIT_VAULT_REVEAL_RATE = f"{args.values * 10}/h"
        officer = User.objects.create_user("bench@example.org", None, role="officer")
        officer.user_permissions.add(Permission.objects.get(codename="reveal_storedidentifier"))
        officer = User.objects.get(pk=officer.pk)
        values = [_iban(i) for i in range(args.values)]

        def timed(label: str, call: object) -> list[object]:
            start = time.perf_counter()
            out = [call(v) for v in values]  # type: ignore[operator]
            elapsed = time.perf_counter() - start
            print(f"  {label:<36} {len(values) / elapsed:>9,.0f} ops/s ({1000 * elapsed / len(values):.2f} ms/op)")
            return out

        rows = timed(
            "identifier_store (new)", lambda v: identifier_store(identifier_type="iban", value=v, actor=officer)
        )
        timed(
            "identifier_store (already held)", lambda v: identifier_store(identifier_type="iban", value=v, actor=None)
        )
        timed("identifier_lookup", lambda v: identifier_lookup(identifier_type="iban", value=v))
        tokens = iter([row.token for row in rows])  # type: ignore[attr-defined]
        timed(
            "identifier_reveal",
            lambda v: identifier_reveal(
                token=next(tokens), purpose="fraud_investigation", actor=officer, step_up_verified=True
            ),
        )
        connection.close()
    finally:
        if not args.keep:
            _drop(args.database_url)


if __name__ == "__main__":
    main()
