"""The admin: no page without a second factor in the session; risky changes prompt for a fresh code."""

from __future__ import annotations

from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.core.checks import run_checks
from django.test import Client
from django.utils import timezone

from accounts import otp
from accounts.models import ApiClient, TotpDevice, User
from audit.models import AuditEvent
from tests.accounts.conftest import GATE
from tests.mfa import mark_mfa_verified

pytestmark = pytest.mark.django_db


def _templates(response) -> list[str]:
    return [t.name for t in response.templates]


def _staff_client(user, *, mfa: bool) -> Client:
    client = Client()
    client.force_login(user)
    if mfa:
        mark_mfa_verified(client, user)
    return client


@pytest.fixture
def admin_user(make_user):
    user = make_user("administrator")
    user.is_superuser = True  # Django model permissions; the role still decides
    user.save()
    return user


# --- The gate ---------------------------------------------------------------------------------------------
def test_staff_with_a_device_are_asked_for_a_code_before_any_admin_page(officer, totp):
    seed = totp.enrol(officer)
    client = _staff_client(officer, mfa=False)
    for path in ["/admin/", "/admin/accounts/user/", "/admin/password_change/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "admin/accounts/mfa_verify.html" in _templates(response), path
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        response = client.post("/admin/", {"_mfa_code": totp.fresh(officer, seed)})
        assert response.status_code == 302 and response["Location"] == "/admin/"
        index = client.get("/admin/")
    assert "admin/index.html" in _templates(index)
    assert AuditEvent.objects.filter(action="accounts.mfa.verified").exists()


def test_a_wrong_code_keeps_the_admin_closed(officer, totp):
    seed = totp.enrol(officer)
    client = _staff_client(officer, mfa=False)
    response = client.post("/admin/", {"_mfa_code": totp.code(seed, offset=9)})
    assert "admin/accounts/mfa_verify.html" in _templates(response)
    assert "not accepted" in response.content.decode()
    assert "admin/accounts/mfa_verify.html" in _templates(client.get("/admin/"))


def test_a_recovery_code_opens_the_admin_once(officer):
    from accounts import services

    _, codes = services.totp_provision_confirmed(user=officer, actor=None)
    first = _staff_client(officer, mfa=False)
    assert first.post("/admin/", {"_mfa_recovery_code": codes[0]}).status_code == 302
    assert "admin/index.html" in _templates(first.get("/admin/"))
    second = _staff_client(officer, mfa=False)
    assert "admin/accounts/mfa_verify.html" in _templates(second.post("/admin/", {"_mfa_recovery_code": codes[0]}))


def test_staff_without_a_device_enrol_in_the_admin_and_see_the_qr_and_codes_once(officer):
    client = _staff_client(officer, mfa=False)
    page = client.get("/admin/")
    assert "admin/accounts/mfa_enrol.html" in _templates(page)
    assert page["Cache-Control"] == "no-store"
    secret = page.context["enrolment"].secret_base32
    assert "<svg" in page.content.decode() and secret in page.content.decode()
    seed = b32decode(secret + "=" * (-len(secret) % 8))
    done = client.post("/admin/", {"_mfa_code": otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()))})
    assert "admin/accounts/mfa_recovery_codes.html" in _templates(done)
    assert len(done.context["codes"]) == 10
    assert TotpDevice.objects.get(user=officer).is_confirmed
    assert "admin/index.html" in _templates(client.get("/admin/"))


def test_the_login_and_logout_pages_are_not_behind_the_gate(officer, totp):
    totp.enrol(officer)
    client = _staff_client(officer, mfa=False)
    assert client.post("/admin/logout/").status_code in {200, 302}
    assert "admin/login.html" in _templates(Client().get("/admin/login/"))


def test_people_who_are_not_staff_get_the_admin_login_page(make_user):
    client = Client()
    client.force_login(make_user("analyst", is_staff=False))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_system_check_reports_a_missing_gate(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != GATE]
    assert "accounts.W001" in {message.id for message in run_checks()}
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, GATE]
    assert "accounts.W001" not in {message.id for message in run_checks()}


# --- Roles and step-up in the admin ------------------------------------------------------------------------
def test_a_superuser_officer_cannot_manage_api_clients_in_the_admin(officer, make_api_client):
    officer.is_superuser = True
    officer.save()
    tenant, _ = make_api_client()
    client = _staff_client(officer, mfa=True)
    assert client.get("/admin/accounts/apiclient/").status_code == 403
    assert client.get(f"/admin/accounts/apiclient/{tenant.pk}/change/").status_code == 403


def test_an_admin_action_prompts_for_a_code_then_proceeds(admin_user, totp, make_api_client):
    seed = totp.enrol(admin_user)
    tenant, _ = make_api_client("frontend")
    tenant.keys.get().delete()
    client = _staff_client(admin_user, mfa=True)
    form = {"action": "issue_key", "_selected_action": [str(tenant.pk)], "index": "0"}
    prompt = client.post("/admin/accounts/apiclient/", form)
    assert "admin/accounts/step_up.html" in _templates(prompt)
    assert f'value="{tenant.pk}"' in prompt.content.decode()  # the selection is carried through
    assert tenant.keys.count() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        done = client.post("/admin/accounts/apiclient/", {**form, "_step_up_code": totp.fresh(admin_user, seed)})
    assert "admin/accounts/api_key_created.html" in _templates(done)
    assert tenant.keys.count() == 1
    assert AuditEvent.objects.filter(action="accounts.step_up.granted").exists()


