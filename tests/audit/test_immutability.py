"""The database itself refuses to change or remove audit rows."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import immutability
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import audit_record, checkpoint_create
from tests.audit.conftest import TEST_ACTION, postgres_only

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(excinfo.value)


def test_updating_or_deleting_an_event_through_the_orm_is_refused(record_events):
    record_events(3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=2).update(action="tests.audit.thing.undone")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=2).delete()
    assert AuditEvent.objects.count() == 3


def test_raw_sql_cannot_change_events_or_checkpoints(record_events):
    record_events(2)
    checkpoint_create()
    assert "append-only" in _refused("UPDATE audit_auditevent SET payload = '{}'")
    assert "append-only" in _refused("DELETE FROM audit_auditevent")
    assert "append-only" in _refused("UPDATE audit_auditcheckpoint SET tree_size = 1")
    assert "append-only" in _refused("DELETE FROM audit_auditcheckpoint")
    assert AuditEvent.objects.count() == 2
    assert AuditCheckpoint.objects.count() == 1


@postgres_only()
def test_truncate_is_refused_even_with_replication_role_replica(record_events):
    record_events(2)
    assert "append-only" in _refused("TRUNCATE audit_auditevent")
    with transaction.atomic(), connection.cursor() as cursor:
        # 'replica' silences ordinary triggers; ENABLE ALWAYS keeps these firing.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute("TRUNCATE audit_auditevent, audit_auditcheckpoint")
    assert AuditEvent.objects.count() == 2


@postgres_only()
def test_the_application_role_can_append_but_not_update_delete_truncate_or_disable_triggers(record_events):
    record_events(2)
    role = f"tillit_audit_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database role may not create roles (needs CREATEROLE)")
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")  # rolled back with the test's transaction
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        for statement in immutability.app_role_grants_sql(role):
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {role}")
    try:
        event = audit_record(action=TEST_ACTION, actor=None, payload={"as": "app role"})
        assert event.sequence == 3
        for sql in (
            "UPDATE audit_auditevent SET action = 'x'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "UPDATE audit_auditcheckpoint SET tree_size = 0",
        ):
            message = _refused(sql)
            assert "permission denied" in message or "must be owner" in message, sql
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 3


def test_the_grant_helper_refuses_odd_role_names():
    with pytest.raises(ValueError, match="plain identifier"):
        immutability.app_role_grants_sql("app; DROP TABLE x")


def test_flush_is_refused_outside_tests(record_events, settings, monkeypatch):
    from audit.management.commands import flush

    record_events(1)
    monkeypatch.setattr(flush, "flush_allowed", lambda: False)
    with pytest.raises(CommandError, match="append-only audit trail"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_test_flush_empties_the_audit_tables_and_keeps_the_triggers(record_events):
    record_events(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    record_events(1)
    assert AuditEvent.objects.get().sequence == 1
    assert "append-only" in _refused("DELETE FROM audit_auditevent")
