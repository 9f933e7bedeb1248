"""Hot-path SQL built by the ORM once per process: reads compiled once, inserts without the save() machinery.

Compiling a queryset costs more CPU than PostgreSQL spends answering it (about 0.3 ms of Python per
small query), and a screening request runs several fixed-shape queries. ``PreparedQuery`` compiles a
``values_list`` queryset the first time it runs on a database, remembers which parameters were the
caller's values, and afterwards only substitutes them: the SQL, the column list and the value
converters all still come from the models. ``insert_rows`` writes model instances with one
``INSERT`` per model (several models in one statement on PostgreSQL), filling ``auto_now`` fields and
preparing values exactly as ``save()`` does; like ``bulk_create`` it sends no model signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Model, QuerySet


class _Slot(str):
    """A placeholder value: a str subclass, so that string fields pass it through unchanged."""

    index: int


class PreparedQuery:
    """A ``values_list`` queryset with string parameters, compiled to SQL once per process and database vendor.

    ``build`` receives one placeholder per parameter and returns the queryset, e.g.
    ``PreparedQuery(lambda prefix: ApiKey.objects.filter(prefix=prefix).values_list("id", "key_hash"))``.
    Every placeholder must reach the SQL as a parameter unchanged (string lookups such as ``exact``);
    anything else is refused when the query is first compiled.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *, arity: int = 1) -> None:
        self._build = build
        self._arity = arity
        self._compiled: dict[str, _Compiled] = {}  # by database vendor
        self._lock = threading.Lock()

    def _compile(self) -> _Compiled:
        slots = []
        for index in range(self._arity):
            slot = _Slot(f"\x00prepared-parameter-{index}\x00")
            slot.index = index
            slots.append(slot)
        try:
            queryset = self._build(*slots)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
        except (ValueError, TypeError, ValidationError) as exc:  # a lookup that converts its value
            raise TypeError(f"a prepared query takes string lookups only: {exc}") from None
        seen = {param.index for param in params if type(param) is _Slot}
        transformed = any(
            type(param) is not _Slot and isinstance(param, str) and "\x00prepared-parameter-" in param
            for param in params
        )
        if transformed or seen != set(range(self._arity)):
            raise TypeError("every prepared query parameter must reach the SQL unchanged (use string lookups)")
        columns = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = [
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
        return _Compiled(alias=queryset.db, sql=sql, params=list(params), converters=converters)

    def rows(self, *values: str, convert: bool = True) -> list[tuple[Any, ...]]:
        """The rows for these parameter values; ``convert=False`` leaves database values as fetched."""
        if len(values) != self._arity or not all(isinstance(value, str) for value in values):
            raise TypeError(f"expected {self._arity} string parameter(s)")
        compiled = self._compiled.get(connections["default"].vendor)
        if compiled is None:
            with self._lock:
                compiled = self._compile()
                self._compiled[connections["default"].vendor] = compiled
        connection = connections[compiled.alias]
        params = [values[p.index] if type(p) is _Slot else p for p in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if not convert or not compiled.converters:
            return fetched
        out = []
        for row in fetched:
            converted = list(row)
            for position, functions, expression in compiled.converters:
                value = converted[position]
                for function in functions:
                    value = function(value, expression, connection)
                converted[position] = value
            out.append(tuple(converted))
        return out


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: list[Any]
    converters: list[tuple[int, tuple[Any, ...], Any]]


# --------------------------------------------------------------------------- inserts
_insert_columns: dict[tuple[type[Model], str], tuple[str, str]] = {}


def insert_statement(model: type[Model], connection: Any, *, rows: int = 1) -> str:
    """``INSERT INTO <table> (<every concrete column>) VALUES (%s, ...)`` for ``rows`` rows (built once per model)."""
    head, row = _columns(model, connection)
    return head + ", ".join([row] * rows)


def _columns(model: type[Model], connection: Any) -> tuple[str, str]:
    key = (model, connection.vendor)
    found = _insert_columns.get(key)
    if found is None:
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        columns = ", ".join(quote(field.column) for field in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Table and column names come from the model, values are parameters.
        head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
        found = _insert_columns[key] = (head, row)
    return found


def insert_rows(*groups: Sequence[Model], using: str = "default") -> None:
    """INSERT new instances, one statement per model, or one statement in all on PostgreSQL.

    Each group holds instances of one model, in dependency order (a row's foreign keys point at
    rows of earlier groups or already stored). Values are prepared as ``save()`` prepares them
    (``pre_save`` fills ``auto_now`` fields on the instances); no signals are sent, as with
    ``bulk_create``. Foreign keys are checked when the transaction commits (PostgreSQL defers them).
    """
    connection = connections[using]
    statements: list[tuple[str, list[Any]]] = []
    for group in groups:
        if not group:
            continue
        model = type(group[0])
        fields = model._meta.concrete_fields
        params: list[Any] = []
        for instance in group:
            if type(instance) is not model:
                raise TypeError("each group of insert_rows holds instances of one model")
            params.extend(field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields)
        statements.append((insert_statement(model, connection, rows=len(group)), params))
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            # Data-modifying CTEs: every INSERT in one round trip.
            *first, (last_sql, last_params) = statements
            ctes = ", ".join(f"w{n} AS ({sql})" for n, (sql, _) in enumerate(first))
            cursor.execute(f"WITH {ctes} {last_sql}", [p for _, params in first for p in params] + list(last_params))
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
    for group in groups:
        for instance in group:
            instance._state.adding = False
            instance._state.db = using
