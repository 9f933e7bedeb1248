"""Every API endpoint of every app: anonymous callers get 401, and no person reaches data without a
second factor verified in the session (the auth endpoints that establish it excepted)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Endpoints a person uses before (or to reach) a verified second factor, and the public schema.
EXEMPT = (
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/api/v1/auth/whoami/",
    "/api/v1/auth/mfa",
    "/api/v1/auth/logout",
    "/api/v1/auth/sessions/revoke",
)
SAMPLE = {
    "IntConverter": ("int", "1"),
    "UUIDConverter": ("uuid", str(uuid.UUID(int=1))),
    "StringConverter": ("str", str(uuid.UUID(int=1))),
    "SlugConverter": ("slug", "sample"),
    "PathConverter": ("path", "sample"),
}


def _routes(patterns, prefix: str = "/"):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + _fill(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _fill(entry.pattern), entry.callback


def _fill(pattern) -> str:
    route = str(pattern)
    converters = getattr(pattern, "converters", {})
    for name, converter in converters.items():
        kind, value = SAMPLE.get(type(converter).__name__, ("", "1"))
        route = route.replace(f"<{kind}:{name}>", value).replace(f"<{name}>", value)
    return route.lstrip("^").rstrip("$")


def _api_endpoints() -> list[tuple[str, str]]:
    found = []
    for path, callback in _routes(get_resolver().url_patterns):
        if not path.startswith("/api/v1/") or path.startswith(EXEMPT):
            continue
        view = getattr(callback, "cls", None)
        if view is None:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                found.append((method, path))
    return sorted(set(found))


ENDPOINTS = _api_endpoints()


def test_the_walk_finds_the_accounts_endpoints():
    assert ("post", "/api/v1/auth/step-up") in ENDPOINTS
    assert ("get", "/api/v1/api-clients/") in ENDPOINTS


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_callers_get_401(api, method, path):
    response = getattr(api, method)(path, {})
    assert response.status_code == 401, response.content[:200]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("role", ["analyst", "officer", "senior_officer", "administrator", "auditor"])
def test_no_person_gets_data_without_a_verified_second_factor(make_user, login_api, role, method, path):
    response = getattr(login_api(make_user(role), mfa=False), method)(path, {})
    assert response.status_code in {401, 403, 405}, (response.status_code, response.content[:200])
