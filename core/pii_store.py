# The raw SQL here interpolates only table and column names taken from the models;
# every value travels as a query parameter.
# ruff: noqa: S608
"""Table-wide passes over the encrypted columns (core.fields): the migration that
encrypts the rows written before encryption, `pii_rotate_key` (re-encrypt what is
not under the active key) and `pii_rotate_key --rehash` (recompute the lookup hashes
under a new PII_HMAC_KEY). One implementation for all three, by raw SQL so it runs
the same on SQLite and PostgreSQL and on migration-state models.

Each pass walks the table by primary key in batches and selects only rows that
still need work, so it can be interrupted and run again (resumable).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils.module_loading import import_string

from . import crypto
from .fields import (
    EncryptedJSONField,
    EncryptedTextField,
    LookupHashField,
    MaskedField,
)

# The ledger's append-only triggers (compliance.models, PostgreSQL) refuse any change
# to an attempt's recorded facts, contact_value among them. Re-encrypting a value
# changes its ciphertext, not the fact: these passes, and only they, lift exactly the
# trigger that guards an encrypted column, for their own statements. The Decision
# triggers stay on: no decision column is encrypted (the hash chain covers ids,
# never a contact value, docs/decisions.md record 34).
LIFTED_TRIGGERS = {
    "compliance_contactattempt": ("compliance.ContactAttempt:attempt_facts_read_only",),
}


def _triggers_lifted(table: str):
    uris = LIFTED_TRIGGERS.get(table)
    if connection.vendor != "postgresql" or not uris:
        return contextlib.nullcontext()
    import pgtrigger

    return pgtrigger.ignore(*uris)


@dataclass
class Pass:
    table: str
    rows: int = 0


def encrypted_models(apps) -> list:
    """Models (of an app registry, or a migration's `apps`) with encrypted fields."""
    return [
        m
        for m in apps.get_models()
        if any(isinstance(f, EncryptedTextField) for f in m._meta.concrete_fields)
    ]


def _where(columns: list[str], mode: str) -> tuple[str, list]:
    if mode == "plain":  # rows written before encryption
        parts = [f"({c} <> '' AND {c} NOT LIKE %s)" for c in columns]
        return " OR ".join(parts), ["v1:%"] * len(columns)
    if mode == "rotate":  # rows not under the active key
        like = f"v1:{crypto.keyring().active_id}:%"
        parts = [f"({c} <> '' AND {c} NOT LIKE %s)" for c in columns]
        return " OR ".join(parts), [like] * len(columns)
    return "1 = 1", []  # rehash: every row


def rewrite_model(
    model, *, mode: str, batch_size: int = 1000, dry_run: bool = False
) -> Iterator[int]:
    """Yield the number of rows rewritten per batch. `mode`: "plain" (encrypt values
    stored in clear), "rotate" (re-encrypt under the active key), "rehash" (recompute
    the hash and masked columns only)."""
    qn = connection.ops.quote_name
    fields = model._meta.concrete_fields
    encrypted = [f for f in fields if isinstance(f, EncryptedTextField)]
    derived = [f for f in fields if isinstance(f, LookupHashField | MaskedField)]
    extra = [
        f
        for f in fields
        if f.name == "channel" and not isinstance(f, EncryptedTextField)
    ]
    pk = model._meta.pk.column
    table = model._meta.db_table
    enc_cols = [qn(f.column) for f in encrypted]
    where, where_params = _where(enc_cols, mode)
    select = ", ".join([qn(pk), *enc_cols, *[qn(f.column) for f in extra]])
    writes = encrypted if mode != "rehash" else []
    set_fields = [*writes, *derived]
    if not set_fields:
        return
    ring = crypto.keyring()
    last = None
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                after = "" if last is None else f"{qn(pk)} > %s AND "
                cursor.execute(
                    f"SELECT {select} FROM {qn(table)} WHERE {after}({where}) "
                    f"ORDER BY {qn(pk)} LIMIT %s",
                    [*([] if last is None else [last]), *where_params, batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    return
                last = rows[-1][0]
                updates = []
                for row in rows:
                    stored = row[1 : 1 + len(encrypted)]
                    plain = {
                        f.attname: crypto.decrypt(v)
                        for f, v in zip(encrypted, stored, strict=True)
                    }
                    for f, v in zip(extra, row[1 + len(encrypted) :], strict=True):
                        plain[f.attname] = v
                    item = SimpleNamespace(**plain)
                    values = [
                        ring.encrypt(plain[f.attname]) if plain[f.attname] else ""
                        for f in writes
                    ]
                    for f in derived:
                        source = plain.get(f.source) or ""
                        if isinstance(f, LookupHashField):
                            values.append(ring.hash(f.purpose, source))
                        elif source:
                            masker: Callable = import_string(f.masker)
                            values.append(masker(item)[: f.max_length])
                        else:
                            values.append("")
                    updates.append([*values, row[0]])
                if not dry_run:
                    _update(cursor, table, pk, set_fields, updates)
        yield len(rows)


def _update(cursor, table: str, pk: str, set_fields: list, updates: list) -> None:
    """Write one batch: on PostgreSQL one UPDATE ... FROM (VALUES ...) statement
    (pgtrigger.ignore prefixes each statement it runs, which executemany cannot
    take), elsewhere one UPDATE per row."""
    qn = connection.ops.quote_name
    with _triggers_lifted(table):
        if connection.vendor == "postgresql":
            names = [f"c{i}" for i in range(len(set_fields))]
            sets = ", ".join(
                f"{qn(f.column)} = v.{n}"
                for f, n in zip(set_fields, names, strict=True)
            )
            row = "(" + ", ".join(["%s::text"] * len(set_fields)) + ", %s::bigint)"
            rows = ", ".join([row] * len(updates))
            cursor.execute(
                f"UPDATE {qn(table)} t SET {sets} "
                f"FROM (VALUES {rows}) v({', '.join(names)}, pk) "
                f"WHERE t.{qn(pk)} = v.pk",
                [value for row in updates for value in row],
            )
        else:
            sets = ", ".join(f"{qn(f.column)} = %s" for f in set_fields)
            cursor.executemany(
                f"UPDATE {qn(table)} SET {sets} WHERE {qn(pk)} = %s", updates
            )


def json_models(apps) -> list:
    return [
        m
        for m in apps.get_models()
        if any(isinstance(f, EncryptedJSONField) for f in m._meta.concrete_fields)
    ]


def rewrite_json_model(model, *, batch_size: int = 1000, dry_run: bool = False):
    """Re-save every encrypted JSON document under the active key (webhook
    payloads: few rows, so every row, through the ORM)."""
    names = [
        f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedJSONField)
    ]
    last = 0
    while True:
        rows = list(model.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not rows:
            return
        last = rows[-1].pk
        if not dry_run:
            model.objects.bulk_update(rows, names)
        yield len(rows)


def rewrite_all(
    apps, *, mode: str, batch_size: int = 1000, dry_run: bool = False, report=None
) -> list[Pass]:
    passes = []
    if mode != "rehash":
        for model in json_models(apps):
            done = Pass(model._meta.db_table)
            for n in rewrite_json_model(model, batch_size=batch_size, dry_run=dry_run):
                done.rows += n
            passes.append(done)
    for model in encrypted_models(apps):
        done = Pass(model._meta.db_table)
        for n in rewrite_model(
            model, mode=mode, batch_size=batch_size, dry_run=dry_run
        ):
            done.rows += n
            if report:
                report(done)
        passes.append(done)
    return passes


def migration_encrypt(app_label: str):
    """A RunPython function encrypting `app_label`'s tables written in clear."""

    def forwards(apps, schema_editor):
        config = apps.get_app_config(app_label)
        for model in encrypted_models(config):
            for _n in rewrite_model(model, mode="plain"):
                pass
        for model in json_models(config):
            for _n in rewrite_json_model(model):
                pass

    return forwards
