"""Schemathesis against the kyc part of the OpenAPI schema: generated requests never cause a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application()).include(
    path_regex=r"^/api/v1/(customers|cases|webhooks)/"
)


@pytest.fixture
def auth(create_customer: Any, client_api: Any) -> Iterator[dict[str, str]]:
    """The key of a client that owns one customer; requests share the test's database connection."""
    create_customer()
    # As Django's test client does: a finished request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield client_api._credentials
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_cause_a_server_error(case: Any, auth: dict[str, str]) -> None:
    headers = {"Authorization": auth["HTTP_AUTHORIZATION"]}
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
