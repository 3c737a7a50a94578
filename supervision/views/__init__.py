"""The supervisor's pages: call records and reviews, the QA sample, approvals, the
team dashboard (with CSV exports), bulk reassignment, follow-ups, the worklist of
work items and the legal queue.

Short functions: fetch through a selector (which scopes to the user's teams and
answers 404 outside them) → form → service → redirect or render. A package
(DESIGN.md section 2, past ~500 lines); urls.py imports the views from here."""

from .approvals import approval_decide, approvals, plan_decide
from .calls import call_detail, call_list, call_recording, call_review, qa_sample
from .dashboard import dashboard, dashboard_csv, dashboard_for_request
from .follow_ups import follow_up_status, follow_ups
from .reassign import reassign
from .work_items import legal_case, legal_queue, work_item, work_items

__all__ = [
    "approval_decide",
    "approvals",
    "call_detail",
    "call_list",
    "call_recording",
    "call_review",
    "dashboard",
    "dashboard_csv",
    "dashboard_for_request",
    "follow_up_status",
    "follow_ups",
    "legal_case",
    "legal_queue",
    "plan_decide",
    "qa_sample",
    "reassign",
    "work_item",
    "work_items",
]
