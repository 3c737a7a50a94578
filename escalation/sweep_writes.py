"""Writing one sweep batch: a Decision and a ContactAttempt per ledger entry, and an
outbox row for each allowed message, all in the caller's transaction.

On PostgreSQL the batch goes to the server once: one COPY of one compact row per
entry into a session's temporary table, then one statement whose data-modifying
CTEs insert the decisions, the attempts (linked to their decisions and carrying the
contact point's address) and the messages (linked to their attempts). Ids come from
the tables' own defaults, matched back by case: a batch holds each case once.
Elsewhere (SQLite) the same rows go through `ledger_record_many` and `bulk_insert`.
Either way no history rows are written: the ledger rows are themselves the audit.

Both paths write the models' own columns (`core.bulk.model_columns`): a field added
to Decision, ContactAttempt or OutboundMessage must be given its value in the
statement's maps below and in the row builders (`compliance.ledger.decision_row`,
`attempt_row`, `outbox_row` here), or be left NULL by name (`OUTBOX_UNWRITTEN`);
tests/test_bulk.py fails until it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from cases.models import ContactPoint, EscalationStep
from compliance.chain import chain_link
from compliance.ledger import LedgerEntry, decision_row, ledger_record_many
from compliance.models import ContactAttempt
from compliance.models import Decision as DecisionRow
from core.bulk import bulk_insert, columns_ordered
from core.metrics import decisions_count
from messaging.models import OutboundMessage


@dataclass(frozen=True, slots=True)
class SweepMessage:
    """The outbox row for the ledger entry at `index` (whose case it is for)."""

    index: int
    step: EscalationStep
    template_id: int
    key: str
    send_after: dt.datetime
    # The message's channel: the step's, or its substitute's (record 40).
    channel: str = ""

    @property
    def message_channel(self) -> str:
        return self.channel or self.step.action


# Outbox columns the sweep leaves NULL: set by the dispatcher (claimed, sent,
# delivered) or only by webhook deliveries (integrations.events).
OUTBOX_UNWRITTEN = ("webhook_subscription_id", "claimed_at", "sent_at", "delivered_at")

STAGE_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS sweep_stage (
    case_id bigint NOT NULL,
    customer_id bigint NOT NULL,
    contact_point_id bigint,
    loan_id bigint,
    channel varchar(10) NOT NULL,
    purpose varchar(24) NOT NULL,
    proposed_at timestamptz NOT NULL,
    allowed boolean NOT NULL,
    outcome varchar(24) NOT NULL,
    reasons jsonb NOT NULL,
    conditions jsonb NOT NULL,
    next_permitted_at timestamptz,
    rule_pack varchar(20) NOT NULL,
    rule_pack_version integer NOT NULL,
    source varchar(50) NOT NULL,
    chain_shard smallint NOT NULL,
    chain_seq bigint NOT NULL,
    chain_hash varchar(64) NOT NULL,
    message_channel varchar(10),
    template_id bigint,
    step_id bigint,
    idempotency_key varchar(100),
    send_after timestamptz
) ON COMMIT DELETE ROWS
"""
STAGE_COLUMNS = (
    "case_id, customer_id, contact_point_id, loan_id, channel, purpose, proposed_at, "
    "allowed, outcome, reasons, conditions, next_permitted_at, rule_pack, "
    "rule_pack_version, source, chain_shard, chain_seq, chain_hash, "
    "message_channel, template_id, step_id, "
    "idempotency_key, send_after"
)
NULLABLE = (
    "contact_point_id, loan_id, next_permitted_at, message_channel, template_id, "
    "step_id, idempotency_key, send_after"
)
# The statement's value for each column of the three tables, from the stage (`s`),
# the decisions and attempts just inserted (`d`, `a`), the contact point (`p`), or a
# constant. Keyed by column; `write_statement` orders them as the models' columns
# and refuses to build when a model has a column these do not give.
DECISION_FROM_STAGE = {
    "customer_id": "customer_id",
    "contact_point_id": "contact_point_id",
    "case_id": "case_id",
    "loan_id": "loan_id",
    "channel": "channel",
    "purpose": "purpose",
    "proposed_at": "proposed_at",
    "evaluated_at": "%(now)s",
    "allowed": "allowed",
    "outcome": "outcome",
    "reasons": "reasons",
    "conditions": "conditions",
    "next_permitted_at": "next_permitted_at",
    "rule_pack": "rule_pack",
    "rule_pack_version": "rule_pack_version",
    "actor_id": "NULL",
    "chain_shard": "chain_shard",
    "chain_seq": "chain_seq",
    "chain_hash": "chain_hash",
}
ATTEMPT_FROM_STAGE = {
    "customer_id": "s.customer_id",
    "case_id": "s.case_id",
    "loan_id": "s.loan_id",
    "contact_point_id": "s.contact_point_id",
    # Ciphertext and hash copied as they are: no key needed in SQL (core.crypto).
    "contact_value": "COALESCE(p.value, '')",
    "contact_value_hash": "COALESCE(p.value_hash, '')",
    "third_party": "COALESCE(p.relationship <> 'self', false)",
    "channel": "s.channel",
    "purpose": "s.purpose",
    "at": "s.proposed_at",
    "allowed": "s.allowed",
    "result": "CASE WHEN s.allowed THEN 'pending' ELSE 'blocked' END",
    "completed_at": "NULL",
    "decision_id": "d.id",
    "source": "s.source",
    "actor_id": "NULL",
}
OUTBOX_FROM_STAGE = {
    "customer_id": "s.customer_id",
    "case_id": "s.case_id",
    "contact_point_id": "s.contact_point_id",
    "channel": "s.message_channel",
    "template_id": "s.template_id",
    "step_id": "s.step_id",
    "contact_attempt_id": "a.id",
    "subject": "''",
    "body": "''",
    "status": "'pending'",
    "idempotency_key": "s.idempotency_key",
    "send_after": "s.send_after",
    "attempts": "0",
    "provider_message_id": "''",
    "last_error": "''",
    "created_at": "%(now)s",
}


