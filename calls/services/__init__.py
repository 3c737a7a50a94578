"""Collector work: claim the next call, start a call through the compliance gate, log
how it went, and audit reveals of masked PII.

A package (split past ~500 lines, DESIGN.md section 2); import from here:
`from calls import services` / `from calls.services import call_log`.
"""

from .call_logs import (
    CONVERSATION_OUTCOMES,
    NO_CONTACT_OUTCOMES,
    Outcome,
    blocked_message,
    call_log,
    call_log_with_promise,
    call_purpose,
    call_record,
    call_start,
    ledger_result_for,
)
from .claims import (
    ADHOC_KEY,
    CLAIM_ATTEMPTS,
    CLAIM_HISTORY_PREFIXES,
    OPEN_TASK,
    call_queue_recheck,
    call_task_claim_next,
    call_task_release,
    call_tasks_follow_cases,
    case_claim,
    case_claim_refuse_other,
    case_claim_release,
    case_claim_take_over,
    case_skip,
    cases_defer_blocked,
    claim_minutes,
    claimable_task_sources,
    claimable_tasks,
    due_now,
    user_queue_ids,
)
from .next_action import case_next_call_set, next_call_for_outcome
from .recordings import recording_check
from .reveals import pii_reveal
from .statements import call_log_with_consent

__all__ = [
    "ADHOC_KEY",
    "CLAIM_ATTEMPTS",
    "CLAIM_HISTORY_PREFIXES",
    "CONVERSATION_OUTCOMES",
    "NO_CONTACT_OUTCOMES",
    "OPEN_TASK",
    "Outcome",
    "blocked_message",
    "call_log",
    "call_log_with_consent",
    "call_log_with_promise",
    "call_purpose",
    "call_record",
    "call_start",
    "call_queue_recheck",
    "call_task_claim_next",
    "cases_defer_blocked",
    "call_task_release",
    "call_tasks_follow_cases",
    "case_claim",
    "case_claim_refuse_other",
    "case_claim_release",
    "case_claim_take_over",
    "case_next_call_set",
    "case_skip",
    "claim_minutes",
    "claimable_task_sources",
    "claimable_tasks",
    "due_now",
    "ledger_result_for",
    "next_call_for_outcome",
    "pii_reveal",
    "recording_check",
    "user_queue_ids",
]
