"""Key rotation: add a version, promote it, re-wrap (or re-tokenise) in batches, retire the old one.

KEK rotation re-wraps each data key under the new primary without decrypting any value (the
envelope's ciphertext is copied byte for byte). Token-key rotation has to recompute each token from
the plaintext, so its batches decrypt in memory; during it, lookups try every usable token version
(dual lookup), and the old token version is retired once no row carries it.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from audit.services import audit_record
from vault import audit_actions, keyring
from vault.crypto import (
    EnvelopeFormatError,
    KeyState,
    key_version_of,
    open_,
    rewrap,
    states_add,
    states_promote,
    states_retire,
    token_for,
)
from vault.models import KEK, TOKEN_KEY, KeyVersion, RotationJob, StoredIdentifier
from vault.selectors import key_version_usage, sealed_fields, sealed_label
from vault.services.errors import KeyInUseError, RotationError
from vault.services.identifiers import _user_or_none, context_for
from vault.validation import Identifier, IdentifierType

KEY_IDS = (KEK, TOKEN_KEY)


def _check_key_id(key_id: str) -> None:
    if key_id not in KEY_IDS:
        raise RotationError(f"unknown key id {key_id!r}; use one of {', '.join(KEY_IDS)}")


def _locked_versions(key_id: str) -> dict[int, KeyVersion]:
    keyring.states(key_id)  # bootstrap on first use
    return {row.version: row for row in KeyVersion.objects.select_for_update().filter(key_id=key_id)}


@transaction.atomic
def key_version_add(*, key_id: str, actor: Any) -> KeyVersion:
    """Create a new key version with the provider; it joins as active (unwraps, wraps nothing yet)."""
    _check_key_id(key_id)
    rows = _locked_versions(key_id)
    version = keyring.provider().create_version(key_id)
    states_add({v: KeyState(r.state) for v, r in rows.items()}, version)
    row = KeyVersion(key_id=key_id, version=version, state=KeyState.ACTIVE, provider=type(keyring.provider()).__name__)
    row.full_clean()
    row.save()
    audit_record(
        action=audit_actions.KEY_ADDED, actor=actor, target=row, payload={"key_id": key_id, "version": version}
    )
    return row


@transaction.atomic
def key_version_promote(*, key_id: str, version: int, actor: Any) -> KeyVersion:
    """Make ``version`` primary: new values use it; the previous primary stays active for reading."""
    _check_key_id(key_id)
    rows = _locked_versions(key_id)
    new_states = states_promote({v: KeyState(r.state) for v, r in rows.items()}, version)
    # Demote first: at most one primary per key id is a database constraint.
    for v, row in sorted(rows.items(), key=lambda item: new_states[item[0]] is KeyState.PRIMARY):
        if KeyState(row.state) is not new_states[v]:
            row.state = new_states[v]
            if new_states[v] is KeyState.PRIMARY:
                row.promoted_at = timezone.now()
            row.save(update_fields=["state", "promoted_at", "updated_at"])
    audit_record(
        action=audit_actions.KEY_PROMOTED,
        actor=actor,
        target=rows[version],
        payload={"key_id": key_id, "version": version},
    )
    return rows[version]


@transaction.atomic
def key_version_retire(*, key_id: str, version: int, actor: Any) -> KeyVersion:
    """Retire a non-primary version, only when no stored value depends on it any more."""
    _check_key_id(key_id)
    rows = _locked_versions(key_id)  # FOR UPDATE: stores hold the primary FOR SHARE until commit
    new_states = states_retire({v: KeyState(r.state) for v, r in rows.items()}, version)
    in_use = key_version_usage(key_id=key_id, version=version)
    if in_use:
        raise KeyInUseError(
            f"{key_id} version {version} is still used by {in_use} stored value(s); "
            "finish the rotation job (manage.py vault_rotate --resume) before retiring it"
        )
    row = rows[version]
    if row.state != new_states[version]:
        row.state = new_states[version]
        row.retired_at = timezone.now()
        row.save(update_fields=["state", "retired_at", "updated_at"])
        audit_record(
            action=audit_actions.KEY_RETIRED, actor=actor, target=row, payload={"key_id": key_id, "version": version}
        )
    return row


def _remaining(key_id: str, primary: int) -> int:
    if key_id == TOKEN_KEY:
        return StoredIdentifier.objects.exclude(token_key_version=primary).count()
    count = StoredIdentifier.objects.filter(kek_id=KEK).exclude(kek_version=primary).count()
    for model, field in sealed_fields():
        count += model._default_manager.exclude(**{f"{field}__isnull": True}).count()
    return count


@transaction.atomic
def rotation_start(
    *, key_id: str, actor: Any, batch_size: int = 1000, add_version: bool = True, workers: int = 1
) -> RotationJob:
    """Add a key version, make it primary, and create the job that moves every value onto it.

    The job's Celery task is enqueued after commit (``vault.rotation_run``). With
    ``add_version=False`` the current primary is kept and only the re-wrap is (re)started.
    """
    _check_key_id(key_id)
    if not 1 <= batch_size <= 50_000:
        raise RotationError("batch size must be between 1 and 50000")
    if not 1 <= workers <= 64:
        raise RotationError("workers must be between 1 and 64")
    if add_version:
        row = key_version_add(key_id=key_id, actor=actor)
        key_version_promote(key_id=key_id, version=row.version, actor=actor)
    primary = keyring.ring(key_id).primary
    job = RotationJob(
        key_id=key_id,
        target_version=primary,
        batch_size=batch_size,
        total=_remaining(key_id, primary),
        started_by=_user_or_none(actor),
        started_at=timezone.now(),
    )
    job.full_clean()
    job.save()
    audit_record(
        action=audit_actions.ROTATION_STARTED,
        actor=actor,
        target=job,
        payload={"key_id": key_id, "version": primary, "total_count": job.total},
    )
    transaction.on_commit(lambda: _enqueue(job.pk, workers=workers))
    return job


def _enqueue(job_id: Any, *, workers: int = 1) -> None:
    """Queue ``workers`` tasks for the job: they share it through its cursor, so more workers finish sooner."""
    from vault.tasks import rotation_run_task

    for _ in range(max(1, workers)):
        rotation_run_task.delay(str(job_id))


ROWS_CURSOR = "vault.StoredIdentifier"


def _claim_ids(job: RotationJob, pending: Q) -> list[Any]:
    """The next batch of row ids for this job, in primary-key order, from the job's shared cursor.

    Keyset pagination on the primary key keeps every batch O(batch): scanning an index on the key
    version instead revisits the dead entries of rows already moved (measured 3x slower at 1M rows).
    Workers take the job row lock only to advance the cursor, so several of them share a job.
    When the cursor runs out while rows are still pending (stored behind it during the run), the
    cursor starts over.
    """
    with transaction.atomic():
        locked = RotationJob.objects.select_for_update().get(pk=job.pk)
        cursor = locked.cursors.get(ROWS_CURSOR)
        qs = StoredIdentifier.objects.filter(pending)
        if cursor is not None:
            qs = qs.filter(pk__gt=cursor)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[: job.batch_size])
        if not ids and cursor is not None and StoredIdentifier.objects.filter(pending).exists():
            ids = list(
                StoredIdentifier.objects.filter(pending).order_by("pk").values_list("pk", flat=True)[: job.batch_size]
            )
        locked.cursors[ROWS_CURSOR] = str(ids[-1]) if ids else None
        locked.save(update_fields=["cursors", "updated_at"])
    return ids


def _lock_rows(ids: list[Any], fields: list[str]) -> list[tuple[Any, ...]]:
    """(pk, *fields) of the given rows, locked FOR UPDATE until the end of the transaction.

    On PostgreSQL the ids travel as one array parameter: an ``IN (%s, %s, ...)`` list of 2,000
    UUIDs cost more in query building than the re-wrap itself (benchmarks/vault/rewrap_db.py).
    """
    if connection.vendor != "postgresql":
        qs = StoredIdentifier.objects.filter(pk__in=ids).select_for_update()
        return [tuple(row) for row in qs.values_list("pk", *fields)]
    meta = StoredIdentifier._meta
    columns = ", ".join(meta.get_field(name).column for name in fields)
    sql = f"SELECT id, {columns} FROM {meta.db_table} WHERE id = ANY(%s::uuid[]) FOR UPDATE"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        return cursor.fetchall()


def _write_rows(rows: list[tuple[Any, ...]], fields: list[str], *, model: type[Model] = StoredIdentifier) -> None:
    """Set ``fields`` from (pk, *values) tuples in one statement (UPDATE ... FROM unnest on PostgreSQL).

    Django's bulk_update builds a CASE per column and row, measured about 10x slower here.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        model._default_manager.bulk_update(objs, fields)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns = [meta.get_field(name) for name in fields]
    arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in [pk, *columns])
    names = ", ".join(column.column for column in columns)
    assignments = ", ".join(f"{column.column} = v.{column.column}" for column in columns)
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names from model metadata
        f"FROM unnest({arrays}) AS v(pk, {names}) WHERE t.{quote(pk.column)} = v.pk"
    )
    params = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rewrap_batch(job: RotationJob) -> int:
    """Re-wrap one batch of stored identifiers; returns how many rows were claimed (0 = none left)."""
    ring = keyring.kek_ring()
    old = [v for v in ring.usable if v != ring.primary]
    if not old:
        return 0
    ids = _claim_ids(job, Q(kek_id=ring.key_id, kek_version__in=old))
    if not ids:
        return 0
    with transaction.atomic():
        rows = _lock_rows(ids, ["ciphertext", "kek_id", "kek_version"])
        moved = [
            (pk, rewrap(ring, bytes(blob)), ring.primary)
            for pk, blob, kek_id, version in rows
            if kek_id == ring.key_id and version in old  # re-checked under the lock
        ]
        _write_rows(moved, ["ciphertext", "kek_version"])
        RotationJob.objects.filter(pk=job.pk).update(done=F("done") + len(moved), updated_at=timezone.now())
    return len(ids)


