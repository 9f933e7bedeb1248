"""Full verification of the stored log: hash chain, Merkle roots of checkpoints, signatures.

``verify_log`` streams the events once in sequence order, so it runs in constant memory;
it returns the first fault, which names the event (or the checkpoint) where the stored
log stops matching what was recorded and signed.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, connections
from django.db.models import Max

from audit import chain, merkle, signing
from audit.models import EVENT_ROW_FIELDS, AuditChainHead, AuditCheckpoint, AuditEvent, record_from_row


@dataclass(frozen=True, slots=True)
class Fault:
    """Where the log stops verifying: an event sequence number (and/or a checkpoint) and why."""

    reason: str
    sequence: int | None = None
    checkpoint_size: int | None = None

    def __str__(self) -> str:
        where = f"event #{self.sequence}" if self.sequence is not None else f"checkpoint {self.checkpoint_size}"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Report:
    events: int = 0
    checkpoints: int = 0
    fault: Fault | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.fault is None


def _check_signatures(checkpoints: list[AuditCheckpoint], trusted: dict[str, bytes]) -> Fault | None:
    for cp in checkpoints:
        expected_body = signing.checkpoint_body(
            log_origin=cp.origin,
            tree_size=cp.tree_size,
            root=bytes.fromhex(cp.root_hash),
            issued_at=cp.issued_at,
        )
        if cp.body != expected_body:
            return Fault("the signed text does not match the stored size, root or time", None, cp.tree_size)
        if cp.key_id not in trusted or signing.b64(trusted[cp.key_id]) != cp.public_key:
            return Fault(f"signed by key {cp.key_id}, which is not a trusted audit key", None, cp.tree_size)
        try:
            signing.verify_signature(public_key_b64=cp.public_key, body=cp.body, signature_b64=cp.signature)
        except signing.SigningError:
            return Fault("the Ed25519 signature does not verify", None, cp.tree_size)
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Slice:
    """What one worker found in events lo+1..hi: the leaves it verified and the first fault, if any."""

    leaves: bytes
    fault: Fault | None


# PostgreSQL fast path: the database formats the UUID and the timestamp (as chain.format_time does),
# which saves most of the per-row cost of building model values in Python.
_PG_ROWS = """
    SELECT id::text, sequence,
           to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           actor_type, actor_id, actor_label, action, target_type, target_id, correlation_id,
           payload::text, prev_hash, hash
    FROM audit_auditevent
    WHERE sequence >= %s AND sequence <= %s
    ORDER BY sequence
    LIMIT %s