def _insert(model: type[Model], values: dict[str, str], exclude=()) -> tuple[str, str]:
    """The column list and the SELECT list of an INSERT into `model`'s table."""
    columns = columns_ordered(model, values, exclude=exclude)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    return quoted, ", ".join(values[c] for c in columns)


@functools.cache
def write_statement() -> str:
    """The one statement that writes a staged batch: the decisions, the attempts
    (linked to their decisions, carrying the contact point's address) and the
    messages of the allowed ones (linked to their attempts), matched by case."""
    decision_columns, decision_select = _insert(DecisionRow, DECISION_FROM_STAGE)
    attempt_columns, attempt_select = _insert(ContactAttempt, ATTEMPT_FROM_STAGE)
    outbox_columns, outbox_select = _insert(
        OutboundMessage, OUTBOX_FROM_STAGE, exclude=OUTBOX_UNWRITTEN
    )
    return f"""
WITH decisions AS (
    INSERT INTO {DecisionRow._meta.db_table} ({decision_columns})
    SELECT {decision_select}
    FROM sweep_stage
    RETURNING id, case_id
), attempts AS (
    INSERT INTO {ContactAttempt._meta.db_table} ({attempt_columns})
    SELECT {attempt_select}
    FROM sweep_stage s
    JOIN decisions d ON d.case_id = s.case_id
    LEFT JOIN {ContactPoint._meta.db_table} p ON p.id = s.contact_point_id
    RETURNING id, case_id
)
INSERT INTO {OutboundMessage._meta.db_table} ({outbox_columns})
SELECT {outbox_select}
FROM sweep_stage s
JOIN attempts a ON a.case_id = s.case_id
WHERE s.template_id IS NOT NULL
"""  # noqa: S608 - table and column names from the models, no input


