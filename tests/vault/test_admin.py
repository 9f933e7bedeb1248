"""The admin reveal page: purpose form, step-up hook, plaintext shown once, denial without step-up."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client

from audit.models import AuditEvent
from tests.mfa import mark_mfa_verified
from vault.services import identifier_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vault_keys")]

ASKED: list[str] = []


def step_up_passed(request: HttpRequest, *, action: str) -> HttpResponse | None:
    ASKED.append(action)
    return None


@pytest.fixture
def staff_officer(officer: Any) -> Any:
    from django.contrib.auth.models import Permission

    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="view_storedidentifier"))
    return officer


@pytest.fixture
def row(officer: Any) -> Any:
    cache.clear()
    ASKED.clear()
    return identifier_store(identifier_type="card", value="4242 4242 4242 4242", actor=officer)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)  # the admin needs a second factor in the session
    return client


def test_the_change_page_never_shows_the_plaintext_or_ciphertext(staff_officer: Any, row: Any) -> None:
    page = _client(staff_officer).get(f"/admin/vault/storedidentifier/{row.pk}/change/").content.decode()
    assert "****4242" in page
    assert "4242424242424242" not in page
    assert "Reveal (purpose, step-up, audited)" in page


def test_without_a_fresh_step_up_the_admin_asks_for_a_code_and_shows_nothing(staff_officer: Any, row: Any) -> None:
    response = _client(staff_officer).post(
        f"/admin/vault/storedidentifier/{row.pk}/reveal/", {"purpose": "fraud_investigation"}
    )
    page = response.content.decode()
    assert "Confirm with your authenticator app" in page
    assert 'value="fraud_investigation"' in page  # the prompt re-posts the purpose with the code
    assert "4242424242424242" not in page
    assert not AuditEvent.objects.filter(action="vault.identifier.revealed").exists()


def test_a_real_totp_step_up_in_the_admin_reveals_the_plaintext(officer: Any, totp: Any) -> None:
    from django.contrib.auth.models import Permission

    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="view_storedidentifier"))
    seed = totp.enrol(officer)  # before logging in: a new factor ends other sessions
    cache.clear()
    row = identifier_store(identifier_type="card", value="4242 4242 4242 4242", actor=officer)
    client = _client(officer)
    url = f"/admin/vault/storedidentifier/{row.pk}/reveal/"
    response = client.post(url, {"purpose": "fraud_investigation", "_step_up_code": totp.fresh(officer, seed)})
    assert response.status_code == 200
    assert "4242424242424242" in response.content.decode()
    assert AuditEvent.objects.filter(action="vault.identifier.revealed").count() == 1


def test_an_analyst_cannot_open_the_reveal_page(analyst: Any, row: Any) -> None:
    from django.contrib.auth.models import Permission

    analyst.is_staff = True
    analyst.save()
    analyst.user_permissions.add(Permission.objects.get(codename="view_storedidentifier"))
    response = _client(analyst).post(
        f"/admin/vault/storedidentifier/{row.pk}/reveal/", {"purpose": "fraud_investigation"}
    )
    assert response.status_code == 403
    assert "4242424242424242" not in response.content.decode()


def test_with_purpose_and_step_up_the_admin_shows_the_plaintext_once(
    staff_officer: Any, row: Any, settings: Any
) -> None:
    settings.TILLIT_VAULT_ADMIN_STEP_UP = "tests.vault.test_admin.step_up_passed"
    client = _client(staff_officer)
    form = client.get(f"/admin/vault/storedidentifier/{row.pk}/reveal/")
    assert form.status_code == 200
    assert "4242424242424242" not in form.content.decode()
    response = client.post(f"/admin/vault/storedidentifier/{row.pk}/reveal/", {"purpose": "fraud_investigation"})
    assert response.status_code == 200
    assert "4242424242424242" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert ASKED == ["identifier.reveal"]
    assert AuditEvent.objects.get(action="vault.identifier.revealed").payload["purpose"] == "fraud_investigation"


def test_an_invalid_purpose_shows_the_form_again_without_asking_for_step_up(
    staff_officer: Any, row: Any, settings: Any
) -> None:
    settings.TILLIT_VAULT_ADMIN_STEP_UP = "tests.vault.test_admin.step_up_passed"
    response = _client(staff_officer).post(f"/admin/vault/storedidentifier/{row.pk}/reveal/", {"purpose": "x"})
    assert response.status_code == 200
    assert ASKED == []
    assert "4242424242424242" not in response.content.decode()
