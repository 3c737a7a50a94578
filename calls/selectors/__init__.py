"""Reads for the collector's workspace: the queue, the case page (loans, timeline,
compliance banners) and call lists.

A package (split past ~500 lines, DESIGN.md section 2); import from here:
`from calls import selectors` / `from calls.selectors import queue_page`.
"""

from ._common import reason_text
from .case_page import (
    Banner,
    LoanView,
    call_list_for_user,
    case_claim_holder,
    case_current_task,
    case_for_page,
    case_loans,
    case_settlement,
    case_statements,
    case_totals,
    contact_banners,
    pending_attempt,
    pii_reveals_for_case,
)
from .glance import Glance, case_glance
from .queue import (
    PAGE_SIZE,
    QUEUE_DEPTH,
    DiaryEntry,
    QueueFilters,
    QueueRow,
    callback_diary,
    queue_candidate_ids,
    queue_cases,
    queue_filter_choices,
    queue_page,
    queue_reasons,
    queue_total,
    waiting_text,
)
from .timeline import TIMELINE_FILTERS, TIMELINE_LIMIT, TimelineEntry, case_timeline

__all__ = [
    "PAGE_SIZE",
    "QUEUE_DEPTH",
    "TIMELINE_FILTERS",
    "TIMELINE_LIMIT",
    "Banner",
    "Glance",
    "DiaryEntry",
    "LoanView",
    "QueueFilters",
    "QueueRow",
    "TimelineEntry",
    "call_list_for_user",
    "callback_diary",
    "case_claim_holder",
    "case_current_task",
    "case_for_page",
    "case_glance",
    "case_loans",
    "case_statements",
    "case_timeline",
    "case_settlement",
    "case_totals",
    "contact_banners",
    "pending_attempt",
    "pii_reveals_for_case",
    "queue_candidate_ids",
    "queue_cases",
    "queue_filter_choices",
    "queue_page",
    "queue_reasons",
    "queue_total",
    "reason_text",
    "waiting_text",
]
