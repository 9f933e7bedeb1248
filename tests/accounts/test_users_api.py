"""People management: administrators change roles and reset factors behind step-up; all audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import TotpDevice, User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


@pytest.fixture
def admin_api(make_user, login_api, totp):
    admin = make_user("administrator")
    seed = totp.enrol(admin)
    client = login_api(admin)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp.step_up(client, admin, seed, "user.role.change")
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        totp.step_up(client, admin, seed, "mfa.reset_other")
    client.user = admin  # type: ignore[attr-defined]
    return client


def test_anonymous_callers_get_401(api, officer):
    assert api.get(USERS).status_code == 401
    assert api.patch(f"{USERS}{officer.pk}/", {"role": "analyst"}).status_code == 401


@pytest.mark.parametrize("role", ["analyst", "officer", "senior_officer"])
def test_other_roles_get_403(make_user, login_api, officer, role):
    client = login_api(make_user(role))
    assert client.get(USERS).status_code == 403
    assert client.patch(f"{USERS}{officer.pk}/", {"role": "analyst"}).status_code == 403
    assert client.post(f"{USERS}{officer.pk}/mfa/reset").status_code == 403


def test_api_clients_get_403(client_api, officer):
    assert client_api.get(USERS).status_code == 403


def test_an_unknown_user_is_404(admin_api):
    assert admin_api.get(f"{USERS}{uuid.uuid4()}/").status_code == 404
    assert admin_api.patch(f"{USERS}nope/", {"role": "analyst"}).status_code == 404


def test_users_are_listed_with_role_and_factor(admin_api, officer):
    body = admin_api.get(USERS).json()
    rows = {row["email"]: row for row in body["results"]}
    assert rows[officer.email]["role"] == "officer" and rows[officer.email]["mfa_enrolled"] is False
    assert rows[admin_api.user.email]["mfa_enrolled"] is True


def test_a_role_change_is_audited_with_before_and_after(admin_api, officer):
    response = admin_api.patch(f"{USERS}{officer.pk}/", {"role": "senior_officer"})
    assert response.status_code == 200 and response.json()["role"] == "senior_officer"
    event = AuditEvent.objects.get(action="accounts.user.privileges_changed")
    assert event.payload == {"role": {"from": "officer", "to": "senior_officer"}}
    assert event.actor_id == str(admin_api.user.pk) and event.target_id == str(officer.pk)


@pytest.mark.parametrize("body", [{}, {"role": "wizard"}, {"is_staff": "maybe"}])
def test_an_invalid_change_is_a_400(admin_api, officer, body):
    response = admin_api.patch(f"{USERS}{officer.pk}/", body)
    assert response.status_code == 400
    assert User.objects.get(pk=officer.pk).role == "officer"


def test_a_role_change_needs_a_step_up(make_user, login_api, officer):
    response = login_api(make_user("administrator")).patch(f"{USERS}{officer.pk}/", {"role": "analyst"})
    assert response.status_code == 403
    assert response.json()["error"]["fields"] == {"action": "user.role.change"}


def test_an_administrator_resets_another_persons_factor(admin_api, officer, totp):
    totp.enrol(officer)
    assert admin_api.post(f"{USERS}{officer.pk}/mfa/reset").status_code == 204
    assert not TotpDevice.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="accounts.mfa.removed")
    assert event.payload == {"by_holder": False}


def test_resetting_ones_own_factor_goes_through_the_own_endpoint(admin_api):
    assert admin_api.post(f"{USERS}{admin_api.user.pk}/mfa/reset").status_code == 400
