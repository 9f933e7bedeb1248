"""Database triggers that make the audit tables append-only.

PostgreSQL: one statement-level trigger per table refuses UPDATE, DELETE and TRUNCATE.
It is enabled with ``ENABLE ALWAYS`` so that ``SET session_replication_role = replica``
(which silences ordinary triggers) does not silence it. Only the table owner can
disable it, which is why the application should connect as a role that owns nothing
and holds only SELECT and INSERT on these tables (see audit/README.md).

SQLite: BEFORE UPDATE and BEFORE DELETE triggers that abort (SQLite has no TRUNCATE;
``DELETE FROM`` fires the delete trigger).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

PROTECTED_TABLES = ("audit_auditevent", "audit_auditcheckpoint")
PG_FUNCTION = "audit_refuse_change"


def _pg_trigger(table: str) -> str:
    return f"{table}_append_only"


def _sqlite_triggers(table: str) -> dict[str, str]:
    return {
        f"{table}_no_update": f"BEFORE UPDATE ON {table}",
        f"{table}_no_delete": f"BEFORE DELETE ON {table}",
    }


def install_sql(vendor: str) -> list[str]:
    """The statements that install the triggers on this database vendor."""
    if vendor == "postgresql":
        statements = [
            f"""
            CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        ]
        for table in PROTECTED_TABLES:
            trigger = _pg_trigger(table)
            statements += [
                f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
                f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}",
            ]
        return statements
    if vendor == "sqlite":
        statements = []
        for table in PROTECTED_TABLES:
            for name, when in _sqlite_triggers(table).items():
                verb = "UPDATE" if name.endswith("update") else "DELETE"
                statements += [
                    f"DROP TRIGGER IF EXISTS {name}",
                    f"CREATE TRIGGER {name} {when} BEGIN "
                    f"SELECT RAISE(ABORT, 'audit table {table} is append-only: {verb} refused'); END",
                ]
        return statements
    return []


def uninstall_sql(vendor: str) -> list[str]:
    """The statements that remove the triggers (used by migrations backwards and test flushes)."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_pg_trigger(t)} ON {t}" for t in PROTECTED_TABLES]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for t in PROTECTED_TABLES for name in _sqlite_triggers(t)]
    return []


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in uninstall_sql(connection.vendor):
            cursor.execute(statement)


@contextmanager
def suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Remove the triggers for the duration of the block (owner only; tests and test flushes).

    Call it inside a transaction so that a failure leaves the triggers in place.
    """
    uninstall(connection)
    try:
        yield
    finally:
        install(connection)


def app_role_grants_sql(role: str) -> list[str]:
    """What the application role needs on PostgreSQL: read and append the log, move the chain head.

    The role must not own the audit tables (an owner can disable triggers) and gets no
    UPDATE, DELETE or TRUNCATE on them. ``role`` must be a plain identifier.
    """
    if not role.replace("_", "").isalnum():
        raise ValueError("role must be a plain identifier")
    return [
        f"REVOKE ALL ON {', '.join(PROTECTED_TABLES)} FROM {role}",
        f"GRANT SELECT, INSERT ON {', '.join(PROTECTED_TABLES)} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO {role}",
    ]
