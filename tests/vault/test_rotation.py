"""Key rotation end to end: four stages, batched resumable re-wrap, token-key rotation, retirement."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from vault.crypto import Envelope, KeyRetiredError, KeyStateError, open_, token_version
from vault.keyring import kek_ring, states
from vault.models import KeyVersion, RotationJob, StoredIdentifier
from vault.selectors import identifier_lookup, key_version_usage
from vault.services import (
    KeyInUseError,
    identifier_reveal,
    identifier_store,
    key_version_add,
    key_version_promote,
    key_version_retire,
    rotation_run,
    rotation_start,
)
from vault.services.identifiers import context_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vault_keys")]

LEIS = ["5493001KJTIIGC8Y1R12", "213800KUD8LAJWSQ9D15", "0YPKKE5F0QW6RC51HE09", "1YTX3EVB2EG3PFFYOI09"]


def _decrypts(row: StoredIdentifier) -> bytes:
    row.refresh_from_db()
    return open_(kek_ring(), bytes(row.ciphertext), context_for(row.id))


def test_four_stage_kek_rotation_decrypts_exactly_what_each_stage_allows(officer: Any) -> None:
    # Stage 1: the old key only.
    a = identifier_store(identifier_type="lei", value=LEIS[0], actor=officer)
    assert states("kek") == {1: "primary"}
    assert a.kek_version == 1
    assert _decrypts(a) == LEIS[0].encode()

    # Stage 2: a new key added (active): it wraps nothing yet; everything still decrypts.
    key_version_add(key_id="kek", actor=officer)
    assert states("kek") == {1: "primary", 2: "active"}
    b = identifier_store(identifier_type="lei", value=LEIS[1], actor=officer)
    assert b.kek_version == 1
    assert (_decrypts(a), _decrypts(b)) == (LEIS[0].encode(), LEIS[1].encode())
    with pytest.raises(KeyStateError, match="primary"):
        key_version_retire(key_id="kek", version=1, actor=officer)

    # Stage 3: the new key primary: new values use it, old ones still decrypt until re-wrapped.
    key_version_promote(key_id="kek", version=2, actor=officer)
    assert states("kek") == {1: "active", 2: "primary"}
    c = identifier_store(identifier_type="lei", value=LEIS[2], actor=officer)
    assert c.kek_version == 2
    assert [_decrypts(r) for r in (a, b, c)] == [v.encode() for v in LEIS[:3]]
    with pytest.raises(KeyInUseError, match="still used by 2"):
        key_version_retire(key_id="kek", version=1, actor=officer)
    backup_of_a = bytes(a.ciphertext)

    job = rotation_start(key_id="kek", actor=officer, add_version=False)
    assert (job.total, job.target_version) == (2, 2)
    job = rotation_run(job_id=job.pk)
    assert (job.status, job.done) == ("completed", 2)
    a.refresh_from_db()
    before, after = Envelope.from_bytes(backup_of_a), Envelope.from_bytes(bytes(a.ciphertext))
    assert (after.key_version, after.nonce, after.ciphertext) == (2, before.nonce, before.ciphertext)
    assert key_version_usage(key_id="kek", version=1) == 0

    # Stage 4: the old key retired: every stored value decrypts; a copy still wrapped by it does not.
    key_version_retire(key_id="kek", version=1, actor=officer)
    assert states("kek") == {1: "retired", 2: "primary"}
    assert [_decrypts(r) for r in (a, b, c)] == [v.encode() for v in LEIS[:3]]
    with pytest.raises(KeyRetiredError, match="version 1 is retired"):
        open_(kek_ring(), backup_of_a, context_for(a.id))
    with pytest.raises(KeyStateError, match="only an active version"):
        key_version_promote(key_id="kek", version=1, actor=officer)
    actions = list(AuditEvent.objects.filter(action__startswith="vault.").values_list("action", flat=True))
    for action in ("vault.key.added", "vault.key.promoted", "vault.key.retired", "vault.rotation.finished"):
        assert action in actions


def test_the_rewrap_job_works_in_batches_and_resumes_where_it_stopped(officer: Any) -> None:
    rows = [identifier_store(identifier_type="lei", value=v, actor=officer) for v in LEIS]
    job = rotation_start(key_id="kek", actor=officer, batch_size=3)
    assert job.total == 4
    job = rotation_run(job_id=job.pk, max_batches=1)
    assert (job.status, job.done) == ("running", 3)
    assert StoredIdentifier.objects.filter(kek_version=1).count() == 1
    # A redelivered or resumed task simply carries on; rows already moved are not touched again.
    job = rotation_run(job_id=job.pk)
    assert (job.status, job.done, job.percent) == ("completed", 4, 100.0)
    assert [_decrypts(r) for r in rows] == [v.encode() for v in LEIS]
    assert rotation_run(job_id=job.pk).status == "completed"


def test_rotation_started_in_a_transaction_runs_in_celery_after_commit(
    officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    identifier_store(identifier_type="lei", value=LEIS[0], actor=officer)
    with django_capture_on_commit_callbacks(execute=True):
        job = rotation_start(key_id="kek", actor=officer)
    job.refresh_from_db()
    assert (job.status, job.done) == ("completed", 1)
    assert StoredIdentifier.objects.get().kek_version == 2


def test_token_key_rotation_keeps_lookups_working_throughout(officer: Any) -> None:
    row = identifier_store(identifier_type="passport", value="L898902C3", country="UTO", actor=officer)
    old_token = row.token
    assert token_version(old_token) == 1

    key_version_add(key_id="token", actor=officer)
    key_version_promote(key_id="token", version=2, actor=officer)
    # Dual lookup: the row still carries its v1 token, and is found and de-duplicated.
    assert identifier_lookup(identifier_type="passport", value="L898902C3", country="UTO") == row
    assert identifier_store(identifier_type="passport", value="L898902C3", country="UTO", actor=None) == row
    fresh = identifier_store(identifier_type="passport", value="X1234567", country="UTO", actor=officer)
    assert token_version(fresh.token) == 2
    with pytest.raises(KeyInUseError):
        key_version_retire(key_id="token", version=1, actor=officer)

    job = rotation_start(key_id="token", actor=officer, add_version=False)
    assert job.total == 1
    assert rotation_run(job_id=job.pk).status == "completed"
    row.refresh_from_db()
    assert token_version(row.token) == 2
    assert row.token != old_token
    key_version_retire(key_id="token", version=1, actor=officer)
    assert identifier_lookup(identifier_type="passport", value="L898902C3", country="UTO") == row
    revealed = identifier_reveal(token=row.token, purpose="screening_review", actor=officer, step_up_verified=True)
    assert revealed.value == "L898902C3"


def test_vault_rotate_command_rotates_inline_reports_status_and_retires(officer: Any) -> None:
    for value in LEIS:
        identifier_store(identifier_type="lei", value=value, actor=officer)
    out = StringIO()
    call_command("vault_rotate", "--inline", "--batch-size", "2", "--actor", officer.email, stdout=out)
    assert "kek: version 2 is primary" in out.getvalue()
    assert "4/4 (100.0%) completed" in out.getvalue()
    out = StringIO()
    call_command("vault_rotate", "--status", stdout=out)
    assert "kek: v2 primary, v1 active" in out.getvalue()
    assert "completed 4/4" in out.getvalue()
    call_command("vault_rotate", "--retire", "1", stdout=StringIO())
    assert KeyVersion.objects.get(key_id="kek", version=1).state == "retired"


def test_vault_rotate_refuses_to_retire_a_version_in_use(officer: Any) -> None:
    identifier_store(identifier_type="lei", value=LEIS[0], actor=officer)
    key_version_add(key_id="kek", actor=None)
    key_version_promote(key_id="kek", version=2, actor=None)
    with pytest.raises(CommandError, match="still used by 1"):
        call_command("vault_rotate", "--retire", "1")


def test_a_failed_job_records_its_error_and_can_be_resumed(officer: Any, vault_keys: Any) -> None:
    row = identifier_store(identifier_type="lei", value=LEIS[0], actor=officer)
    StoredIdentifier.objects.filter(pk=row.pk).update(ciphertext=b"TV\x01garbage")
    job = rotation_start(key_id="kek", actor=officer)
    job = rotation_run(job_id=job.pk)
    assert job.status == "failed"
    assert "EnvelopeFormatError" in job.error
    StoredIdentifier.objects.filter(pk=row.pk).delete()
    call_command("vault_rotate", "--resume", "--inline", stdout=StringIO())
    assert RotationJob.objects.get(pk=job.pk).status == "completed"


def test_vault_rotate_token_rotates_the_token_key_inline(officer: Any) -> None:
    row = identifier_store(identifier_type="lei", value=LEIS[0], actor=officer)
    call_command("vault_rotate", "--token", "--inline", stdout=StringIO())
    row.refresh_from_db()
    assert token_version(row.token) == 2
    call_command("vault_rotate", "--token", "--retire", "1", stdout=StringIO())
    assert states("token") == {1: "retired", 2: "primary"}
    assert identifier_lookup(identifier_type="lei", value=LEIS[0]) == row
