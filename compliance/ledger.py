"""Writing many gate decisions to the ledger at once (the escalation sweep's path
where the database is not PostgreSQL; there `cases.sweep_writes` does the same
write in one statement).

`contact_request` is the one-at-a-time path; this is the same write for a batch of
decisions already taken by `contact_evaluate_many`: one Decision row and one
ContactAttempt row each, in two bulk inserts. Bulk inserts write no history rows:
the ledger rows are themselves the audit (DESIGN.md section 8).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from cases.models import Case, ContactPoint
from core.bulk import bulk_insert, ids_in

from .engine import Decision
from .models import ContactAttempt
from .models import Decision as DecisionRow


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    decision: Decision
    case: Case
    loan_id: int | None = None
    source: str = "escalation"


DECISION_COLUMNS = [
    "customer_id",
    "contact_point_id",
    "case_id",
    "loan_id",
    "channel",
    "purpose",
    "proposed_at",
    "evaluated_at",
    "allowed",
    "outcome",
    "reasons",
    "conditions",
    "next_permitted_at",
    "rule_pack",
    "rule_pack_version",
    "actor_id",
]
ATTEMPT_COLUMNS = [
    "customer_id",
    "case_id",
    "loan_id",
    "contact_point_id",
    "contact_value",
    "third_party",
    "channel",
    "purpose",
    "at",
    "allowed",
    "result",
    "completed_at",
    "decision_id",
    "source",
    "actor_id",
]


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
    decision_ids = bulk_insert(
        DecisionRow,
        DECISION_COLUMNS,
        [
            (
                e.case.customer_id,
                e.decision.contact_point_id,
                e.case.pk,
                e.loan_id,
                e.decision.channel,
                e.decision.purpose,
                e.decision.proposed_at,
                now,
                e.decision.allowed,
                e.decision.outcome,
                e.decision.reasons,
                e.decision.conditions,
                e.decision.next_permitted_at,
                e.decision.rule_pack,
                e.decision.rule_pack_version,
                None,
            )
            for e in entries
        ],
    )
    attempts = []
    for entry, decision_id in zip(entries, decision_ids, strict=True):
        value, third_party = points.get(entry.decision.contact_point_id, ("", False))
        result = (
            ContactAttempt.Result.PENDING
            if entry.decision.allowed
            else ContactAttempt.Result.BLOCKED
        )
        attempts.append(
            (
                entry.case.customer_id,
                entry.case.pk,
                entry.loan_id,
                entry.decision.contact_point_id,
                value,
                third_party,
                entry.decision.channel,
                entry.decision.purpose,
                entry.decision.proposed_at,
                entry.decision.allowed,
                result,
                None,
                decision_id,
                entry.source,
                None,
            )
        )
    return bulk_insert(ContactAttempt, ATTEMPT_COLUMNS, attempts)


def ledger_complete_many(*, attempt_ids: list[int], result: str, completed_at) -> int:
    """Record that pending attempts ended with `result` (e.g. messages sent), in one
    statement. Only pending attempts change: a result, once recorded, stays."""
    if not attempt_ids:
        return 0
    return ContactAttempt.objects.filter(
        pk__in=attempt_ids, result=ContactAttempt.Result.PENDING
    ).update(result=result, completed_at=completed_at)
