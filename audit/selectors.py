"""Reads of the audit trail: filtered events, checkpoints, proofs and exports."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from audit import chain, merkle
from audit.models import AuditCheckpoint, AuditEvent

PROOF_FORMAT = "tillit-audit-proof/v1"
CONSISTENCY_FORMAT = "tillit-audit-consistency/v1"
EXPORT_FORMAT = "tillit-audit-export/v1"


class NotFound(LookupError):
    """The event or checkpoint does not exist."""


class NotYetSigned(LookupError):
    """No checkpoint covers the event yet."""


def event_list(
    *,
    action: str | None = None,
    actor_type: str | None = None,
    actor_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    correlation_id: str | None = None,
    customer_id: str | None = None,
    occurred_after: datetime | None = None,
    occurred_before: datetime | None = None,
    sequence_from: int | None = None,
    sequence_to: int | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching every given filter, in sequence order.

    ``customer_id`` selects a customer's history: events whose target is the customer,
    and events about its other objects that carry ``"customer_id"`` in their payload.
    ``action`` ending in ``.`` or ``*`` matches a prefix (``kyc.`` or ``kyc.case.*``).
    """
    qs = AuditEvent.objects.order_by("sequence")
    if action:
        if action.endswith(("*", ".")):
            qs = qs.filter(action__startswith=action.rstrip("*"))
        else:
            qs = qs.filter(action=action)
    exact = {
        "actor_type": actor_type,
        "actor_id": actor_id,
        "target_type": target_type,
        "target_id": target_id,
        "correlation_id": correlation_id,
        "occurred_at__gte": occurred_after,
        "occurred_at__lt": occurred_before,
        "sequence__gte": sequence_from,
        "sequence__lte": sequence_to,
    }
    qs = qs.filter(**{key: value for key, value in exact.items() if value not in (None, "")})
    if customer_id:
        qs = qs.filter(Q(target_type="kyc.customer", target_id=customer_id) | Q(payload__customer_id=customer_id))
    return qs


def event_get(*, ref: str | int) -> AuditEvent:
    """An event by sequence number (``42`` or ``#42``) or by its UUID."""
    text = str(ref).strip().lstrip("#")
    try:
        if text.isdigit():
            return AuditEvent.objects.get(sequence=int(text))
        return AuditEvent.objects.get(pk=uuid.UUID(text))
    except (AuditEvent.DoesNotExist, ValueError):
        raise NotFound(f"no audit event {ref!s}") from None


def checkpoint_list() -> QuerySet[AuditCheckpoint]:
    return AuditCheckpoint.objects.order_by("tree_size")


def checkpoint_covering(sequence: int) -> AuditCheckpoint:
    """The latest checkpoint that includes event ``sequence``."""
    checkpoint = AuditCheckpoint.objects.filter(tree_size__gte=sequence).order_by("-tree_size").first()
    if checkpoint is None:
        raise NotYetSigned(f"no checkpoint covers event #{sequence} yet; create one with audit_checkpoint")
    return checkpoint


