"""Writing many gate decisions to the ledger at once (the outbox dispatcher's
send-time re-checks, and the escalation sweep's path where the database is not
PostgreSQL; there `escalation.sweep_writes` writes its batches in one statement).

`contact_request` is the one-at-a-time path; this is the same write for a batch of
decisions already taken by `contact_evaluate_many`: one Decision row and one
ContactAttempt row each. On PostgreSQL both go in one statement (the decisions from
a VALUES list, the attempts from the decisions just inserted and their contact
points); elsewhere in two bulk inserts. Their columns are the models' own
(`core.bulk.model_columns`): a field added to Decision or ContactAttempt must be
given its value in `decision_row` / `attempt_row`, in `ATTEMPT_FROM_DECISION` and in
the sweep's statement (tests/test_bulk.py fails until it is). Bulk inserts write no
history rows: the ledger rows are themselves the audit (DESIGN.md section 8). Each
decision row is chained (compliance.chain) before it is written.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import JSONField
from django.utils import timezone

from cases.models import Case, ContactPoint
from core.bulk import bulk_insert, columns_ordered, ids_in, model_columns

from .chain import chain_link
from .engine import Decision
from .models import ContactAttempt
from .models import Decision as DecisionRow


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    decision: Decision
    case: Case
    loan_id: int | None = None
    source: str = "escalation"


def decision_values(decision: Decision) -> dict[str, object]:
    """The columns of a Decision row that the gate's verdict gives (the others say
    whose it is and when): one mapping for every path that writes decisions,
    `contact_request` one at a time and `ledger_record_many` in bulk. (Keyed by
    column; for these fields the column is also the attribute name.)"""
    return {
        "contact_point_id": decision.contact_point_id,
        "channel": decision.channel,
        "purpose": decision.purpose,
        "proposed_at": decision.proposed_at,
        "allowed": decision.allowed,
        "outcome": decision.outcome,
        "reasons": decision.reasons,
        "conditions": decision.conditions,
        "next_permitted_at": decision.next_permitted_at,
        "rule_pack": decision.rule_pack,
        "rule_pack_version": decision.rule_pack_version,
    }


def decision_row(entry: LedgerEntry, *, evaluated_at) -> dict[str, object]:
    """The Decision row of `entry`, by column (`core.bulk.bulk_insert` checks that it
    gives every column of the model)."""
    return {
        "customer_id": entry.case.customer_id,
        "case_id": entry.case.pk,
        "loan_id": entry.loan_id,
        "evaluated_at": evaluated_at,
        "actor_id": None,
        **decision_values(entry.decision),
        # Filled by compliance.chain.chain_link before the row is written.
        "chain_shard": None,
        "chain_seq": None,
        "chain_hash": "",
    }


def attempt_row(
    entry: LedgerEntry, *, decision_id: int, point: tuple[str, bool] | None
) -> dict[str, object]:
    """The ContactAttempt row of `entry`, by column; `point` is its contact point's
    (value, is a third party), None without one."""
    d = entry.decision
    value, third_party = point or ("", False)
    Result = ContactAttempt.Result
    return {
        "customer_id": entry.case.customer_id,
        "case_id": entry.case.pk,
        "loan_id": entry.loan_id,
        "contact_point_id": d.contact_point_id,
        "contact_value": value,
        # Recomputed by the field's pre_save in bulk_create (core.fields).
        "contact_value_hash": "",
        "third_party": third_party,
        "channel": d.channel,
        "purpose": d.purpose,
        "at": d.proposed_at,
        "allowed": d.allowed,
        "result": Result.PENDING if d.allowed else Result.BLOCKED,
        "completed_at": None,
        "decision_id": decision_id,
        "source": entry.source,
        "actor_id": None,
    }


def ledger_record_many(entries: list[LedgerEntry]) -> list[int]:
    """Write the decisions and their attempts; returns the attempt ids in entry order.

    Precondition: the caller runs this inside its transaction, with the rows it
    creates for allowed attempts (outbox messages) in the same transaction.
    """
    if not entries:
        return []
    now = timezone.now()
    rows = [decision_row(e, evaluated_at=now) for e in entries]
    chain_link(rows)
    if connection.vendor == "postgresql":
        return _record_postgresql(entries, rows)
    point_ids = {
        e.decision.contact_point_id for e in entries if e.decision.contact_point_id
    }
    points = {
        pk: (value, relationship != ContactPoint.Relationship.SELF)
        for pk, value, relationship in ContactPoint.objects.filter(
            ids_in(list(point_ids))
        ).values_list("pk", "value", "relationship")
    }
    decision_ids = bulk_insert(DecisionRow, rows)
    return bulk_insert(
        ContactAttempt,
        [
            attempt_row(
                e,
                decision_id=decision_id,
                point=points.get(e.decision.contact_point_id),
            )
            for e, decision_id in zip(entries, decision_ids, strict=True)
        ],
    )


# Each ContactAttempt column as the PostgreSQL statement writes it: from the decision
# row given (`v`), the decision just inserted (`d`) or its contact point (`p`), as
# `attempt_row` does in Python. Keyed by column; `_record_statement` orders them as
# the model's columns and refuses to build when the model has a column not given.
ATTEMPT_FROM_DECISION = {
    "customer_id": "v.customer_id",
    "case_id": "v.case_id",
    "loan_id": "v.loan_id",
    "contact_point_id": "v.contact_point_id",
    # Ciphertext and hash copied as they are (the same hash purpose, "contact"): no
    # key needed in SQL, and no decrypting and encrypting again (core.crypto).
    "contact_value": "COALESCE(p.value, '')",
    "contact_value_hash": "COALESCE(p.value_hash, '')",
    "third_party": (
        f"COALESCE(p.relationship <> '{ContactPoint.Relationship.SELF.value}', false)"
    ),
    "channel": "v.channel",
    "purpose": "v.purpose",
    "at": "v.proposed_at",
    "allowed": "v.allowed",
    "result": (
        f"CASE WHEN v.allowed THEN '{ContactAttempt.Result.PENDING.value}' "
        f"ELSE '{ContactAttempt.Result.BLOCKED.value}' END"
    ),
    "completed_at": "NULL",
    "decision_id": "d.id",
    "source": "v.source",
    "actor_id": "NULL",
}


def _cast(field) -> str:
    """The type a VALUES column is cast to, so that one whose first row is NULL is
    not taken for text. Strings as text: a cast to varchar(n) would cut a longer
    value silently, where the INSERT refuses it."""
    cast = field.cast_db_type(connection)
    return "text" if cast.startswith("varchar") else cast


@functools.cache
def _record_statement() -> tuple[str, str, tuple[str, ...], frozenset[str]]:
    """The statement that writes a batch of decisions and their attempts, the
    execute_values template of one row, the decision columns in row order, and
    those of them that hold JSON."""
    qn = connection.ops.quote_name
    fields = {f.column: f for f in DecisionRow._meta.concrete_fields}
    columns = tuple(model_columns(DecisionRow))
    attempt_columns = columns_ordered(ContactAttempt, ATTEMPT_FROM_DECISION)
    template = (
        "(" + ", ".join(f"%s::{_cast(fields[c])}" for c in columns) + ", %s::text)"
    )
    decision_list = ", ".join(qn(c) for c in columns)
    sql = f"""
