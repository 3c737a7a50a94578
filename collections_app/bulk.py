"""Bulk inserts for the set-based paths (the escalation sweep writes hundreds of
thousands of ledger and outbox rows in one run).

On PostgreSQL: ids are taken from the table's sequence in one query, then the rows
go in with COPY, which is several times faster than INSERT and skips Django's
per-object work. Elsewhere (SQLite): `bulk_create`. Either way no model `save()`
runs and no history row is written: these rows are themselves the audit.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

from django.db import connection
from django.db.models import Model


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def bulk_insert(model: type[Model], columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert `rows` (tuples in `columns` order, database column names) into
    `model`'s table; returns the new ids in row order."""
    if not rows:
        return []
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [
                model(
                    **{_attname(model, c): v for c, v in zip(columns, row, strict=True)}
                )
                for row in rows
            ]
        )
        return [obj.pk for obj in objs]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        buffer = io.StringIO()
        for pk, row in zip(ids, rows, strict=True):
            buffer.write(str(pk))
            for value in row:
                buffer.write("\t")
                buffer.write(_copy_value(value))
            buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(["id", *columns])
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
    return ids


def _attname(model: type[Model], column: str) -> str:
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field.attname
    raise ValueError(f"{model.__name__} has no column {column!r}")


# Rows changed by one statement above which the planner's statistics are refreshed.
ANALYZE_THRESHOLD = 10_000


def analyze_if_large(model: type[Model], changed: int) -> None:
    """Refresh PostgreSQL's statistics of `model`'s table after a mass change.

    The statements (and pages) after a mass write join on the rows just written; with
    statistics from before ("the table is empty") the planner picks nested loops over
    what it thinks are one-row inputs, which at portfolio scale take seconds instead of
    milliseconds until autovacuum catches up. ANALYZE samples a fixed number of rows
    (under a second) and, inside a transaction, sees that transaction's own changes.
    """
    if connection.vendor == "postgresql" and changed >= ANALYZE_THRESHOLD:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
