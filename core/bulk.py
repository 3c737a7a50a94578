"""Helpers for the set-based paths (the escalation sweep, imports, the delinquency
refresh), which read and write hundreds of thousands of rows at once: bulk inserts
with their column lists taken from the models, updates by id lists, statistics after
mass changes, and pausing the garbage collector while a large batch is built. Bulk
writes run no model `save()` and write no history rows: the ledger and import
records are the audit.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection
from django.db.models import Model, Q
from django.db.models.expressions import RawSQL


def model_columns(model: type[Model], *, exclude: Iterable[str] = ()) -> list[str]:
    """The database columns of `model`'s concrete fields, in field order, without its
    auto primary key and the columns in `exclude`.

    Every bulk writer takes its column list from here rather than writing it out, so
    a field added to a model reaches each of them: each must then give it a value
    (`columns_ordered` refuses a row or statement that does not), or name it in
    `exclude` (left to its NULL; tests/test_bulk.py checks which those are)."""
    exclude = set(exclude)
    return [
        f.column
        for f in model._meta.concrete_fields
        if f.column not in exclude and f is not model._meta.auto_field
    ]


def columns_ordered(
    model: type[Model], given: Iterable[str], *, exclude: Iterable[str] = ()
) -> list[str]:
    """`model_columns(model, exclude=exclude)`, once checked that `given` (the
    columns a bulk writer gives values for) holds each of them and nothing else.
    Raises ValueError naming the columns missing or unknown."""
    columns = model_columns(model, exclude=exclude)
    given = set(given)
    missing = [c for c in columns if c not in given]
    unknown = sorted(given.difference(columns))
    if missing or unknown:
        raise ValueError(
            f"{model._meta.db_table}: a bulk write gives no value for "
            f"{missing or 'no column'} and one for unknown {unknown or 'none'}"
        )
    return columns


def bulk_insert(
    model: type[Model], rows: list[dict], *, exclude: Iterable[str] = ()
) -> list[int]:
    """Insert `rows` into `model`'s table with `bulk_create`; returns the new ids in
    row order. Each row maps every column of `model_columns(model, exclude=exclude)`
    (database column names) to its value. (The sweep's PostgreSQL path writes through
    COPY and one statement instead: escalation.sweep_writes.)
    """
    if not rows:
        return []
    columns = columns_ordered(model, rows[0], exclude=exclude)
    attnames = {f.column: f.attname for f in model._meta.concrete_fields}
    pairs = [(c, attnames[c]) for c in columns]
    objs = model.objects.bulk_create(
        [model(**{attname: row[c] for c, attname in pairs}) for row in rows]
    )
    return [obj.pk for obj in objs]


def ids_in(ids: list[int], field: str = "pk") -> Q:
    """`Q(field__in=ids)` for thousands of ids: on PostgreSQL as one array parameter
    (`IN (SELECT unnest(%s))`), which the planner sizes right and Django does not
    compile id by id."""
    if connection.vendor == "postgresql" and ids:  # an empty array has no type
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s)", [list(ids)])})
    return Q(**{f"{field}__in": ids})


def update_by_ids(model: type[Model], ids: list[int], **values) -> int:
    """`model.objects.filter(pk__in=ids).update(**values)` for thousands of ids.

    `values` are keyed by attname (`stage_id`, not `stage`). On PostgreSQL the ids go
    as one array parameter (`id = ANY(%s)`) instead of Django's IN list, whose
    per-id compilation costs more than the UPDATE itself at 5,000 ids.
    """
    if not ids:
        return 0
    if connection.vendor != "postgresql":
        return model.objects.filter(pk__in=ids).update(**values)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    sets, params = [], []
    for attname, value in values.items():
        field = fields[attname]
        sets.append(f"{qn(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    table = qn(model._meta.db_table)
    pk = qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = ANY(%s)",  # noqa: S608
            [*params, list(ids)],
        )
        return cursor.rowcount


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


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def gc_paused(pause: bool = True):
    """Pause the cyclic garbage collector while a large batch is built.

    A batch of the sweep or the gate allocates hundreds of thousands of short-lived,
    acyclic objects, and the collector's repeated passes over them cost a third of
    the client CPU (measured with bench/compliance_bench.py and bench/sweep_bench.py).
    Nothing in a batch creates cycles; the collector resumes, with everything still
    collectable, when the last batch running in the process is done (the sweep runs
    batches on several threads, and the switch is per process).
    """
    global _gc_pausers
    if not pause:
        yield
        return
    with _gc_lock:
        if _gc_pausers == 0 and not gc.isenabled():
            pause = False  # someone else switched it off; leave it to them
        else:
            _gc_pausers += 1
            gc.disable()
    try:
        yield
    finally:
        if pause:
            with _gc_lock:
                _gc_pausers -= 1
                if _gc_pausers == 0:
                    gc.enable()