WITH v ({decision_list}, source) AS (VALUES %s),
d AS (
    INSERT INTO {qn(DecisionRow._meta.db_table)} ({decision_list})
    SELECT {decision_list} FROM v
    RETURNING id, chain_shard, chain_seq
), a AS (
    INSERT INTO {qn(ContactAttempt._meta.db_table)}
        ({", ".join(qn(c) for c in attempt_columns)})
    SELECT {", ".join(ATTEMPT_FROM_DECISION[c] for c in attempt_columns)}
    FROM v
    JOIN d ON (d.chain_shard, d.chain_seq) = (v.chain_shard, v.chain_seq)
    LEFT JOIN {qn(ContactPoint._meta.db_table)} p ON p.id = v.contact_point_id
    RETURNING id, decision_id
)
SELECT d.chain_shard, d.chain_seq, a.id FROM a JOIN d ON d.id = a.decision_id
"""  # noqa: S608 - table and column names from the models, no input
    json_columns = frozenset(c for c in columns if isinstance(fields[c], JSONField))
    return sql, template, columns, json_columns


def _record_postgresql(entries: list[LedgerEntry], rows: list[dict]) -> list[int]:
    """One round trip for the batch. A decision's link (shard and number, unique:
    `chain_link`) identifies it within the batch: the attempts are matched to their
    decisions, and the ids back to the entries, by it (RETURNING promises no
    order)."""
    from psycopg2.extras import execute_values

    sql, template, columns, json_columns = _record_statement()
    # `decision_row` gives every column of the model, and nothing else.
    columns_ordered(DecisionRow, rows[0])
    values = [
        (
            *(
                json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c]
                for c in columns
            ),
            entry.source,
        )
        for entry, row in zip(entries, rows, strict=True)
    ]
    with connection.cursor() as cursor:
        returned = execute_values(
            cursor.cursor,
            sql,
            values,
            template=template,
            page_size=len(values),
            fetch=True,
        )
    by_link = {(shard, seq): attempt_id for shard, seq, attempt_id in returned}
    return [by_link[row["chain_shard"], row["chain_seq"]] for row in rows]


def ledger_complete_many(*, attempt_ids: list[int], result: str, completed_at) -> int:
    """Record that pending attempts ended with `result` (e.g. messages sent), in one
    statement. Only pending attempts change: a result, once recorded, stays."""
    if not attempt_ids:
        return 0
    # The ids as one array parameter (`ids_in`): Django's IN list of a dispatch
    # batch's 500 ids cost more to compile than the UPDATE takes to run.
    return ContactAttempt.objects.filter(
        ids_in(attempt_ids), result=ContactAttempt.Result.PENDING
    ).update(result=result, completed_at=completed_at)
