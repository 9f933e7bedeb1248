"""The read-only audit API: who may read it, filters, proofs and exports."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from audit import verify_proof
from audit.models import AuditEvent
from audit.services import audit_record, checkpoint_create
from tests.audit.conftest import TEST_ACTION
from tests.mfa import mark_mfa_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_api() -> APIClient:
    from accounts.models import Role, User

    user = User.objects.create_user("auditor@example.test", "correct horse battery", role=Role.AUDITOR)
    client = APIClient()
    client.force_login(user)
    mark_mfa_verified(client, user)  # the session passed its second factor at login
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def analyst_api() -> APIClient:
    from accounts.models import Role, User

    client = APIClient()
    analyst = User.objects.create_user("analyst@example.test", "correct horse battery", role=Role.ANALYST)
    client.force_login(analyst)
    mark_mfa_verified(client, analyst)
    return client


def test_anonymous_callers_get_401(api):
    response = api.get("/api/v1/audit/events/")
    assert response.status_code == 401
    assert response.json()["error"]["code"]


def test_api_clients_and_analysts_may_not_read_the_trail(client_api, analyst_api):
    assert client_api.get("/api/v1/audit/events/").status_code == 403
    assert analyst_api.get("/api/v1/audit/events/").status_code == 403
    assert analyst_api.get("/api/v1/audit/export/").status_code == 403


def test_an_auditor_lists_events_filtered_by_action_target_and_time(auditor_api, record_events):
    record_events(3)
    target = audit_record(action=TEST_ACTION, actor=None, target=("kyc.case", "case-1"), payload={"k": "v"})
    response = auditor_api.get("/api/v1/audit/events/", {"target_type": "kyc.case", "target_id": "case-1"})
    assert response.status_code == 200
    body = response.json()
    assert [e["sequence"] for e in body["results"]] == [target.sequence]
    assert body["results"][0]["hash"] == target.hash
    ours = list(AuditEvent.objects.filter(action=TEST_ACTION).values_list("sequence", flat=True))
    prefixed = auditor_api.get("/api/v1/audit/events/", {"action": "tests.audit.*", "sequence_from": ours[1]})
    assert [e["sequence"] for e in prefixed.json()["results"]] == ours[1:]
    later = auditor_api.get("/api/v1/audit/events/", {"occurred_after": target.occurred_at.isoformat()})
    assert [e["sequence"] for e in later.json()["results"]] == [target.sequence]


def test_invalid_filters_get_400_with_field_errors(auditor_api):
    response = auditor_api.get(
        "/api/v1/audit/events/",
        {"occurred_after": "yesterday", "actor_type": "robot", "sequence_from": 0},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"occurred_after", "actor_type", "sequence_from"} <= set(fields)


def test_an_unknown_event_is_404(auditor_api):
    assert auditor_api.get(f"/api/v1/audit/events/{uuid.uuid4()}/").status_code == 404


def test_an_event_detail_and_its_proof_which_verifies_independently(auditor_api, record_events, tmp_path: Path):
    events = record_events(5)
    assert auditor_api.get(f"/api/v1/audit/events/{events[1].id}/proof/").status_code == 404  # not yet signed
    checkpoint_create()
    detail = auditor_api.get(f"/api/v1/audit/events/{events[1].id}/")
    assert detail.json()["sequence"] == events[1].sequence
    proof = auditor_api.get(f"/api/v1/audit/events/{events[1].id}/proof/")
    assert proof.status_code == 200
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof.json()))
    public_key = proof.json()["checkpoint"]["public_key"]
    assert verify_proof.main([str(path), "--public-key", public_key]) == 0
    issued = AuditEvent.objects.get(action="audit.proof.issued")
    assert (issued.actor_id, issued.target_id) == (str(auditor_api.user.pk), str(events[1].id))


def test_checkpoints_and_a_consistency_proof(auditor_api, record_events):
    first = record_events(3)[-1].sequence
    checkpoint_create()
    second = record_events(4)[-1].sequence
    checkpoint_create()
    listed = auditor_api.get("/api/v1/audit/checkpoints/").json()["results"]
    assert [c["tree_size"] for c in listed] == [first, second]
    url = "/api/v1/audit/checkpoints/consistency/"
    proof = auditor_api.get(url, {"first": first, "second": second})
    assert proof.status_code == 200
    assert proof.json()["checkpoint2"]["tree_size"] == second
    assert auditor_api.get(url, {"first": second, "second": first}).status_code == 400
    assert auditor_api.get(url, {"first": first + 1, "second": second}).status_code == 404


def test_an_export_needs_a_fresh_step_up(auditor_api):
    response = auditor_api.get("/api/v1/audit/export/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "step_up_required"
    assert response.json()["error"]["fields"]["action"] == "audit.export"


def test_an_officer_may_read_the_trail_but_not_export_it(officer_api):
    response = officer_api.get("/api/v1/audit/export/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_an_export_streams_verifiable_json_lines_and_is_recorded(auditor_api, record_events, tmp_path: Path, totp):
    user = auditor_api.user
    seed = totp.enrol(user)  # activating a factor ends the person's other sessions: log in again
    auditor_api.force_login(user)
    mark_mfa_verified(auditor_api, user)
    totp.step_up(auditor_api, user, seed, "audit.export")
    record_events(6)
    checkpoint_create()
    response = auditor_api.get("/api/v1/audit/export/", {"sequence_from": 2, "sequence_to": 5})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    text = b"".join(response.streaming_content).decode()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["event"]["sequence"] for line in lines if line["type"] == "event"] == [2, 3, 4, 5]
    path = tmp_path / "export.jsonl"
    path.write_text(text)
    public_key = next(line for line in lines if line["type"] == "checkpoint")["public_key"]
    assert verify_proof.main([str(path), "--public-key", public_key]) == 0
    export_event = AuditEvent.objects.get(action="audit.export.created")
    assert export_event.actor_id == str(auditor_api.user.pk)
    assert export_event.payload["sequence_from"] == "2"


def test_the_registered_actions_are_listed(auditor_api):
    codes = [a["code"] for a in auditor_api.get("/api/v1/audit/actions/").json()]
    assert "audit.export.created" in codes
    assert codes == sorted(codes)