def sweep_batch_write(ledger: list[LedgerEntry], messages: list[SweepMessage]) -> None:
    """Write the batch's ledger entries and the messages of the allowed ones.

    Precondition: inside the caller's transaction, each case at most once in
    `ledger` (the sweep's batch: one step per case).
    """
    if not ledger:
        return
    if connection.vendor == "postgresql":
        _write_postgresql(ledger, messages)
    else:
        _write_portable(ledger, messages)
    # Counted for /metrics once the batch has committed (a rolled-back batch decided
    # nothing).
    decisions = [entry.decision for entry in ledger]
    transaction.on_commit(lambda: decisions_count(decisions))


def _write_postgresql(ledger: list[LedgerEntry], messages: list[SweepMessage]):
    by_index = {m.index: m for m in messages}
    # The decisions' links are computed here, over the very values the statement
    # writes (the same `now` as evaluated_at), in the batch's order; the batch holds
    # its shard until it commits (compliance.chain).
    now = timezone.now()
    links = [decision_row(entry, evaluated_at=now) for entry in ledger]
    chain_link(links)
    buffer = io.StringIO()
    # Strings quoted, numbers and booleans not; None is written as an empty quoted
    # field, which FORCE_NULL reads back as NULL in the nullable columns.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    for index, (entry, link) in enumerate(zip(ledger, links, strict=True)):
        d, message = entry.decision, by_index.get(index)
        writer.writerow(
            (
                entry.case.pk,
                entry.case.customer_id,
                d.contact_point_id,
                entry.loan_id,
                d.channel,
                d.purpose,
                d.proposed_at,
                d.allowed,
                d.outcome,
                _json(d.reasons),
                _json(d.conditions),
                d.next_permitted_at,
                d.rule_pack,
                d.rule_pack_version,
                entry.source,
                link["chain_shard"],
                link["chain_seq"],
                link["chain_hash"],
                *(
                    (
                        message.message_channel,
                        message.template_id,
                        message.step.pk,
                        message.key,
                        message.send_after,
                    )
                    if message
                    else (None, None, None, None, None)
                ),
            )
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(STAGE_TABLE)
        # Emptied at commit; inside a caller's transaction (a test, a simulation
        # compared with the sweep) the previous batch may still be there.
        cursor.execute("TRUNCATE sweep_stage")
        cursor.cursor.copy_expert(
            f"COPY sweep_stage ({STAGE_COLUMNS}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NULL ({NULLABLE}))",
            buffer,
        )
        cursor.execute(write_statement(), {"now": now})


def _json(value: list) -> str:
    # Most of a batch's decisions carry no reasons or conditions.
    return json.dumps(value, ensure_ascii=False) if value else "[]"


def outbox_row(
    entry: LedgerEntry, message: SweepMessage, *, attempt_id: int, now: dt.datetime
) -> dict[str, object]:
    """The outbox row of an allowed message, by column (what `OUTBOX_FROM_STAGE`
    writes on PostgreSQL)."""
    return {
        "customer_id": entry.case.customer_id,
        "case_id": entry.case.pk,
        "contact_point_id": entry.decision.contact_point_id,
        "channel": message.message_channel,
        "template_id": message.template_id,
        "step_id": message.step.pk,
        "contact_attempt_id": attempt_id,
        "subject": "",
        "body": "",
        "status": "pending",
        "idempotency_key": message.key,
        "send_after": message.send_after,
        "attempts": 0,
        "provider_message_id": "",
        "last_error": "",
        "created_at": now,
    }


def _write_portable(ledger: list[LedgerEntry], messages: list[SweepMessage]):
    attempt_ids = ledger_record_many(ledger)
    now = timezone.now()
    bulk_insert(
        OutboundMessage,
        [
            outbox_row(ledger[m.index], m, attempt_id=attempt_ids[m.index], now=now)
            for m in messages
        ],
        exclude=OUTBOX_UNWRITTEN,
    )
