"""audit.chain: canonical form and hash chain, without Django."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import chain

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _record(sequence: int, prev_hash: str, **changes) -> chain.EventRecord:
    fields = {
        "event_id": f"00000000-0000-4000-8000-{sequence:012d}",
        "sequence": sequence,
        "occurred_at": T0 + timedelta(seconds=sequence),
        "actor_type": "user",
        "actor_id": "3f1c2d9e-0000-4000-8000-000000000001",
        "actor_label": "o***@example.org",
        "action": "kyc.case.decided",
        "target_type": "kyc.case",
        "target_id": f"case-{sequence}",
        "correlation_id": "req-1",
        "payload": {"outcome": "approved", "reasons": ["R1", "R2"], "score_bp": 9350},
        "prev_hash": prev_hash,
    }
    fields.update(changes)
    return chain.EventRecord(**fields)


def _build(n: int) -> list[tuple[chain.EventRecord, str]]:
    out, prev = [], chain.GENESIS_HASH
    for seq in range(1, n + 1):
        record = _record(seq, prev)
        prev = record.compute_hash()
        out.append((record, prev))
    return out


def test_canonical_json_sorts_keys_and_drops_whitespace():
    assert chain.canonical_json({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'.encode()


def test_canonical_json_refuses_floats_and_non_string_keys_and_objects():
    with pytest.raises(chain.CanonicalFormError, match=r"\$\.score is a float"):
        chain.canonical_json({"score": 0.93})
    with pytest.raises(chain.CanonicalFormError, match="non-string key"):
        chain.canonical_json({1: "x"})
    with pytest.raises(chain.CanonicalFormError, match="unsupported type set"):
        chain.canonical_json({"x": {1, 2}})


def test_times_are_rendered_in_utc_whatever_the_input_zone():
    plus_two = timezone(timedelta(hours=2))
    assert chain.format_time(datetime(2026, 3, 1, 11, 30, tzinfo=plus_two)) == "2026-03-01T09:30:00.000000Z"
    with pytest.raises(chain.CanonicalFormError, match="timezone-aware"):
        chain.format_time(datetime(2026, 3, 1))


def test_the_hash_is_sha256_of_the_canonical_form_and_is_stable():
    record = _record(1, chain.GENESIS_HASH)
    import hashlib

    assert record.compute_hash() == hashlib.sha256(record.canonical()).hexdigest()
    assert b'"prev_hash":"' + b"0" * 64 in record.canonical()
    assert record.compute_hash() == _record(1, chain.GENESIS_HASH).compute_hash()


def test_an_intact_chain_verifies():
    assert chain.verify_chain(_build(20)) is None


def test_an_altered_event_is_named_by_its_sequence_number():
    events = _build(10)
    record, stored = events[6]
    events[6] = (dataclasses.replace(record, payload={"outcome": "rejected"}), stored)
    fault = chain.verify_chain(events)
    assert fault == chain.ChainFault(7, "content does not match its stored hash")


def test_an_altered_event_with_a_recomputed_hash_breaks_the_next_link():
    events = _build(10)
    record, _ = events[6]
    forged = dataclasses.replace(record, payload={"outcome": "rejected"})
    events[6] = (forged, forged.compute_hash())
    fault = chain.verify_chain(events)
    assert fault is not None
    assert fault.sequence == 8
    assert "prev_hash" in fault.reason


def test_a_deleted_event_is_reported_at_the_missing_sequence_number():
    events = _build(10)
    del events[3]
    fault = chain.verify_chain(events)
    assert fault is not None
    assert fault.sequence == 4
    assert "missing" in fault.reason


def test_reordered_events_are_reported_where_the_order_breaks():
    events = _build(10)
    events[4], events[5] = events[5], events[4]
    fault = chain.verify_chain(events)
    assert fault is not None
    assert fault.sequence == 5


def test_a_chain_can_be_verified_from_a_trusted_midpoint():
    events = _build(10)
    assert chain.verify_chain(events[5:], start_sequence=6, start_prev_hash=events[4][1]) is None
    assert chain.verify_chain(events[5:], start_sequence=6, start_prev_hash=chain.GENESIS_HASH) is not None


def test_the_merkle_leaf_of_an_event_is_the_leaf_hash_of_its_hash_bytes():
    import hashlib

    h = _record(1, chain.GENESIS_HASH).compute_hash()
    assert chain.event_leaf_hash(h) == hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(json_values)
def test_the_canonical_form_round_trips_and_ignores_key_order(value):
    import json

    encoded = chain.canonical_json(value)
    assert json.loads(encoded) == value
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert chain.canonical_json(reordered) == encoded


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_the_fast_verifier_hash_equals_the_strict_hash(payload):
    record = _record(1, chain.GENESIS_HASH, payload=payload)
    assert record.compute_hash(strict=False) == record.compute_hash()
    assert chain.hash_content(record.as_dict()) == record.compute_hash()