def _retokenise_batch(job: RotationJob) -> int:
    """Recompute one batch of tokens under the primary token key (decrypting in memory only)."""
    tokens, kek = keyring.token_ring(), keyring.kek_ring()
    old = [v for v in tokens.usable if v != tokens.primary]
    if not old:
        return 0
    ids = _claim_ids(job, Q(token_key_version__in=old))
    if not ids:
        return 0
    with transaction.atomic():
        rows = _lock_rows(ids, ["ciphertext", "identifier_type", "scheme", "token_key_version"])
        moved = []
        for pk, blob, identifier_type, scheme, version in rows:
            if version not in old:
                continue
            value = open_(kek, bytes(blob), context_for(pk)).decode("utf-8")
            identifier = Identifier(IdentifierType(identifier_type), value, scheme)
            moved.append((pk, token_for(tokens, identifier.type.value, identifier.lookup_key), tokens.primary))
            del value, identifier
        _write_rows(moved, ["token", "token_key_version"])
        RotationJob.objects.filter(pk=job.pk).update(done=F("done") + len(moved), updated_at=timezone.now())
    return len(ids)


def _rewrap_sealed_batch(job: RotationJob) -> int:
    """Re-wrap sealed secrets in other apps' tables, one batch, resuming from the job's cursors."""
    ring = keyring.kek_ring()
    with transaction.atomic():
        locked = RotationJob.objects.select_for_update().get(pk=job.pk)
        for model, field in sealed_fields():
            label = sealed_label(model, field)
            cursor = locked.cursors.get(label)
            if cursor == "done":
                continue
            qs = model._default_manager.exclude(**{f"{field}__isnull": True}).order_by("pk")
            if cursor is not None:
                qs = qs.filter(pk__gt=model._meta.pk.to_python(cursor))  # type: ignore[union-attr]
            # Locked, so that a secret replaced meanwhile (e.g. a TOTP re-enrolment) is not overwritten.
            rows = list(qs.select_for_update().values_list("pk", field)[: job.batch_size])
            if not rows:
                locked.cursors[label] = "done"
                locked.save(update_fields=["cursors", "updated_at"])
                continue
            moved = []
            for pk, blob in rows:
                try:
                    if key_version_of(bytes(blob)) == (ring.key_id, ring.primary):
                        continue
                except EnvelopeFormatError:
                    continue  # not a vault envelope (e.g. empty): nothing to re-wrap
                moved.append((pk, rewrap(ring, bytes(blob))))
            _write_rows(moved, [field], model=model)
            locked.cursors[label] = str(rows[-1][0])
            locked.done = F("done") + len(rows)
            locked.save(update_fields=["cursors", "done", "updated_at"])
            return len(rows)
    return 0