"""


def _pg_batches(start: int, hi: int, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    expected = start
    with connection.cursor() as cursor:
        while expected <= hi:
            cursor.execute(_PG_ROWS, [expected, hi, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            expected = rows[-1][1] + 1


def _pg_link(row: tuple[Any, ...], *, expected_sequence: int, prev_hash: str) -> chain.ChainFault | None:
    (event_id, sequence, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, cid,
     payload_text, stored_prev, stored) = row  # fmt: skip
    if sequence != expected_sequence or stored_prev != prev_hash:
        return chain.check_link(
            chain.EventRecord(event_id, sequence, _EPOCH, "", "", "", "", "", "", "", {}, stored_prev),
            stored,
            expected_sequence=expected_sequence,
            prev_hash=prev_hash,
        )
    content = {
        "v": chain.CANONICAL_VERSION,
        "event_id": event_id,
        "sequence": sequence,
        "occurred_at": occurred_at,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "correlation_id": cid,
        "payload": json.loads(payload_text),
        "prev_hash": stored_prev,
    }
    try:
        computed = chain.hash_content(content)
    except chain.CanonicalFormError as exc:
        return chain.ChainFault(sequence, f"content cannot be canonicalised: {exc}")
    if computed != stored:
        return chain.ChainFault(sequence, "content does not match its stored hash")
    return None


def _orm_batches(start: int, hi: int, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    expected = start
    while expected <= hi:
        rows = list(
            AuditEvent.objects.filter(sequence__gte=expected, sequence__lte=hi)
            .order_by("sequence")
            .values_list(*EVENT_ROW_FIELDS)[:batch_size]
        )
        if not rows:
            return
        yield rows
        expected = rows[-1][1] + 1


def _orm_link(row: tuple[Any, ...], *, expected_sequence: int, prev_hash: str) -> chain.ChainFault | None:
    return chain.check_link(record_from_row(row), row[12], expected_sequence=expected_sequence, prev_hash=prev_hash)


def verify_slice(bounds: tuple[int, int], batch_size: int = 10_000) -> _Slice:
    """Check the chain links and hashes of events lo+1..hi (the hash of event lo is taken as given:
    the slice before checks it)."""
    lo, hi = bounds
    if lo == 0:
        prev_hash = chain.GENESIS_HASH
    else:
        prev_hash = AuditEvent.objects.filter(sequence=lo).values_list("hash", flat=True).first() or ""
    fast = connection.vendor == "postgresql"
    batches, link = (_pg_batches, _pg_link) if fast else (_orm_batches, _orm_link)
    leaves = bytearray()
    expected = lo + 1
    for rows in batches(expected, hi, batch_size):
        for row in rows:
            stored = row[12]
            fault = link(row, expected_sequence=expected, prev_hash=prev_hash)
            if fault is not None:
                return _Slice(bytes(leaves), Fault(fault.reason, fault.sequence))
            leaves += chain.event_leaf_hash(stored)
            prev_hash = stored
            expected += 1
    if expected <= hi:
        return _Slice(bytes(leaves), Fault(f"missing event(s): expected #{expected}", expected))
    return _Slice(bytes(leaves), None)


def _slices(bounds: list[tuple[int, int]], batch_size: int, workers: int) -> Iterator[_Slice]:
    # Worker processes cannot see an open transaction's rows, and closing connections would end it.
    if workers <= 1 or len(bounds) <= 1 or connection.in_atomic_block:
        for bound in bounds:
            yield verify_slice(bound, batch_size)
        return
    # Each worker process opens its own connection: none may be inherited across the fork.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(verify_slice, bounds, [batch_size] * len(bounds))


def verify_log(
    *,
    batch_size: int = 10_000,
    workers: int = 1,
    slice_size: int = 50_000,
    trusted_keys: dict[str, bytes] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Verify every event and checkpoint; the report's ``fault`` is the first problem found.

    With ``workers > 1`` slices of events are hashed in parallel processes (fork; PostgreSQL
    or a file database only, and not inside a daemonic Celery worker); the Merkle roots are
    then rebuilt in order from the slices' leaves.
    """
    report = Report()
    checkpoints = list(AuditCheckpoint.objects.order_by("tree_size"))
    report.checkpoints = len(checkpoints)
    trusted = trusted_keys if trusted_keys is not None else signing.trusted_public_keys()
    fault = _check_signatures(checkpoints, trusted)
    if fault is not None:
        report.fault = fault
        return report

    head = AuditChainHead.objects.filter(pk=1).first()
    top = AuditEvent.objects.aggregate(top=Max("sequence"))["top"] or 0
    bounds = [(lo, min(lo + slice_size, top)) for lo in range(0, top, slice_size)]
    pending = iter(checkpoints)
    next_cp = next(pending, None)
    last_good_size = 0
    compact = merkle.CompactRange()
    for part in _slices(bounds, batch_size, workers):
        leaves = part.leaves
        for offset in range(0, len(leaves), merkle.HASH_SIZE):
            compact.append(leaves[offset : offset + merkle.HASH_SIZE])
            if next_cp is not None and next_cp.tree_size == compact.size:
                if compact.root().hex() != next_cp.root_hash:
                    report.fault = Fault(
                        f"events #{last_good_size + 1}..#{next_cp.tree_size} do not hash to the signed "
                        f"root of checkpoint {next_cp.tree_size}: the chain was rewritten at or after "
                        f"#{last_good_size + 1}",
                        last_good_size + 1,
                        next_cp.tree_size,
                    )
                    return report
                last_good_size = next_cp.tree_size
                next_cp = next(pending, None)
        report.events = compact.size
        if part.fault is not None:
            report.fault = part.fault
            return report
        if progress is not None:
            progress(report.events)

    if next_cp is not None:
        report.fault = Fault(
            f"checkpoint {next_cp.tree_size} was signed over {next_cp.tree_size} events but only "
            f"{report.events} exist: events from #{report.events + 1} were deleted",
            report.events + 1,
            next_cp.tree_size,
        )
        return report
    if head is not None and head.last_sequence > report.events:
        report.fault = Fault(
            f"the chain head records #{head.last_sequence} but the log ends at #{report.events}: "
            f"events from #{report.events + 1} were deleted",
            report.events + 1,
        )
        return report
    last_hash = AuditEvent.objects.filter(sequence=top).values_list("hash", flat=True).first() if top else None
    if head is not None and top and head.last_sequence == top and head.last_hash != last_hash:
        report.fault = Fault("the last event's hash differs from the chain head", top)
        return report
    unsigned = report.events - (checkpoints[-1].tree_size if checkpoints else 0)
    if unsigned:
        report.notes.append(f"{unsigned} event(s) after the last checkpoint are chained but not yet signed")
    return report
