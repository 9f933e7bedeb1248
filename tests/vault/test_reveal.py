"""Revealing an identifier: permission, fresh step-up, purpose, rate limit, and an audit of every outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from audit.models import AuditEvent
from vault.services import IdentifierNotFound, RevealDenied, identifier_reveal, identifier_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vault_keys")]

PURPOSE = "customer_due_diligence"


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def token(officer: Any) -> str:
    return identifier_store(identifier_type="passport", value="L898902C3", country="UTO", actor=officer).token


def _denials() -> list[str]:
    return [e.payload["reason_code"] for e in AuditEvent.objects.filter(action="vault.identifier.reveal_denied")]


def test_an_officer_with_permission_step_up_and_purpose_sees_the_plaintext(officer: Any, token: str) -> None:
    revealed = identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True)
    assert revealed.value == "L898902C3"
    assert (revealed.identifier_type, revealed.scheme, revealed.masked) == ("passport", "UTO", "****02C3")
    assert "L898902C3" not in repr(revealed)
    event = AuditEvent.objects.get(action="vault.identifier.revealed")
    assert event.payload["purpose"] == PURPOSE
    assert event.payload["identifier_token"] == token
    assert event.actor_id == str(officer.pk)
    assert "L898902C3" not in str(event.payload)


def test_without_the_permission_the_reveal_is_refused_and_audited(analyst: Any, token: str) -> None:
    with pytest.raises(RevealDenied) as caught:
        identifier_reveal(token=token, purpose=PURPOSE, actor=analyst, step_up_verified=True)
    assert caught.value.code == "permission_denied"
    assert _denials() == ["permission_denied"]


def test_without_a_fresh_step_up_the_reveal_is_refused(officer: Any, token: str) -> None:
    with pytest.raises(RevealDenied) as caught:
        identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=False)
    assert caught.value.code == "step_up_required"
    assert "identifier.reveal" in caught.value.message
    assert _denials() == ["step_up_required"]


@pytest.mark.parametrize("purpose", ["", "curiosity"])
def test_without_a_known_purpose_the_reveal_is_refused(officer: Any, token: str, purpose: str) -> None:
    with pytest.raises(RevealDenied) as caught:
        identifier_reveal(token=token, purpose=purpose, actor=officer, step_up_verified=True)
    assert caught.value.code == "purpose_required"
    assert _denials() == ["purpose_required"]


def test_api_clients_and_the_system_cannot_reveal(token: str) -> None:
    with pytest.raises(RevealDenied) as caught:
        identifier_reveal(token=token, purpose=PURPOSE, actor=None, step_up_verified=True)
    assert caught.value.code == "permission_denied"


def test_an_unknown_token_is_not_found_and_a_pasted_plaintext_is_not_recorded(officer: Any) -> None:
    with pytest.raises(IdentifierNotFound):
        identifier_reveal(token="L898902C3", purpose=PURPOSE, actor=officer, step_up_verified=True)
    event = AuditEvent.objects.get(action="vault.identifier.reveal_denied")
    assert event.payload["identifier_token"] == ""
    assert "L898902C3" not in str(event.payload)


def test_reveals_are_rate_limited_per_officer_per_window(officer: Any, token: str, settings: Any) -> None:
    settings.TILLIT_VAULT_REVEAL_RATE = "3/h"
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True)
        with pytest.raises(RevealDenied) as caught:
            identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True)
        assert caught.value.code == "rate_limited"
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True).value
    assert AuditEvent.objects.filter(action="vault.identifier.revealed").count() == 4
    assert _denials() == ["rate_limited"]


def test_reveals_can_be_granted_per_person_by_django_permission(officer: Any, token: str, settings: Any) -> None:
    from accounts.models import User

    settings.TILLIT_VAULT_REVEAL_POLICY = "vault.services.identifiers.may_reveal_by_permission"
    assert identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True).value
    other = User.objects.create_user("other@example.org", "correct horse battery", role="senior_officer")
    with pytest.raises(RevealDenied) as caught:
        identifier_reveal(token=token, purpose=PURPOSE, actor=other, step_up_verified=True)
    assert caught.value.code == "permission_denied"


def officers_may_reveal(actor: Any, action: str) -> bool:
    """A role-based reveal policy, shaped like accounts.policy.can(principal, action)."""
    return action == "identifier.reveal" and actor.role == "officer"


def test_the_reveal_policy_can_be_replaced(analyst: Any, token: str, settings: Any) -> None:
    from accounts.models import User

    settings.TILLIT_VAULT_REVEAL_POLICY = "tests.vault.test_reveal.officers_may_reveal"
    senior = User.objects.create_user("senior@example.org", "correct horse battery", role="senior_officer")
    with pytest.raises(RevealDenied):  # the default role table would allow a senior officer
        identifier_reveal(token=token, purpose=PURPOSE, actor=senior, step_up_verified=True)
    plain_officer = User.objects.create_user("plain@example.org", "correct horse battery", role="officer")
    assert identifier_reveal(token=token, purpose=PURPOSE, actor=plain_officer, step_up_verified=True).value
    with pytest.raises(RevealDenied):
        identifier_reveal(token=token, purpose=PURPOSE, actor=analyst, step_up_verified=True)


def test_a_malformed_rate_setting_is_a_configuration_error(officer: Any, token: str, settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.TILLIT_VAULT_REVEAL_RATE = "lots"
    with pytest.raises(ImproperlyConfigured, match="TILLIT_VAULT_REVEAL_RATE"):
        identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True)


def test_a_tampered_ciphertext_is_refused_and_the_attempt_is_audited(officer: Any, token: str) -> None:
    from vault.models import StoredIdentifier

    row = StoredIdentifier.objects.get(token=token)
    damaged = bytearray(bytes(row.ciphertext))
    damaged[-1] ^= 0x01
    StoredIdentifier.objects.filter(pk=row.pk).update(ciphertext=bytes(damaged))
    with pytest.raises(RevealDenied) as caught:
        identifier_reveal(token=token, purpose=PURPOSE, actor=officer, step_up_verified=True)
    assert caught.value.code == "integrity_error"
    assert "AuthenticationError" in caught.value.message
    assert _denials() == ["integrity_error"]
    assert not AuditEvent.objects.filter(action="vault.identifier.revealed").exists()
