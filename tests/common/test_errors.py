"""Every API error uses one envelope: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.common.errors_urls")]


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_an_unknown_api_url_answers_404_in_the_envelope(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_wrong_method_answers_405_in_the_envelope(client_api):
    response = client_api.delete("/api/v1/auth/whoami/")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_invalid_input_answers_400_with_field_errors(api):
    response = api.post("/api/v1/test/validate/", {"name": "x" * 30, "age": -1}, format="json")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "age"}


def test_malformed_json_answers_400_parse_error(api):
    response = api.post("/api/v1/test/validate/", data='{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


def test_a_wrong_content_type_answers_415(api):
    response = api.post("/api/v1/test/validate/", data="name=x", content_type="text/plain")
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_an_oversize_body_answers_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"name": "x" * 5000, "age": 1})
    response = api.post("/api/v1/test/validate/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


def test_an_unexpected_exception_answers_500_without_leaking_details(api):
    response = api.get("/api/v1/test/crash/")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert response["X-Request-ID"]


def test_throttling_answers_429_with_retry_after(api):
    cache.clear()
    assert api.get("/api/v1/test/throttled/").status_code == 200
    response = api.get("/api/v1/test/throttled/")
    assert response.status_code == 429
    error = _error(response)
    assert error["code"] == "throttled"
    assert error["fields"]["retry_after"] > 0
    assert int(response["Retry-After"]) > 0


def test_anonymous_callers_get_401_not_authenticated(api):
    response = api.get("/api/v1/auth/whoami/")
    assert response.status_code == 401
    assert _error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Api-Key"


def test_non_api_pages_keep_djangos_html_errors(client):
    response = client.get("/definitely-not-here/")
    assert response.status_code == 404
    assert "application/json" not in response["Content-Type"]
