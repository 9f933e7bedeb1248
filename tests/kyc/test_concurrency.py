"""Concurrent requests on PostgreSQL: one submission opens one case, one Idempotency-Key creates one customer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from kyc.models import Case, Customer
from tests.kyc.conftest import PERSON

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL: set DATABASE_URL=postgres://...")


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_simultaneous_submissions_open_one_case(
    client_api: APIClient, create_customer: Callable[..., dict], no_watchlist: Any
) -> None:
    customer = create_customer()
    url = f"/api/v1/customers/{customer['id']}/submit/"
    statuses = sorted(r.status_code for r in run_together([lambda: client_api.post(url)] * 4))
    assert statuses[0] == 202 and set(statuses[1:]) == {409}
    assert Case.objects.filter(customer_id=customer["id"]).count() == 1


def test_simultaneous_creates_with_one_idempotency_key_create_one_customer(client_api: APIClient) -> None:
    body = {"kind": "individual", "details": PERSON}

    def create() -> Any:
        return client_api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")

    statuses = sorted(r.status_code for r in run_together([create] * 4))
    assert Customer.objects.count() == 1
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
