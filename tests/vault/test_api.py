"""POST /api/v1/identifiers/{token}/reveal/: authentication, permission, step-up, purpose, happy path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.mfa import mark_mfa_verified
from vault.services import identifier_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vault_keys")]

GRANTED: list[tuple[str, str]] = []


def step_up_granted(request: Any, action: str) -> bool:
    """A step-up check standing in for the accounts app's: it records what it was asked."""
    GRANTED.append((str(request.user), action))
    return True


@pytest.fixture(autouse=True)
def _reset() -> None:
    cache.clear()
    GRANTED.clear()


@pytest.fixture
def token(officer: Any) -> str:
    return identifier_store(identifier_type="iban", value="GB82 WEST 1234 5698 7654 32", actor=officer).token


def _url(token: str) -> str:
    return f"/api/v1/identifiers/{token}/reveal/"


def _as(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    mark_mfa_verified(client, user)  # the session passed its second factor at login
    return client


def test_anonymous_callers_get_401(token: str) -> None:
    response = APIClient().post(_url(token), {"purpose": "fraud_investigation"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_clients_cannot_reveal(token: str, make_api_client: Any, settings: Any) -> None:
    settings.TILLIT_VAULT_STEP_UP_CHECK = "tests.vault.test_api.step_up_granted"
    _, secret = make_api_client("frontend")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    response = client.post(_url(token), {"purpose": "fraud_investigation"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_without_step_up_the_answer_is_403_step_up_required_naming_the_action(officer: Any, token: str) -> None:
    response = _as(officer).post(_url(token), {"purpose": "fraud_investigation"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "step_up_required"
    assert response.json()["error"]["fields"] == {"action": "identifier.reveal"}


def test_an_officer_without_the_permission_gets_403(analyst: Any, token: str, settings: Any) -> None:
    settings.TILLIT_VAULT_STEP_UP_CHECK = "tests.vault.test_api.step_up_granted"
    response = _as(analyst).post(_url(token), {"purpose": "fraud_investigation"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("body", [{}, {"purpose": "curiosity"}])
def test_a_missing_or_unknown_purpose_is_a_400_field_error(officer: Any, token: str, body: dict[str, str]) -> None:
    response = _as(officer).post(_url(token), body)
    assert response.status_code == 400
    assert "purpose" in response.json()["error"]["fields"]


def test_an_unknown_token_is_404(officer: Any, settings: Any) -> None:
    settings.TILLIT_VAULT_STEP_UP_CHECK = "tests.vault.test_api.step_up_granted"
    response = _as(officer).post(_url("tok_v1_" + "a" * 52), {"purpose": "fraud_investigation"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_with_permission_step_up_and_purpose_the_plaintext_is_returned_uncached(
    officer: Any, token: str, settings: Any
) -> None:
    settings.TILLIT_VAULT_STEP_UP_CHECK = "tests.vault.test_api.step_up_granted"
    response = _as(officer).post(_url(token), {"purpose": "regulatory_request"})
    assert response.status_code == 200
    assert response.json() == {
        "token": token,
        "identifier_type": "iban",
        "scheme": "GB",
        "masked": "****5432",
        "value": "GB82WEST12345698765432",
    }
    assert response["Cache-Control"] == "no-store"
    assert GRANTED == [(str(officer), "identifier.reveal")]
    assert AuditEvent.objects.get(action="vault.identifier.revealed").payload["purpose"] == "regulatory_request"


def test_a_real_totp_step_up_for_this_action_opens_the_reveal(officer: Any, totp: Any) -> None:
    import time_machine

    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        seed = totp.enrol(officer)  # before logging in: a new factor ends other sessions
        token = identifier_store(identifier_type="lei", value="5493001KJTIIGC8Y1R12", actor=officer).token
        client = _as(officer)
        denied = client.post(_url(token), {"purpose": "regulatory_request"})
        assert denied.json()["error"]["code"] == "step_up_required"
        totp.step_up(client, officer, seed, "data.export")  # a grant for another action does not count
        assert client.post(_url(token), {"purpose": "regulatory_request"}).status_code == 403
        clock.shift(31)  # a TOTP code is single use: the next grant needs the next step's code
        totp.step_up(client, officer, seed, "identifier.reveal")
        response = client.post(_url(token), {"purpose": "regulatory_request"})
        assert response.status_code == 200
        assert response.json()["value"] == "5493001KJTIIGC8Y1R12"


def test_too_many_reveals_answer_429(officer: Any, token: str, settings: Any) -> None:
    settings.TILLIT_VAULT_STEP_UP_CHECK = "tests.vault.test_api.step_up_granted"
    settings.TILLIT_VAULT_REVEAL_RATE = "1/h"
    client = _as(officer)
    assert client.post(_url(token), {"purpose": "regulatory_request"}).status_code == 200
    response = client.post(_url(token), {"purpose": "regulatory_request"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
