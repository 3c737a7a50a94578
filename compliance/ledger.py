"""Writing many gate decisions to the ledger at once (the escalation sweep's path
where the database is not PostgreSQL; there `escalation.sweep_writes` does the same
write in one statement).

`contact_request` is the one-at-a-time path; this is the same write for a batch of
decisions already taken by `contact_evaluate_many`: one Decision row and one
ContactAttempt row each, in two bulk inserts. Their columns are the models' own
(`core.bulk.model_columns`): a field added to Decision or ContactAttempt must be
given its value in `decision_row` / `attempt_row` and in the sweep's statement
(tests/test_bulk.py fails until it is). Bulk inserts write no history rows: the
ledger rows are themselves the audit (DESIGN.md section 8). Each decision row is
chained (compliance.chain) before it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from cases.models import Case, ContactPoint
from core.bulk import bulk_insert, ids_in

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
    point_ids = {
        e.decision.contact_point_id for e in entries if e.decision.contact_point_id
    }
    points = {
        pk: (value, relationship != ContactPoint.Relationship.SELF)
        for pk, value, relationship in ContactPoint.objects.filter(
            ids_in(list(point_ids))
        ).values_list("pk", "value", "relationship")
    }
    now = timezone.now()
    rows = [decision_row(e, evaluated_at=now) for e in entries]
    chain_link(rows)
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


def ledger_complete_many(*, attempt_ids: list[int], result: str, completed_at) -> int:
    """Record that pending attempts ended with `result` (e.g. messages sent), in one
    statement. Only pending attempts change: a result, once recorded, stays."""
    if not attempt_ids:
        return 0
    return ContactAttempt.objects.filter(
        pk__in=attempt_ids, result=ContactAttempt.Result.PENDING
    ).update(result=result, completed_at=completed_at)
