"""After identifiers are stored, revealed and rotated, no dump of the database contains a plaintext one."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from vault.services import (
    identifier_reveal,
    identifier_store,
    identifier_store_validated,
    rotation_run,
    rotation_start,
    secret_seal,
)
from vault.validation import identifier_from_mrz

IDENTIFIERS = [
    # (type, input, normalised, extra)
    ("card", "4242 4242 4242 4242", "4242424242424242", {}),
    ("card", "3782 822463 10005", "378282246310005", {}),
    ("iban", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", {}),
    ("iban", "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", {}),
    ("lei", "5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R12", {}),
    ("passport", "L898902C3", "L898902C3", {"country": "UTO"}),
    ("national_id", "1112.22.333", "111222333", {"scheme": "nl.bsn"}),
    ("tax_id", "536-90-4399", "536904399", {"scheme": "us.ssn"}),
]
MRZ = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
TOTP_SEED = b"JBSWY3DPEHPK3PXP-seed"


def _needles() -> list[bytes]:
    values = {normalised for _, _, normalised, _ in IDENTIFIERS} | {raw for _, raw, _, _ in IDENTIFIERS}
    values |= {"D23145890", TOTP_SEED.decode()}
    needles: list[bytes] = []
    for value in values:
        raw = value.encode()
        needles += [raw, raw.lower(), raw.hex().encode(), raw.hex().upper().encode()]
    return needles


def _sql_dump() -> bytes:
    """Every row of every table, as text and raw bytes, read through the connection."""
    out: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        out.append(bytes(value))
                        out.append(bytes(value).hex().encode())
                    else:
                        out.append(str(value).encode("utf-8", "replace"))
    return b"\n".join(out)


def _native_dump() -> bytes:
    """The database's own dump tool: sqlite3 iterdump, or pg_dump on PostgreSQL."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump()).encode()
    if connection.vendor == "postgresql" and shutil.which("pg_dump"):
        params = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
        command = [
            "pg_dump",
            "--data-only",
            "-h",
            params.get("HOST") or "127.0.0.1",
            "-p",
            str(params.get("PORT") or 5432),
        ]
        command += ["-U", params["USER"], connection.settings_dict["NAME"]]
        return subprocess.run(command, env=env, check=True, capture_output=True).stdout
    pytest.skip(f"no dump tool for {connection.vendor}")


@pytest.mark.usefixtures("vault_keys")
def test_a_dump_of_the_whole_database_contains_no_plaintext_identifier(
    transactional_db: None, officer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    cache.clear()
    caplog.set_level(logging.DEBUG)
    rows = [
        identifier_store(identifier_type=kind, value=raw, actor=officer, **extra) for kind, raw, _, extra in IDENTIFIERS
    ]
    identifier, _ = identifier_from_mrz(MRZ)
    rows.append(identifier_store_validated(identifier=identifier, actor=officer))
    sealed = secret_seal(TOTP_SEED, table="accounts_totpdevice", record_id="1", field="seed")
    assert TOTP_SEED not in sealed
    assert identifier_reveal(token=rows[0].token, purpose="fraud_investigation", actor=officer, step_up_verified=True)
    # Rotate both keys (committed: the eager Celery task runs the jobs).
    for key_id in ("kek", "token"):
        job = rotation_start(key_id=key_id, actor=officer)
        job.refresh_from_db()
        if job.status != "completed":
            job = rotation_run(job_id=job.pk)
        assert job.status == "completed"

    dumps = {"sql": _sql_dump(), "native": _native_dump()}
    assert len(dumps["sql"]) > 1000
    # The dumps do hold the vault's rows: current tokens and masked display values.
    for row in rows:
        row.refresh_from_db()
        assert row.token.encode() in dumps["sql"]
        assert row.masked.encode() in dumps["native"]
    for name, dump in dumps.items():
        for needle in _needles():
            assert needle not in dump, f"a plaintext identifier appears in the {name} dump"
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records).encode()
    for needle in _needles():
        assert needle not in logged, "a plaintext identifier appears in the logs"