def checkpoint_get(*, tree_size: int) -> AuditCheckpoint:
    try:
        return AuditCheckpoint.objects.get(tree_size=tree_size)
    except AuditCheckpoint.DoesNotExist:
        raise NotFound(f"no checkpoint of size {tree_size}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def checkpoint_as_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """What a verifier needs of a checkpoint: the signed text, signature and key."""
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "body": checkpoint.body,
        "signature": checkpoint.signature,
        "key_id": checkpoint.key_id,
        "public_key": checkpoint.public_key,
    }


def event_as_dict(event: AuditEvent) -> dict[str, Any]:
    """The hashed content of an event (exactly what its hash is computed over), plus the hash."""
    return {"event": event.to_record().as_dict(), "event_hash": event.hash}


def merkle_tree(size: int) -> merkle.Tree:
    """The Merkle tree over events 1..size, from their stored hashes (one query, ~n hashes)."""
    hashes = AuditEvent.objects.filter(sequence__lte=size).order_by("sequence").values_list("hash", flat=True)
    leaves = [chain.event_leaf_hash(h) for h in hashes.iterator(chunk_size=20_000)]
    if len(leaves) != size:
        raise NotFound(f"events 1..{size} are incomplete ({len(leaves)} found); run audit_verify")
    return merkle.Tree(leaves)


def inclusion_bundle(
    *, event: AuditEvent, checkpoint: AuditCheckpoint | None = None, tree: merkle.Tree | None = None
) -> dict[str, Any]:
    """A self-contained inclusion proof: event, hash, audit path and the signed checkpoint."""
    checkpoint = checkpoint or checkpoint_covering(event.sequence)
    tree = tree or merkle_tree(checkpoint.tree_size)
    proof = tree.inclusion_proof(event.sequence - 1, checkpoint.tree_size)
    return {
        "format": PROOF_FORMAT,
        **event_as_dict(event),
        "leaf_index": event.sequence - 1,
        "tree_size": checkpoint.tree_size,
        "inclusion_proof": [_b64(h) for h in proof],
        "checkpoint": checkpoint_as_dict(checkpoint),
    }


def consistency_bundle(*, size1: int, size2: int) -> dict[str, Any]:
    """A consistency proof between two stored checkpoints, with both signed checkpoints."""
    first, second = checkpoint_get(tree_size=size1), checkpoint_get(tree_size=size2)
    if size1 > size2:
        raise ValueError("the first checkpoint must not be larger than the second")
    proof = merkle_tree(size2).consistency_proof(size1, size2)
    return {
        "format": CONSISTENCY_FORMAT,
        "checkpoint1": checkpoint_as_dict(first),
        "checkpoint2": checkpoint_as_dict(second),
        "consistency_proof": [_b64(h) for h in proof],
    }


def export_lines(events: QuerySet[AuditEvent], *, description: dict[str, Any]) -> Iterator[str]:
    """JSON lines: a header, every event (hashed content + hash), then what verifies them.

    A contiguous run of events is verified by its chain links plus one inclusion proof of
    its last event (whose hash commits to all before it); otherwise every event carries
    its own inclusion proof. Events not yet covered by a checkpoint are listed as unsigned.
    Events are streamed from the database, never all held in memory.
    """
    events = events.order_by("sequence")
    stats = events.aggregate(n=Count("id"), first=Min("sequence"), last=Max("sequence"))
    count, first, last = stats["n"], stats["first"], stats["last"]
    contiguous = count == 0 or last - first + 1 == count
    latest = AuditCheckpoint.objects.order_by("-tree_size").first()
    signed_size = latest.tree_size if latest else 0
    yield json.dumps(
        {
            "type": "header",
            "format": EXPORT_FORMAT,
            **description,
            "events": count,
            "contiguous": contiguous,
            "first_sequence": first,
            "last_sequence": last,
        },
        sort_keys=True,
    )
    for event in events.iterator(chunk_size=2000):
        yield json.dumps({"type": "event", **event_as_dict(event)}, sort_keys=True, ensure_ascii=False)

    signed = events.filter(sequence__lte=signed_size)
    to_prove = signed.order_by("-sequence")[:1] if contiguous else signed
    if latest is not None and signed.exists():
        tree = merkle_tree(signed_size)
        for event in to_prove.iterator(chunk_size=2000):
            bundle = inclusion_bundle(event=event, checkpoint=latest, tree=tree)
            line = {"type": "inclusion_proof", "sequence": event.sequence, **{k: bundle[k] for k in _PROOF_KEYS}}
            yield json.dumps(line, sort_keys=True)
        yield json.dumps({"type": "checkpoint", **checkpoint_as_dict(latest)}, sort_keys=True)
    unsigned = list(events.filter(sequence__gt=signed_size).values_list("sequence", flat=True))
    if unsigned:
        yield json.dumps({"type": "unsigned", "sequences": unsigned}, sort_keys=True)


_PROOF_KEYS = ("event_hash", "leaf_index", "tree_size", "inclusion_proof")
