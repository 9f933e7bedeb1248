"""Canonical form and SHA-256 hash chain of audit events, free of Django.

An event's canonical form is UTF-8 JSON with sorted keys, no insignificant
whitespace, and only strings, integers, booleans, null, lists and objects with
string keys (floats are refused: their text form is not portable). Timestamps are
ISO 8601 in UTC with microseconds and a ``Z``. The event hash is
``SHA-256(canonical form)``, and the canonical form contains ``prev_hash``, so each
event commits to the whole history before it. The first event's ``prev_hash`` is
64 zeros.

The Merkle tree (``audit.merkle``) has one leaf per event whose data is the 32-byte
event hash: ``leaf hash = SHA-256(0x00 || event hash)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from audit import merkle

GENESIS_HASH = "0" * 64
CANONICAL_VERSION = 1

# The fields hashed, in the order a reader sees them (the JSON itself is key-sorted).
EVENT_FIELDS = (
    "v",
    "event_id",
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
)


class CanonicalFormError(ValueError):
    """A value cannot be put in canonical form."""


def _check_json_value(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        return
    if isinstance(value, float):
        raise CanonicalFormError(f"{path} is a float; pass a string or an integer (e.g. basis points)")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalFormError(f"{path} has a non-string key of type {type(key).__name__}")
            _check_json_value(item, f"{path}.{key}")
        return
    raise CanonicalFormError(f"{path} has unsupported type {type(value).__name__}")


def canonical_json(value: Any, *, checked: bool = True) -> bytes:
    """Canonical UTF-8 JSON bytes of a JSON-compatible value (no floats).

    ``checked=False`` skips the type walk, for values already normalised (audit.payload).
    """
    if checked:
        _check_json_value(value, "$")
    return _dumps(value).encode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def format_time(moment: datetime) -> str:
    """ISO 8601 UTC with microseconds and Z, e.g. 2026-03-01T09:30:00.000000Z."""
    if moment.tzinfo is None:
        raise CanonicalFormError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """The hashed content of one audit event."""

    event_id: str
    sequence: int
    occurred_at: datetime
    actor_type: str
    actor_id: str
    actor_label: str
    action: str
    target_type: str
    target_id: str
    correlation_id: str
    payload: Mapping[str, Any]
    prev_hash: str

    def as_dict(self) -> dict[str, Any]:
        """The dict that is canonicalised and hashed."""
        return {
            "v": CANONICAL_VERSION,
            "event_id": self.event_id,
            "sequence": self.sequence,
            "occurred_at": format_time(self.occurred_at),
            "actor_type": self.actor_type,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "correlation_id": self.correlation_id,
            "payload": dict(self.payload),
            "prev_hash": self.prev_hash,
        }

    def canonical(self, *, strict: bool = True) -> bytes:
        """Canonical bytes of this event.

        ``strict=False`` skips the type walk: verifiers use it on values read back from JSON,
        which can only differ from what was hashed by producing a different hash.
        """
        if strict:
            return canonical_json(self.as_dict())
        try:
            return _dumps(self.as_dict()).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise CanonicalFormError(str(exc)) from exc

    def compute_hash(self, *, strict: bool = True) -> str:
        """Hex SHA-256 of the canonical form."""
        return hashlib.sha256(self.canonical(strict=strict)).hexdigest()


def hash_content(content: dict[str, Any]) -> str:
    """Hex SHA-256 of an already-built ``as_dict()`` form read back from storage (no type walk)."""
    try:
        return hashlib.sha256(_dumps(content).encode("utf-8")).hexdigest()
    except (TypeError, ValueError) as exc:
        raise CanonicalFormError(str(exc)) from exc


def event_hash(record: EventRecord) -> str:
    """Hex SHA-256 of an event's canonical form."""
    return record.compute_hash()


def event_leaf_hash(event_hash_hex: str) -> bytes:
    """Merkle leaf hash of an event: SHA-256(0x00 || event hash bytes)."""
    return merkle.leaf_hash(bytes.fromhex(event_hash_hex))


@dataclass(frozen=True, slots=True)
class ChainFault:
    """The first place where a stored chain stops verifying."""

    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"event #{self.sequence}: {self.reason}"


def verify_chain(
    events: Iterable[tuple[EventRecord, str]],
    *,
    start_sequence: int = 1,
    start_prev_hash: str = GENESIS_HASH,
) -> ChainFault | None:
    """Check stored (record, stored hash) pairs in sequence order; return the first fault or None.

    Detects a changed event (hash mismatch), a deleted event (sequence gap), reordered
    events (sequence out of order) and a broken link (prev_hash not the previous hash).
    """
    expected_sequence = start_sequence
    prev = start_prev_hash
    for record, stored_hash in events:
        fault = check_link(record, stored_hash, expected_sequence=expected_sequence, prev_hash=prev)
        if fault is not None:
            return fault
        prev = stored_hash
        expected_sequence += 1
    return None


def check_link(record: EventRecord, stored_hash: str, *, expected_sequence: int, prev_hash: str) -> ChainFault | None:
    """Check one event against the position and previous hash the chain expects."""
    if record.sequence != expected_sequence:
        if record.sequence > expected_sequence:
            reason = f"missing event(s): expected #{expected_sequence}, found #{record.sequence}"
            return ChainFault(expected_sequence, reason)
        return ChainFault(record.sequence, f"out of order: found after #{expected_sequence - 1}")
    if record.prev_hash != prev_hash:
        return ChainFault(record.sequence, "prev_hash does not match the hash of the previous event")
    try:
        computed = record.compute_hash(strict=False)
    except CanonicalFormError as exc:
        return ChainFault(record.sequence, f"content cannot be canonicalised: {exc}")
    if computed != stored_hash:
        return ChainFault(record.sequence, "content does not match its stored hash")
    return None
