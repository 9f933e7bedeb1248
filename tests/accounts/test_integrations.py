"""The accounts hooks plugged into the vault: revealing an identifier needs the role and a fresh step-up,
in the API and in the admin (settings as the lead wires them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.mfa import mark_mfa_verified
from vault.services import identifier_store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _wired(settings):
    settings.TILLIT_VAULT_REVEAL_POLICY = "accounts.policy.can"
    settings.TILLIT_VAULT_STEP_UP_CHECK = "accounts.stepup.has_step_up"
    settings.TILLIT_VAULT_ADMIN_STEP_UP = "accounts.stepup.admin_step_up"


@pytest.fixture
def stored(officer):
    return identifier_store(identifier_type="iban", value="GB82 WEST 1234 5698 7654 32", actor=officer)


def test_the_reveal_api_demands_a_step_up_for_identifier_reveal_then_answers(officer, stored, login_api, totp):
    seed = totp.enrol(officer)
    client = login_api(officer)
    url = f"/api/v1/identifiers/{stored.token}/reveal/"
    refused = client.post(url, {"purpose": "fraud_investigation"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "step_up_required"
    assert refused.json()["error"]["fields"] == {"action": "identifier.reveal"}
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp.step_up(client, officer, seed, "identifier.reveal")
        revealed = client.post(url, {"purpose": "fraud_investigation"})
    assert revealed.status_code == 200
    assert revealed.json()["value"].replace(" ", "") == "GB82WEST12345698765432"


def test_a_grant_for_another_action_does_not_reveal(officer, stored, login_api, totp):
    officer.role = "senior_officer"
    officer.save()
    seed = totp.enrol(officer)
    client = login_api(officer)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp.step_up(client, officer, seed, "alert.clear")
        response = client.post(f"/api/v1/identifiers/{stored.token}/reveal/", {"purpose": "fraud_investigation"})
    assert response.json()["error"]["code"] == "step_up_required"


def test_an_analyst_may_not_reveal_at_all(make_user, stored, login_api):
    response = login_api(make_user("analyst")).post(
        f"/api/v1/identifiers/{stored.token}/reveal/", {"purpose": "fraud_investigation"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_the_admin_reveal_shows_the_step_up_prompt_first(officer, stored, totp):
    seed = totp.enrol(officer)
    client = Client()
    client.force_login(officer)
    mark_mfa_verified(client, officer)
    url = f"/admin/vault/storedidentifier/{stored.pk}/reveal/"
    prompt = client.post(url, {"purpose": "fraud_investigation"})
    assert "admin/accounts/step_up.html" in [t.name for t in prompt.templates]
    assert "GB82WEST" not in prompt.content.decode().replace(" ", "")
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        shown = client.post(url, {"purpose": "fraud_investigation", "_step_up_code": totp.fresh(officer, seed)})
    assert "GB82WEST" in shown.content.decode().replace(" ", "")