def test_a_wrong_step_up_code_in_the_admin_changes_nothing(admin_user, totp, make_api_client):
    seed = totp.enrol(admin_user)
    tenant, _ = make_api_client("frontend")
    client = _staff_client(admin_user, mfa=True)
    form = {"action": "revoke_all_keys", "_selected_action": [str(tenant.pk)], "index": "0"}
    response = client.post("/admin/accounts/apiclient/", {**form, "_step_up_code": totp.code(seed, offset=9)})
    assert "admin/accounts/step_up.html" in _templates(response)
    assert tenant.keys.active().count() == 1


def test_a_role_change_in_the_admin_needs_a_step_up_and_is_audited(admin_user, officer, totp):
    seed = totp.enrol(admin_user)
    client = _staff_client(admin_user, mfa=True)
    url = f"/admin/accounts/user/{officer.pk}/change/"
    form = {
        "email": officer.email,
        "full_name": "",
        "role": "senior_officer",
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    assert "admin/accounts/step_up.html" in _templates(client.post(url, form))
    assert User.objects.get(pk=officer.pk).role == "officer"
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        saved = client.post(url, {**form, "_step_up_code": totp.fresh(admin_user, seed)})
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    assert User.objects.get(pk=officer.pk).role == "senior_officer"
    event = AuditEvent.objects.get(action="accounts.user.privileges_changed")
    assert event.payload == {"role": {"from": "officer", "to": "senior_officer"}}


def test_creating_a_client_in_the_admin_goes_through_the_audited_service(admin_user, totp):
    seed = totp.enrol(admin_user)
    client = _staff_client(admin_user, mfa=True)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp_code = totp.fresh(admin_user, seed)
        response = client.post(
            "/admin/accounts/apiclient/add/",
            {
                "name": "partner",
                "description": "",
                "scopes": '["customers:read"]',
                "is_active": "on",
                "keys-TOTAL_FORMS": "0",
                "keys-INITIAL_FORMS": "0",
                "_step_up_code": totp_code,
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    created = ApiClient.objects.get(name="partner")
    assert created.created_by == admin_user
    assert AuditEvent.objects.filter(action="accounts.api_client.created", target_id=str(created.pk)).exists()


# --- One's own factor in the admin ---------------------------------------------------------------------------
OWN = "/admin/accounts/user/my-second-factor/"


def test_the_own_factor_page_shows_the_state_to_any_staff_member(officer, totp):
    totp.enrol(officer)
    page = _staff_client(officer, mfa=True).get(OWN)
    assert "admin/accounts/mfa_manage.html" in _templates(page)
    assert page.context["state"].recovery_codes_left == 10


def test_removing_ones_own_app_in_the_admin_needs_a_step_up_then_the_gate_asks_for_a_new_one(officer, totp):
    seed = totp.enrol(officer)
    client = _staff_client(officer, mfa=True)
    prompt = client.post(OWN, {"op": "remove"})
    assert "admin/accounts/step_up.html" in _templates(prompt)
    assert prompt.context["rule"].action == "mfa.remove_own"
    assert TotpDevice.objects.filter(user=officer).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        done = client.post(OWN, {"op": "remove", "_step_up_code": totp.fresh(officer, seed)})
    assert done.status_code == 302
    assert not TotpDevice.objects.filter(user=officer).exists()
    assert "admin/accounts/mfa_enrol.html" in _templates(client.get("/admin/"))


def test_replacing_ones_own_app_in_the_admin_shows_a_new_qr_once_and_keeps_this_session(officer, totp):
    seed = totp.enrol(officer)
    client = _staff_client(officer, mfa=True)
    other = _staff_client(officer, mfa=True)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        page = client.post(OWN, {"op": "replace", "_step_up_code": totp.fresh(officer, seed)})
        assert "admin/accounts/mfa_enrol.html" in _templates(page)
        secret = page.context["enrolment"].secret_base32
        new_seed = b32decode(secret + "=" * (-len(secret) % 8))
        code = otp.code_for_step(new_seed, otp.step_at(timezone.now().timestamp()))
        done = client.post(OWN, {"op": "confirm", "_mfa_code": code})
    assert "admin/accounts/mfa_recovery_codes.html" in _templates(done)
    assert "admin/index.html" in _templates(client.get("/admin/"))
    assert other.get("/admin/").status_code == 302  # the other session ended: back to the login page


def test_new_recovery_codes_in_the_admin_need_a_step_up(officer, totp):
    seed = totp.enrol(officer)
    client = _staff_client(officer, mfa=True)
    assert "admin/accounts/step_up.html" in _templates(client.post(OWN, {"op": "recovery"}))
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        done = client.post(OWN, {"op": "recovery", "_step_up_code": totp.fresh(officer, seed)})
    assert len(done.context["codes"]) == 10
