"""Reads that may lag go to a read replica, when one is configured.

`REPLICA_DATABASE_URL` (optional) adds the database alias "replica". Code that can
live with figures a few seconds old (the supervisor dashboard and team report,
CSV exports) wraps its reads in `replica_reads()`; `ReplicaRouter` then sends the
ORM's reads there. Everything else, and every write, stays on the primary: a
collector's queue, a claim, a case page and the gate must see their own writes at
once. Without a replica the context changes nothing.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.db import connections

REPLICA = "replica"
_reads_from_replica = contextvars.ContextVar("reads_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads():
    """Inside this block the ORM reads from the replica (if there is one)."""
    token = _reads_from_replica.set(True)
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


def read_alias() -> str:
    """The alias reads inside `replica_reads()` use, for raw SQL."""
    if _reads_from_replica.get() and replica_configured():
        return REPLICA
    return "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if read_alias() == REPLICA else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows: an object read there relates to one
        # read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication.
        return db == "default"
