"""API clients authenticate with keys that are shown once, stored hashed, rotated and revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiKey

pytestmark = pytest.mark.django_db

WHOAMI = "/api/v1/auth/whoami/"


def _call(secret: str, header: str = "Api-Key"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{header} {secret}")
    return client.get(WHOAMI)


def test_a_valid_key_authenticates_as_its_client(make_api_client):
    _, secret = make_api_client("frontend")
    response = _call(secret)
    assert response.status_code == 200
    assert response.json()["kind"] == "api_client"
    assert response.json()["name"] == "frontend"
    assert response.json()["key_prefix"] == secret.split("_")[1]


def test_the_key_secret_is_stored_only_as_a_hash(make_api_client):
    _, secret = make_api_client()
    key = ApiKey.objects.get()
    assert secret.startswith(f"tlk_{key.prefix}_")
    assert key.key_hash != secret and len(key.key_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey")
        rows = cursor.fetchall()
    assert secret.split("_", 2)[2] not in repr(rows)


def test_a_revoked_key_is_refused(make_api_client):
    tenant, secret = make_api_client()
    services.api_key_revoke(key=tenant.keys.get(), actor=None)
    response = _call(secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_revoked"


def test_an_unknown_key_is_refused(make_api_client):
    _, secret = make_api_client()
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    response = _call(forged)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_invalid"


@pytest.mark.parametrize("presented", ["not-a-key", "tlk_short_x", "tlk_abcdefghij_" + "!" * 43, ""])
def test_a_malformed_key_is_refused_with_a_clear_code(presented, db):
    response = _call(presented)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"api_key_malformed", "not_authenticated"}


def test_a_key_under_another_scheme_is_not_treated_as_an_api_key(make_api_client):
    _, secret = make_api_client()
    assert _call(secret, header="Bearer").status_code == 401


def test_rotation_keeps_two_keys_working_until_the_old_one_expires(make_api_client):
    tenant, old_secret = make_api_client()
    _, new_secret = services.api_key_rotate(client=tenant, actor=None, grace=timedelta(days=7))
    assert _call(old_secret).status_code == 200
    assert _call(new_secret).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        assert _call(old_secret).status_code == 401
        assert _call(new_secret).status_code == 200


def test_a_third_active_key_is_refused_during_a_rotation(make_api_client):
    tenant, _ = make_api_client()
    services.api_key_rotate(client=tenant, actor=None)
    with pytest.raises(services.ApiKeyLimitReached):
        services.api_key_rotate(client=tenant, actor=None)
    with pytest.raises(services.ApiKeyLimitReached):
        services.api_key_issue(client=tenant, actor=None)


def test_last_use_is_recorded_at_most_once_a_minute(make_api_client):
    tenant, secret = make_api_client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _call(secret)
    first = tenant.keys.get().last_used_at
    assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        _call(secret)
    assert tenant.keys.get().last_used_at == first
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        _call(secret)
    assert tenant.keys.get().last_used_at == start + timedelta(minutes=2)


def test_a_disabled_client_cannot_authenticate(make_api_client):
    tenant, secret = make_api_client()
    tenant.is_active = False
    tenant.save()
    response = _call(secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_client_disabled"
