"""Writes to the audit trail: ``audit_record`` (one event, inside the caller's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit import actions, chain, merkle, signing
from audit.models import ACTOR_API_CLIENT, ACTOR_SYSTEM, ACTOR_USER, AuditChainHead, AuditCheckpoint, AuditEvent
from audit.payload import clean_payload, mask_email
from audit.verification import verify_slice
from common.correlation import get_correlation_id
from common.prepared import insert_statement


class AuditError(RuntimeError):
    """The audit trail cannot record an event (so the change it records must not happen)."""


def _describe_actor(actor: Any) -> tuple[str, str, str]:
    """(type, id, label) of an actor: a User, an ApiClient (or its request principal), or None."""
    from accounts.models import ApiClient, User

    if actor is None:
        return ACTOR_SYSTEM, "", "system"
    if isinstance(getattr(actor, "client", None), ApiClient):  # accounts.authentication.ApiClientPrincipal
        actor = actor.client
    if isinstance(actor, ApiClient):
        return ACTOR_API_CLIENT, str(actor.pk), f"api-client:{actor.name}"[:200]
    if isinstance(actor, User) and actor.pk is not None:
        label = f"{actor.role}:{mask_email(actor.email)}" if actor.role else mask_email(actor.email)
        return ACTOR_USER, str(actor.pk), label[:200]
    if getattr(actor, "is_anonymous", False):
        raise AuditError("an anonymous user cannot be an audit actor; pass None for the system")
    raise AuditError(f"unsupported audit actor of type {type(actor).__name__}")


def _describe_target(target: Any) -> tuple[str, str]:
    """(type, id) of a target: a model instance, a (type, id) pair, or None."""
    if target is None:
        return "", ""
    if isinstance(target, Model):
        if target.pk is None:
            raise AuditError("the audit target must be saved before it is recorded")
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:
        target_type, target_id = target
        return str(target_type), str(target_id)
    raise AuditError("target must be a saved model instance, a (type, id) pair, or None")


_HEAD_SQL = "SELECT last_sequence, last_hash FROM audit_auditchainhead WHERE id = 1"
_MOVE_HEAD_SQL = "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1"


def _lock_head() -> tuple[int, str]:
    """Lock the chain head row and read it: a row lock on PostgreSQL; on SQLite the write lock
    taken by BEGIN IMMEDIATE is already held. Raw SQL: this runs inside the serialised section."""
    sql = _HEAD_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        # The head row is missing (a fresh or flushed database): rebuild it from the last event.
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        seq, last_hash = last if last else (0, chain.GENESIS_HASH)
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, last_sequence=seq, last_hash=last_hash)], ignore_conflicts=True
        )
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _insert_and_move_head(event: AuditEvent) -> None:
    """INSERT the event and move the head in one round trip on PostgreSQL (two on SQLite)."""
    params = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in AuditEvent._meta.concrete_fields]
    insert = insert_statement(AuditEvent, connection)  # column names from the model, built once
    head = [event.sequence, event.hash]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH appended AS ({insert}) {_MOVE_HEAD_SQL}", [*params, *head])
        else:
            cursor.execute(insert, params)
            cursor.execute(_MOVE_HEAD_SQL, head)


def audit_record(
    *,
    action: str,
    actor: Any,
    target: Any = None,
    payload: Mapping[str, Any],
    correlation_id: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (which it joins without a savepoint).

    Input is checked before anything is written, so a refused event (unregistered action,
    identifying payload key) raises without disturbing the caller's transaction.
    """
    actions.get(action)  # refuses unregistered codes
    actor_type, actor_id, actor_label = _describe_actor(actor)
    target_type, target_id = _describe_target(target)
    cleaned = clean_payload(payload)
    cid = correlation_id if correlation_id is not None else (get_correlation_id() or "")
    if len(cid) > 64:
        raise AuditError("correlation id is longer than 64 characters")

    with transaction.atomic(savepoint=False):
        return _append(
            action=action,
            actor=(actor_type, actor_id, actor_label),
            target=(target_type, target_id),
            payload=cleaned,
            correlation_id=cid,
        )


