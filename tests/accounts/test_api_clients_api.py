"""API client management: administrators only, behind step-up, audited; keys shown once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiClient, ApiKey
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/api-clients/"


@pytest.fixture
def admin_api(make_user, login_api, totp):
    """An administrator's verified session holding a step-up for api_client.manage."""
    admin = make_user("administrator")
    seed = totp.enrol(admin)
    client = login_api(admin)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp.step_up(client, admin, seed, "api_client.manage")
    client.user = admin  # type: ignore[attr-defined]
    return client


@pytest.fixture
def tenant(make_api_client):
    client, _ = make_api_client("onboarding")
    return client


def _whoami(secret: str) -> int:
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return caller.get("/api/v1/auth/whoami/").status_code


# --- Who may call ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("post", ""), ("get", "{id}/"), ("patch", "{id}/"), ("post", "{id}/keys/rotate")],
)
def test_anonymous_callers_get_401(api, tenant, method, path):
    assert getattr(api, method)(CLIENTS + path.format(id=tenant.pk), {}).status_code == 401


@pytest.mark.parametrize("role", ["analyst", "officer", "senior_officer"])
def test_other_roles_get_403(make_user, login_api, tenant, role):
    client = login_api(make_user(role))
    assert client.get(CLIENTS).status_code == 403
    assert client.get(f"{CLIENTS}{tenant.pk}/").status_code == 403
    assert client.post(f"{CLIENTS}{tenant.pk}/keys/rotate", {}).status_code == 403


def test_an_auditor_may_read_but_not_change(make_user, login_api, tenant):
    client = login_api(make_user("auditor"))
    assert client.get(CLIENTS).status_code == 200
    assert client.patch(f"{CLIENTS}{tenant.pk}/", {"description": "x"}).status_code == 403


def test_an_api_client_cannot_manage_clients(client_api, tenant):
    assert client_api.get(CLIENTS).status_code == 403
    assert client_api.get(f"{CLIENTS}{tenant.pk}/").status_code == 403


@pytest.mark.parametrize("client_id", [uuid.uuid4(), "not-a-uuid"])
def test_an_unknown_client_is_404(admin_api, client_id):
    assert admin_api.get(f"{CLIENTS}{client_id}/").status_code == 404
    assert admin_api.post(f"{CLIENTS}{client_id}/keys/rotate", {}).status_code == 404


def test_a_key_of_another_client_is_404(admin_api, tenant, make_api_client):
    other, _ = make_api_client("other")
    foreign_key = other.keys.get()
    response = admin_api.post(f"{CLIENTS}{tenant.pk}/keys/{foreign_key.pk}/revoke")
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=foreign_key.pk).revoked_at is None


# --- Happy paths ---------------------------------------------------------------------------------------------
def test_an_administrator_registers_a_client_and_sees_its_first_key_once(admin_api):
    response = admin_api.post(CLIENTS, {"name": "frontend", "scopes": ["customers:read", "customers:write"]})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["scopes"] == ["customers:read", "customers:write"]
    secret = body["key"]["secret"]
    assert _whoami(secret) == 200
    detail = admin_api.get(f"{CLIENTS}{body['id']}/").json()
    assert secret not in repr(detail)
    assert detail["keys"][0]["prefix"] == body["key"]["prefix"]
    assert detail["last_used_at"] is not None  # the whoami call above
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.api_client.created", "accounts.api_key.issued"} <= actions


def test_a_list_shows_every_client_with_key_use(admin_api, tenant):
    body = admin_api.get(CLIENTS).json()
    assert [c["name"] for c in body["results"]] == ["onboarding"]
    assert body["results"][0]["keys"][0]["is_active"] is True


def test_scopes_description_and_status_can_be_changed_and_are_audited(admin_api, tenant):
    response = admin_api.patch(f"{CLIENTS}{tenant.pk}/", {"scopes": ["screening:run"], "is_active": False})
    assert response.status_code == 200
    assert response.json()["scopes"] == ["screening:run"] and response.json()["is_active"] is False
    event = AuditEvent.objects.get(action="accounts.api_client.updated")
    assert event.payload["scopes"] == {"from": [], "to": ["screening:run"]}


def test_rotation_keeps_two_keys_alive_then_the_old_one_expires(admin_api, make_api_client):
    tenant, old_secret = make_api_client("rotating")
    response = admin_api.post(f"{CLIENTS}{tenant.pk}/keys/rotate", {"grace_days": 2})
    assert response.status_code == 201
    new_secret = response.json()["secret"]
    assert _whoami(old_secret) == 200 and _whoami(new_secret) == 200
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert _whoami(old_secret) == 401 and _whoami(new_secret) == 200
    assert AuditEvent.objects.filter(action="accounts.api_key.rotated").exists()


def test_a_third_key_during_a_rotation_is_a_conflict(admin_api, tenant):
    assert admin_api.post(f"{CLIENTS}{tenant.pk}/keys/rotate", {}).status_code == 201
    response = admin_api.post(f"{CLIENTS}{tenant.pk}/keys/rotate", {})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "api_key_limit_reached"


def test_a_revoked_key_stops_working_at_once(admin_api, make_api_client):
    tenant, secret = make_api_client("revoked")
    key = tenant.keys.get()
    response = admin_api.post(f"{CLIENTS}{tenant.pk}/keys/{key.pk}/revoke")
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert _whoami(secret) == 401
    assert AuditEvent.objects.filter(action="accounts.api_key.revoked").count() == 1


# --- Invalid input ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "name"), ({"name": "x" * 121}, "name"), ({"name": "ok", "scopes": ["everything"]}, "scopes")],
)
def test_invalid_client_data_is_a_400_naming_the_field(admin_api, body, field):
    response = admin_api.post(CLIENTS, body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ApiClient.objects.exists()


def test_a_duplicate_name_is_a_400(admin_api, tenant):
    response = admin_api.post(CLIENTS, {"name": tenant.name})
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_an_out_of_range_grace_period_is_a_400(admin_api, tenant):
    response = admin_api.post(f"{CLIENTS}{tenant.pk}/keys/rotate", {"grace_days": 365})
    assert response.status_code == 400
    assert "grace_days" in response.json()["error"]["fields"]


def test_every_write_needs_a_step_up(make_user, login_api, tenant):
    client = login_api(make_user("administrator"))
    key = tenant.keys.get()
    for response in [
        client.post(CLIENTS, {"name": "new"}),
        client.patch(f"{CLIENTS}{tenant.pk}/", {"description": "x"}),
        client.post(f"{CLIENTS}{tenant.pk}/keys/rotate", {}),
        client.post(f"{CLIENTS}{tenant.pk}/keys/{key.pk}/revoke"),
    ]:
        assert response.status_code == 403
        assert response.json()["error"]["fields"] == {"action": "api_client.manage"}
