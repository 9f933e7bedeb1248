"""Concurrent writers on PostgreSQL still produce one gap-free, valid chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from audit.services import audit_record, checkpoint_create
from audit.verification import verify_log
from tests.audit.conftest import TEST_ACTION, postgres_only

WRITERS = 8
EVENTS_EACH = 25


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_a_gap_free_valid_chain():
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EVENTS_EACH):
                with transaction.atomic():
                    audit_record(action=TEST_ACTION, actor=None, payload={"writer": n, "i": i})
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

    sequences = list(AuditEvent.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, WRITERS * EVENTS_EACH + 1))
    per_writer = {n: 0 for n in range(WRITERS)}
    for payload in AuditEvent.objects.values_list("payload", flat=True):
        per_writer[payload["writer"]] += 1
    assert set(per_writer.values()) == {EVENTS_EACH}
    checkpoint_create()
    report = verify_log()
    assert report.ok, report.fault
    assert report.events == WRITERS * EVENTS_EACH


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_a_writer_waits_for_the_chain_head_while_another_transaction_holds_it():
    """The head row lock is what serialises writers: a second writer blocks until the first commits."""
    order: list[str] = []
    first_has_lock = threading.Event()
    release_first = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                audit_record(action=TEST_ACTION, actor=None, payload={"who": "first"})
                first_has_lock.set()
                release_first.wait(10)
                order.append("first commits")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_has_lock.wait(10)
            with transaction.atomic():
                audit_record(action=TEST_ACTION, actor=None, payload={"who": "second"})
                order.append("second recorded")
        finally:
            connections.close_all()

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t1.start()
    t2.start()
    first_has_lock.wait(10)
    t2.join(0.5)
    assert t2.is_alive(), "the second writer should be waiting on the chain head"
    release_first.set()
    t1.join(10)
    t2.join(10)
    assert order == ["first commits", "second recorded"]
    assert [p["who"] for p in AuditEvent.objects.values_list("payload", flat=True)] == ["first", "second"]
    assert connection.vendor == "postgresql"


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_parallel_verification_agrees_with_serial_and_finds_the_same_event(record_events, tamper):
    record_events(23)
    checkpoint_create()
    record_events(7)
    serial, parallel = verify_log(), verify_log(workers=2, slice_size=4)
    assert serial.ok and parallel.ok, (serial.fault, parallel.fault)
    assert parallel.events == serial.events == 30
    tamper("UPDATE audit_auditevent SET payload = '{}' WHERE sequence = 17", [])
    tamper("DELETE FROM audit_auditevent WHERE sequence = 26", [])
    for report in (verify_log(), verify_log(workers=2, slice_size=4), verify_log(workers=2, slice_size=16)):
        assert report.fault is not None
        assert report.fault.sequence == 17
