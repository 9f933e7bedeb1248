"""audit_record: one hashed, chained event per call, in the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit import actions, chain
from audit.models import ActorType, AuditChainHead, AuditEvent
from audit.payload import AuditPayloadError
from audit.services import AuditError, audit_record
from tests.audit.conftest import TEST_ACTION

pytestmark = pytest.mark.django_db


def test_the_first_event_links_to_the_genesis_hash_and_the_next_to_it():
    first = audit_record(action=TEST_ACTION, actor=None, payload={"n": 1})
    second = audit_record(action=TEST_ACTION, actor=None, payload={"n": 2})
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.prev_hash == chain.GENESIS_HASH
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (2, second.hash)


def test_the_stored_row_hashes_to_its_stored_hash_after_a_round_trip():
    event = audit_record(
        action=TEST_ACTION,
        actor=None,
        payload={"score": 0.875, "nested": {"list": [1, "two", None, True]}, "ünïcode": "ø"},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.payload["score"] == "0.875"
    assert stored.to_record().compute_hash() == stored.hash == event.hash


def test_an_officer_is_recorded_by_id_with_a_masked_label(officer):
    event = audit_record(action=TEST_ACTION, actor=officer, payload={})
    assert event.actor_type == ActorType.USER
    assert event.actor_id == str(officer.pk)
    assert event.actor_label == "officer:o***@example.test"
    assert "officer@example.test" not in AuditEvent.objects.get(pk=event.pk).actor_label


def test_an_api_client_is_recorded_as_an_api_client():
    from accounts.models import ApiClient

    client = ApiClient.objects.create(name="onboarding-frontend")
    event = audit_record(action=TEST_ACTION, actor=client, payload={})
    assert (event.actor_type, event.actor_id, event.actor_label) == (
        ActorType.API_CLIENT,
        str(client.pk),
        "api-client:onboarding-frontend",
    )


def test_a_request_authenticated_by_api_key_is_recorded_as_its_client():
    from accounts.authentication import ApiClientPrincipal
    from accounts.models import ApiClient

    client = ApiClient.objects.create(name="kyc-portal")
    event = audit_record(action=TEST_ACTION, actor=ApiClientPrincipal(client=client, key=None), payload={})
    assert (event.actor_type, event.actor_id) == (ActorType.API_CLIENT, str(client.pk))


def test_an_unsupported_actor_is_refused():
    with pytest.raises(AuditError, match="unsupported audit actor of type str"):
        audit_record(action=TEST_ACTION, actor="somebody", payload={})


def test_a_model_target_is_recorded_by_label_and_primary_key(officer):
    event = audit_record(action=TEST_ACTION, actor=None, target=officer, payload={})
    assert (event.target_type, event.target_id) == ("accounts.user", str(officer.pk))
    pair = audit_record(action=TEST_ACTION, actor=None, target=("kyc.customer", "c-1"), payload={})
    assert (pair.target_type, pair.target_id) == ("kyc.customer", "c-1")


def test_the_correlation_id_defaults_to_the_current_request():
    from common.correlation import bind_correlation_id

    bind_correlation_id("req-0123456789")
    try:
        event = audit_record(action=TEST_ACTION, actor=None, payload={})
        explicit = audit_record(action=TEST_ACTION, actor=None, payload={}, correlation_id="task-42")
    finally:
        bind_correlation_id(None)
    assert event.correlation_id == "req-0123456789"
    assert explicit.correlation_id == "task-42"


def test_an_unregistered_action_is_refused_and_nothing_is_written():
    with pytest.raises(actions.ActionRegistryError, match="not registered"):
        audit_record(action="nobody.registered.this", actor=None, payload={})
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "x"},
        {"customer": {"date_of_birth": "1970-01-01"}},
        {"holder_iban": "x"},
        {"name": "Jane"},
        {"items": [{"passport_number": "x"}]},
        {"note": "contact jane.doe@example.org"},
    ],
)
def test_a_payload_with_a_plaintext_identifier_is_refused_without_echoing_it(payload):
    with pytest.raises(AuditPayloadError) as excinfo:
        audit_record(action=TEST_ACTION, actor=None, payload=payload)
    assert "jane" not in str(excinfo.value).lower()
    assert "1970" not in str(excinfo.value)
    assert not AuditEvent.objects.exists()


def test_tokens_and_masked_values_are_accepted():
    event = audit_record(
        action=TEST_ACTION,
        actor=None,
        payload={"email_masked": "j***@example.org", "iban_token": "tok_abc", "list_name": "UN", "iban_last4": "1234"},
    )
    assert event.payload["list_name"] == "UN"


def test_an_event_rolls_back_with_the_change_it_records(officer):
    def change_that_fails() -> None:
        with transaction.atomic():
            audit_record(action=TEST_ACTION, actor=officer, payload={})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not AuditEvent.objects.exists()
    after = audit_record(action=TEST_ACTION, actor=None, payload={})
    assert after.sequence == 1


def test_a_refused_event_takes_the_change_down_with_it(officer):
    def rename_with_a_bad_event() -> None:
        with transaction.atomic():
            officer.full_name = "Changed"
            officer.save()
            audit_record(action=TEST_ACTION, actor=officer, payload={"email": "x"})

    with pytest.raises(AuditPayloadError):
        rename_with_a_bad_event()
    officer.refresh_from_db()
    assert officer.full_name == ""


def test_a_lost_chain_head_is_rebuilt_from_the_last_event(record_events):
    events = record_events(3)
    AuditChainHead.objects.all().delete()
    fourth = audit_record(action=TEST_ACTION, actor=None, payload={})
    assert fourth.sequence == 4
    assert fourth.prev_hash == events[-1].hash


def test_an_anonymous_user_cannot_be_an_actor():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AuditError, match="anonymous"):
        audit_record(action=TEST_ACTION, actor=AnonymousUser(), payload={})
