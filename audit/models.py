"""Append-only audit events, the chain head that serialises writers, and signed checkpoints.

``AuditEvent`` and ``AuditCheckpoint`` are insert-only: the database refuses UPDATE,
DELETE and TRUNCATE on them (triggers in migration 0002). ``AuditChainHead`` is the
single mutable row that writers lock to take the next sequence number.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from audit import chain

ACTOR_USER, ACTOR_API_CLIENT, ACTOR_SYSTEM = "user", "api_client", "system"


class ActorType(models.TextChoices):
    USER = ACTOR_USER, "Officer"
    API_CLIENT = ACTOR_API_CLIENT, "API client"
    SYSTEM = ACTOR_SYSTEM, "System"


class AuditEvent(models.Model):
    """One recorded action. Its ``hash`` covers every field and the previous event's hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True, editable=False)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices, editable=False)
    actor_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    actor_label = models.CharField(max_length=200, blank=True, editable=False)
    action = models.CharField(max_length=100, db_index=True, editable=False)
    target_type = models.CharField(max_length=100, blank=True, editable=False)
    target_id = models.CharField(max_length=64, blank=True, editable=False)
    correlation_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    payload = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_event_target_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def to_record(self) -> chain.EventRecord:
        """The hashed content of this row."""
        return chain.EventRecord(
            event_id=str(self.id),
            sequence=self.sequence,
            occurred_at=self.occurred_at,
            actor_type=self.actor_type,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            correlation_id=self.correlation_id,
            payload=self.payload,
            prev_hash=self.prev_hash,
        )


class AuditChainHead(models.Model):
    """The one row (pk=1) writers lock to append: the last sequence number and hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=chain.GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row")]

    def __str__(self) -> str:
        return f"head #{self.last_sequence}"


class AuditCheckpoint(models.Model):
    """A signed tree head: the Merkle root of events 1..tree_size, signed with Ed25519.

    ``body`` is the exact signed text (a C2SP tlog-checkpoint note body):
    ``<origin>\\n<tree size>\\n<base64 root>\\n<timestamp>\\n``.
    ``compact_range`` caches the subtree hashes at this size so the next checkpoint only
    hashes the new events; it is not trusted by ``audit_verify``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tree_size = models.PositiveBigIntegerField(unique=True, editable=False)
    root_hash = models.CharField(max_length=64, editable=False)
    issued_at = models.DateTimeField(db_index=True, editable=False)
    origin = models.CharField(max_length=200, editable=False)
    body = models.TextField(editable=False)
    key_id = models.CharField(max_length=16, editable=False)
    public_key = models.CharField(max_length=64, editable=False)
    signature = models.CharField(max_length=128, editable=False)
    compact_range = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"checkpoint size {self.tree_size}"


def record_from_row(row: tuple[Any, ...]) -> chain.EventRecord:
    """The hashed content of a ``values_list(*EVENT_ROW_FIELDS)`` row (faster than model instances)."""
    (event_id, sequence, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, cid,
     payload, prev_hash) = row[:12]  # fmt: skip
    return chain.EventRecord(
        event_id=str(event_id),
        sequence=sequence,
        occurred_at=occurred_at,
        actor_type=actor_type,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        correlation_id=cid,
        payload=payload,
        prev_hash=prev_hash,
    )


EVENT_ROW_FIELDS = (
    "id",
    "sequence",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "correlation_id",
    "payload",
    "prev_hash",
    "hash",
)
