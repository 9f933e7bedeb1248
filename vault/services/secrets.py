"""Sealing small secrets that live in other apps' tables (TOTP seeds) with the vault's envelope."""

from __future__ import annotations

from vault import keyring
from vault.crypto import Context, open_, seal


def secret_seal(plaintext: bytes, *, table: str, record_id: str, field: str) -> bytes:
    """Encrypt a secret for one column of one row; store the result in a ``SealedBinaryField``.

    ``table``, ``record_id`` and ``field`` are bound as associated data: the blob only opens for the
    same row and column. The data key is wrapped by the primary KEK and is re-wrapped by rotation.
    """
    if not isinstance(plaintext, bytes | bytearray):
        raise TypeError("secret_seal takes bytes")
    return seal(keyring.kek_ring(), bytes(plaintext), Context(table=table, record_id=str(record_id), field=field))


def secret_open(sealed: bytes, *, table: str, record_id: str, field: str) -> bytes:
    """Decrypt a blob made by ``secret_seal`` for the same table, row and column."""
    return open_(keyring.kek_ring(), bytes(sealed), Context(table=table, record_id=str(record_id), field=field))
