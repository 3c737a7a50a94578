"""Reads for supervisors: the team's call records, the approvals waiting for them and
the team dashboard. Scope is always "the teams this user supervises" (admins: all);
anything outside it answers 404. Each read runs a fixed number of queries, whatever
the period or team size (DESIGN.md section 9: bounded queries, no N+1).

A package (DESIGN.md section 2, past ~500 lines): scope, calls (records, reviews, the
QA sample), approvals, follow-ups (and the home page's counts), the dashboard and its
roll rates. Callers import from here."""

from .approvals import (
    PAYMENT_HISTORY_DAYS,
    approval_get_for_supervisor,
    approvals_for_supervisor,
    decision_history,
    plan_get_for_supervisor,
    plans_for_supervisor,
    plans_with_judgement,
    restriction_for_case,
)
from .calls import (
    AUTO_FLAGGED,
    DISCLOSED_FIRST,
    QA_SAMPLE_SIZE,
    CallFilters,
    call_flags,
    call_follow_ups,
    call_get_for_supervisor,
    call_list_for_supervisor,
    call_reviews,
    day_start,
    qa_sample,
)
from .dashboard import (
    AGREED_PLAN_STATUSES,
    ATTRIBUTION_DAYS,
    MAX_LIVE_CREDITS,
    STANDARD_PERIOD_DAYS,
    CollectorRow,
    Dashboard,
    Period,
    dashboard_cache_seconds,
    dashboards_warm,
    payments_with_caller,
    team_dashboard,
    team_dashboard_cached,
)
from .follow_ups import follow_ups_for_user, supervisor_work
from .rolls import BUCKET_ORDER, roll_rates
from .scope import (
    collectors_for_user,
    is_admin,
    reassign_cases_for_user,
    reassign_collector_for_user,
    reassign_queues_for_user,
    team_get_for_user,
    teams_for_user,
)

__all__ = [
    "AGREED_PLAN_STATUSES",
    "ATTRIBUTION_DAYS",
    "AUTO_FLAGGED",
    "BUCKET_ORDER",
    "DISCLOSED_FIRST",
    "MAX_LIVE_CREDITS",
    "QA_SAMPLE_SIZE",
    "STANDARD_PERIOD_DAYS",
    "CallFilters",
    "CollectorRow",
    "Dashboard",
    "Period",
    "approval_get_for_supervisor",
    "PAYMENT_HISTORY_DAYS",
    "approvals_for_supervisor",
    "call_flags",
    "call_follow_ups",
    "call_get_for_supervisor",
    "call_list_for_supervisor",
    "call_reviews",
    "collectors_for_user",
    "dashboard_cache_seconds",
    "dashboards_warm",
    "day_start",
    "decision_history",
    "follow_ups_for_user",
    "is_admin",
    "payments_with_caller",
    "plan_get_for_supervisor",
    "plans_for_supervisor",
    "plans_with_judgement",
    "qa_sample",
    "reassign_cases_for_user",
    "reassign_collector_for_user",
    "reassign_queues_for_user",
    "restriction_for_case",
    "roll_rates",
    "supervisor_work",
    "team_dashboard",
    "team_dashboard_cached",
    "team_get_for_user",
    "teams_for_user",
]
