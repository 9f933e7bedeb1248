"""Concurrent verifications of one code on PostgreSQL: the row lock lets exactly one succeed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.services.mfa import Outcome

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: run with DATABASE_URL=postgres://... (CI does)")


def _race(attempt, count: int = THREADS) -> list[Outcome]:
    barrier = threading.Barrier(count)

    def one(_: int) -> Outcome:
        try:
            barrier.wait(timeout=10)
            return attempt()
        finally:
            connection.close()  # each thread had its own connection

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_one_totp_code_sent_by_eight_concurrent_requests_succeeds_exactly_once(officer, totp):
    seed = totp.enrol(officer)
    start = timezone.now() + timedelta(seconds=31)
    with time_machine.travel(start, tick=False) as clock:
        for _round in range(3):
            code = totp.fresh(officer, seed)
            outcomes = _race(
                lambda code=code: services.totp_verify(user=User.objects.get(pk=officer.pk), code=code).outcome
            )
            assert outcomes.count(Outcome.ACCEPTED) == 1, outcomes
            # The others are refused as replays, or, once replays pile up, by the failure delay.
            assert set(outcomes) - {Outcome.ACCEPTED} <= {Outcome.REPLAYED, Outcome.THROTTLED}, outcomes
            assert Outcome.REPLAYED in outcomes
            clock.shift(timedelta(seconds=30))


def test_one_recovery_code_sent_concurrently_is_spent_exactly_once(officer):
    _, codes = services.totp_provision_confirmed(user=officer, actor=None)
    outcomes = _race(lambda: services.recovery_code_use(user=User.objects.get(pk=officer.pk), code=codes[0]).outcome, 4)
    assert outcomes.count(Outcome.ACCEPTED) == 1, outcomes
