"""Step-up: a fresh TOTP grants one kind of action to one session for five minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.stepup import has_step_up
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STEP_UP = "/api/v1/auth/step-up"
CLIENTS = "/api/v1/api-clients/"


@pytest.fixture
def admin_with_app(make_user, totp):
    admin = make_user("administrator")
    return admin, totp.enrol(admin)


@pytest.fixture
def later():
    """Run after the enrolment's step, so the first fresh code is not a replay."""
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False) as traveller:
        yield traveller


def _create(client: APIClient, name: str = "frontend"):
    return client.post(CLIENTS, {"name": name, "scopes": ["customers:read"]})


def test_a_risky_call_without_a_step_up_answers_403_naming_the_action(admin_with_app, login_api, later):
    admin, _ = admin_with_app
    response = _create(login_api(admin))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "step_up_required"
    assert error["fields"] == {"action": "api_client.manage"}
    assert AuditEvent.objects.filter(action="accounts.step_up.refused").exists()


def test_a_step_up_grants_the_action_and_cycles_the_session_key(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    client = login_api(admin)
    before = client.cookies["sessionid"].value
    response = client.post(STEP_UP, {"action": "api_client.manage", "code": totp.fresh(admin, seed)})
    assert response.status_code == 200
    assert response.json()["action"] == "api_client.manage"
    assert client.cookies["sessionid"].value != before
    assert _create(client).status_code == 201
    assert AuditEvent.objects.filter(action="accounts.step_up.granted").count() == 1


def test_a_grant_lapses_after_five_minutes(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    client = login_api(admin)
    totp.step_up(client, admin, seed, "api_client.manage")
    later.shift(timedelta(minutes=4, seconds=50))
    assert _create(client, "first").status_code == 201
    later.shift(timedelta(seconds=11))
    assert _create(client, "second").json()["error"]["code"] == "step_up_required"


def test_a_grant_for_one_action_does_not_open_another(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    client = login_api(admin)
    totp.step_up(client, admin, seed, "user.role.change")
    response = _create(client)
    assert response.status_code == 403
    assert response.json()["error"]["fields"] == {"action": "api_client.manage"}


def test_a_grant_in_one_session_does_not_serve_another(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    first, second = login_api(admin), login_api(admin)
    totp.step_up(first, admin, seed, "api_client.manage")
    assert _create(second).json()["error"]["code"] == "step_up_required"
    assert _create(first).status_code == 201


def test_a_step_up_code_cannot_be_replayed_for_another_action(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    client = login_api(admin)
    code = totp.fresh(admin, seed)
    assert client.post(STEP_UP, {"action": "api_client.manage", "code": code}).status_code == 200
    replay = client.post(STEP_UP, {"action": "user.role.change", "code": code})
    assert replay.status_code == 403
    assert replay.json()["error"]["code"] == "mfa_code_invalid"


def test_a_wrong_code_grants_nothing(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    client = login_api(admin)
    response = client.post(STEP_UP, {"action": "api_client.manage", "code": totp.code(seed, offset=7)})
    assert response.status_code == 403
    assert _create(client).json()["error"]["code"] == "step_up_required"


def test_a_role_that_may_never_act_is_refused_rather_than_invited_to_step_up(make_user, login_api, totp, later):
    analyst = make_user("analyst")
    seed = totp.enrol(analyst)
    client = login_api(analyst)
    response = client.post(STEP_UP, {"action": "api_client.manage", "code": totp.fresh(analyst, seed)})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    "body",
    [{}, {"action": "api_client.manage"}, {"action": "case.view", "code": "123456"}, {"action": "nope", "code": "1"}],
)
def test_an_invalid_step_up_request_is_a_400(admin_with_app, login_api, body):
    admin, _ = admin_with_app
    response = login_api(admin).post(STEP_UP, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_anonymous_and_api_clients_cannot_step_up(api, client_api):
    assert api.post(STEP_UP, {"action": "api_client.manage", "code": "123456"}).status_code == 401
    assert client_api.post(STEP_UP, {"action": "api_client.manage", "code": "123456"}).status_code == 403


def test_a_session_without_its_second_factor_cannot_step_up(admin_with_app, login_api, totp, later):
    admin, seed = admin_with_app
    client = login_api(admin, mfa=False)
    response = client.post(STEP_UP, {"action": "api_client.manage", "code": totp.fresh(admin, seed)})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_the_helper_other_apps_call_reports_grants(admin_with_app, login_api, totp, later, rf):
    admin, seed = admin_with_app
    client = login_api(admin)
    totp.step_up(client, admin, seed, "api_client.manage")
    request = rf.get("/")
    request.user = admin
    from importlib import import_module

    from django.conf import settings

    request.session = import_module(settings.SESSION_ENGINE).SessionStore(client.cookies["sessionid"].value)
    assert has_step_up(request, "api_client.manage")
    assert not has_step_up(request, "user.manage")
