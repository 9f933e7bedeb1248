"""Tampering done directly in the database is detected and located by verify_log."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import signing
from audit.models import AuditChainHead, AuditEvent
from audit.services import checkpoint_create
from audit.verification import verify_log

pytestmark = pytest.mark.django_db


def test_an_untouched_log_verifies(record_events):
    record_events(12)
    checkpoint_create()
    record_events(3)
    report = verify_log(batch_size=5)
    assert report.ok, report.fault
    assert (report.events, report.checkpoints) == (15, 1)
    assert "3 event(s) after the last checkpoint" in report.notes[0]


def test_an_altered_payload_is_reported_at_its_sequence_number(record_events, tamper):
    record_events(10)
    tamper("UPDATE audit_auditevent SET payload = %s WHERE sequence = 7", [json.dumps({"i": 99})])
    report = verify_log(batch_size=4)
    assert report.fault is not None
    assert report.fault.sequence == 7
    assert "does not match its stored hash" in report.fault.reason


def test_an_altered_time_or_actor_is_reported_too(record_events, tamper):
    record_events(5)
    tamper("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE sequence = 2", [])
    assert verify_log().fault.sequence == 2


def test_a_deleted_event_is_reported_at_the_missing_sequence_number(record_events, tamper):
    record_events(10)
    tamper("DELETE FROM audit_auditevent WHERE sequence = 4", [])
    report = verify_log()
    assert report.fault.sequence == 4
    assert "missing" in report.fault.reason


def test_reordered_events_are_reported_where_the_order_breaks(record_events, tamper):
    record_events(10)
    tamper("UPDATE audit_auditevent SET sequence = 1000 WHERE sequence = 5", [])
    tamper("UPDATE audit_auditevent SET sequence = 5 WHERE sequence = 6", [])
    tamper("UPDATE audit_auditevent SET sequence = 6 WHERE sequence = 1000", [])
    report = verify_log()
    assert report.fault.sequence == 5


def test_deleting_the_newest_events_is_caught_by_the_chain_head(record_events, tamper):
    record_events(10)
    tamper("DELETE FROM audit_auditevent WHERE sequence > 8", [])
    report = verify_log()
    assert report.fault.sequence == 9
    assert "deleted" in report.fault.reason


def test_deleting_the_newest_events_and_the_head_is_caught_by_a_checkpoint(record_events, tamper):
    record_events(10)
    checkpoint_create()
    tamper("DELETE FROM audit_auditevent WHERE sequence > 8", [])
    AuditChainHead.objects.update(last_sequence=8)
    report = verify_log()
    assert report.fault.sequence == 9
    assert report.fault.checkpoint_size == 10


def test_a_rewritten_and_rechained_history_is_caught_by_the_signed_roots(record_events, tamper):
    events = record_events(4)
    checkpoint_create()
    events += record_events(6)
    checkpoint_create()
    # Rewrite #6 and recompute every later hash so that the chain alone still verifies.
    prev = AuditEvent.objects.get(sequence=5).hash
    for event in AuditEvent.objects.filter(sequence__gte=6).order_by("sequence"):
        payload = {"i": 666} if event.sequence == 6 else event.payload
        record = dataclasses.replace(event.to_record(), payload=payload, prev_hash=prev)
        digest = record.compute_hash()
        tamper(
            "UPDATE audit_auditevent SET payload = %s, prev_hash = %s, hash = %s WHERE sequence = %s",
            [json.dumps(payload), prev, digest, event.sequence],
        )
        prev = digest
    AuditChainHead.objects.update(last_hash=prev)
    report = verify_log()
    assert report.fault is not None
    assert (report.fault.sequence, report.fault.checkpoint_size) == (5, 10)
    assert "rewritten at or after #5" in report.fault.reason


def test_a_forged_checkpoint_signature_is_reported(record_events, tamper):
    record_events(3)
    checkpoint = checkpoint_create()
    other = base64.b64encode(Ed25519PrivateKey.generate().sign(checkpoint.body.encode())).decode()
    tamper("UPDATE audit_auditcheckpoint SET signature = %s", [other])
    report = verify_log()
    assert report.fault.checkpoint_size == 3
    assert "signature" in report.fault.reason


def test_a_checkpoint_resigned_with_an_unknown_key_is_reported(record_events, tamper):
    record_events(3)
    checkpoint = checkpoint_create()
    rogue = Ed25519PrivateKey.generate()
    public = signing.raw_public_key(rogue.public_key())
    tamper(
        "UPDATE audit_auditcheckpoint SET signature = %s, public_key = %s, key_id = %s",
        [signing.sign(checkpoint.body, rogue), signing.b64(public), signing.key_id(public)],
    )
    report = verify_log()
    assert "not a trusted audit key" in report.fault.reason


def test_a_retired_key_stays_trusted_when_listed(record_events, settings, audit_signing_key):
    from tests.audit.conftest import new_signing_seed

    record_events(2)
    old = checkpoint_create()
    settings.TILLIT_AUDIT_SIGNING_KEY = new_signing_seed()
    record_events(2)
    checkpoint_create()
    assert "not a trusted audit key" in verify_log().fault.reason
    settings.TILLIT_AUDIT_TRUSTED_PUBLIC_KEYS = [old.public_key]
    assert verify_log().ok


@pytest.mark.parametrize("slice_size", [1, 3, 7, 50_000])
def test_slices_of_any_size_locate_a_deleted_event_at_a_slice_boundary(record_events, tamper, slice_size):
    record_events(14)
    tamper("DELETE FROM audit_auditevent WHERE sequence = 7", [])
    report = verify_log(slice_size=slice_size)
    assert report.fault.sequence == 7
    assert "missing" in report.fault.reason


def test_inside_a_transaction_verification_stays_in_process(record_events):
    """Worker processes could not see uncommitted rows, so a transaction forces one process."""
    record_events(9)
    report = verify_log(workers=4, slice_size=2)
    assert report.ok, report.fault
    assert report.events == 9