def rotation_run(*, job_id: Any, time_budget: float = 60.0, max_batches: int | None = None) -> RotationJob:
    """Work on a rotation job for up to ``time_budget`` seconds (or ``max_batches``); idempotent, resumable.

    Returns the job: ``running`` if work remains (the task re-enqueues itself), ``completed`` when
    nothing is left, ``failed`` (with the error) if a batch could not be processed.
    """
    job = RotationJob.objects.get(pk=job_id)
    if job.status in (RotationJob.Status.COMPLETED, RotationJob.Status.FAILED):
        return job
    RotationJob.objects.filter(pk=job.pk, status=RotationJob.Status.PENDING).update(status=RotationJob.Status.RUNNING)
    deadline = time.monotonic() + time_budget
    batch = _retokenise_batch if job.key_id == TOKEN_KEY else _rewrap_batch
    batches = 0
    try:
        while time.monotonic() < deadline and (max_batches is None or batches < max_batches):
            batches += 1
            moved = batch(job)
            if not moved and job.key_id == KEK:
                moved = _rewrap_sealed_batch(job)
            if not moved:
                return _finish(job, RotationJob.Status.COMPLETED)
    except Exception as exc:
        # The message names the failing step; crypto errors never carry plaintext.
        return _finish(job, RotationJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
    job.refresh_from_db()
    return job


def _finish(job: RotationJob, status: str, *, error: str = "") -> RotationJob:
    with transaction.atomic():
        job = RotationJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (RotationJob.Status.COMPLETED, RotationJob.Status.FAILED):
            return job
        job.error = error
        job.status = status
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "error", "updated_at"])
        audit_record(
            action=audit_actions.ROTATION_FINISHED,
            actor=None,
            target=job,
            payload={"key_id": job.key_id, "version": job.target_version, "status": status, "done_count": job.done},
        )
    job.refresh_from_db()
    return job


def rotation_resume(*, job_id: Any, actor: Any, workers: int = 1) -> RotationJob:
    """Re-enqueue an unfinished (or failed) job; rows already moved are skipped."""
    with transaction.atomic():
        job = RotationJob.objects.select_for_update().get(pk=job_id)
        if job.status == RotationJob.Status.COMPLETED:
            return job
        job.status = RotationJob.Status.RUNNING
        job.error = ""
        job.finished_at = None
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
        transaction.on_commit(lambda: _enqueue(job.pk, workers=workers))
    return job
