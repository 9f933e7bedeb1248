"""Audit fixtures: a signing key per test, and helpers to tamper with rows past the triggers."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from audit import actions, immutability

TEST_ACTION = "tests.audit.thing.done"
if not actions.is_registered(TEST_ACTION):
    actions.register(TEST_ACTION, "A test did a thing")


def new_signing_seed() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


@pytest.fixture(autouse=True)
def audit_signing_key(settings: Any) -> str:
    """Every test signs with its own throwaway key (never the developer's key file)."""
    seed = new_signing_seed()
    settings.TILLIT_AUDIT_SIGNING_KEY = seed
    settings.TILLIT_AUDIT_TRUSTED_PUBLIC_KEYS = []
    return seed


@pytest.fixture
def record_events(db: None) -> Callable[..., list]:
    """Record ``n`` events as the system, each in its own transaction."""
    from audit.services import audit_record

    def record(n: int, **payload: object) -> list:
        return [
            audit_record(action=TEST_ACTION, actor=None, payload={"i": i, **payload}, correlation_id="tests")
            for i in range(n)
        ]

    return record


@pytest.fixture
def tamper() -> Callable[[str, list], None]:
    """Run raw SQL against the audit tables with the append-only triggers removed (restored after)."""

    def run(sql: str, params: list) -> None:
        with immutability.suspended(connection), connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def postgres_only() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://..."
    )
