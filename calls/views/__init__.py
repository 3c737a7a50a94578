"""The collector's pages: the queue and "next case", the case page and its actions,
the guided call. A package by topic; import the views from here."""

from .case_page import (
    WORKERS,
    case_detail,
    case_letter,
    case_page_context,
    case_reveal,
    plan_create,
    preference_add,
    promise_create,
    restriction_add,
    stated_time_zone_set,
    statement_revoke,
)
from .claims import case_release, case_skip, case_take_over
from .guided_call import call_log, call_start, call_step
from .queue import next_case, queue

__all__ = [
    "WORKERS",
    "call_log",
    "call_start",
    "call_step",
    "case_detail",
    "case_page_context",
    "case_release",
    "case_letter",
    "case_reveal",
    "case_skip",
    "case_take_over",
    "next_case",
    "plan_create",
    "preference_add",
    "stated_time_zone_set",
    "promise_create",
    "queue",
    "restriction_add",
    "statement_revoke",
]
