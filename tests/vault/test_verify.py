"""vault_verify: every stored identifier decrypts and matches its token; failures are named, values never."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from vault.models import StoredIdentifier
from vault.selectors import identifiers_verify
from vault.services import identifier_store, rotation_run, rotation_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vault_keys")]

LEIS = ["5493001KJTIIGC8Y1R12", "213800KUD8LAJWSQ9D15", "0YPKKE5F0QW6RC51HE09"]


def test_a_healthy_vault_verifies_after_both_rotations() -> None:
    rows = [identifier_store(identifier_type="lei", value=v, actor=None) for v in LEIS]
    for key_id in ("kek", "token"):
        job = rotation_start(key_id=key_id, actor=None)
        assert rotation_run(job_id=job.pk).status == "completed"
    report = identifiers_verify(batch_size=2)
    assert report == {"checked": 3, "by_kek_version": {2: 3}, "failures": []}
    out = StringIO()
    call_command("vault_verify", stdout=out)
    assert "all stored identifiers decrypt" in out.getvalue()
    assert all(row.pk for row in rows)


def test_altered_rows_are_reported_by_id_and_error_without_values() -> None:
    a, b, c = (identifier_store(identifier_type="lei", value=v, actor=None) for v in LEIS)
    damaged = bytearray(bytes(a.ciphertext))
    damaged[-1] ^= 1
    StoredIdentifier.objects.filter(pk=a.pk).update(ciphertext=bytes(damaged))
    StoredIdentifier.objects.filter(pk=b.pk).update(token=c.token.replace("v1_", "v1_a", 1)[:59])
    failures = {f["id"]: f["error"] for f in identifiers_verify()["failures"]}
    assert failures == {str(a.pk): "AuthenticationError", str(b.pk): "TokenMismatch"}
    out = StringIO()
    with pytest.raises(CommandError, match="2 stored identifier"):
        call_command("vault_verify", stdout=out)
    for value in LEIS:
        assert value not in out.getvalue()


def test_the_limit_bounds_the_check(officer: Any) -> None:
    for value in LEIS:
        identifier_store(identifier_type="lei", value=value, actor=officer)
    assert identifiers_verify(limit=2, batch_size=5)["checked"] == 2
