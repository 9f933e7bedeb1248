"""Sessions: logins are audited, logout everywhere ends every session, a changed factor ends the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MFA = "/api/v1/auth/mfa"
PASSWORD = "correct horse battery"


def _password_login(user) -> APIClient:
    client = APIClient()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_a_password_login_gets_a_new_session_id_and_is_audited(officer, client):
    client.get("/admin/login/")
    client.cookies["sessionid"] = "planted-by-an-attacker"
    response = client.post("/admin/login/", {"username": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value not in {"", "planted-by-an-attacker"}
    assert AuditEvent.objects.filter(action="accounts.login.succeeded", actor_id=str(officer.pk)).count() == 1


def test_a_failed_login_is_audited_without_the_address(officer, client):
    client.post("/admin/login/", {"username": officer.email, "password": "wrong password!"})
    event = AuditEvent.objects.get(action="accounts.login.failed")
    assert officer.email not in repr(event.payload)
    assert event.payload == {"email_masked": "o***@example.test"}


def test_logout_everywhere_ends_every_session_including_this_one(officer):
    first, second = _password_login(officer), _password_login(officer)
    assert first.get(MFA).status_code == 200 and second.get(MFA).status_code == 200
    assert first.post("/api/v1/auth/sessions/revoke").status_code == 204
    assert first.get(MFA).status_code == 401
    assert second.get(MFA).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.sessions.revoked").exists()
    assert _password_login(officer).get(MFA).status_code == 200  # a new login works


def test_activating_a_factor_ends_the_other_sessions_but_keeps_this_one(officer, totp):
    other = _password_login(officer)
    this = _password_login(officer)
    secret = this.post("/api/v1/auth/mfa/totp").json()["secret"]
    from base64 import b32decode

    from accounts import otp

    seed = b32decode(secret + "=" * (-len(secret) % 8))
    confirmed = this.post(
        "/api/v1/auth/mfa/totp/confirm", {"code": otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()))}
    )
    assert confirmed.status_code == 200
    assert this.get(MFA).status_code == 200
    assert other.get(MFA).status_code == 401


def test_an_administrator_resetting_a_factor_ends_that_persons_sessions(officer, totp):
    totp.enrol(officer)
    session = _password_login(officer)
    services.totp_remove(user=officer, actor=officer)
    assert session.get(MFA).status_code == 401


def test_a_role_change_ends_the_persons_sessions(officer, make_user):
    session = _password_login(officer)
    services.user_privileges_change(user=officer, actor=make_user("administrator"), role="analyst")
    assert session.get(MFA).status_code == 401


def test_logout_is_audited(officer):
    client = _password_login(officer)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get(MFA).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.logout.done").exists()


def test_a_step_up_grant_does_not_survive_logout_everywhere(make_user, login_api, totp):
    admin = make_user("administrator")
    seed = totp.enrol(admin)
    client = login_api(admin)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp.step_up(client, admin, seed, "api_client.manage")
        client.post("/api/v1/auth/sessions/revoke")
        assert client.post("/api/v1/api-clients/", {"name": "x"}).status_code == 401
