"""audit_verify, audit_checkpoint, audit_proof and audit_export, and the auditor's own verifier."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import verify_proof
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import audit_record
from tests.audit.conftest import TEST_ACTION

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _public_key() -> str:
    return AuditCheckpoint.objects.order_by("-tree_size").first().public_key


def test_audit_verify_reports_success_with_counts(record_events):
    record_events(5)
    _run("audit_checkpoint")
    assert "audit trail verifies: 5 events and 1 checkpoints" in _run("audit_verify")


def test_audit_verify_fails_naming_the_first_bad_event(record_events, tamper):
    record_events(6)
    tamper("UPDATE audit_auditevent SET action = 'tests.audit.thing.undone' WHERE sequence = 3", [])
    tamper("UPDATE audit_auditevent SET action = 'tests.audit.thing.undone' WHERE sequence = 5", [])
    with pytest.raises(CommandError, match=r"does NOT verify: event #3: content does not match"):
        _run("audit_verify")


def test_audit_checkpoint_signs_only_when_there_is_something_new(record_events):
    record_events(2)
    assert "\n2\n" in _run("audit_checkpoint")
    assert "no new events" in _run("audit_checkpoint")
    record_events(1)
    _run("audit_checkpoint")
    assert list(AuditCheckpoint.objects.values_list("tree_size", flat=True)) == [2, 3]


def test_audit_checkpoint_refuses_to_sign_over_a_tampered_event(record_events, tamper):
    record_events(3)
    tamper("UPDATE audit_auditevent SET payload = '{}' WHERE sequence = 2", [])
    with pytest.raises(CommandError, match="refusing to sign: event #2"):
        _run("audit_checkpoint")
    assert not AuditCheckpoint.objects.exists()


def test_an_issued_proof_verifies_with_the_standalone_script(record_events, tmp_path: Path):
    record_events(13)
    _run("audit_checkpoint")
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(_run("audit_proof", "#7"))
    bundle = json.loads(proof_file.read_text())
    assert (bundle["event"]["sequence"], bundle["tree_size"], bundle["leaf_index"]) == (7, 13, 6)
    assert verify_proof.main([str(proof_file), "--public-key", _public_key()]) == 0
    assert AuditEvent.objects.filter(action="audit.proof.issued").count() == 1


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("event", lambda b: b["event"]["payload"].update(i=999)),
        ("proof", lambda b: b["inclusion_proof"].reverse()),
        ("index", lambda b: b.update(leaf_index=b["leaf_index"] + 1)),
        ("checkpoint", lambda b: b["checkpoint"].update(body=b["checkpoint"]["body"].replace("\n13\n", "\n12\n"))),
    ],
)
def test_a_doctored_proof_does_not_verify(record_events, tmp_path: Path, field, change):
    record_events(13)
    _run("audit_checkpoint")
    bundle = json.loads(_run("audit_proof", "7"))
    change(bundle)
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(json.dumps(bundle))
    assert verify_proof.main([str(proof_file), "--public-key", _public_key()]) == 1


def test_a_proof_checked_against_another_key_does_not_verify(record_events, tmp_path: Path):
    from audit import signing
    from tests.audit.conftest import new_signing_seed

    record_events(3)
    _run("audit_checkpoint")
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(_run("audit_proof", "2"))
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.from_private_bytes(base64.b64decode(new_signing_seed()))
    other_public = signing.b64(signing.raw_public_key(other.public_key()))
    assert verify_proof.main([str(proof_file), "--public-key", other_public]) == 1


def test_a_proof_for_an_unsigned_event_needs_a_checkpoint_first(record_events):
    events = record_events(3)
    with pytest.raises(CommandError, match="no checkpoint covers event #3"):
        _run("audit_proof", str(events[2].id))
    assert json.loads(_run("audit_proof", str(events[2].id), "--checkpoint-now"))["tree_size"] == 3


def test_an_unknown_event_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no audit event 42"):
        _run("audit_proof", "42")


def test_a_consistency_proof_between_checkpoints_verifies(record_events, tmp_path: Path):
    record_events(6)
    _run("audit_checkpoint")
    record_events(5)
    _run("audit_checkpoint")
    bundle_file = tmp_path / "consistency.json"
    bundle_file.write_text(_run("audit_proof", "--consistency", "6", "11"))
    assert verify_proof.main([str(bundle_file), "--public-key", _public_key()]) == 0
    bundle = json.loads(bundle_file.read_text())
    bundle["consistency_proof"] = bundle["consistency_proof"][:-1]
    bundle_file.write_text(json.dumps(bundle))
    assert verify_proof.main([str(bundle_file), "--public-key", _public_key()]) == 1


def test_a_date_range_export_verifies_and_is_itself_recorded(record_events, tmp_path: Path):
    record_events(9)
    _run("audit_checkpoint")
    record_events(2)
    out = tmp_path / "export.jsonl"
    _run("audit_export", "--from", "2000-01-01", "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["events"] == 11
    assert lines[0]["contiguous"] is True
    assert [line["type"] for line in lines[-3:]] == ["inclusion_proof", "checkpoint", "unsigned"]
    assert verify_proof.main([str(out), "--public-key", _public_key()]) == 0
    assert AuditEvent.objects.filter(action="audit.export.created").count() == 1

    # A changed event in the middle breaks the chain that the last event's proof vouches for.
    lines[3]["event"]["payload"]["i"] = 1000
    lines[3]["event_hash"] = verify_proof.event_hash(lines[3]["event"])
    out.write_text("\n".join(json.dumps(line) for line in lines))
    assert verify_proof.main([str(out), "--public-key", _public_key()]) == 1


def test_a_customer_history_export_proves_each_event(record_events, tmp_path: Path):
    record_events(3)
    audit_record(action=TEST_ACTION, actor=None, target=("kyc.customer", "cust-1"), payload={})
    record_events(2)
    audit_record(action=TEST_ACTION, actor=None, target=("kyc.case", "case-9"), payload={"customer_id": "cust-1"})
    _run("audit_checkpoint")
    out = tmp_path / "customer.jsonl"
    _run("audit_export", "--customer", "cust-1", "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["contiguous"] is False
    assert [line["sequence"] for line in lines if line["type"] == "inclusion_proof"] == [4, 7]
    assert verify_proof.main([str(out), "--public-key", _public_key()]) == 0


def test_an_export_with_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="not an ISO 8601"):
        _run("audit_export", "--from", "last tuesday")


def test_the_public_key_command_prints_the_key_that_signs_checkpoints(record_events):
    record_events(1)
    _run("audit_checkpoint")
    out = _run("audit_public_key")
    assert f"public key {_public_key()}" in out


def test_a_checkpoint_is_not_built_on_a_doctored_cached_state(record_events, tamper):
    record_events(5)
    _run("audit_checkpoint")
    record_events(2)
    tamper("UPDATE audit_auditcheckpoint SET compact_range = %s", [json.dumps(["00" * 32, "11" * 32])])
    with pytest.raises(CommandError, match="does not match its root"):
        _run("audit_checkpoint")


def test_every_checkpoint_can_be_exported_as_json_lines(record_events):
    from audit import signing

    record_events(2)
    _run("audit_checkpoint")
    record_events(1)
    _run("audit_checkpoint")
    lines = [json.loads(line) for line in _run("audit_checkpoint", "--export").splitlines()]
    assert [line["tree_size"] for line in lines] == list(
        AuditCheckpoint.objects.order_by("tree_size").values_list("tree_size", flat=True)
    )
    for line in lines:
        signing.verify_signature(public_key_b64=line["public_key"], body=line["body"], signature_b64=line["signature"])
