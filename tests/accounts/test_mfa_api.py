"""The second-factor API: enrol (seed shown once), confirm, verify a session, status, remove."""

from __future__ import annotations

from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import otp
from accounts.models import TotpDevice
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STATUS, VERIFY = "/api/v1/auth/mfa", "/api/v1/auth/mfa/verify"
TOTP, CONFIRM = "/api/v1/auth/mfa/totp", "/api/v1/auth/mfa/totp/confirm"
WHOAMI_CASES = "/api/v1/users/"


def _seed(secret: str) -> bytes:
    return b32decode(secret + "=" * (-len(secret) % 8))


@pytest.mark.parametrize(("method", "url"), [("get", STATUS), ("post", VERIFY), ("post", TOTP), ("post", CONFIRM)])
def test_anonymous_callers_get_401(api, method, url):
    assert getattr(api, method)(url, {}).status_code == 401


@pytest.mark.parametrize(("method", "url"), [("get", STATUS), ("post", VERIFY), ("post", TOTP)])
def test_api_clients_have_no_second_factor_to_manage(client_api, method, url):
    assert getattr(client_api, method)(url, {}).status_code == 403


def test_a_person_enrols_through_the_api_and_the_seed_is_shown_once(officer, login_api):
    client = login_api(officer, mfa=False)
    started = client.post(TOTP)
    assert started.status_code == 201
    assert started["Cache-Control"] == "no-store"
    body = started.json()
    assert body["provisioning_uri"].startswith("otpauth://totp/") and body["qr_svg"].startswith("<svg")
    assert client.get(STATUS).json()["enrolment_pending"] is True
    assert body["secret"] not in repr(client.get(STATUS).json())
    code = otp.code_for_step(_seed(body["secret"]), otp.step_at(timezone.now().timestamp()))
    confirmed = client.post(CONFIRM, {"code": code})
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    status = client.get(STATUS).json()
    assert status["enrolled"] and status["session_verified"] and status["recovery_codes_left"] == 10


def test_confirming_with_a_wrong_code_is_refused_and_leaves_it_pending(officer, login_api):
    client = login_api(officer, mfa=False)
    secret = client.post(TOTP).json()["secret"]
    right = otp.code_for_step(_seed(secret), otp.step_at(timezone.now().timestamp()))
    response = client.post(CONFIRM, {"code": f"{(int(right) + 500_000) % 1_000_000:06d}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_code_invalid"
    assert not TotpDevice.objects.get(user=officer).is_confirmed


def test_confirming_without_an_enrolment_is_a_conflict(officer, login_api):
    response = login_api(officer, mfa=False).post(CONFIRM, {"code": "123456"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "mfa_not_enrolled"


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "1" * 40}])
def test_an_invalid_confirmation_body_is_a_400(officer, login_api, body):
    response = login_api(officer, mfa=False).post(CONFIRM, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("body", [{}, {"code": "123456", "recovery_code": "AAAA-BBBB-CCCC"}])
def test_verify_needs_exactly_one_kind_of_code(officer, login_api, body):
    response = login_api(officer, mfa=False).post(VERIFY, body)
    assert response.status_code == 400


def test_an_officer_endpoint_asks_an_unverified_session_for_its_second_factor(make_user, login_api, totp):
    admin = make_user("administrator")
    seed = totp.enrol(admin)
    client = login_api(admin, mfa=False)
    refused = client.get(WHOAMI_CASES)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_required"
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        old_key = client.cookies["sessionid"].value
        verified = client.post(VERIFY, {"code": totp.fresh(admin, seed)})
        assert verified.status_code == 200
        assert client.cookies["sessionid"].value != old_key  # a new session id after the second factor
        assert client.get(WHOAMI_CASES).status_code == 200


def test_a_recovery_code_verifies_a_session_once(make_user, login_api):
    from accounts import services

    admin = make_user("administrator")
    _, codes = services.totp_provision_confirmed(user=admin, actor=None)
    client = login_api(admin, mfa=False)
    first = client.post(VERIFY, {"recovery_code": codes[0]})
    assert first.status_code == 200 and first.json()["recovery_codes_left"] == 9
    again = login_api(admin, mfa=False).post(VERIFY, {"recovery_code": codes[0]})
    assert again.status_code == 403


def test_verification_is_throttled_through_the_api(officer, login_api, totp):
    seed = totp.enrol(officer)
    client = login_api(officer, mfa=False)
    right = totp.code(seed, offset=5)  # far outside the window: always wrong now
    for _ in range(3):
        assert client.post(VERIFY, {"code": right}).status_code == 403
    response = client.post(VERIFY, {"code": totp.code(seed, offset=1)})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "mfa_throttled"
    assert response.json()["error"]["fields"]["retry_after"] >= 1


def test_removing_ones_own_factor_needs_a_step_up(officer, login_api, totp):
    seed = totp.enrol(officer)
    client = login_api(officer)
    refused = client.delete(TOTP)
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "step_up_required",
        "message": refused.json()["error"]["message"],
        "fields": {"action": "mfa.remove_own"},
    }
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        totp.step_up(client, officer, seed, "mfa.remove_own")
        assert client.delete(TOTP).status_code == 204
    assert not TotpDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="accounts.mfa.removed").exists()


def test_replacing_a_working_factor_needs_a_step_up(officer, login_api, totp):
    totp.enrol(officer)
    response = login_api(officer).post(TOTP)
    assert response.status_code == 403
    assert response.json()["error"]["fields"] == {"action": "mfa.remove_own"}


def test_new_recovery_codes_through_the_api_need_a_step_up_and_replace_the_old(officer, login_api, totp):
    from accounts import services

    seed = totp.enrol(officer)
    client = login_api(officer)
    refused = client.post("/api/v1/auth/mfa/recovery-codes")
    assert refused.status_code == 403
    assert refused.json()["error"]["fields"] == {"action": "mfa.recovery_codes.renew"}
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        totp.step_up(client, officer, seed, "mfa.recovery_codes.renew")
        response = client.post("/api/v1/auth/mfa/recovery-codes")
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    codes = response.json()["recovery_codes"]
    assert len(codes) == 10
    assert services.recovery_code_use(user=officer, code=codes[0]).ok
    assert AuditEvent.objects.filter(action="accounts.mfa.recovery_issued").exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/auth/mfa/recovery-codes", "/api/v1/auth/sessions/revoke", "/api/v1/auth/logout"]
)
def test_api_clients_cannot_use_the_personal_session_endpoints(client_api, url):
    assert client_api.post(url).status_code == 403


@pytest.mark.parametrize("header", ["Bearer anything", "Basic b2ZmaWNlcjpwYXNz", "Token x"])
def test_another_authorization_scheme_does_not_slip_a_session_past_the_gate(make_user, login_api, header):
    # The audit trail checks only the role itself, so here the gate is the only thing in the way.
    client = login_api(make_user("auditor"), mfa=False)
    response = client.get("/api/v1/audit/events/", HTTP_AUTHORIZATION=header)
    assert response.status_code in {401, 403}
    assert response.status_code == 401 or response.json()["error"]["code"] == "mfa_required"


def test_a_bad_api_key_beside_a_session_is_refused_not_served_from_the_session(make_user, login_api):
    client = login_api(make_user("administrator"), mfa=False)
    response = client.get(WHOAMI_CASES, HTTP_AUTHORIZATION="Api-Key tlk_aaaaaaaaaa_" + "A" * 43)
    assert response.status_code == 401
