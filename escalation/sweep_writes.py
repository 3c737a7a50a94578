"""Writing one sweep batch: a Decision and a ContactAttempt per ledger entry, and an
outbox row for each allowed message, all in the caller's transaction.

On PostgreSQL the batch goes to the server once: one COPY of one compact row per
entry into a session's temporary table, then one statement whose data-modifying
CTEs insert the decisions, the attempts (linked to their decisions and carrying the
contact point's address) and the messages (linked to their attempts). Ids come from
the tables' own defaults, matched back by case: a batch holds each case once.
Elsewhere (SQLite) the same rows go through `ledger_record_many` and `bulk_insert`.
Either way no history rows are written: the ledger rows are themselves the audit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from cases.models import EscalationStep
from compliance.ledger import LedgerEntry, ledger_record_many
from core.bulk import bulk_insert
from messaging.models import OutboundMessage


@dataclass(frozen=True, slots=True)
class SweepMessage:
    """The outbox row for the ledger entry at `index` (whose case it is for)."""

    index: int
    step: EscalationStep
    template_id: int
    key: str
    send_after: dt.datetime


OUTBOX_COLUMNS = [
    "customer_id",
    "case_id",
    "contact_point_id",
    "channel",
    "template_id",
    "step_id",
    "contact_attempt_id",
    "subject",
    "body",
    "status",
    "idempotency_key",
    "send_after",
    "attempts",
    "provider_message_id",
    "last_error",
    "created_at",
]

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
    "rule_pack_version, source, message_channel, template_id, step_id, "
    "idempotency_key, send_after"
)
NULLABLE = (
    "contact_point_id, loan_id, next_permitted_at, message_channel, template_id, "
    "step_id, idempotency_key, send_after"
)
WRITE = """
WITH decisions AS (
    INSERT INTO compliance_decision (customer_id, contact_point_id, case_id, loan_id,
        channel, purpose, proposed_at, evaluated_at, allowed, outcome, reasons,
        conditions, next_permitted_at, rule_pack, rule_pack_version, actor_id)
    SELECT customer_id, contact_point_id, case_id, loan_id, channel, purpose,
        proposed_at, %(now)s, allowed, outcome, reasons, conditions,
        next_permitted_at, rule_pack, rule_pack_version, NULL
    FROM sweep_stage
    RETURNING id, case_id
), attempts AS (
    INSERT INTO compliance_contactattempt (customer_id, case_id, loan_id,
        contact_point_id, contact_value, third_party, channel, purpose, at, allowed,
        result, completed_at, decision_id, source, actor_id)
    SELECT s.customer_id, s.case_id, s.loan_id, s.contact_point_id,
        COALESCE(p.value, ''), COALESCE(p.relationship <> 'self', false), s.channel,
        s.purpose, s.proposed_at, s.allowed,
        CASE WHEN s.allowed THEN 'pending' ELSE 'blocked' END, NULL, d.id, s.source,
        NULL
    FROM sweep_stage s
    JOIN decisions d ON d.case_id = s.case_id
    LEFT JOIN cases_contactpoint p ON p.id = s.contact_point_id
    RETURNING id, case_id
)
INSERT INTO messaging_outboundmessage (customer_id, case_id, contact_point_id,
    channel, template_id, step_id, contact_attempt_id, subject, body, status,
    idempotency_key, send_after, attempts, provider_message_id, last_error,
    created_at)
SELECT s.customer_id, s.case_id, s.contact_point_id, s.message_channel,
    s.template_id, s.step_id, a.id, '', '', 'pending', s.idempotency_key,
    s.send_after, 0, '', '', %(now)s
FROM sweep_stage s
JOIN attempts a ON a.case_id = s.case_id
WHERE s.template_id IS NOT NULL
"""


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


def _write_postgresql(ledger: list[LedgerEntry], messages: list[SweepMessage]):
    by_index = {m.index: m for m in messages}
    buffer = io.StringIO()
    # Strings quoted, numbers and booleans not; None is written as an empty quoted
    # field, which FORCE_NULL reads back as NULL in the nullable columns.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    for index, entry in enumerate(ledger):
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
                *(
                    (
                        message.step.action,
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
        cursor.execute(WRITE, {"now": timezone.now()})


def _json(value: list) -> str:
    # Most of a batch's decisions carry no reasons or conditions.
    return json.dumps(value, ensure_ascii=False) if value else "[]"


def _write_portable(ledger: list[LedgerEntry], messages: list[SweepMessage]):
    attempt_ids = ledger_record_many(ledger)
    now = timezone.now()
    bulk_insert(
        OutboundMessage,
        OUTBOX_COLUMNS,
        [
            (
                ledger[m.index].case.customer_id,
                ledger[m.index].case.pk,
                ledger[m.index].decision.contact_point_id,
                m.step.action,
                m.template_id,
                m.step.pk,
                attempt_ids[m.index],
                "",
                "",
                "pending",
                m.key,
                m.send_after,
                0,
                "",
                "",
                now,
            )
            for m in messages
        ],
    )
