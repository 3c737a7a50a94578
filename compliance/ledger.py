"""Writing many gate decisions to the ledger at once (the escalation sweep's path).

`contact_request` is the one-at-a-time path; this is the same write for a batch of
decisions already taken by `contact_evaluate_many`: one Decision row and one
ContactAttempt row each, in two bulk inserts. Bulk inserts write no history rows:
the ledger rows are themselves the audit (DESIGN.md section 8).
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import Case, ContactPoint

from .engine import Decision
from .models import ContactAttempt
from .models import Decision as DecisionRow


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    decision: Decision
    case: Case
    loan_id: int | None = None
    source: str = "escalation"


def ledger_record_many(entries: list[LedgerEntry]) -> list[ContactAttempt]:
    """Write the decisions and their attempts; returns the attempts in entry order.

    Precondition: the caller runs this inside its transaction, with the rows it
    creates for allowed attempts (outbox messages) in the same transaction.
    """
    if not entries:
        return []
    point_ids = {
        e.decision.contact_point_id for e in entries if e.decision.contact_point_id
    }
    points = ContactPoint.objects.in_bulk(point_ids)
    rows = DecisionRow.objects.bulk_create(
        [
            DecisionRow(
                customer_id=e.case.customer_id,
                contact_point_id=e.decision.contact_point_id,
                case=e.case,
                loan_id=e.loan_id,
                channel=e.decision.channel,
                purpose=e.decision.purpose,
                proposed_at=e.decision.proposed_at,
                allowed=e.decision.allowed,
                outcome=e.decision.outcome,
                reasons=e.decision.reasons,
                conditions=e.decision.conditions,
                next_permitted_at=e.decision.next_permitted_at,
                rule_pack=e.decision.rule_pack,
                rule_pack_version=e.decision.rule_pack_version,
            )
            for e in entries
        ]
    )
    attempts = []
    for entry, row in zip(entries, rows, strict=True):
        point = points.get(entry.decision.contact_point_id)
        attempts.append(
            ContactAttempt(
                customer_id=entry.case.customer_id,
                case=entry.case,
                loan_id=entry.loan_id,
                contact_point=point,
                contact_value=point.value if point else "",
                third_party=bool(point and point.is_third_party),
                channel=entry.decision.channel,
                purpose=entry.decision.purpose,
                at=entry.decision.proposed_at,
                allowed=entry.decision.allowed,
                result=(
                    ContactAttempt.Result.PENDING
                    if entry.decision.allowed
                    else ContactAttempt.Result.BLOCKED
                ),
                decision=row,
                source=entry.source,
            )
        )
    return ContactAttempt.objects.bulk_create(attempts)


def ledger_complete_many(*, attempt_ids: list[int], result: str, completed_at) -> int:
    """Record that pending attempts ended with `result` (e.g. messages sent), in one
    statement. Only pending attempts change: a result, once recorded, stays."""
    if not attempt_ids:
        return 0
    return ContactAttempt.objects.filter(
        pk__in=attempt_ids, result=ContactAttempt.Result.PENDING
    ).update(result=result, completed_at=completed_at)