def _append(
    *,
    action: str,
    actor: tuple[str, str, str],
    target: tuple[str, str],
    payload: dict[str, Any],
    correlation_id: str,
) -> AuditEvent:
    actor_type, actor_id, actor_label = actor
    target_type, target_id = target
    last_sequence, last_hash = _lock_head()
    record = chain.EventRecord(
        event_id=str(uuid.uuid4()),
        sequence=last_sequence + 1,
        occurred_at=timezone.now(),
        actor_type=str(actor_type),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        correlation_id=correlation_id,
        payload=payload,
        prev_hash=last_hash,
    )
    # The payload was normalised by clean_payload and every other field is a str or int built
    # here, so the strict type walk would only repeat work.
    digest = record.compute_hash(strict=False)
    event = AuditEvent(
        id=uuid.UUID(record.event_id),
        sequence=record.sequence,
        occurred_at=record.occurred_at,
        actor_type=record.actor_type,
        actor_id=record.actor_id,
        actor_label=record.actor_label,
        action=record.action,
        target_type=record.target_type,
        target_id=record.target_id,
        correlation_id=record.correlation_id,
        payload=record.payload,
        prev_hash=record.prev_hash,
        hash=digest,
    )
    try:
        _insert_and_move_head(event)
    except IntegrityError as exc:  # a writer bypassed the head lock
        raise AuditError(f"sequence #{record.sequence} is already taken; the chain head is out of date") from exc
    event._state.adding = False
    event._state.db = connection.alias
    return event


def checkpoint_create(*, batch_size: int = 5000) -> AuditCheckpoint | None:
    """Sign a tree head over every committed event; None when nothing was added since the last one.

    Only events that verify (chain links and hashes) are signed: a fault raises AuditError
    naming the event, so tampering is never covered by a fresh signature.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    size = head.last_sequence if head else 0
    last = AuditCheckpoint.objects.order_by("-tree_size").first()
    if size == 0 or (last is not None and last.tree_size >= size):
        return None
    if last is None:
        compact = merkle.CompactRange()
    else:
        state = [bytes.fromhex(h) for h in last.compact_range]
        compact = merkle.CompactRange.from_state(last.tree_size, state)
        # The cached subtree hashes must reproduce the signed root, or the next root would be wrong.
        if compact.root().hex() != last.root_hash:
            raise AuditError(f"the cached state of checkpoint {last.tree_size} does not match its root")
    # Only events that verify are signed (links and hashes, from the last signed one onwards).
    checked = verify_slice((compact.size, size), batch_size)
    if checked.fault is not None:
        raise AuditError(f"refusing to sign: event #{checked.fault.sequence}: {checked.fault.reason}")
    for offset in range(0, len(checked.leaves), merkle.HASH_SIZE):
        compact.append(checked.leaves[offset : offset + merkle.HASH_SIZE])

    key = signing.signing_key()
    public_raw = signing.raw_public_key(key.public_key())
    issued_at = timezone.now()
    root = compact.root()
    log_origin = signing.origin()
    body = signing.checkpoint_body(log_origin=log_origin, tree_size=size, root=root, issued_at=issued_at)
    checkpoint = AuditCheckpoint(
        tree_size=size,
        root_hash=root.hex(),
        issued_at=issued_at,
        origin=log_origin,
        body=body,
        key_id=signing.key_id(public_raw),
        public_key=signing.b64(public_raw),
        signature=signing.sign(body, key),
        compact_range=[h.hex() for h in compact.state()],
    )
    try:
        with transaction.atomic():
            checkpoint.save(force_insert=True)
    except IntegrityError:  # a concurrent run signed the same size first
        return AuditCheckpoint.objects.get(tree_size=size)
    return checkpoint
