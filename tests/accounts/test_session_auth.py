"""Officers use the API with their admin session, and CSRF protects every unsafe call."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

WHOAMI = "/api/v1/auth/whoami/"


def test_a_logged_in_officer_is_recognised_by_session(officer_api, officer):
    response = officer_api.get(WHOAMI)
    assert response.status_code == 200
    assert response.json() == {
        "kind": "officer",
        "id": str(officer.pk),
        "name": officer.email,
        "role": "officer",
        "key_prefix": None,
    }


def test_an_unsafe_session_call_without_a_csrf_token_is_refused(officer_api):
    response = officer_api.post(WHOAMI, {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_an_unsafe_session_call_with_the_csrf_token_passes_the_csrf_check(officer):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(email=officer.email, password="correct horse battery")
    client.get("/admin/")  # an admin page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(WHOAMI, {}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 405  # past CSRF; whoami is read-only


def test_logging_out_ends_api_access(officer_api):
    officer_api.logout()
    assert officer_api.get(WHOAMI).status_code == 401
